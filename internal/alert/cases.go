package alert

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"vox/internal/store"
)

// Escalation levels and the share of the SLA at which each fires.
var escalations = []struct {
	level    int
	fraction float64
}{{1, 0.75}, {2, 1.0}}

type escalatePayload struct {
	CaseID int64 `json:"case_id"`
	Level  int   `json:"level"`
	Round  int   `json:"round"`
}

// openCase opens (or finds) the case of item it for rule r.
func (s *Service) openCase(ctx context.Context, o *outbox, r store.Rule, act Action, it *store.FeedbackItem, cust *store.Customer, now time.Time) (store.Case, error) {
	sla := s.opt.DefaultSLA
	if act.SLAHours > 0 {
		sla = time.Duration(act.SLAHours * float64(time.Hour))
	}
	owner, team, err := s.pickOwner(ctx, o.tx, o.ws, r.ID, act, it, cust)
	if err != nil {
		return store.Case{}, err
	}
	clock, err := s.clockFor(ctx, o.tx, o.ws)
	if err != nil {
		return store.Case{}, err
	}
	itemID, ruleID := it.ID, r.ID
	c := store.Case{WorkspaceID: o.ws, FeedbackID: &itemID, CustomerID: it.CustomerID, RuleID: &ruleID, OwnerEmployeeID: owner,
		Team: team, Title: caseTitle(r.Name, it), SLAMinutes: int64(sla / time.Minute), DueAt: clock.Add(now, sla), CreatedAt: now}
	c, created, err := o.tx.InsertCase(ctx, c)
	if err != nil || !created {
		return c, err
	}
	if _, err := o.tx.AddCaseEvent(ctx, o.ws, store.CaseEvent{CaseID: c.ID, Kind: "created", Actor: "rule:" + r.Name, CreatedAt: now,
		Details: map[string]any{"rule_id": r.ID, "owner_employee_id": owner, "due_at": c.DueAt}}); err != nil {
		return c, err
	}
	s.scheduleEscalations(o, c, now, clock)
	if err := o.emit(ctx, EventCaseCreated, s.caseData(c, it, cust)); err != nil {
		return c, err
	}
	return c, s.notifyOwner(ctx, o, c, "New case #"+strconv.FormatInt(c.ID, 10)+": "+c.Title, it)
}

// CaseData is the data of case events.
type CaseData struct {
	Case     store.Case          `json:"case"`
	Item     *store.FeedbackItem `json:"item,omitempty"`
	Customer *store.Customer     `json:"customer,omitempty"`
}

func (s *Service) caseData(c store.Case, it *store.FeedbackItem, cust *store.Customer) CaseData {
	return CaseData{Case: c, Item: it, Customer: cust}
}

func caseTitle(rule string, it *store.FeedbackItem) string {
	t := strings.Join(strings.Fields(it.Text), " ")
	if r := []rune(t); len(r) > 80 {
		t = string(r[:77]) + "..."
	}
	if it.NPS != nil {
		return fmt.Sprintf("%s: NPS %d %s", rule, *it.NPS, t)
	}
	return strings.TrimSpace(rule + ": " + t)
}

// scheduleEscalations queues the 75 % and 100 % escalation jobs of the
// case's current SLA round, which started at start, on the workspace's SLA
// clock; jobs of an earlier round (before a reopen) find the round changed
// and do nothing.
func (s *Service) scheduleEscalations(o *outbox, c store.Case, start time.Time, clock *slaClock) {
	for _, e := range escalations {
		at := clock.Add(start, time.Duration(float64(c.SLAMinutes)*e.fraction)*time.Minute)
		o.add(KindEscalate, escalatePayload{CaseID: c.ID, Level: e.level, Round: c.Round}, at,
			fmt.Sprintf("case:%d:r%d:l%d", c.ID, c.Round, e.level))
	}
}

// pickOwner applies an owner strategy; nil means nobody in particular.
func (s *Service) pickOwner(ctx context.Context, tx *store.Tx, ws, ruleID int64, act Action, it *store.FeedbackItem, cust *store.Customer) (*int64, string, error) {
	switch act.Owner {
	case "employee":
		if _, err := tx.EmployeeContact(ctx, ws, act.EmployeeID); err != nil {
			return nil, "", nil // deleted since the rule was saved
		}
		id := act.EmployeeID
		return &id, "", nil
	case "employee_manager":
		if it.EmployeeID != nil {
			e, err := tx.EmployeeContact(ctx, ws, *it.EmployeeID)
			if err == nil && e.ManagerID != nil {
				return e.ManagerID, e.Team, nil
			}
		}
	case "round_robin":
		team, err := tx.TeamEmployees(ctx, ws, act.Team)
		if err != nil || len(team) == 0 {
			return nil, act.Team, err
		}
		n, err := tx.NextRoundRobin(ctx, ws, ruleID)
		if err != nil {
			return nil, act.Team, err
		}
		id := team[int(n%int64(len(team)))].ID
		return &id, act.Team, nil
	}
	// account_owner, and the fallback of the others.
	if cust != nil && cust.AccountOwnerID != nil {
		return cust.AccountOwnerID, act.Team, nil
	}
	return nil, act.Team, nil
}

func (s *Service) assignInTx(ctx context.Context, o *outbox, c *store.Case, owner *int64, team, actor string) error {
	locked, err := o.tx.LockCase(ctx, o.ws, c.ID)
	if err != nil {
		return err
	}
	locked.OwnerEmployeeID, locked.UpdatedAt = owner, s.now()
	if team != "" {
		locked.Team = team
	}
	if err := o.tx.SaveCase(ctx, locked); err != nil {
		return err
	}
	if _, err := o.tx.AddCaseEvent(ctx, o.ws, store.CaseEvent{CaseID: c.ID, Kind: "assign", Actor: actor, CreatedAt: s.now(),
		Details: map[string]any{"owner_employee_id": owner}}); err != nil {
		return err
	}
	*c = locked
	return nil
}

// notifyOwner emails the case owner, when there is one with an address and
// a mailer.
func (s *Service) notifyOwner(ctx context.Context, o *outbox, c store.Case, subject string, it *store.FeedbackItem) error {
	if s.opt.Mailer == nil || c.OwnerEmployeeID == nil {
		return nil
	}
	e, err := o.tx.EmployeeContact(ctx, o.ws, *c.OwnerEmployeeID)
	if err != nil || e.Email == "" {
		return nil
	}
	body := fmt.Sprintf("Case #%d: %s\nStatus: %s\nDue: %s\n", c.ID, c.Title, c.Status, c.DueAt.Format("2006-01-02 15:04 MST"))
	if it != nil && it.Text != "" {
		body += "\n" + it.Text + "\n"
	}
	if s.opt.BaseURL != "" {
		body += fmt.Sprintf("\n%s/cases/%d\n", s.opt.BaseURL, c.ID)
	}
	o.add(KindEmail, emailPayload{To: []string{e.Email}, Subject: subject, Body: body}, s.now(), "")
	return nil
}

// CasePatch changes a case; nil fields stay.
type CasePatch struct {
	Status          *string `json:"status,omitempty"`
	OwnerEmployeeID *int64  `json:"owner_employee_id,omitempty"`
	RootCause       *string `json:"root_cause,omitempty"`
	Note            *string `json:"note,omitempty"`
	Actor           string  `json:"-"`
}

// ErrInvalid wraps a refused change; the API maps it to 422.
var ErrInvalid = errors.New("invalid")

// CaseView is a case with its history.
type CaseView struct {
	store.Case
	Overdue bool              `json:"overdue"`
	Events  []store.CaseEvent `json:"events"`
}

// Case returns a case of the workspace with its history.
func (s *Service) Case(ctx context.Context, ws, id int64) (CaseView, error) {
	c, err := s.db.Case(ctx, ws, id)
	if err != nil {
		return CaseView{}, err
	}
	ev, err := s.db.CaseEvents(ctx, ws, id)
	if err != nil {
		return CaseView{}, err
	}
	return CaseView{Case: c, Overdue: c.Status != store.CaseResolved && s.now().After(c.DueAt), Events: ev}, nil
}

// PatchCase moves a case through its lifecycle: any open status may go to
// any other; a resolved case may only be reopened (to open or
// in_progress), which restarts its SLA and escalations. Any change by a
// person is the case's first action if none came before.
func (s *Service) PatchCase(ctx context.Context, ws, id int64, p CasePatch) (store.Case, error) {
	var out store.Case
	err := s.inTx(ctx, ws, func(o *outbox) error {
		c, err := o.tx.LockCase(ctx, ws, id)
		if err != nil {
			return err
		}
		now := s.now()
		prev := c
		event := EventCaseUpdated
		var clock *slaClock // the wall clock unless a reopen reads the workspace's
		if p.Status != nil && *p.Status != c.Status {
			to := *p.Status
			if !slices.Contains(store.CaseStatuses, to) {
				return fieldErr("status", "must be one of %s", strings.Join(store.CaseStatuses, ", "))
			}
			switch {
			case to == store.CaseResolved:
				c.ResolvedAt = &now
				event = EventCaseResolved
			case c.Status == store.CaseResolved:
				if to == store.CaseWaiting {
					return fieldErr("status", "a resolved case is reopened to open or in_progress")
				}
				// Reopen: a fresh SLA from now, escalations start over.
				if clock, err = s.clockFor(ctx, o.tx, ws); err != nil {
					return err
				}
				c.ResolvedAt, c.EscalationLevel = nil, 0
				c.Round++
				c.DueAt = clock.Add(now, time.Duration(c.SLAMinutes)*time.Minute)
			}
			c.Status = to
			if _, err := o.tx.AddCaseEvent(ctx, ws, store.CaseEvent{CaseID: c.ID, Kind: "status", Actor: p.Actor, CreatedAt: now,
				Details: map[string]any{"from": prev.Status, "to": to}}); err != nil {
				return err
			}
			if c.Round != prev.Round {
				s.scheduleEscalations(o, c, now, clock)
			}
		}
		if p.OwnerEmployeeID != nil && (c.OwnerEmployeeID == nil || *c.OwnerEmployeeID != *p.OwnerEmployeeID) {
			if _, err := o.tx.EmployeeContact(ctx, ws, *p.OwnerEmployeeID); err != nil {
				return fieldErr("owner_employee_id", "names no employee of this workspace")
			}
			c.OwnerEmployeeID = p.OwnerEmployeeID
			if _, err := o.tx.AddCaseEvent(ctx, ws, store.CaseEvent{CaseID: c.ID, Kind: "assign", Actor: p.Actor, CreatedAt: now,
				Details: map[string]any{"owner_employee_id": *p.OwnerEmployeeID}}); err != nil {
				return err
			}
			if err := s.notifyOwner(ctx, o, c, "Case #"+strconv.FormatInt(c.ID, 10)+" assigned to you: "+c.Title, nil); err != nil {
				return err
			}
		}
		if p.RootCause != nil {
			c.RootCause = strings.TrimSpace(*p.RootCause)
		}
		if p.Note != nil && strings.TrimSpace(*p.Note) != "" {
			if _, err := o.tx.AddCaseEvent(ctx, ws, store.CaseEvent{CaseID: c.ID, Kind: "note", Actor: p.Actor, Body: *p.Note, CreatedAt: now}); err != nil {
				return err
			}
		}
		if c.FirstActionAt == nil {
			c.FirstActionAt = &now
		}
		c.UpdatedAt = now
		if err := o.tx.SaveCase(ctx, c); err != nil {
			return err
		}
		out = c
		return o.emit(ctx, event, CaseData{Case: c})
	})
	return out, err
}

// escalate runs at 75 % (level 1) and 100 % (level 2) of a case's SLA: it
// raises the level, records it and tells the owner's manager (or the
// workspace admins when there is no manager).
func (s *Service) escalate(ctx context.Context, job store.Job) error {
	var p escalatePayload
	if err := decodePayload(job, &p); err != nil {
		return err
	}
	return s.inTx(ctx, job.WorkspaceID, func(o *outbox) error {
		c, err := o.tx.LockCase(ctx, job.WorkspaceID, p.CaseID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if c.Status == store.CaseResolved || c.Round != p.Round || c.EscalationLevel >= p.Level {
			return nil
		}
		now := s.now()
		c.EscalationLevel, c.UpdatedAt = p.Level, now
		if err := o.tx.SaveCase(ctx, c); err != nil {
			return err
		}
		to := s.escalationRecipients(ctx, o.tx, job.WorkspaceID, c)
		what := "75% of its SLA used"
		if p.Level >= 2 {
			what = "SLA breached"
		}
		if _, err := o.tx.AddCaseEvent(ctx, job.WorkspaceID, store.CaseEvent{CaseID: c.ID, Kind: "escalation", Actor: "sla", Body: what,
			CreatedAt: now, Details: map[string]any{"level": p.Level, "notified": to}}); err != nil {
			return err
		}
		if s.opt.Mailer != nil && len(to) > 0 {
			body := fmt.Sprintf("Case #%d (%s) is %s: status %s, due %s.\n", c.ID, c.Title, strings.ToLower(what), c.Status,
				c.DueAt.Format("2006-01-02 15:04 MST"))
			if s.opt.BaseURL != "" {
				body += fmt.Sprintf("%s/cases/%d\n", s.opt.BaseURL, c.ID)
			}
			o.add(KindEmail, emailPayload{To: to, Subject: fmt.Sprintf("Escalation: case #%d %s", c.ID, what), Body: body}, now, "")
		}
		return o.emit(ctx, EventCaseUpdated, CaseData{Case: c})
	})
}

func (s *Service) escalationRecipients(ctx context.Context, tx *store.Tx, ws int64, c store.Case) []string {
	if c.OwnerEmployeeID != nil {
		if e, err := tx.EmployeeContact(ctx, ws, *c.OwnerEmployeeID); err == nil && e.ManagerID != nil {
			if m, err := tx.EmployeeContact(ctx, ws, *e.ManagerID); err == nil && m.Email != "" {
				return []string{m.Email}
			}
		}
	}
	admins, _ := s.db.WorkspaceAdminEmails(ctx, ws)
	return admins
}

// ListCases lists cases.
func (s *Service) ListCases(ctx context.Context, ws int64, f store.CaseFilter) ([]store.Case, error) {
	f.Now = s.now()
	return s.db.ListCases(ctx, ws, f)
}

// ErrNoReplyChannel means the customer cannot be answered through any
// configured channel.
var ErrNoReplyChannel = errors.New("no channel to reply to this customer")

type replyPayload struct {
	CaseID  int64  `json:"case_id"`
	EventID int64  `json:"event_id"`
	Channel string `json:"channel"`
	To      string `json:"to"`
	Subject string `json:"subject"`
	Text    string `json:"text"`
}

// Reply answers the customer of a case through the channel their feedback
// came from when Vox can (Telegram for a Telegram item, else email), and
// records the reply in the case's history; the send itself is a job.
func (s *Service) Reply(ctx context.Context, ws, caseID int64, text, actor string) (store.CaseEvent, error) {
	if strings.TrimSpace(text) == "" {
		return store.CaseEvent{}, fieldErr("text", "is required")
	}
	c, err := s.db.Case(ctx, ws, caseID)
	if err != nil {
		return store.CaseEvent{}, err
	}
	if c.CustomerID == nil {
		return store.CaseEvent{}, ErrNoReplyChannel
	}
	cust, err := s.db.Customer(ctx, ws, *c.CustomerID)
	if err != nil {
		return store.CaseEvent{}, ErrNoReplyChannel
	}
	itemChannel := ""
	if c.FeedbackID != nil {
		if it, err := s.db.Feedback(ctx, ws, *c.FeedbackID); err == nil {
			itemChannel = it.Channel
		}
	}
	identity := func(kind string) string {
		for _, idn := range cust.Identities {
			if idn.Kind == kind {
				return idn.Value
			}
		}
		return ""
	}
	p := replyPayload{CaseID: c.ID, Text: text, Subject: "Re: your feedback"}
	switch {
	case itemChannel == "telegram" && s.opt.Telegram != nil && identity(store.IdentityTelegramID) != "":
		p.Channel, p.To = "telegram", identity(store.IdentityTelegramID)
	case s.opt.Mailer != nil && identity(store.IdentityEmail) != "":
		p.Channel, p.To = "email", identity(store.IdentityEmail)
	case s.opt.Telegram != nil && identity(store.IdentityTelegramID) != "":
		p.Channel, p.To = "telegram", identity(store.IdentityTelegramID)
	default:
		return store.CaseEvent{}, ErrNoReplyChannel
	}
	var ev store.CaseEvent
	err = s.inTx(ctx, ws, func(o *outbox) error {
		locked, err := o.tx.LockCase(ctx, ws, caseID)
		if err != nil {
			return err
		}
		now := s.now()
		ev = store.CaseEvent{CaseID: c.ID, Kind: "reply", Actor: actor, Body: text, CreatedAt: now,
			Details: map[string]any{"channel": p.Channel, "to": p.To, "status": "queued"}}
		if ev.ID, err = o.tx.AddCaseEvent(ctx, ws, ev); err != nil {
			return err
		}
		p.EventID = ev.ID
		o.add(KindReply, p, now, "")
		if locked.FirstActionAt == nil {
			locked.FirstActionAt = &now
		}
		locked.UpdatedAt = now
		return o.tx.SaveCase(ctx, locked)
	})
	return ev, err
}

func (s *Service) sendReply(ctx context.Context, job store.Job) error {
	var p replyPayload
	if err := decodePayload(job, &p); err != nil {
		return err
	}
	var err error
	switch p.Channel {
	case "email":
		err = s.deliverEmail(ctx, emailPayload{To: []string{p.To}, Subject: p.Subject, Body: p.Text})
	case "telegram":
		err = s.deliverTelegram(ctx, telegramPayload{ChatID: p.To, Text: p.Text})
	}
	status := "sent"
	if err != nil {
		status = "failed: " + err.Error()
	}
	if uerr := s.db.UpdateCaseEvent(ctx, job.WorkspaceID, p.EventID, map[string]any{"channel": p.Channel, "to": p.To,
		"status": status, "attempts": job.Attempts}); uerr != nil {
		s.log.Error("record reply status", "err", uerr)
	}
	return err
}
