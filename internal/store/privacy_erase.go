package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
)

// ErasureReport counts what erasing a person removed. It is also the
// details of the "customer.erase" audit entry: numbers, no personal data.
type ErasureReport struct {
	CustomerID    int64 `json:"customer_id"`
	Profiles      int   `json:"profiles"`
	Identities    int   `json:"identities"`
	Feedback      int   `json:"feedback"`
	Invitations   int   `json:"invitations"`
	Responses     int   `json:"responses"`
	CasesScrubbed int   `json:"cases_scrubbed"`
	Alerts        int   `json:"alerts"`
	Notifications int   `json:"notifications"`
	Transactions  int   `json:"transactions"`
	ChurnEvents   int   `json:"churn_events"`
	Jobs          int   `json:"jobs"`
	AuditScrubbed int   `json:"audit_scrubbed"`
	AlreadyErased bool  `json:"already_erased,omitempty"` // an earlier erase of this id is what is reported
}

// ErasePerson deletes everything the workspace holds about customer id (and
// the profiles merged into it) in one transaction, moving the rollups down
// by exactly the removed items:
//
//   - the profiles, identities, feedback items, survey invitations,
//     responses, drafts and opt-outs, alerts on the items, notifications
//     quoting them, transactions, churn events and scores are deleted;
//   - cases are kept for the team's statistics (SLA, FRT, ART) but made
//     anonymous: no customer, no item, title "—", notes and replies emptied;
//   - jobs naming the person, in any status, are deleted: a survey send or
//     a webhook not yet delivered is cancelled (privacy_jobs.go);
//   - audit entries about the profiles keep the fact, lose their details,
//     and "customer.erase" records the counts.
//
// Erasing an id erased before reports that earlier erase (AlreadyErased),
// so a retried request is harmless. Another workspace's customer with the
// same email is a different person and is not touched.
func (db *DB) ErasePerson(ctx context.Context, workspaceID, id int64, actor AuditActor) (ErasureReport, error) {
	var rep ErasureReport
	err := db.InTx(ctx, func(tx *Tx) error {
		if db.Dialect == Postgres {
			// Two erases (or an erase and a merge) of one person serialise here.
			if _, err := tx.exec(ctx, `SELECT id FROM customers WHERE workspace_id = ? AND id = ? FOR UPDATE`, workspaceID, id); err != nil {
				return err
			}
		}
		p, err := loadPerson(ctx, tx, workspaceID, id)
		if err != nil {
			return err
		}
		rep, err = tx.erase(ctx, workspaceID, p)
		if err != nil {
			return err
		}
		details := map[string]any{}
		b, _ := json.Marshal(rep)
		_ = json.Unmarshal(b, &details)
		return tx.audit(ctx, actor.entry(workspaceID, "customer.erase", "customer", p.customerID, details))
	})
	if err == nil {
		return rep, nil
	}
	if prev, ok := db.earlierErasure(ctx, workspaceID, id); ok && isNotFound(err) {
		return prev, nil
	}
	return ErasureReport{}, fmt.Errorf("erase person: %w", err)
}

func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// earlierErasure finds the audit entry of an earlier erase of id.
func (db *DB) earlierErasure(ctx context.Context, workspaceID, id int64) (ErasureReport, bool) {
	var details string
	err := db.queryRow(ctx, `SELECT details FROM audit_log WHERE workspace_id = ? AND action = 'customer.erase'
		AND object_type = 'customer' AND object_id = ? ORDER BY id DESC LIMIT 1`, workspaceID, id).Scan(&details)
	if err != nil {
		return ErasureReport{}, false
	}
	var rep ErasureReport
	_ = json.Unmarshal([]byte(details), &rep)
	rep.CustomerID, rep.AlreadyErased = id, true
	return rep, true
}

// erase removes p inside tx; see ErasePerson.
func (tx *Tx) erase(ctx context.Context, workspaceID int64, p *person) (ErasureReport, error) {
	rep := ErasureReport{CustomerID: p.customerID, Profiles: len(p.profiles), Identities: len(p.identities),
		Feedback: len(p.items), Invitations: len(p.invitations), CasesScrubbed: len(p.cases)}
	// Jobs first, while the rows they name still exist to be matched.
	jobs, err := tx.jobsNaming(ctx, workspaceID, p)
	if err != nil {
		return rep, err
	}
	if rep.Jobs, err = tx.deleteByIDs(ctx, `DELETE FROM jobs WHERE workspace_id = ? AND id IN (%s)`, workspaceID, jobs); err != nil {
		return rep, fmt.Errorf("jobs: %w", err)
	}
	if err := tx.removeItems(ctx, workspaceID, p.items, &rep); err != nil {
		return rep, err
	}
	if err := tx.scrubCases(ctx, workspaceID, p.cases); err != nil {
		return rep, err
	}
	drafts := make([]any, 0, len(p.invitations))
	for _, inv := range p.invitations {
		drafts = append(drafts, draftKeyOf(inv))
	}
	for start := 0; start < len(drafts); start += 500 {
		part := drafts[start:min(start+500, len(drafts))]
		if _, err := tx.exec(ctx, `DELETE FROM survey_drafts WHERE workspace_id = ? AND draft_key IN (`+placeholders(len(part))+`)`,
			append([]any{workspaceID}, part...)...); err != nil {
			return rep, fmt.Errorf("survey drafts: %w", err)
		}
	}
	liveProfiles := 0 // the kept customer count (customers_count.go) counts profiles not merged away
	steps := []struct {
		n     *int
		query string
	}{
		{&rep.Responses, `DELETE FROM survey_responses WHERE workspace_id = ? AND customer_id IN (%s)`},
		{nil, `DELETE FROM survey_invitations WHERE workspace_id = ? AND customer_id IN (%s)`},
		{nil, `DELETE FROM survey_optouts WHERE workspace_id = ? AND customer_id IN (%s)`},
		{&rep.Transactions, `DELETE FROM transactions WHERE workspace_id = ? AND customer_id IN (%s)`},
		{&rep.ChurnEvents, `DELETE FROM churn_events WHERE workspace_id = ? AND customer_id IN (%s)`},
		{nil, `DELETE FROM churn_scores WHERE workspace_id = ? AND customer_id IN (%s)`},
		{nil, `DELETE FROM customer_identities WHERE customer_id IN (SELECT id FROM customers WHERE workspace_id = ? AND id IN (%s))`},
		{&rep.AuditScrubbed, `UPDATE audit_log SET details = '{}' WHERE workspace_id = ? AND object_type = 'customer' AND object_id IN (%s)`},
		// Tombstones point at the person; the person last.
		{nil, `DELETE FROM customers WHERE workspace_id = ? AND id IN (%s) AND merged_into_id IS NOT NULL`},
		{&liveProfiles, `DELETE FROM customers WHERE workspace_id = ? AND id IN (%s)`},
	}
	for _, s := range steps {
		n, err := tx.deleteByIDs(ctx, s.query, workspaceID, p.profiles)
		if err != nil {
			return rep, fmt.Errorf("erase: %w", err)
		}
		if s.n != nil {
			*s.n += n
		}
	}
	if err := tx.addCustomerCount(ctx, workspaceID, -liveProfiles); err != nil {
		return rep, fmt.Errorf("erase: %w", err)
	}
	if err := tx.raiseIDFloors(ctx, map[string][]int64{"customers": p.profiles, "survey_invitations": p.invitations, "jobs": jobs}); err != nil {
		return rep, err
	}
	return rep, nil
}

// removeItems deletes feedback items with what hangs on them (survey
// responses, alerts, notifications quoting them; cases lose the link) and
// subtracts them from the rollups. items must be the rows as stored.
func (tx *Tx) removeItems(ctx context.Context, workspaceID int64, items []FeedbackItem, rep *ErasureReport) error {
	if len(items) == 0 {
		return nil
	}
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	steps := []struct {
		n     *int
		query string
	}{
		{&rep.Responses, `DELETE FROM survey_responses WHERE workspace_id = ? AND feedback_item_id IN (%s)`},
		{&rep.Alerts, `DELETE FROM alerts WHERE workspace_id = ? AND feedback_id IN (%s)`},
		{&rep.Notifications, `DELETE FROM user_notifications WHERE workspace_id = ? AND feedback_id IN (%s)`},
		{nil, `UPDATE cases SET feedback_id = NULL, title = '—' WHERE workspace_id = ? AND feedback_id IN (%s)`},
		{nil, `DELETE FROM feedback_items WHERE workspace_id = ? AND id IN (%s)`},
	}
	for _, s := range steps {
		n, err := tx.deleteByIDs(ctx, s.query, workspaceID, ids)
		if err != nil {
			return fmt.Errorf("remove items: %w", err)
		}
		if s.n != nil {
			*s.n += n
		}
	}
	if err := tx.RemoveFromRollups(ctx, workspaceID, items); err != nil {
		return fmt.Errorf("remove items: %w", err)
	}
	return tx.raiseIDFloors(ctx, map[string][]int64{"feedback_items": ids})
}

// scrubCases makes cases anonymous: they stay in the team's statistics but
// no longer name, quote or link the person.
func (tx *Tx) scrubCases(ctx context.Context, workspaceID int64, cases []int64) error {
	if _, err := tx.deleteByIDs(ctx, `UPDATE cases SET customer_id = NULL, feedback_id = NULL, title = '—'
		WHERE workspace_id = ? AND id IN (%s)`, workspaceID, cases); err != nil {
		return fmt.Errorf("scrub cases: %w", err)
	}
	if _, err := tx.deleteByIDs(ctx, `UPDATE case_events SET body = '', details = CASE WHEN kind = 'reply' THEN '{}' ELSE details END
		WHERE workspace_id = ? AND case_id IN (%s)`, workspaceID, cases); err != nil {
		return fmt.Errorf("scrub case events: %w", err)
	}
	return nil
}

// deleteByIDs runs a DELETE or UPDATE whose last placeholder is "IN (%s)"
// once per chunk of ids and returns the rows affected.
func (tx *Tx) deleteByIDs(ctx context.Context, query string, workspaceID int64, ids []int64) (int, error) {
	total := 0
	err := inChunks(ids, func(part []any) error {
		r, err := tx.exec(ctx, fmt.Sprintf(query, placeholders(len(part))), append([]any{workspaceID}, part...)...)
		if err != nil {
			return err
		}
		n, _ := r.RowsAffected()
		total += int(n)
		return nil
	})
	return total, err
}

// raiseIDFloors records the highest deleted id per table so that SQLite's
// MAX(id)+1 allocation never hands it out again (018_privacy.sql).
func (tx *Tx) raiseIDFloors(ctx context.Context, deleted map[string][]int64) error {
	if tx.db.Dialect != SQLite {
		return nil
	}
	for table, ids := range deleted {
		if len(ids) == 0 {
			continue
		}
		if _, err := tx.exec(ctx, `INSERT INTO id_floors (table_name, floor) VALUES (?, ?)
			ON CONFLICT (table_name) DO UPDATE SET floor = MAX(id_floors.floor, excluded.floor)`, table, slices.Max(ids)); err != nil {
			return fmt.Errorf("id floor %s: %w", table, err)
		}
	}
	return nil
}
