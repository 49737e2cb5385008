package alert

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"vox/internal/store"
)

// ManualCase asks for a case on one feedback item, opened by a person from
// the feedback explorer rather than by a rule.
type ManualCase struct {
	FeedbackID      int64
	OwnerEmployeeID *int64        // nil: nobody yet
	SLA             time.Duration // 0: the service's default (24 h)
	Actor           string        // who opened it, for the case history
	// NotifyOwner emails the owner, as rule cases do; off when the owner
	// opened the case themselves.
	NotifyOwner bool
}

// OpenManualCase opens a case for a feedback item of the workspace. An item
// has at most one case: when it already has one, that case comes back with
// created false and nothing changes, however often the button is pressed.
// A new case is announced like a rule's (case.created to webhooks) and gets
// the same escalations.
func (s *Service) OpenManualCase(ctx context.Context, ws int64, m ManualCase) (c store.Case, created bool, err error) {
	it, err := s.db.Feedback(ctx, ws, m.FeedbackID)
	if err != nil {
		return store.Case{}, false, err
	}
	var cust *store.Customer
	if it.CustomerID != nil {
		cu, err := s.db.Customer(ctx, ws, *it.CustomerID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return store.Case{}, false, err
		}
		if err == nil {
			cust = &cu
		}
	}
	sla := m.SLA
	if sla <= 0 {
		sla = s.opt.DefaultSLA
	}
	if sla < time.Minute {
		return store.Case{}, false, fieldErr("sla", "must be at least a minute")
	}
	err = s.inTx(ctx, ws, func(o *outbox) error {
		if m.OwnerEmployeeID != nil {
			if _, err := o.tx.EmployeeContact(ctx, ws, *m.OwnerEmployeeID); err != nil {
				return fieldErr("owner_employee_id", "names no employee of this workspace")
			}
		}
		now := s.now()
		clock, err := s.clockFor(ctx, o.tx, ws)
		if err != nil {
			return err
		}
		itemID := it.ID
		c = store.Case{WorkspaceID: ws, FeedbackID: &itemID, CustomerID: it.CustomerID, OwnerEmployeeID: m.OwnerEmployeeID,
			Title: manualCaseTitle(&it), SLAMinutes: int64(sla / time.Minute), DueAt: clock.Add(now, sla), CreatedAt: now}
		if c, created, err = o.tx.InsertCase(ctx, c); err != nil || !created {
			return err
		}
		if _, err := o.tx.AddCaseEvent(ctx, ws, store.CaseEvent{CaseID: c.ID, Kind: "created", Actor: m.Actor, CreatedAt: now,
			Details: map[string]any{"manual": true, "owner_employee_id": m.OwnerEmployeeID, "due_at": c.DueAt}}); err != nil {
			return err
		}
		s.scheduleEscalations(o, c, now, clock)
		if err := o.emit(ctx, EventCaseCreated, s.caseData(c, &it, cust)); err != nil {
			return err
		}
		if !m.NotifyOwner {
			return nil
		}
		return s.notifyOwner(ctx, o, c, "New case #"+strconv.FormatInt(c.ID, 10)+": "+c.Title, &it)
	})
	if err != nil {
		return store.Case{}, false, fmt.Errorf("open case for item %d: %w", m.FeedbackID, err)
	}
	return c, created, nil
}

// manualCaseTitle names a case after its item: the NPS answer, when there
// is one, and the start of the text.
func manualCaseTitle(it *store.FeedbackItem) string {
	t := strings.Join(strings.Fields(it.Text), " ")
	if r := []rune(t); len(r) > 80 {
		t = string(r[:77]) + "..."
	}
	switch {
	case it.NPS != nil && t != "":
		return fmt.Sprintf("NPS %d: %s", *it.NPS, t)
	case it.NPS != nil:
		return fmt.Sprintf("NPS %d", *it.NPS)
	case t != "":
		return t
	}
	return "Feedback #" + strconv.FormatInt(it.ID, 10)
}
