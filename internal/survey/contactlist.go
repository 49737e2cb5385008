package survey

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"vox/internal/ingest"
	"vox/internal/store"
)

// ListRow is one contact of an uploaded list and the line it came from, so
// a problem can be reported where the manager will look for it.
type ListRow struct {
	Line    int
	Request InviteRequest
}

// RowError is a row of a contact list that was not invited.
type RowError struct {
	Line           int
	Field, Message string
}

func (e RowError) Error() string { return fmt.Sprintf("line %d: %s %s", e.Line, e.Field, e.Message) }

// ListError is a contact list that cannot be read at all (no header,
// broken quoting, too many rows); Line is 0 when no line is at fault.
type ListError struct {
	Line    int
	Message string
}

func (e *ListError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Message)
	}
	return e.Message
}

// MaxListRows bounds one list upload.
const MaxListRows = 50000

// listColumns are the header names a contact list may use, mapped to the
// customer field they fill ("telegram" and "telegram_id" are the same).
var listColumns = map[string]string{"email": "email", "phone": "phone", "telegram": "telegram_id", "telegram_id": "telegram_id",
	"external_id": "external_id", "name": "name", "lang": "lang", "timezone": "timezone"}

// ParseContactList reads a CSV of contacts. The header names any of email,
// phone, telegram (or telegram_id), external_id, name, lang and timezone, in
// any order; other columns are ignored. Commas or semicolons separate the
// fields (spreadsheets in Russian locales save with semicolons). Each row
// asks for an invitation on channel in wave, keyed by wave and address as
// the API's list upload does, so a list uploaded twice, either way, sends
// nothing twice.
func ParseContactList(r io.Reader, channel, wave string) ([]ListRow, error) {
	br := bufio.NewReader(r)
	head, _ := br.Peek(4096)
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	cr := csv.NewReader(br)
	if bytes.Count(head, []byte(";")) > bytes.Count(head, []byte(",")) {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, &ListError{Message: "the file is empty"}
	}
	if err != nil {
		return nil, &ListError{Line: 1, Message: csvMessage(err)}
	}
	col := map[string]int{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if f, ok := listColumns[name]; ok {
			if _, dup := col[f]; !dup {
				col[f] = i
			}
		}
	}
	if !slices.ContainsFunc([]string{"email", "phone", "telegram_id", "external_id"}, func(f string) bool { _, ok := col[f]; return ok }) {
		return nil, &ListError{Line: 1, Message: "the first line must name the columns: email, phone or telegram, and optionally name, lang"}
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var rows []ListRow
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			return nil, &ListError{Line: line, Message: csvMessage(err)}
		}
		line, _ := cr.FieldPos(0)
		if blank(rec) {
			continue
		}
		if len(rows) >= MaxListRows {
			return nil, &ListError{Message: fmt.Sprintf("at most %d rows per upload", MaxListRows)}
		}
		c := &ingest.CustomerRef{Email: get(rec, "email"), Phone: get(rec, "phone"), TelegramID: get(rec, "telegram_id"),
			ExternalID: get(rec, "external_id"), Name: get(rec, "name"), Lang: strings.ToLower(get(rec, "lang")),
			Timezone: get(rec, "timezone")}
		addr := c.Email + "|" + c.Phone + "|" + c.TelegramID + "|" + c.ExternalID
		rows = append(rows, ListRow{Line: line, Request: InviteRequest{Channel: channel, Customer: c, Wave: wave,
			DedupeKey: "list:" + wave + ":" + addr}})
	}
	if len(rows) == 0 {
		return nil, &ListError{Message: "the file has a header but no contacts"}
	}
	return rows, nil
}

func blank(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// csvMessage is a CSV reader error without the position, which ListError
// gives on its own.
func csvMessage(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// ListResult is what inviting a contact list led to.
type ListResult struct {
	Rows       int // contacts read
	Queued     int // new invitations: waiting for their send job, or links handed out
	Duplicates int // rows invited before (same wave and address): nothing new
	OptedOut   int // customers who opted out: stored, never sent
	// Throttled counts queued invitations whose customer was surveyed
	// within the workspace's throttle window: the send job will skip them
	// (it decides at sending time; this is the forecast at queueing time).
	Throttled int
	Invalid   []RowError // rows not invited
	Links     []ListLink // the new invitations, with their one-time URLs
}

// ListLink is a new invitation of a list with the line it came from.
type ListLink struct {
	Line       int
	Invitation store.Invitation
	URL        string
}

// InviteList invites the valid rows of a contact list through Invite (one
// transaction with their send jobs) and reports the invalid ones by line
// instead of refusing the whole list, as a manager fixing a spreadsheet
// needs. It fails only when the survey is missing or not live.
func (s *Service) InviteList(ctx context.Context, ws, surveyID int64, rows []ListRow) (ListResult, error) {
	sv, err := s.Survey(ctx, ws, surveyID, 0)
	if err != nil {
		return ListResult{}, err
	}
	if sv.Status != "live" {
		return ListResult{}, ErrSurveyNotLive
	}
	res := ListResult{Rows: len(rows)}
	now := s.now()
	good := make([]InviteRequest, 0, len(rows))
	lines := make([]int, 0, len(rows))
	for i := range rows {
		if _, err := s.prepareInvite(sv, &rows[i].Request, now, i); err != nil {
			var ie *InviteError
			if !errors.As(err, &ie) {
				return ListResult{}, err
			}
			res.Invalid = append(res.Invalid, RowError{Line: rows[i].Line, Field: ie.Field, Message: ie.Message})
			continue
		}
		good = append(good, rows[i].Request)
		lines = append(lines, rows[i].Line)
	}
	if len(good) == 0 {
		return res, nil
	}
	out, err := s.Invite(ctx, ws, surveyID, good)
	if err != nil {
		return ListResult{}, err
	}
	settings, err := s.Settings(ctx, ws)
	if err != nil {
		return ListResult{}, err
	}
	window := time.Duration(settings.ThrottleDays) * 24 * time.Hour
	for i, o := range out {
		switch {
		case !o.Created:
			res.Duplicates++
		case o.Invitation.Status == store.InvitationOptedOut:
			res.OptedOut++
		default:
			res.Queued++
			res.Links = append(res.Links, ListLink{Line: lines[i], Invitation: o.Invitation, URL: o.URL})
			if window > 0 && o.Invitation.CustomerID != nil && o.Invitation.Channel != ChannelLink {
				last, err := s.DB.LastContact(ctx, ws, *o.Invitation.CustomerID, o.Invitation.ID)
				if err != nil {
					return ListResult{}, err
				}
				if !last.IsZero() && now.Sub(last) < window {
					res.Throttled++
				}
			}
		}
	}
	return res, nil
}
