package survey

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"vox/internal/ingest"
	"vox/internal/store"
)

// SegmentRequest asks to invite every customer of a segment of the
// workspace (optionally only those of one region) on one channel.
type SegmentRequest struct {
	Channel      string `json:"channel"`
	Segment      string `json:"segment"`
	Region       string `json:"region,omitempty"`
	Wave         string `json:"wave,omitempty"`
	DelaySeconds int    `json:"delay_seconds,omitempty"`
}

// SegmentResult is what inviting a segment led to. Matched counts the
// customers of the segment; each of them is counted once more in exactly
// one of Queued, Duplicates, OptedOut, NoAddress or Invalid (Throttled is
// a forecast about some of the queued ones, as in ListResult).
type SegmentResult struct {
	Matched    int `json:"matched"`
	Queued     int `json:"queued"`
	Duplicates int `json:"duplicates"` // invited before in this wave: nothing new
	OptedOut   int `json:"opted_out"`
	Throttled  int `json:"throttled"`
	// NoAddress counts customers with no address for the channel (no email
	// for email, no phone for SMS, no Telegram id for Telegram): skipped,
	// which is not an error of the request.
	NoAddress int             `json:"no_address"`
	Invalid   []CustomerError `json:"invalid"`
	// Links are the one-time URLs of the new invitations, for the link
	// channel only (the other channels deliver them).
	Links []SegmentLink `json:"links,omitempty"`
}

// CustomerError is a customer of a segment whose stored address was
// refused (say an email without "@" imported long ago).
type CustomerError struct {
	CustomerID int64  `json:"customer_id"`
	Field      string `json:"field"`
	Message    string `json:"message"`
}

// SegmentLink is a new link invitation of a segment's customer.
type SegmentLink struct {
	CustomerID   int64  `json:"customer_id"`
	InvitationID int64  `json:"invitation_id"`
	URL          string `json:"url"`
}

// segmentPage is how many customers one InviteList call (one transaction)
// takes: big enough that per-page costs vanish, small enough that a long
// segment never holds the writer for long. Tests shrink it to walk many
// pages (export_test.go); nothing else changes it.
var segmentPage = store.MaxSegmentPage

// validate checks a segment request as a whole, before any customer is read.
func (r *SegmentRequest) validate() error {
	bad := func(field, msg string) error { return &InviteError{Field: field, Message: msg} }
	r.Segment, r.Region, r.Wave = strings.TrimSpace(r.Segment), strings.TrimSpace(r.Region), strings.TrimSpace(r.Wave)
	switch {
	case !slices.Contains(InvitationChannels, r.Channel):
		return bad("channel", "must be one of link, email, sms, telegram")
	case r.Segment == "":
		return bad("segment", "is required")
	case len(r.Segment) > 200 || !utf8.ValidString(r.Segment):
		return bad("segment", "must be valid text of at most 200 bytes")
	case len(r.Region) > 200 || !utf8.ValidString(r.Region):
		return bad("region", "must be valid text of at most 200 bytes")
	case len(r.Wave) > 100 || !utf8.ValidString(r.Wave):
		return bad("wave", "must be valid text of at most 100 bytes")
	case r.DelaySeconds < 0 || r.DelaySeconds > 90*24*3600:
		return bad("delay_seconds", "must be 0-7776000")
	}
	return nil
}

// InviteSegment invites the workspace's customers of a segment (and region,
// when given) that are not merged into another profile. It walks them a
// page at a time and queues each page through InviteList, one transaction
// per page. Each invitation's dedupe key is wave + customer id, so sending
// the segment again in the same wave invites nobody twice (and completes a
// send that stopped half-way), while a new wave invites everyone again.
// Validation errors are *InviteError naming the field. On an error after
// some pages were queued, the result counts those pages.
func (s *Service) InviteSegment(ctx context.Context, ws, surveyID int64, req SegmentRequest) (SegmentResult, error) {
	var res SegmentResult
	sv, err := s.Survey(ctx, ws, surveyID, 0)
	if err != nil {
		return res, err
	}
	if err := req.validate(); err != nil {
		return res, err
	}
	if sv.Status != "live" {
		return res, ErrSurveyNotLive
	}
	var after int64
	for {
		page, pr, err := s.invitePage(ctx, ws, surveyID, req, after)
		if err != nil {
			return res, err
		}
		res.Matched += pr.Matched
		res.Queued += pr.Queued
		res.Duplicates += pr.Duplicates
		res.OptedOut += pr.OptedOut
		res.Throttled += pr.Throttled
		res.NoAddress += pr.NoAddress
		res.Invalid = append(res.Invalid, pr.Invalid...)
		res.Links = append(res.Links, pr.Links...)
		if len(page) < segmentPage {
			break
		}
		after = page[len(page)-1].ID
	}
	return res, nil
}

// invitePage invites one page of a segment: the customers after the given
// id, queued through InviteList in one transaction. It returns the page
// read (a full page means more may follow) and what it led to.
func (s *Service) invitePage(ctx context.Context, ws, surveyID int64, req SegmentRequest, after int64) ([]store.SegmentContact, SegmentResult, error) {
	var res SegmentResult
	page, err := s.DB.SegmentContacts(ctx, ws, store.SegmentFilter{Segment: req.Segment, Region: req.Region, Limit: segmentPage, AfterID: after})
	if err != nil {
		return nil, res, fmt.Errorf("invite segment %q: %w", req.Segment, err)
	}
	rows := make([]ListRow, 0, len(page))
	for i, c := range page {
		ref := segmentAddress(c, req.Channel)
		if ref == nil {
			res.NoAddress++
			continue
		}
		rows = append(rows, ListRow{Line: i, Request: InviteRequest{Channel: req.Channel, Customer: ref, Wave: req.Wave,
			DelaySeconds: req.DelaySeconds, DedupeKey: "segment:" + req.Wave + ":" + strconv.FormatInt(c.ID, 10)}})
	}
	res.Matched = len(page)
	if len(rows) == 0 {
		return page, res, nil
	}
	lr, err := s.InviteList(ctx, ws, surveyID, rows)
	if err != nil {
		return nil, res, fmt.Errorf("invite segment %q from customer %d: %w", req.Segment, page[0].ID, err)
	}
	res.Queued, res.Duplicates, res.OptedOut, res.Throttled = lr.Queued, lr.Duplicates, lr.OptedOut, lr.Throttled
	for _, e := range lr.Invalid {
		res.Invalid = append(res.Invalid, CustomerError{CustomerID: page[e.Line].ID, Field: e.Field, Message: e.Message})
	}
	if req.Channel == ChannelLink {
		for _, l := range lr.Links {
			res.Links = append(res.Links, SegmentLink{CustomerID: page[l.Line].ID, InvitationID: l.Invitation.ID, URL: l.URL})
		}
	}
	return page, res, nil
}

// segmentAddress is the customer reference that reaches c on channel, or
// nil when c has no address for it. A link reaches anyone with an
// identity; the reference carries one identity only, enough to resolve to
// c, plus the language and time zone that shape the message and its hour.
func segmentAddress(c store.SegmentContact, channel string) *ingest.CustomerRef {
	ref := &ingest.CustomerRef{Lang: c.Lang, Timezone: c.Timezone}
	a := c.Addresses
	switch channel {
	case ChannelEmail:
		ref.Email = a[store.IdentityEmail]
	case ChannelSMS:
		ref.Phone = a[store.IdentityPhone]
	case ChannelTelegram:
		ref.TelegramID = a[store.IdentityTelegramID]
	case ChannelLink:
		switch {
		case a[store.IdentityExternalID] != "":
			ref.ExternalID = a[store.IdentityExternalID]
		case a[store.IdentityEmail] != "":
			ref.Email = a[store.IdentityEmail]
		case a[store.IdentityPhone] != "":
			ref.Phone = a[store.IdentityPhone]
		case a[store.IdentityTelegramID] != "":
			ref.TelegramID = a[store.IdentityTelegramID]
		default:
			ref.TelegramUsername = a[store.IdentityTelegramUsername]
		}
	}
	if ref.Email == "" && ref.Phone == "" && ref.TelegramID == "" && ref.ExternalID == "" && ref.TelegramUsername == "" {
		return nil
	}
	return ref
}
