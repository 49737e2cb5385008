package alert

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"vox/internal/channel/notify"
	"vox/internal/jobs"
	"vox/internal/metrics"
	"vox/internal/store"
)

// KindDigest is the job that builds and sends one user's digest.
const KindDigest = "digest.send"

// DigestHour is the local hour (workspace time zone) at which digests go
// out: the daily one for yesterday, the weekly one on Monday for last week.
const DigestHour = 8

const (
	digestCaseLimit   = 10
	digestPraiseLimit = 5
	// digestAttempts stops retrying after about 2.5 hours (5 s … 2 h): a
	// digest that cannot go out by then is stale, the next one will come.
	digestAttempts = 5
)

// DigestPeriod is the span of local days [From, To) a digest covers.
type DigestPeriod struct {
	Frequency string    `json:"frequency"` // daily or weekly
	From      store.Day `json:"-"`
	To        store.Day `json:"-"` // exclusive
}

// Days is the length of the period in days.
func (p DigestPeriod) Days() int { return int(p.To - p.From) }

// LastDigestPeriod returns the latest period whose digest is due at now in
// loc, and when it was due: yesterday once today's DigestHour has passed
// (else the day before), or last Monday-to-Sunday once this Monday's
// DigestHour has passed (else the week before).
func LastDigestPeriod(frequency string, now time.Time, loc *time.Location) (DigestPeriod, time.Time) {
	today := store.DayOf(now, loc)
	at := func(d store.Day) time.Time {
		y, m, dd := d.Date().Date()
		return time.Date(y, m, dd, DigestHour, 0, 0, 0, loc)
	}
	if frequency == store.DigestWeekly {
		monday := today - store.Day((int(today.Date().Weekday())+6)%7)
		if now.Before(at(monday)) {
			monday -= 7
		}
		return DigestPeriod{Frequency: frequency, From: monday - 7, To: monday}, at(monday)
	}
	send := today
	if now.Before(at(today)) {
		send--
	}
	return DigestPeriod{Frequency: store.DigestDaily, From: send - 1, To: send}, at(send)
}

type digestPayload struct {
	UserID    int64  `json:"user_id"`
	Frequency string `json:"frequency"`
	From      string `json:"from"` // first local day, YYYY-MM-DD
	To        string `json:"to"`   // day after the last
}

func digestKey(userID int64, p DigestPeriod) string {
	return fmt.Sprintf("digest:%d:%s:%s", userID, p.Frequency, p.From)
}

// ScheduleDigests queues, for every user who wants a digest, the job of
// their latest due period. The dedupe key (user, frequency, first day)
// makes every tick after the first a no-op, on any number of replicas; a
// user who chose a digest after its send time gets the next one, not a
// late one.
func (s *Service) ScheduleDigests(ctx context.Context) error {
	subs, err := s.db.DigestSubscribers(ctx)
	if err != nil {
		return err
	}
	now := s.now()
	byWS := map[int64][]store.NewJob{}
	var order []int64
	for _, sub := range subs {
		p, due := LastDigestPeriod(sub.Digest, now, store.LoadLocation(sub.Timezone))
		if sub.Since.After(due) {
			continue
		}
		payload, _ := json.Marshal(digestPayload{UserID: sub.UserID, Frequency: p.Frequency, From: p.From.String(), To: p.To.String()})
		if _, ok := byWS[sub.WorkspaceID]; !ok {
			order = append(order, sub.WorkspaceID)
		}
		byWS[sub.WorkspaceID] = append(byWS[sub.WorkspaceID], store.NewJob{Kind: KindDigest, Payload: string(payload),
			DedupeKey: digestKey(sub.UserID, p), RunAt: now, MaxAttempts: digestAttempts})
	}
	queued := false
	for _, ws := range order {
		ids, err := s.db.EnqueueJobs(ctx, ws, byWS[ws])
		if err != nil {
			return err
		}
		queued = queued || slices.ContainsFunc(ids, func(id int64) bool { return id != 0 })
	}
	if queued {
		s.opt.Wake()
	}
	return nil
}

// RunDigestTicker schedules digests every period until ctx ends.
func (s *Service) RunDigestTicker(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := s.ScheduleDigests(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("schedule digests", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// sendDigest builds and sends one digest. A digest already recorded as
// sent (the job ran, but the worker died before marking it done) is not
// sent again; one for a user who left, was disabled or changed their mind
// since it was queued is dropped, and so is an empty one.
func (s *Service) sendDigest(ctx context.Context, job store.Job) error {
	var p digestPayload
	if err := decodePayload(job, &p); err != nil {
		return err
	}
	from, err1 := store.ParseDay(p.From)
	to, err2 := store.ParseDay(p.To)
	if err := errors.Join(err1, err2); err != nil || to <= from {
		return jobs.Permanent(fmt.Errorf("digest job %d: bad period %s..%s", job.ID, p.From, p.To))
	}
	period := DigestPeriod{Frequency: p.Frequency, From: from, To: to}
	ws := job.WorkspaceID
	key := digestKey(p.UserID, period)
	if sent, err := s.db.HasUserNotification(ctx, ws, key); err != nil || sent {
		return err
	}
	prefs, err := s.db.NotifyPrefs(ctx, ws, p.UserID)
	if err != nil {
		return err
	}
	if prefs.Digest != p.Frequency {
		return nil
	}
	d, err := s.BuildDigest(ctx, ws, p.UserID, period)
	if errors.Is(err, store.ErrNotFound) || err == nil && (d.User.Disabled || d.Empty()) {
		return nil
	}
	if err != nil {
		return err
	}
	subject, text, html, err := renderDigest(d, s.opt.BaseURL)
	if err != nil {
		return jobs.Permanent(err)
	}
	emailed := false
	if s.opt.Mailer != nil && d.User.Email != "" {
		err := s.opt.Mailer.SendAlternative(ctx, []string{d.User.Email}, subject, text, html)
		if errors.Is(err, notify.ErrBadAddress) {
			return jobs.Permanent(err)
		}
		if err != nil {
			return err
		}
		emailed = true
	}
	_, err = s.db.AddUserNotification(ctx, ws, store.UserNotification{UserID: p.UserID, Kind: NotificationDigest, Title: subject,
		Body: text, DedupeKey: key, CreatedAt: s.now(),
		Details: map[string]any{"frequency": p.Frequency, "from": p.From, "to": p.To, "emailed": emailed,
			"open_cases": d.Cases.Open, "overdue_cases": d.Cases.Overdue, "praise": d.Praise.Total}})
	return err
}

// Digest is what one user is told about one period.
type Digest struct {
	Workspace string       `json:"workspace"`
	User      DigestUser   `json:"user"`
	Frequency string       `json:"frequency"`
	From      string       `json:"from"` // first local day
	To        string       `json:"to"`   // last local day (inclusive)
	Cases     DigestCases  `json:"cases"`
	KPIs      []DigestKPI  `json:"kpis"`
	Praise    DigestPraise `json:"praise"`
	loc       *time.Location
}

// DigestUser is the reader of a digest.
type DigestUser struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	Email      string `json:"email"`
	Lang       string `json:"lang"`
	Role       string `json:"role"`
	EmployeeID *int64 `json:"employee_id"`
	Disabled   bool   `json:"-"`
}

// Case scopes of a digest.
const (
	ScopeOwn       = "own"       // cases the user's employee owns
	ScopeTeam      = "team"      // … and those of their direct reports
	ScopeWorkspace = "workspace" // every case (managers without an employee record)
	ScopeNone      = ""
)

// DigestCases are the open cases a digest lists, soonest due first.
type DigestCases struct {
	Scope   string       `json:"scope"`
	Open    int          `json:"open"`
	Overdue int          `json:"overdue"`
	Items   []DigestCase `json:"items"`
}

// SLA states of an open case.
const (
	SLAOnTrack = "on_track"
	SLAAtRisk  = "at_risk" // the 75 % escalation fired
	SLAOverdue = "overdue"
)

// DigestCase is one open case with its SLA state.
type DigestCase struct {
	ID       int64     `json:"id"`
	Title    string    `json:"title"`
	Status   string    `json:"status"`
	DueAt    time.Time `json:"due_at"`
	SLAState string    `json:"sla_state"`
}

// DigestKPI is a score over the period beside the previous period of the
// same length, each with its sample size.
type DigestKPI struct {
	Scope       string  `json:"scope"`  // "you" (the user's employee) or "workspace"
	Metric      string  `json:"metric"` // nps or csat
	Value       float64 `json:"value"`
	N           int     `json:"n"`
	Previous    float64 `json:"previous"`
	PreviousN   int     `json:"previous_n"`
	Change      float64 `json:"change"` // points; 0 unless both periods have answers
	PValue      float64 `json:"p_value"`
	Significant bool    `json:"significant"`
}

// DigestPraise is the praise for the user's circle in the period.
type DigestPraise struct {
	Scope string             `json:"scope"` // team or workspace
	Total int                `json:"total"`
	Items []store.PraiseItem `json:"items"`
}

// Empty reports whether the digest has nothing to say.
func (d Digest) Empty() bool {
	if d.Cases.Open > 0 || d.Praise.Total > 0 {
		return false
	}
	for _, k := range d.KPIs {
		if k.N > 0 || k.PreviousN > 0 {
			return false
		}
	}
	return true
}

// BuildDigest gathers a user's digest for a period: the open cases of the
// user's employee and direct reports (every case for an owner, admin or
// manager without an employee record), NPS and CSAT of the user's employee
// and of the workspace against the previous period (from rollups), and the
// praise for the user's team. The user must be a member of the workspace.
func (s *Service) BuildDigest(ctx context.Context, ws, userID int64, p DigestPeriod) (Digest, error) {
	m, err := s.db.Member(ctx, ws, userID)
	if err != nil {
		return Digest{}, err
	}
	w, err := s.db.Workspace(ctx, ws)
	if err != nil {
		return Digest{}, err
	}
	loc := store.LoadLocation(w.Timezone)
	d := Digest{Workspace: w.Name, Frequency: p.Frequency, From: p.From.String(), To: (p.To - 1).String(), loc: loc,
		User: DigestUser{ID: m.ID, Name: m.Name, Email: m.Email, Lang: m.Lang, Role: m.Role, Disabled: m.Disabled}}
	if d.User.Name == "" {
		d.User.Name = m.Email
	}
	var owners, circle []int64 // nil: every employee
	empID, err := s.db.EmployeeIDForUser(ctx, ws, userID)
	switch {
	case err == nil:
		d.User.EmployeeID = &empID
		emps, err := s.db.EmployeeCircle(ctx, ws, empID)
		if err != nil {
			return Digest{}, err
		}
		owners, circle = []int64{empID}, []int64{}
		for _, e := range emps {
			circle = append(circle, e.ID)
			if e.ManagerID != nil && *e.ManagerID == empID {
				owners = append(owners, e.ID)
			}
		}
		d.Cases.Scope, d.Praise.Scope = ScopeOwn, ScopeTeam
		if len(owners) > 1 {
			d.Cases.Scope = ScopeTeam
		}
	case errors.Is(err, store.ErrNotFound):
		d.Praise.Scope = ScopeWorkspace
		if slices.Contains([]string{store.RoleOwner, store.RoleAdmin, store.RoleManager}, m.Role) {
			d.Cases.Scope = ScopeWorkspace
		} else {
			owners = []int64{} // nobody's cases
		}
	default:
		return Digest{}, err
	}

	now := s.now()
	cases, open, overdue, err := s.db.OpenCases(ctx, ws, owners, now, digestCaseLimit)
	if err != nil {
		return Digest{}, err
	}
	d.Cases.Open, d.Cases.Overdue, d.Cases.Items = open, overdue, make([]DigestCase, 0, len(cases))
	for _, c := range cases {
		state := SLAOnTrack
		switch {
		case now.After(c.DueAt):
			state = SLAOverdue
		case c.EscalationLevel >= 1:
			state = SLAAtRisk
		}
		d.Cases.Items = append(d.Cases.Items, DigestCase{ID: c.ID, Title: c.Title, Status: c.Status, DueAt: c.DueAt, SLAState: state})
	}

	scopes := []struct {
		name    string
		filters map[string][]string
	}{{"workspace", nil}}
	if d.User.EmployeeID != nil {
		scopes = append([]struct {
			name    string
			filters map[string][]string
		}{{"you", map[string][]string{"employee": {strconv.FormatInt(empID, 10)}}}}, scopes...)
	}
	d.KPIs = []DigestKPI{}
	for _, sc := range scopes {
		cur, err := s.rollupTotal(ctx, ws, p.From, p.To-1, sc.filters)
		if err != nil {
			return Digest{}, err
		}
		prev, err := s.rollupTotal(ctx, ws, p.From-store.Day(p.Days()), p.From-1, sc.filters)
		if err != nil {
			return Digest{}, err
		}
		d.KPIs = append(d.KPIs, npsKPI(sc.name, prev, cur), csatKPI(sc.name, prev, cur))
	}

	d.Praise.Total, d.Praise.Items, err = s.db.PraiseItems(ctx, ws, circle, p.From.Start(loc), p.To.Start(loc), digestPraiseLimit)
	if err != nil {
		return Digest{}, err
	}
	return d, nil
}

// rollupTotal sums the rollup counts of the local days [from, to].
func (s *Service) rollupTotal(ctx context.Context, ws int64, from, to store.Day, filters map[string][]string) (store.RollupCounts, error) {
	var total store.RollupCounts
	rows, err := s.db.RollupCounts(ctx, ws, store.RollupQuery{From: from, To: to, Filters: filters})
	if err != nil {
		return total, err
	}
	for i := range rows {
		total.Add(&rows[i].Counts)
	}
	return total, nil
}

func npsKPI(scope string, prev, cur store.RollupCounts) DigestKPI {
	c := metrics.NPS(int(cur.Promoters), int(cur.Passives), int(cur.Detractors))
	p := metrics.NPS(int(prev.Promoters), int(prev.Passives), int(prev.Detractors))
	ch := metrics.NPSChange(p, c)
	k := DigestKPI{Scope: scope, Metric: "nps", Value: c.Score, N: c.N, Previous: p.Score, PreviousN: p.N, PValue: ch.PValue, Significant: ch.Significant}
	if c.N > 0 && p.N > 0 {
		k.Change = ch.Value
	}
	return k
}

// csatKPI combines 5- and 10-point answers through their top-two box, which
// means the same on both scales.
func csatKPI(scope string, prev, cur store.RollupCounts) DigestKPI {
	sat := func(c store.RollupCounts) (int, int) {
		five, ten := metrics.CSAT(int64s(c.CSAT5[:])), metrics.CSAT(int64s(c.CSAT10[:]))
		return five.Satisfied + ten.Satisfied, five.N + ten.N
	}
	ck, cn := sat(cur)
	pk, pn := sat(prev)
	k := DigestKPI{Scope: scope, Metric: "csat", Value: share(ck, cn).Value, N: cn, Previous: share(pk, pn).Value, PreviousN: pn, PValue: 1}
	if cn > 0 && pn > 0 {
		ch := metrics.TwoProportionChange(pk, pn, ck, cn)
		k.Change, k.PValue, k.Significant = ch.Value, ch.PValue, ch.Significant
	}
	return k
}

func int64s(xs []int64) []int {
	out := make([]int, len(xs))
	for i, x := range xs {
		out[i] = int(x)
	}
	return out
}
