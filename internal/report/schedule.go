package report

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"vox/internal/channel/notify"
	"vox/internal/jobs"
	"vox/internal/store"
)

// Scheduled reports: a workspace orders the PDF every week by email
// (store.ReportSubscription). The scheduler's ticker queues one durable job
// per subscription and week once the subscription's weekday and hour have
// struck in the workspace's time zone; the job renders last full Monday to
// Sunday week's report and mails it as an attachment. The job's dedupe key
// (subscription, week) makes every further tick, restart or replica a
// no-op, and the week recorded on the subscription after the send keeps a
// job rerun after a crash from mailing it twice.

// KindWeekly is the job that renders and mails one weekly report.
const KindWeekly = "report.weekly"

// weeklyAttempts stop retries after about 17 hours (5 s … 10 h): a weekly
// report later than that is stale, and the error stays on the subscription.
const weeklyAttempts = 7

// Mailer sends a message with attachments; notify.Mailer is one. Refused
// recipients are returned, the others still get the message.
type Mailer interface {
	SendMail(ctx context.Context, m notify.Mail) (rejected []string, err error)
}

// Scheduler queues and sends the weekly reports.
type Scheduler struct {
	DB *store.DB
	// Mailer sends the reports; nil means email is off, and a send fails
	// with that reason recorded on the subscription.
	Mailer Mailer
	// BaseURL links the email to the reports page; empty: no link.
	BaseURL string
	Log     *slog.Logger
	// Wake tells the job worker there is work (optional).
	Wake func()
	// Now is the clock; nil: time.Now.
	Now func() time.Time
}

// ErrEmailOff is recorded when a report is due but no SMTP server is set.
var ErrEmailOff = errors.New("email is off: start Vox with --smtp-addr to send reports")

func (s *Scheduler) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Scheduler) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

func (s *Scheduler) wake() {
	if s.Wake != nil {
		s.Wake()
	}
}

// Register installs the job handler.
func (s *Scheduler) Register(w *jobs.Worker) { w.Handle(KindWeekly, s.send) }

// LastFullWeek returns the Monday..Sunday local days of the week before the
// one holding now.
func LastFullWeek(now time.Time, loc *time.Location) (from, to store.Day) {
	monday := weekStart(store.DayOf(now, loc))
	return monday - 7, monday - 1
}

func weekStart(d store.Day) store.Day {
	return d - store.Day((int(d.Date().Weekday())+6)%7) // Monday = 0
}

// DueAt returns when a subscription's report falls due in the week that
// holds now: its ISO weekday (1 Monday … 7 Sunday) at hour o'clock in loc.
func DueAt(now time.Time, loc *time.Location, weekday, hour int) time.Time {
	y, m, d := (weekStart(store.DayOf(now, loc)) + store.Day(weekday-1)).Date().Date()
	return time.Date(y, m, d, hour, 0, 0, 0, loc)
}

// weeklyPayload is a job's order: which subscription, which week.
type weeklyPayload struct {
	SubscriptionID int64  `json:"subscription_id"`
	From           string `json:"from"` // Monday, YYYY-MM-DD
	To             string `json:"to"`   // Sunday
	Manual         bool   `json:"manual,omitempty"`
}

func weeklyKey(subID int64, from store.Day) string { return fmt.Sprintf("report:%d:%s", subID, from) }

// Schedule queues the report of every enabled subscription that is due:
// its weekday and hour have passed in the current week of its workspace's
// time zone and last week's report was not sent yet. A subscription made
// after this week's time waits for next week rather than sending late.
func (s *Scheduler) Schedule(ctx context.Context) error {
	subs, err := s.DB.ScheduledReports(ctx)
	if err != nil {
		return err
	}
	now := s.now()
	queued := false
	for _, sub := range subs {
		loc := store.LoadLocation(sub.Timezone)
		due := DueAt(now, loc, sub.Weekday, sub.Hour)
		from, to := LastFullWeek(now, loc)
		if now.Before(due) || sub.CreatedAt.After(due) || sub.LastPeriod == from.String() {
			continue
		}
		payload, _ := json.Marshal(weeklyPayload{SubscriptionID: sub.ID, From: from.String(), To: to.String()})
		ids, err := s.DB.EnqueueJobs(ctx, sub.WorkspaceID, []store.NewJob{{Kind: KindWeekly, Payload: string(payload),
			DedupeKey: weeklyKey(sub.ID, from), RunAt: now, MaxAttempts: weeklyAttempts}})
		if err != nil {
			return err
		}
		queued = queued || ids[0] != 0
	}
	if queued {
		s.wake()
	}
	return nil
}

// RunTicker schedules reports every period until ctx ends.
func (s *Scheduler) RunTicker(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := s.Schedule(ctx); err != nil && ctx.Err() == nil {
			s.log().Error("schedule weekly reports", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// SendNow queues last full week's report of one subscription at once,
// enabled or not. A second request within the same minute is the same job
// (a double click sends one email); it reports whether a job was queued.
func (s *Scheduler) SendNow(ctx context.Context, ws, id int64) (bool, error) {
	if _, err := s.DB.ReportSubscription(ctx, ws, id); err != nil {
		return false, err
	}
	w, err := s.DB.Workspace(ctx, ws)
	if err != nil {
		return false, err
	}
	now := s.now()
	from, to := LastFullWeek(now, store.LoadLocation(w.Timezone))
	payload, _ := json.Marshal(weeklyPayload{SubscriptionID: id, From: from.String(), To: to.String(), Manual: true})
	ids, err := s.DB.EnqueueJobs(ctx, ws, []store.NewJob{{Kind: KindWeekly, Payload: string(payload),
		DedupeKey: fmt.Sprintf("%s:now:%d", weeklyKey(id, from), now.Unix()/60), RunAt: now, MaxAttempts: weeklyAttempts}})
	if err != nil {
		return false, err
	}
	if ids[0] == 0 {
		return false, nil
	}
	s.wake()
	return true, nil
}

// send renders and mails one report. A deleted subscription, or a
// scheduled send of one since disabled or already sent for that week, is
// dropped. Failures are recorded on the subscription; a refused address
// or a missing SMTP server is permanent, anything else is retried.
func (s *Scheduler) send(ctx context.Context, job store.Job) error {
	var p weeklyPayload
	if err := json.Unmarshal([]byte(job.Payload), &p); err != nil {
		return jobs.Permanent(fmt.Errorf("weekly report job %d: %w", job.ID, err))
	}
	from, err1 := store.ParseDay(p.From)
	to, err2 := store.ParseDay(p.To)
	if err := errors.Join(err1, err2); err != nil || to < from {
		return jobs.Permanent(fmt.Errorf("weekly report job %d: bad period %s..%s", job.ID, p.From, p.To))
	}
	ws := job.WorkspaceID
	sub, err := s.DB.ReportSubscription(ctx, ws, p.SubscriptionID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if !p.Manual && (!sub.Enabled || sub.LastPeriod == p.From) {
		return nil
	}
	fail := func(err error, permanent bool) error {
		if rerr := s.DB.RecordReportError(ctx, ws, sub.ID, err.Error()); rerr != nil {
			s.log().Error("record weekly report error", "subscription", sub.ID, "err", rerr)
		}
		if permanent {
			return jobs.Permanent(err)
		}
		return err
	}
	if s.Mailer == nil {
		return fail(ErrEmailOff, true)
	}
	msg, err := s.Compose(ctx, ws, sub, from, to)
	if err != nil {
		return err
	}
	rejected, err := s.Mailer.SendMail(ctx, msg)
	if err != nil {
		return fail(err, errors.Is(err, notify.ErrRejected) || errors.Is(err, notify.ErrBadAddress))
	}
	problem := ""
	if len(rejected) > 0 {
		problem = fmt.Sprintf("%s: %v", notify.ErrRejected, rejected)
	}
	period := p.From
	if p.Manual {
		period = ""
	}
	return s.DB.RecordReportSent(ctx, ws, sub.ID, period, s.now(), problem)
}

// Compose renders the email of one subscription's report of the local days
// [from, to]: the PDF attached, the headline KPIs in the body, in the
// subscription's language, from the workspace's sender address when it
// has one.
func (s *Scheduler) Compose(ctx context.Context, ws int64, sub store.ReportSubscription, from, to store.Day) (notify.Mail, error) {
	req := Request{WorkspaceID: ws, From: from, To: to, Format: "pdf", Lang: sub.Lang}
	data, err := Collect(ctx, s.DB, req, s.now())
	if err != nil {
		return notify.Mail{}, fmt.Errorf("weekly report: %w", err)
	}
	var pdf bytes.Buffer
	if err := WritePDF(&pdf, data); err != nil {
		return notify.Mail{}, fmt.Errorf("weekly report: %w", err)
	}
	sender, err := s.sender(ctx, ws)
	if err != nil {
		return notify.Mail{}, err
	}
	subject, text, html, err := renderEmail(data, s.BaseURL)
	if err != nil {
		return notify.Mail{}, err
	}
	return notify.Mail{From: sender, To: sub.Recipients, Subject: subject, Text: text, HTML: html,
		Attachments: []notify.Attachment{{Filename: Filename(req), ContentType: contentTypes["pdf"], Data: pdf.Bytes()}}}, nil
}

// sender is the workspace's own sender address (channel settings), or ""
// for the server's.
func (s *Scheduler) sender(ctx context.Context, ws int64) (string, error) {
	raw, err := s.DB.SurveySettings(ctx, ws)
	if err != nil {
		return "", err
	}
	var settings struct {
		EmailFrom string `json:"email_from"`
	}
	_ = json.Unmarshal([]byte(raw), &settings) // unreadable settings: the server's sender
	return settings.EmailFrom, nil
}
