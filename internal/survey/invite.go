package survey

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"vox/internal/ingest"
	"vox/internal/jobs"
	"vox/internal/store"
)

// InviteRequest asks for one invitation.
type InviteRequest struct {
	Channel  string              `json:"channel"`
	Customer *ingest.CustomerRef `json:"customer,omitempty"`
	Lang     string              `json:"lang,omitempty"`
	Wave     string              `json:"wave,omitempty"`
	// DelaySeconds postpones sending ("order delivered" → ask in 2 hours).
	DelaySeconds int `json:"delay_seconds,omitempty"`
	// DedupeKey makes the request idempotent for the survey (e.g. the
	// event id): a repeat returns the first invitation and sends nothing.
	DedupeKey string `json:"dedupe_key,omitempty"`
}

// Invited is the result of one request.
type Invited struct {
	Invitation store.Invitation `json:"invitation"`
	URL        string           `json:"url,omitempty"`
	Created    bool             `json:"created"`
}

// InviteError names the field of a request at fault.
type InviteError struct {
	Index          int
	Field, Message string
}

func (e *InviteError) Error() string { return e.Field + ": " + e.Message }

// ErrSurveyNotLive refuses invitations to a draft or closed survey.
var ErrSurveyNotLive = errors.New("survey is not live")

func (s *Service) prepareInvite(sv Survey, r *InviteRequest, now time.Time, idx int) (store.NewInvitation, error) {
	bad := func(field, format string, args ...any) error {
		return &InviteError{Index: idx, Field: field, Message: fmt.Sprintf(format, args...)}
	}
	if !slices.Contains(InvitationChannels, r.Channel) {
		return store.NewInvitation{}, bad("channel", "must be one of link, email, sms, telegram")
	}
	if r.DelaySeconds < 0 || r.DelaySeconds > 90*24*3600 {
		return store.NewInvitation{}, bad("delay_seconds", "must be 0-7776000")
	}
	if len(r.Wave) > 100 || len(r.DedupeKey) > 200 {
		return store.NewInvitation{}, bad("wave", "wave at most 100 bytes, dedupe_key at most 200")
	}
	if r.Lang != "" && !slices.Contains(Languages, r.Lang) {
		return store.NewInvitation{}, bad("lang", "must be one of en, ru, zh")
	}
	in := store.NewInvitation{SurveyID: sv.ID, SurveyVersion: sv.Version, Channel: r.Channel, Lang: r.Lang, Wave: r.Wave,
		DedupeKey: r.DedupeKey, SendAt: now.Add(time.Duration(r.DelaySeconds) * time.Second),
		ExpiresAt: now.AddDate(0, 0, sv.Options.ExpiryDays)}
	if r.Customer != nil {
		probe := ingest.Item{Text: "-", Customer: r.Customer}
		if fe := probe.Validate(now); fe != nil {
			return in, bad(fe.Field, "%s", fe.Message)
		}
		in.Customer = r.Customer.Input()
		if in.Lang == "" {
			in.Lang = PickLang(&sv.Definition, "", r.Customer.Lang)
		}
	}
	switch r.Channel {
	case ChannelEmail:
		in.Address = store.NormalizeIdentity(store.IdentityEmail, refField(r.Customer, func(c *ingest.CustomerRef) string { return c.Email }))
	case ChannelSMS:
		in.Address = store.NormalizeIdentity(store.IdentityPhone, refField(r.Customer, func(c *ingest.CustomerRef) string { return c.Phone }))
	case ChannelTelegram:
		in.Address = refField(r.Customer, func(c *ingest.CustomerRef) string { return c.TelegramID })
	case ChannelLink:
		in.SentAt = now // handed out now: the funnel starts here
		in.Status = store.InvitationSent
	}
	if r.Channel != ChannelLink && in.Address == "" {
		field := map[string]string{ChannelEmail: "customer.email", ChannelSMS: "customer.phone", ChannelTelegram: "customer.telegram_id"}[r.Channel]
		return in, bad(field, "is required for channel %s", r.Channel)
	}
	return in, nil
}

func refField(c *ingest.CustomerRef, f func(*ingest.CustomerRef) string) string {
	if c == nil {
		return ""
	}
	return f(c)
}

// Invite creates invitations to a survey and, in the same transaction, the
// durable jobs that send them: a crash after the commit still sends, a
// crash before it leaves nothing behind. A request whose customer opted out
// is stored as opted_out and neither sent nor given a link.
func (s *Service) Invite(ctx context.Context, ws, surveyID int64, reqs []InviteRequest) ([]Invited, error) {
	sv, err := s.Survey(ctx, ws, surveyID, 0)
	if err != nil {
		return nil, err
	}
	if sv.Status != "live" {
		return nil, ErrSurveyNotLive
	}
	now := s.now()
	ins := make([]store.NewInvitation, len(reqs))
	for i := range reqs {
		if ins[i], err = s.prepareInvite(sv, &reqs[i], now, i); err != nil {
			return nil, err
		}
	}
	settings, err := s.Settings(ctx, ws)
	if err != nil {
		return nil, err
	}
	out := make([]Invited, len(reqs))
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		var newJobs []store.NewJob
		for i, in := range ins {
			inv, created, err := tx.CreateInvitation(ctx, ws, in, now)
			if err != nil {
				return err
			}
			out[i] = Invited{Invitation: inv, Created: created}
			if !created {
				continue
			}
			if inv.CustomerID != nil {
				opted, err := tx.OptedOut(ctx, ws, *inv.CustomerID)
				if err != nil {
					return err
				}
				if opted {
					if err := tx.SetInvitationStatus(ctx, ws, inv.ID, store.InvitationOptedOut, ""); err != nil {
						return err
					}
					out[i].Invitation.Status = store.InvitationOptedOut
					continue
				}
			}
			if in.Channel == ChannelLink {
				continue
			}
			runAt := in.SendAt
			if until := settings.QuietHours.quietUntil(runAt, s.zoneOf(reqs[i].Customer, ws)); !until.IsZero() {
				runAt = until
			}
			payload, _ := json.Marshal(jobPayload{InvitationID: inv.ID})
			newJobs = append(newJobs, store.NewJob{Kind: JobSend, Payload: string(payload), RunAt: runAt,
				DedupeKey: "send:" + strconv.FormatInt(inv.ID, 10)})
		}
		if len(newJobs) > 0 {
			if _, err := tx.EnqueueJobs(ctx, ws, newJobs); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("invite: %w", err)
	}
	for i := range out {
		if out[i].Invitation.Status != store.InvitationOptedOut {
			out[i].URL = s.InvitationURL(out[i].Invitation)
		}
	}
	s.notify()
	return out, nil
}

// zoneOf is the time zone named in a request, for planning the first send;
// the send job checks again with the stored customer's zone.
func (s *Service) zoneOf(c *ingest.CustomerRef, ws int64) *time.Location {
	if c != nil && c.Timezone != "" {
		if loc, err := time.LoadLocation(c.Timezone); err == nil {
			return loc
		}
	}
	return s.location(context.Background(), ws, nil)
}

type jobPayload struct {
	InvitationID int64 `json:"invitation_id"`
	Reminder     int   `json:"reminder,omitempty"`
}

// Register adds the survey job handlers to a worker.
func (s *Service) Register(w *jobs.Worker) {
	w.Handle(JobSend, s.handleSend)
	w.Handle(JobRemind, s.handleRemind)
	w.Handle(JobSegment, s.handleSegment)
	if s.Notify == nil {
		s.Notify = w.Notify
	}
}

var errQuietHours = errors.New("quiet hours in the customer's time zone")

// handleSend sends one invitation unless the rules of contact forbid it.
func (s *Service) handleSend(ctx context.Context, j store.Job) error {
	var p jobPayload
	if err := json.Unmarshal([]byte(j.Payload), &p); err != nil {
		return jobs.Permanent(fmt.Errorf("survey.send payload: %w", err))
	}
	ws := j.WorkspaceID
	inv, err := s.DB.Invitation(ctx, ws, p.InvitationID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if inv.Status != store.InvitationPending && inv.Status != store.InvitationSending {
		return nil // sent, answered or skipped already: never send twice
	}
	now := s.now()
	if !now.Before(inv.ExpiresAt) {
		return s.DB.MarkInvitationFailed(ctx, ws, inv.ID, "expired before it could be sent", now)
	}
	settings, err := s.Settings(ctx, ws)
	if err != nil {
		return err
	}
	if inv.CustomerID != nil {
		if opted, err := s.DB.OptedOut(ctx, ws, *inv.CustomerID); err != nil {
			return err
		} else if opted {
			return s.DB.SetInvitationStatus(ctx, ws, inv.ID, store.InvitationOptedOut, "")
		}
		if settings.ThrottleDays > 0 {
			last, err := s.DB.LastContact(ctx, ws, *inv.CustomerID, inv.ID)
			if err != nil {
				return err
			}
			if !last.IsZero() && now.Sub(last) < time.Duration(settings.ThrottleDays)*24*time.Hour {
				return s.DB.SetInvitationStatus(ctx, ws, inv.ID, store.InvitationThrottled,
					"customer was surveyed on "+last.Format(time.DateOnly))
			}
		}
	}
	if until := settings.QuietHours.quietUntil(now, s.location(ctx, ws, inv.CustomerID)); !until.IsZero() {
		return jobs.RetryAfter(errQuietHours, until.Sub(now))
	}
	won, err := s.DB.ClaimInvitationSend(ctx, ws, inv.ID)
	if err != nil || !won {
		return err
	}
	pid, err := s.deliver(ctx, inv, settings, false)
	if err != nil {
		if errors.Is(err, ErrRejected) {
			return s.DB.MarkInvitationFailed(ctx, ws, inv.ID, err.Error(), now)
		}
		_ = s.DB.SetInvitationStatus(ctx, ws, inv.ID, store.InvitationPending, err.Error())
		return err
	}
	if err := s.DB.MarkInvitationSent(ctx, ws, inv.ID, pid, now); err != nil {
		return err
	}
	return s.scheduleReminder(ctx, inv, 1, now)
}

func (s *Service) scheduleReminder(ctx context.Context, inv store.Invitation, n int, from time.Time) error {
	sv, err := s.Survey(ctx, inv.WorkspaceID, inv.SurveyID, 0)
	if err != nil {
		return err
	}
	o := sv.Options
	if o.ReminderDays <= 0 || n > o.MaxReminders {
		return nil
	}
	at := from.AddDate(0, 0, o.ReminderDays)
	if !at.Before(inv.ExpiresAt) {
		return nil
	}
	payload, _ := json.Marshal(jobPayload{InvitationID: inv.ID, Reminder: n})
	_, err = s.DB.EnqueueJobs(ctx, inv.WorkspaceID, []store.NewJob{{Kind: JobRemind, Payload: string(payload), RunAt: at,
		DedupeKey: fmt.Sprintf("remind:%d:%d", inv.ID, n)}})
	return err
}

// handleRemind sends the n-th reminder of an unanswered invitation.
func (s *Service) handleRemind(ctx context.Context, j store.Job) error {
	var p jobPayload
	if err := json.Unmarshal([]byte(j.Payload), &p); err != nil {
		return jobs.Permanent(fmt.Errorf("survey.remind payload: %w", err))
	}
	ws := j.WorkspaceID
	inv, err := s.DB.Invitation(ctx, ws, p.InvitationID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	now := s.now()
	if inv.AnsweredAt != nil || !now.Before(inv.ExpiresAt) || inv.RemindersSent >= p.Reminder ||
		(inv.Status != store.InvitationSent && inv.Status != store.InvitationDelivered) {
		return nil
	}
	if inv.CustomerID != nil {
		if opted, err := s.DB.OptedOut(ctx, ws, *inv.CustomerID); err != nil || opted {
			return err
		}
	}
	settings, err := s.Settings(ctx, ws)
	if err != nil {
		return err
	}
	if until := settings.QuietHours.quietUntil(now, s.location(ctx, ws, inv.CustomerID)); !until.IsZero() {
		return jobs.RetryAfter(errQuietHours, until.Sub(now))
	}
	// Count first: a crash after sending must not remind again.
	if err := s.DB.CountReminder(ctx, ws, inv.ID); err != nil {
		return err
	}
	if _, err := s.deliver(ctx, inv, settings, true); err != nil {
		if errors.Is(err, ErrRejected) {
			return nil
		}
		return err
	}
	return s.scheduleReminder(ctx, inv, p.Reminder+1, now)
}

// deliver builds the channel message of an invitation and sends it.
func (s *Service) deliver(ctx context.Context, inv store.Invitation, settings Settings, reminder bool) (string, error) {
	sender := s.Senders[inv.Channel]
	if sender == nil {
		return "", jobs.Permanent(fmt.Errorf("no sender configured for channel %s", inv.Channel))
	}
	m, err := s.Message(ctx, inv, settings, reminder)
	if err != nil {
		return "", err
	}
	return sender.Send(ctx, m)
}

// Message renders an invitation for its channel.
func (s *Service) Message(ctx context.Context, inv store.Invitation, settings Settings, reminder bool) (Message, error) {
	sv, err := s.Survey(ctx, inv.WorkspaceID, inv.SurveyID, inv.SurveyVersion)
	if err != nil {
		return Message{}, err
	}
	lang := PickLang(&sv.Definition, "", inv.Lang)
	ui := Strings(lang)
	tok := s.InvitationToken(inv)
	url := s.BaseURL + "/s/" + tok
	m := Message{WorkspaceID: inv.WorkspaceID, InvitationID: inv.ID, Channel: inv.Channel, To: inv.Address, Lang: lang,
		Subject: sv.Title.In(lang, sv.DefaultLang()), Intro: sv.Intro.In(lang, sv.DefaultLang()), URL: url,
		OptOutURL: url + "/optout", ReceiptURL: url + "/receipt", Reminder: reminder, Strings: ui, Settings: settings,
		Ref: fmt.Sprintf("vox-survey-%d-%d", inv.WorkspaceID, inv.ID)}
	if m.Subject == "" {
		m.Subject = ui.Subject
	}
	if reminder {
		m.Subject = ui.ReminderSubj
		m.Ref += "-r" + strconv.Itoa(inv.RemindersSent)
	}
	if steps := NextStep(&sv.Definition, Answers{}); len(steps) > 0 {
		q := steps[0]
		m.Question = q.Text.In(lang, sv.DefaultLang())
		if lo, hi, ok := q.Range(); ok {
			for v := lo; v <= hi; v++ {
				m.Scale = append(m.Scale, ScaleLink{Value: v, URL: url + "?a_" + q.ID + "=" + strconv.Itoa(v),
					Data: fmt.Sprintf("v:%d:%d", inv.ID, v)})
			}
			m.LowLabel, m.HighLabel = q.LowLabel.In(lang, sv.DefaultLang()), q.HighLbl.In(lang, sv.DefaultLang())
			if q.Type == TypeNPS && m.LowLabel == "" {
				m.LowLabel, m.HighLabel = ui.NotLikely, ui.VeryLikely
			}
		}
	}
	return m, nil
}
