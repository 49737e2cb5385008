package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"vox/internal/alert"
	"vox/internal/auth"
	"vox/internal/store"
)

// The cases pages close the loop: an inbox (list or board) of the cases
// rules and people opened, and one page per case where an agent takes it,
// assigns it, answers the customer, notes, resolves and reopens it. Every
// action is a plain POST form that redirects back (PRG); bad input renders
// the case again with the error and the typed text kept.

const (
	casesPerPage     = 50
	caseBoardMax     = 200 // unresolved cases on the board
	caseBoardDoneMax = 20  // most recently resolved cases on the board
	caseTextMax      = 5000
	rootCauseMax     = 80
	caseTeamMax      = 100
)

// caseSLAChoices are the SLA hours offered when opening a case by hand;
// the first is the default (the design's 24 h).
var caseSLAChoices = []int{24, 4, 8, 48, 72, 168}

// activeCaseStatuses are the statuses of work still to do.
var activeCaseStatuses = []string{store.CaseOpen, store.CaseInProgress, store.CaseWaiting}

// caseStatusFilters are the inbox's status choices: "" is every unresolved
// case, "any" every case.
var caseStatusFilters = []string{"", store.CaseOpen, store.CaseInProgress, store.CaseWaiting, store.CaseResolved, "any"}

// caseDone lists the actions whose success the case page confirms.
var caseDone = []string{"take", "assign", "status", "note", "reply", "resolve", "reopen", "opened", "exists"}

func (s *Server) caseRoutes() []route {
	perms := []auth.Permission{auth.WorkCases}
	return []route{
		{method: "GET", path: "/cases", perms: perms, handle: s.caseList},
		{method: "GET", path: "/cases/{id}", perms: perms, handle: s.casePage},
		{method: "POST", path: "/cases/{id}/take", perms: perms, handle: s.caseAction("take", s.caseTake)},
		{method: "POST", path: "/cases/{id}/assign", perms: perms, handle: s.caseAction("assign", s.caseAssign)},
		{method: "POST", path: "/cases/{id}/status", perms: perms, handle: s.caseAction("status", s.caseStatus)},
		{method: "POST", path: "/cases/{id}/note", perms: perms, handle: s.caseAction("note", s.caseNote)},
		{method: "POST", path: "/cases/{id}/reply", perms: perms, handle: s.caseAction("reply", s.caseReply)},
		{method: "POST", path: "/cases/{id}/resolve", perms: perms, handle: s.caseAction("resolve", s.caseResolve)},
		{method: "POST", path: "/cases/{id}/reopen", perms: perms, handle: s.caseAction("reopen", s.caseReopen)},
		{method: "POST", path: "/feedback/{id}/case", perms: perms, handle: s.openCaseFromFeedback},
	}
}

// casesUnavailable answers when the UI runs without the acting service.
func (s *Server) casesUnavailable(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	s.render(w, r, rc, http.StatusServiceUnavailable, "cases", "cases", rc.L.T("cases.title"), casesData{Unavailable: true})
	return nil
}

// slaInfo is a case's SLA as a row or page shows it.
type slaInfo struct {
	Text  string // "due in 5 h 12 min", "overdue by 2 h"
	Class string // sla-ok, sla-soon (past 75 % of the SLA), sla-overdue, sla-done
}

// slaOf words the time left on a case at now.
func slaOf(l *Localizer, c store.Case, now time.Time) slaInfo {
	if c.Status == store.CaseResolved {
		if c.ResolvedAt != nil {
			return slaInfo{Text: l.T("cases.sla.resolved", l.DateTime(*c.ResolvedAt)), Class: "sla-done"}
		}
		return slaInfo{Text: l.Label("cases.status", c.Status), Class: "sla-done"}
	}
	left := c.DueAt.Sub(now)
	if left < 0 {
		return slaInfo{Text: l.T("cases.sla.overdue", l.span(-left)), Class: "sla-overdue"}
	}
	class := "sla-ok"
	if left*4 < time.Duration(c.SLAMinutes)*time.Minute {
		class = "sla-soon"
	}
	return slaInfo{Text: l.T("cases.sla.due_in", l.span(left)), Class: class}
}

// span words a duration to the nearest minute: "2 d 3 h", "5 h 12 min", "7 min".
func (l *Localizer) span(d time.Duration) string {
	m := int(d.Round(time.Minute) / time.Minute)
	days, hours, mins := m/1440, m%1440/60, m%60
	switch {
	case days > 0:
		return l.T("cases.span.dh", days, hours)
	case hours > 0:
		return l.T("cases.span.hm", hours, mins)
	}
	return l.T("cases.span.m", mins)
}

// caseRow is one case of the inbox or the board.
type caseRow struct {
	store.CaseRow
	SLA     slaInfo
	Overdue bool
}

// caseColumn is one status column of the board.
type caseColumn struct {
	Status string
	Rows   []caseRow
}

// caseTab is one of the inbox's owner tabs.
type caseTab struct {
	Key, URL string
	Count    int
	Active   bool
}

// casesData is the inbox: its filters, the rows (list) or the columns (board).
type casesData struct {
	Board         bool
	Owner         string // mine, unassigned, all
	Status        string // one of caseStatusFilters
	Overdue       bool
	Escalated     bool
	Team          string
	Teams         []string
	Statuses      []string
	Counts        store.CaseCounts
	Tabs          []caseTab
	Rows          []caseRow
	Columns       []caseColumn
	Truncated     bool // the board shows only its first caseBoardMax cases
	ListURL       string
	BoardURL      string
	NextURL       string
	FirstURL      string
	NoEmployee    bool // "mine" for a user who has never owned a case
	ShowCustomers bool
	Unavailable   bool
	NowMS         int64 // the server's clock, for the countdown script
}

// query is the inbox URL's query for the filters, with the owner tab and
// view given.
func (d casesData) query(owner string, board bool) url.Values {
	q := url.Values{}
	if owner != "all" {
		q.Set("owner", owner)
	}
	if board {
		q.Set("view", "board")
	} else if d.Status != "" {
		q.Set("status", d.Status)
	}
	if d.Overdue {
		q.Set("overdue", "1")
	}
	if d.Escalated {
		q.Set("escalated", "1")
	}
	if d.Team != "" {
		q.Set("team", d.Team)
	}
	return q
}

func casesURL(q url.Values) string {
	if len(q) == 0 {
		return "/cases"
	}
	return "/cases?" + q.Encode()
}

// caseList is GET /cases: the inbox as a list (?view=board: a board).
func (s *Server) caseList(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if s.opt.Alerts == nil {
		return s.casesUnavailable(w, r, rc)
	}
	ctx := r.Context()
	q := r.URL.Query()
	d := casesData{Board: q.Get("view") == "board", Owner: q.Get("owner"), Status: q.Get("status"),
		Overdue: q.Get("overdue") == "1", Escalated: q.Get("escalated") == "1", Team: strings.TrimSpace(q.Get("team")),
		Statuses: caseStatusFilters, ShowCustomers: rc.Can(auth.ViewCustomers)}
	if d.Owner == "" {
		d.Owner = "all"
	}
	if !slices.Contains([]string{"mine", "unassigned", "all"}, d.Owner) || !slices.Contains(caseStatusFilters, d.Status) ||
		!slices.Contains([]string{"", "list", "board"}, q.Get("view")) || len(d.Team) > caseTeamMax {
		return errBadRequest
	}
	me, err := s.myEmployeeID(ctx, rc)
	if err != nil {
		return err
	}
	now := s.now()
	d.NowMS = now.UnixMilli()
	if d.Counts, err = s.db.CaseInboxCounts(ctx, rc.Workspace.ID, me, now); err != nil {
		return err
	}
	if d.Teams, err = s.db.CaseTeams(ctx, rc.Workspace.ID); err != nil {
		return err
	}
	for _, t := range []struct {
		key   string
		count int
	}{{"mine", d.Counts.Mine}, {"unassigned", d.Counts.Unassigned}, {"all", d.Counts.Active}} {
		d.Tabs = append(d.Tabs, caseTab{Key: t.key, URL: casesURL(d.query(t.key, d.Board)), Count: t.count, Active: t.key == d.Owner})
	}
	d.ListURL, d.BoardURL = casesURL(d.query(d.Owner, false)), casesURL(d.query(d.Owner, true))

	f := store.CaseInboxFilter{Overdue: d.Overdue, Escalated: d.Escalated, Team: d.Team, Now: now}
	switch d.Owner {
	case "mine":
		if me == 0 {
			d.NoEmployee = true
			s.render(w, r, rc, http.StatusOK, "cases", "cases", rc.L.T("cases.title"), d)
			return nil
		}
		f.OwnerID = me
	case "unassigned":
		f.Unassigned = true
	}
	row := func(c store.CaseRow) caseRow {
		return caseRow{CaseRow: c, SLA: slaOf(rc.L, c.Case, now), Overdue: c.Status != store.CaseResolved && now.After(c.DueAt)}
	}
	if d.Board {
		f.Statuses, f.Limit = activeCaseStatuses, caseBoardMax
		active, err := s.db.CaseInbox(ctx, rc.Workspace.ID, f)
		if err != nil {
			return err
		}
		d.Truncated = len(active) == caseBoardMax
		f.Statuses, f.Limit, f.Order = []string{store.CaseResolved}, caseBoardDoneMax, store.CaseByNewest
		done, err := s.db.CaseInbox(ctx, rc.Workspace.ID, f)
		if err != nil {
			return err
		}
		all := append(active, done...)
		for _, st := range store.CaseStatuses {
			col := caseColumn{Status: st}
			for _, c := range all {
				if c.Status == st {
					col.Rows = append(col.Rows, row(c))
				}
			}
			d.Columns = append(d.Columns, col)
		}
		s.render(w, r, rc, http.StatusOK, "cases", "cases", rc.L.T("cases.title"), d)
		return nil
	}
	switch d.Status {
	case "":
		f.Statuses = activeCaseStatuses
	case "any":
		f.Order = store.CaseByNewest
	case store.CaseResolved:
		f.Statuses, f.Order = []string{store.CaseResolved}, store.CaseByNewest
	default:
		f.Statuses = []string{d.Status}
	}
	if v := q.Get("cursor"); v != "" {
		if f.After, err = store.ParseCaseCursor(v); err != nil {
			return err
		}
		d.FirstURL = d.ListURL
	}
	f.Limit = casesPerPage
	list, err := s.db.CaseInbox(ctx, rc.Workspace.ID, f)
	if err != nil {
		return err
	}
	for _, c := range list {
		d.Rows = append(d.Rows, row(c))
	}
	if len(list) == casesPerPage {
		next := d.query(d.Owner, false)
		next.Set("cursor", list[len(list)-1].Cursor().String())
		d.NextURL = casesURL(next)
	}
	s.render(w, r, rc, http.StatusOK, "cases", "cases", rc.L.T("cases.title"), d)
	return nil
}

// myEmployeeID is the employee record of the signed-in user (0: none yet).
func (s *Server) myEmployeeID(ctx context.Context, rc *reqCtx) (int64, error) {
	id, err := s.db.EmployeeIDForUser(ctx, rc.Workspace.ID, rc.User.ID)
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	}
	return id, err
}

// caseAssignee is one choice of an owner select: a member ("u:<user id>")
// or an employee who is not a member ("e:<employee id>").
type caseAssignee struct {
	Value, Label string
	Selected     bool
}

// caseAssignees lists who a case can be given to: the members who work
// cases, then the other employees. selected is the current owner (an
// employee id); selectSelf preselects the signed-in user instead.
func (s *Server) caseAssignees(ctx context.Context, rc *reqCtx, selected *int64, selectSelf bool) (members, employees []caseAssignee, err error) {
	ms, err := s.db.CaseMembers(ctx, rc.Workspace.ID)
	if err != nil {
		return nil, nil, err
	}
	linked := map[int64]bool{}
	for _, m := range ms {
		if !auth.Can(m.Role, auth.WorkCases) {
			continue
		}
		a := caseAssignee{Value: "u:" + strconv.FormatInt(m.UserID, 10), Label: m.Name}
		if a.Label == "" {
			a.Label = m.Email
		}
		if m.UserID == rc.User.ID {
			a.Label = rc.L.T("cases.me", a.Label)
			a.Selected = selectSelf
		}
		if m.EmployeeID != nil {
			linked[*m.EmployeeID] = true
			a.Selected = a.Selected || (selected != nil && *selected == *m.EmployeeID)
		}
		members = append(members, a)
	}
	emps, err := s.db.Employees(ctx, rc.Workspace.ID)
	if err != nil {
		return nil, nil, err
	}
	for _, e := range emps {
		if linked[e.ID] {
			continue
		}
		label := e.Name
		if e.Team != "" {
			label += " · " + e.Team
		}
		employees = append(employees, caseAssignee{Value: "e:" + strconv.FormatInt(e.ID, 10), Label: label,
			Selected: selected != nil && *selected == e.ID})
	}
	return members, employees, nil
}

// caseFormError is bad input to a case form: key names the message.
type caseFormError struct{ key string }

func (e *caseFormError) Error() string { return e.key }

// ownerFromForm turns an owner choice into an employee id, making the
// employee record of a member who has none yet. A member must work cases.
func (s *Server) ownerFromForm(ctx context.Context, rc *reqCtx, v string) (int64, error) {
	kind, raw, _ := strings.Cut(v, ":")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, &caseFormError{"cases.error.owner"}
	}
	switch kind {
	case "e":
		return id, nil // the service checks the employee is of this workspace
	case "u":
		ms, err := s.db.CaseMembers(ctx, rc.Workspace.ID)
		if err != nil {
			return 0, err
		}
		for _, m := range ms {
			if m.UserID == id && auth.Can(m.Role, auth.WorkCases) {
				return s.db.CaseOwnerForUser(ctx, rc.Workspace.ID, id)
			}
		}
	}
	return 0, &caseFormError{"cases.error.owner"}
}

// caseEventView is one entry of a case's timeline, worded.
type caseEventView struct {
	Kind  string
	Actor string
	At    time.Time
	Text  string // what happened
	Body  string // the note or reply itself
}

func detailInt(d map[string]any, key string) int64 {
	switch v := d[key].(type) {
	case float64:
		return int64(v)
	case int64:
		return v
	case int:
		return int64(v)
	}
	return 0
}

func detailString(d map[string]any, key string) string {
	v, _ := d[key].(string)
	return v
}

// caseEventViews words a case's history.
func caseEventViews(l *Localizer, events []store.CaseEvent, names map[int64]string) []caseEventView {
	out := make([]caseEventView, 0, len(events))
	for _, e := range events {
		v := caseEventView{Kind: e.Kind, Actor: e.Actor, At: e.CreatedAt, Body: e.Body}
		switch e.Kind {
		case "created":
			if rule, ok := strings.CutPrefix(e.Actor, "rule:"); ok {
				v.Text, v.Actor = l.T("cases.ev.created_rule", rule), ""
			} else {
				v.Text = l.T("cases.ev.created")
			}
		case "assign":
			name := names[detailInt(e.Details, "owner_employee_id")]
			if name == "" {
				name = "—"
			}
			v.Text = l.T("cases.ev.assign", name)
		case "status":
			from, to := detailString(e.Details, "from"), detailString(e.Details, "to")
			switch {
			case to == store.CaseResolved:
				v.Text = l.T("cases.ev.resolved")
			case from == store.CaseResolved:
				v.Text = l.T("cases.ev.reopened", l.Label("cases.status", to))
			default:
				v.Text = l.T("cases.ev.status", l.Label("cases.status", from), l.Label("cases.status", to))
			}
		case "note":
			v.Text = l.T("cases.ev.note")
		case "reply":
			status := detailString(e.Details, "status")
			switch {
			case status == "sent":
				status = l.T("cases.reply.sent")
			case status == "queued":
				status = l.T("cases.reply.queued")
			case strings.HasPrefix(status, "failed"):
				status = l.T("cases.reply.failed", strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(status, "failed"), ":")))
			}
			v.Text = l.T("cases.ev.reply", l.Label("cases.via", detailString(e.Details, "channel")), detailString(e.Details, "to"), status)
		case "escalation":
			if detailInt(e.Details, "level") >= 2 {
				v.Text = l.T("cases.ev.breached")
			} else {
				v.Text = l.T("cases.ev.escalated")
			}
			v.Actor = ""
		default:
			v.Text = e.Kind
		}
		out = append(out, v)
	}
	return out
}

// casePageData is one case with its item, history and forms.
type casePageData struct {
	Case         store.Case
	Overdue      bool
	SLA          slaInfo
	SLAHours     string
	Item         *store.FeedbackItem
	Customer     *store.Customer
	CustomerLink bool
	OwnerName    string
	Mine         bool
	Events       []caseEventView
	Members      []caseAssignee
	Employees    []caseAssignee
	Statuses     []string // the statuses the status form offers
	Reply        alert.ReplyTarget
	CanReply     bool
	RootCauses   []string // suggestions for the resolve form
	Done         string   // the action that just succeeded
	Error        string   // message key of a refused action
	ErrorForm    string   // the form the error belongs to
	Form         url.Values
	NowMS        int64 // the server's clock, for the countdown script
}

// casePage is GET /cases/{id}.
func (s *Server) casePage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if s.opt.Alerts == nil {
		return s.casesUnavailable(w, r, rc)
	}
	id, err := pathCaseID(r)
	if err != nil {
		return err
	}
	done := r.URL.Query().Get("done")
	if !slices.Contains(caseDone, done) {
		done = ""
	}
	return s.renderCase(w, r, rc, id, http.StatusOK, casePageData{Done: done, Form: url.Values{}})
}

func pathCaseID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, store.ErrNotFound
	}
	return id, nil
}

// renderCase renders case id of the workspace (404 for any other) with
// the notice or error already in d.
func (s *Server) renderCase(w http.ResponseWriter, r *http.Request, rc *reqCtx, id int64, status int, d casePageData) error {
	ctx := r.Context()
	ws := rc.Workspace.ID
	cv, err := s.opt.Alerts.Case(ctx, ws, id)
	if err != nil {
		return err
	}
	now := s.now()
	d.NowMS = now.UnixMilli()
	d.Case, d.Overdue, d.SLA = cv.Case, cv.Overdue, slaOf(rc.L, cv.Case, now)
	d.SLAHours = rc.L.printer.Sprintf("%.0f", float64(cv.SLAMinutes)/60)
	d.CustomerLink = rc.Can(auth.ViewCustomers)
	if cv.FeedbackID != nil {
		it, err := s.db.Feedback(ctx, ws, *cv.FeedbackID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err == nil {
			d.Item = &it
			d.RootCauses = append(d.RootCauses, it.Topics...)
		}
	}
	if cv.CustomerID != nil && d.CustomerLink {
		c, err := s.db.Customer(ctx, ws, *cv.CustomerID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err == nil {
			d.Customer = &c
		}
	}
	names, err := s.employeeNames(ctx, ws)
	if err != nil {
		return err
	}
	if cv.OwnerEmployeeID != nil {
		d.OwnerName = names[*cv.OwnerEmployeeID]
	}
	me, err := s.myEmployeeID(ctx, rc)
	if err != nil {
		return err
	}
	d.Mine = me > 0 && cv.OwnerEmployeeID != nil && *cv.OwnerEmployeeID == me
	d.Events = caseEventViews(rc.L, cv.Events, names)
	if d.Members, d.Employees, err = s.caseAssignees(ctx, rc, cv.OwnerEmployeeID, false); err != nil {
		return err
	}
	for _, st := range activeCaseStatuses {
		if st != cv.Status {
			d.Statuses = append(d.Statuses, st)
		}
	}
	d.Reply, err = s.opt.Alerts.ReplyTarget(ctx, ws, id)
	switch {
	case err == nil:
		d.CanReply = true
	case !errors.Is(err, alert.ErrNoReplyChannel):
		return err
	}
	causes, err := s.db.CaseRootCauses(ctx, ws)
	if err != nil {
		return err
	}
	for _, c := range causes {
		if !slices.Contains(d.RootCauses, c) {
			d.RootCauses = append(d.RootCauses, c)
		}
	}
	s.render(w, r, rc, status, "case", "cases", rc.L.T("cases.case_title", strconv.FormatInt(id, 10)), d)
	return nil
}

// caseActionFunc changes case c from a posted form; a *caseFormError (or
// a refusal of the service) is shown on the case page beside the form.
type caseActionFunc func(ctx context.Context, rc *reqCtx, c alert.CaseView, form url.Values) error

// caseAction wraps one POST action: the case must be of the workspace
// (404 otherwise); success redirects to the case page, which confirms it.
func (s *Server) caseAction(name string, act caseActionFunc) func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
		if s.opt.Alerts == nil {
			return s.casesUnavailable(w, r, rc)
		}
		ctx := r.Context()
		id, err := pathCaseID(r)
		if err != nil {
			return err
		}
		cv, err := s.opt.Alerts.Case(ctx, rc.Workspace.ID, id)
		if err != nil {
			return err
		}
		if err := act(ctx, rc, cv, r.PostForm); err != nil {
			key := caseErrorKey(err)
			if key == "" {
				return err
			}
			return s.renderCase(w, r, rc, id, http.StatusUnprocessableEntity, casePageData{Error: key, ErrorForm: name, Form: r.PostForm})
		}
		http.Redirect(w, r, fmt.Sprintf("/cases/%d?done=%s", id, name), http.StatusSeeOther)
		return nil
	}
}

// caseErrorKey is the message of a refused action, "" for a failure.
func caseErrorKey(err error) string {
	var fe *caseFormError
	var ae *alert.FieldError
	switch {
	case errors.As(err, &fe):
		return fe.key
	case errors.Is(err, alert.ErrNoReplyChannel):
		return "cases.error.no_channel"
	case errors.As(err, &ae):
		switch ae.Field {
		case "owner_employee_id":
			return "cases.error.owner"
		case "status":
			return "cases.error.status"
		case "text":
			return "cases.error.reply_empty"
		}
		return "cases.error.invalid"
	}
	return ""
}

// actor names the signed-in user in a case's history.
func caseActor(rc *reqCtx) string { return rc.User.Email }

// caseTake assigns the case to the signed-in user; an open case moves to
// in progress.
func (s *Server) caseTake(ctx context.Context, rc *reqCtx, c alert.CaseView, _ url.Values) error {
	me, err := s.db.CaseOwnerForUser(ctx, rc.Workspace.ID, rc.User.ID)
	if err != nil {
		return err
	}
	p := alert.CasePatch{OwnerEmployeeID: &me, Actor: caseActor(rc)}
	if c.Status == store.CaseOpen {
		inProgress := store.CaseInProgress
		p.Status = &inProgress
	}
	_, err = s.opt.Alerts.PatchCase(ctx, rc.Workspace.ID, c.ID, p)
	return err
}

func (s *Server) caseAssign(ctx context.Context, rc *reqCtx, c alert.CaseView, form url.Values) error {
	owner, err := s.ownerFromForm(ctx, rc, form.Get("owner"))
	if err != nil {
		return err
	}
	_, err = s.opt.Alerts.PatchCase(ctx, rc.Workspace.ID, c.ID, alert.CasePatch{OwnerEmployeeID: &owner, Actor: caseActor(rc)})
	return err
}

// caseStatus moves an unresolved case between open, in progress and
// waiting; resolving needs a root cause and has its own form.
func (s *Server) caseStatus(ctx context.Context, rc *reqCtx, c alert.CaseView, form url.Values) error {
	st := form.Get("status")
	if !slices.Contains(activeCaseStatuses, st) {
		return &caseFormError{"cases.error.status"}
	}
	if c.Status == store.CaseResolved {
		return &caseFormError{"cases.error.resolved"}
	}
	_, err := s.opt.Alerts.PatchCase(ctx, rc.Workspace.ID, c.ID, alert.CasePatch{Status: &st, Actor: caseActor(rc)})
	return err
}

// caseText reads a required free-text field of at most caseTextMax characters.
func caseText(form url.Values, field, emptyKey string) (string, error) {
	v := strings.TrimSpace(form.Get(field))
	switch {
	case v == "":
		return "", &caseFormError{emptyKey}
	case len([]rune(v)) > caseTextMax:
		return "", &caseFormError{"cases.error.too_long"}
	}
	return v, nil
}

func (s *Server) caseNote(ctx context.Context, rc *reqCtx, c alert.CaseView, form url.Values) error {
	note, err := caseText(form, "note", "cases.error.note_empty")
	if err != nil {
		return err
	}
	_, err = s.opt.Alerts.PatchCase(ctx, rc.Workspace.ID, c.ID, alert.CasePatch{Note: &note, Actor: caseActor(rc)})
	return err
}

// caseReply answers the customer through the service (a durable job);
// a customer no channel reaches is said so, with the text kept.
func (s *Server) caseReply(ctx context.Context, rc *reqCtx, c alert.CaseView, form url.Values) error {
	text, err := caseText(form, "text", "cases.error.reply_empty")
	if err != nil {
		return err
	}
	_, err = s.opt.Alerts.Reply(ctx, rc.Workspace.ID, c.ID, text, caseActor(rc))
	return err
}

// caseResolve resolves a case with a root-cause tag (required: it is what
// the resolved cases are counted by) and an optional closing note.
func (s *Server) caseResolve(ctx context.Context, rc *reqCtx, c alert.CaseView, form url.Values) error {
	if c.Status == store.CaseResolved {
		return &caseFormError{"cases.error.resolved"}
	}
	cause := strings.Join(strings.Fields(form.Get("root_cause")), " ")
	switch {
	case cause == "":
		return &caseFormError{"cases.error.root_cause"}
	case len([]rune(cause)) > rootCauseMax:
		return &caseFormError{"cases.error.root_cause_long"}
	}
	resolved := store.CaseResolved
	p := alert.CasePatch{Status: &resolved, RootCause: &cause, Actor: caseActor(rc)}
	if note := strings.TrimSpace(form.Get("note")); note != "" {
		if len([]rune(note)) > caseTextMax {
			return &caseFormError{"cases.error.too_long"}
		}
		p.Note = &note
	}
	_, err := s.opt.Alerts.PatchCase(ctx, rc.Workspace.ID, c.ID, p)
	return err
}

// caseReopen reopens a resolved case with a fresh SLA.
func (s *Server) caseReopen(ctx context.Context, rc *reqCtx, c alert.CaseView, _ url.Values) error {
	if c.Status != store.CaseResolved {
		return &caseFormError{"cases.error.not_resolved"}
	}
	open := store.CaseOpen
	_, err := s.opt.Alerts.PatchCase(ctx, rc.Workspace.ID, c.ID, alert.CasePatch{Status: &open, Actor: caseActor(rc)})
	return err
}

// feedbackCaseBox is the case part of a feedback item's page: its case, or
// the form that opens one.
type feedbackCaseBox struct {
	ItemID      int64
	Case        *store.Case
	Members     []caseAssignee
	Employees   []caseAssignee
	SLAChoices  []int
	Unavailable bool
}

// feedbackCaseBox returns the case box of an item for a user who works
// cases; nil for everyone else (viewers and employees never see cases).
func (s *Server) feedbackCaseBox(ctx context.Context, rc *reqCtx, itemID int64) (*feedbackCaseBox, error) {
	if !rc.Can(auth.WorkCases) {
		return nil, nil
	}
	box := &feedbackCaseBox{ItemID: itemID, SLAChoices: caseSLAChoices, Unavailable: s.opt.Alerts == nil}
	c, err := s.db.CaseForFeedback(ctx, rc.Workspace.ID, itemID)
	switch {
	case err == nil:
		box.Case = &c
		return box, nil
	case !errors.Is(err, store.ErrNotFound):
		return nil, err
	}
	if box.Members, box.Employees, err = s.caseAssignees(ctx, rc, nil, true); err != nil {
		return nil, err
	}
	return box, nil
}

// openCaseFromFeedback is POST /feedback/{id}/case: a manual case for the
// item, owned by the chosen person (the acting user by default). An item
// that already has a case leads to that case instead of a second one.
func (s *Server) openCaseFromFeedback(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if s.opt.Alerts == nil {
		return s.casesUnavailable(w, r, rc)
	}
	ctx := r.Context()
	id, err := pathCaseID(r)
	if err != nil {
		return err
	}
	if _, err := s.db.Feedback(ctx, rc.Workspace.ID, id); err != nil {
		return err
	}
	m := alert.ManualCase{FeedbackID: id, SLA: 24 * time.Hour, Actor: caseActor(rc)}
	if v := r.PostFormValue("sla_hours"); v != "" {
		h, err := strconv.Atoi(v)
		if err != nil || !slices.Contains(caseSLAChoices, h) {
			return errBadRequest
		}
		m.SLA = time.Duration(h) * time.Hour
	}
	switch owner := r.PostFormValue("owner"); owner {
	case "none":
	case "":
		me, err := s.db.CaseOwnerForUser(ctx, rc.Workspace.ID, rc.User.ID)
		if err != nil {
			return err
		}
		m.OwnerEmployeeID = &me
	default:
		emp, err := s.ownerFromForm(ctx, rc, owner)
		if err != nil {
			return errBadRequest // the select offers only valid owners: this one was forged or went stale
		}
		m.OwnerEmployeeID = &emp
		if me, _ := s.myEmployeeID(ctx, rc); me != emp {
			m.NotifyOwner = true
		}
	}
	c, created, err := s.opt.Alerts.OpenManualCase(ctx, rc.Workspace.ID, m)
	if err != nil {
		if caseErrorKey(err) != "" {
			return errBadRequest
		}
		return err
	}
	done := "opened"
	if !created {
		done = "exists"
	}
	http.Redirect(w, r, fmt.Sprintf("/cases/%d?done=%s", c.ID, done), http.StatusSeeOther)
	return nil
}
