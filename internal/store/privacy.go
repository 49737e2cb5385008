package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// GDPR (DESIGN.md "Reliability and security"): export and erase one person.
//
// A person is one customer of a workspace together with the profiles that
// were merged into it (MergeCustomers keeps them as tombstones). What is
// theirs, table by table (migrations 001-018):
//
//   - customers (the profile and its tombstones), customer_identities;
//   - feedback_items with their customer_id (text, scores, analysis, the
//     search_text that `q` searches) and the rollup counts they added;
//   - survey_invitations (address), survey_responses, survey_drafts
//     ("inv:<invitation>"), survey_optouts;
//   - cases of their items or of them (title quotes the text), case_events
//     (notes and replies), alerts raised on their items, user_notifications
//     quoting their items (praise);
//   - transactions, churn_events, churn_scores;
//   - jobs whose payload names them (privacy_jobs.go);
//   - audit_log entries about the profile.
//
// Not personal: workspaces, users, memberships, api_keys, sessions,
// employees (staff), surveys and their versions, rules, webhooks, journey and
// business-hours settings, churn_models and adaptations (fitted weights over
// the whole workspace), reanalyze checkpoints, idempotency_keys (an
// ingest answer holds only item ids and duplicate flags; kept, so that a
// client retrying the original request gets a replay instead of creating
// the erased person again). Vox stores no files: exports and reports are
// generated on request.

// rowQuerier is what both *DB (reader pool) and *Tx offer for reads.
type rowQuerier interface {
	query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// person is what a workspace holds about one customer, as ids.
type person struct {
	customerID  int64
	profiles    []int64 // the customer and every profile merged into it
	identities  []Identity
	names       []string
	items       []FeedbackItem
	itemIDs     []int64
	invitations []int64
	cases       []int64
}

// inChunks calls fn with ids in parts small enough for one IN (…).
func inChunks(ids []int64, fn func(part []any) error) error {
	const chunk = 500
	for start := 0; start < len(ids); start += chunk {
		end := min(start+chunk, len(ids))
		part := make([]any, 0, end-start)
		for _, id := range ids[start:end] {
			part = append(part, id)
		}
		if err := fn(part); err != nil {
			return err
		}
	}
	return nil
}

// queryIDs runs query once per chunk of ids (its last placeholder is
// "IN (%s)") and collects the first column, deduplicated, in order.
func queryIDs(ctx context.Context, q rowQuerier, query string, workspaceID int64, ids []int64) ([]int64, error) {
	var out []int64
	seen := map[int64]bool{}
	err := inChunks(ids, func(part []any) error {
		rows, err := q.query(ctx, fmt.Sprintf(query, placeholders(len(part))), append([]any{workspaceID}, part...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
		return rows.Err()
	})
	return out, err
}

// loadPerson gathers the ids of everything the workspace holds about
// customer id. A tombstone resolves to the profile it was merged into.
func loadPerson(ctx context.Context, q rowQuerier, workspaceID, id int64) (*person, error) {
	for range 100 { // merge chains are short; the bound stops a cycle
		rows, err := q.query(ctx, `SELECT merged_into_id FROM customers WHERE workspace_id = ? AND id = ?`, workspaceID, id)
		if err != nil {
			return nil, fmt.Errorf("person: %w", err)
		}
		var into *int64
		found := rows.Next()
		if found {
			err = rows.Scan(&into)
		}
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("person: %w", err)
		}
		if !found {
			return nil, fmt.Errorf("customer %d: %w", id, ErrNotFound)
		}
		if into == nil || *into == id {
			break
		}
		id = *into
	}
	p := &person{customerID: id, profiles: []int64{id}}
	// Profiles merged into this one, and into those, and so on.
	for frontier := []int64{id}; len(frontier) > 0; {
		next, err := queryIDs(ctx, q, `SELECT id FROM customers WHERE workspace_id = ? AND merged_into_id IN (%s)`, workspaceID, frontier)
		if err != nil {
			return nil, fmt.Errorf("person: merged profiles: %w", err)
		}
		frontier = frontier[:0]
		for _, m := range next {
			if !slices.Contains(p.profiles, m) {
				p.profiles = append(p.profiles, m)
				frontier = append(frontier, m)
			}
		}
	}
	err := inChunks(p.profiles, func(part []any) error {
		rows, err := q.query(ctx, `SELECT name FROM customers WHERE workspace_id = ? AND id IN (`+placeholders(len(part))+`)`,
			append([]any{workspaceID}, part...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				return err
			}
			if name = strings.TrimSpace(name); name != "" && !slices.Contains(p.names, name) {
				p.names = append(p.names, name)
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("person: names: %w", err)
	}
	err = inChunks(p.profiles, func(part []any) error {
		rows, err := q.query(ctx, `SELECT ci.kind, ci.value FROM `+identitiesOfCustomers+` IN (`+placeholders(len(part))+`)
			ORDER BY ci.kind, ci.value`, append([]any{workspaceID}, part...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var idn Identity
			if err := rows.Scan(&idn.Kind, &idn.Value); err != nil {
				return err
			}
			p.identities = append(p.identities, idn)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("person: identities: %w", err)
	}
	err = inChunks(p.profiles, func(part []any) error {
		rows, err := q.query(ctx, `SELECT `+feedbackColumns+` FROM feedback_items WHERE workspace_id = ? AND customer_id IN (`+
			placeholders(len(part))+`) ORDER BY id`, append([]any{workspaceID}, part...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			it, err := scanFeedback(rows)
			if err != nil {
				return err
			}
			p.items = append(p.items, it)
			p.itemIDs = append(p.itemIDs, it.ID)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("person: feedback: %w", err)
	}
	if p.invitations, err = queryIDs(ctx, q, `SELECT id FROM survey_invitations WHERE workspace_id = ? AND customer_id IN (%s)`,
		workspaceID, p.profiles); err != nil {
		return nil, fmt.Errorf("person: invitations: %w", err)
	}
	byCustomer, err := queryIDs(ctx, q, `SELECT id FROM cases WHERE workspace_id = ? AND customer_id IN (%s)`, workspaceID, p.profiles)
	if err != nil {
		return nil, fmt.Errorf("person: cases: %w", err)
	}
	byItem, err := queryIDs(ctx, q, `SELECT id FROM cases WHERE workspace_id = ? AND feedback_id IN (%s)`, workspaceID, p.itemIDs)
	if err != nil {
		return nil, fmt.Errorf("person: cases: %w", err)
	}
	p.cases = byCustomer
	for _, c := range byItem {
		if !slices.Contains(p.cases, c) {
			p.cases = append(p.cases, c)
		}
	}
	slices.Sort(p.cases)
	return p, nil
}

// FindCustomerByIdentity returns the id of the workspace's customer that an
// identity (email, phone, telegram id or username, external id) resolves
// to, following merges to the live profile; ErrNotFound when none does.
func (db *DB) FindCustomerByIdentity(ctx context.Context, workspaceID int64, kind, value string) (int64, error) {
	v := NormalizeIdentity(kind, value)
	if !slices.Contains(IdentityKinds, kind) || v == "" {
		return 0, fmt.Errorf("identity %s: %w", kind, ErrNotFound)
	}
	var id int64
	err := db.queryRow(ctx, `SELECT customer_id FROM customer_identities WHERE workspace_id = ? AND kind = ? AND value = ?`,
		workspaceID, kind, v).Scan(&id)
	if err != nil {
		return 0, notFound(err, "identity")
	}
	p, err := loadPersonHead(ctx, db, workspaceID, id)
	if err != nil {
		return 0, err
	}
	return p, nil
}

// loadPersonHead follows merged_into_id from id to the live profile.
func loadPersonHead(ctx context.Context, db *DB, workspaceID, id int64) (int64, error) {
	for range 100 {
		var into *int64
		if err := db.queryRow(ctx, `SELECT merged_into_id FROM customers WHERE workspace_id = ? AND id = ?`, workspaceID, id).Scan(&into); err != nil {
			return 0, notFound(err, "customer")
		}
		if into == nil || *into == id {
			return id, nil
		}
		id = *into
	}
	return id, nil
}

// PersonExport is everything a workspace holds about one person, as its
// rows: what Article 15 (access) and 20 (portability) ask for. Rows keep
// their column names; times are RFC 3339 in UTC, JSON columns are nested.
type PersonExport struct {
	ExportedAt        time.Time        `json:"exported_at"`
	Workspace         string           `json:"workspace"`
	CustomerID        int64            `json:"customer_id"`
	Profiles          []map[string]any `json:"profiles"` // the customer first, then profiles merged into it
	Identities        []map[string]any `json:"identities"`
	Feedback          []map[string]any `json:"feedback"`
	SurveyInvitations []map[string]any `json:"survey_invitations"`
	SurveyResponses   []map[string]any `json:"survey_responses"`
	SurveyDrafts      []map[string]any `json:"survey_drafts"`
	SurveyOptOuts     []map[string]any `json:"survey_optouts"`
	Cases             []map[string]any `json:"cases"`
	CaseEvents        []map[string]any `json:"case_events"`
	Alerts            []map[string]any `json:"alerts"`
	Notifications     []map[string]any `json:"notifications"`
	Transactions      []map[string]any `json:"transactions"`
	ChurnEvents       []map[string]any `json:"churn_events"`
	ChurnScores       []map[string]any `json:"churn_scores"`
	AuditLog          []map[string]any `json:"audit_log"`
}

// jsonColumns are TEXT columns holding JSON, nested as JSON in exports.
var jsonColumns = map[string]bool{"topics": true, "aspects": true, "tags": true, "metadata": true, "attributes": true,
	"answers": true, "details": true, "factors": true}

// exportRows reads rows as column → value maps for an export, once per
// chunk of ids (query's last placeholder is "IN (%s)"). search_text is a
// copy of text and workspace_id is implied, so both are left out.
func exportRows(ctx context.Context, q rowQuerier, query string, workspaceID int64, ids []int64) ([]map[string]any, error) {
	out := []map[string]any{}
	err := inChunks(ids, func(part []any) error {
		rows, err := q.query(ctx, fmt.Sprintf(query, placeholders(len(part))), append([]any{workspaceID}, part...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		cols, err := rows.Columns()
		if err != nil {
			return err
		}
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				return err
			}
			m := make(map[string]any, len(cols))
			for i, c := range cols {
				if c == "search_text" || c == "workspace_id" {
					continue
				}
				m[c] = exportValue(c, vals[i])
			}
			out = append(out, m)
		}
		return rows.Err()
	})
	return out, err
}

// exportValue makes a scanned column readable: text as text, *_at
// milliseconds as times, JSON columns as JSON.
func exportValue(col string, v any) any {
	if b, ok := v.([]byte); ok {
		v = string(b)
	}
	switch x := v.(type) {
	case int64:
		if strings.HasSuffix(col, "_at") || col == "prev_secret_until" {
			return fromMillis(x).UTC().Format(time.RFC3339Nano)
		}
	case int32:
		return int64(x)
	case string:
		if jsonColumns[col] && json.Valid([]byte(x)) {
			return json.RawMessage(x)
		}
	}
	return v
}

// ExportPerson returns everything the workspace holds about customer id
// (or the profile it was merged into) and records the access in the audit
// log as "customer.export".
func (db *DB) ExportPerson(ctx context.Context, workspaceID, id int64, actor AuditActor) (PersonExport, error) {
	p, err := loadPerson(ctx, db, workspaceID, id)
	if err != nil {
		return PersonExport{}, fmt.Errorf("export person: %w", err)
	}
	var slug string
	if err := db.queryRow(ctx, `SELECT slug FROM workspaces WHERE id = ?`, workspaceID).Scan(&slug); err != nil {
		return PersonExport{}, notFound(err, "export person: workspace")
	}
	ex := PersonExport{ExportedAt: time.Now().UTC(), Workspace: slug, CustomerID: p.customerID}
	drafts := make([]int64, len(p.invitations))
	copy(drafts, p.invitations)
	sections := []struct {
		dst   *[]map[string]any
		query string
		ids   []int64
	}{
		{&ex.Profiles, `SELECT * FROM customers WHERE workspace_id = ? AND id IN (%s) ORDER BY merged_into_id IS NOT NULL, id`, p.profiles},
		{&ex.Identities, `SELECT ci.kind, ci.value, ci.customer_id, ci.created_at FROM ` + identitiesOfCustomers + ` IN (%s) ORDER BY ci.kind, ci.value`, p.profiles},
		{&ex.Feedback, `SELECT * FROM feedback_items WHERE workspace_id = ? AND id IN (%s) ORDER BY occurred_at, id`, p.itemIDs},
		{&ex.SurveyInvitations, `SELECT * FROM survey_invitations WHERE workspace_id = ? AND id IN (%s) ORDER BY id`, p.invitations},
		{&ex.SurveyResponses, `SELECT * FROM survey_responses WHERE workspace_id = ? AND feedback_item_id IN (%s) ORDER BY id`, p.itemIDs},
		{&ex.SurveyOptOuts, `SELECT * FROM survey_optouts WHERE workspace_id = ? AND customer_id IN (%s)`, p.profiles},
		{&ex.Cases, `SELECT * FROM cases WHERE workspace_id = ? AND id IN (%s) ORDER BY id`, p.cases},
		{&ex.CaseEvents, `SELECT * FROM case_events WHERE workspace_id = ? AND case_id IN (%s) ORDER BY case_id, id`, p.cases},
		{&ex.Alerts, `SELECT * FROM alerts WHERE workspace_id = ? AND feedback_id IN (%s) ORDER BY id`, p.itemIDs},
		{&ex.Notifications, `SELECT id, user_id, kind, title, body, feedback_id, details, read_at, created_at FROM user_notifications
			WHERE workspace_id = ? AND feedback_id IN (%s) ORDER BY id`, p.itemIDs},
		{&ex.Transactions, `SELECT * FROM transactions WHERE workspace_id = ? AND customer_id IN (%s) ORDER BY occurred_at, id`, p.profiles},
		{&ex.ChurnEvents, `SELECT * FROM churn_events WHERE workspace_id = ? AND customer_id IN (%s) ORDER BY occurred_at, id`, p.profiles},
		{&ex.ChurnScores, `SELECT * FROM churn_scores WHERE workspace_id = ? AND customer_id IN (%s)`, p.profiles},
		{&ex.AuditLog, `SELECT id, user_id, actor, action, object_type, object_id, details, created_at FROM audit_log
			WHERE workspace_id = ? AND object_type = 'customer' AND object_id IN (%s) ORDER BY id`, p.profiles},
	}
	for _, s := range sections {
		if *s.dst, err = exportRows(ctx, db, s.query, workspaceID, s.ids); err != nil {
			return PersonExport{}, fmt.Errorf("export person: %w", err)
		}
	}
	keys := make([]string, len(p.invitations))
	for i, inv := range p.invitations {
		keys[i] = draftKeyOf(inv)
	}
	if ex.SurveyDrafts, err = exportDrafts(ctx, db, workspaceID, keys); err != nil {
		return PersonExport{}, fmt.Errorf("export person: %w", err)
	}
	err = db.Audit(ctx, actor.entry(workspaceID, "customer.export", "customer", p.customerID, map[string]any{
		"feedback": len(ex.Feedback), "profiles": len(ex.Profiles)}))
	if err != nil {
		return PersonExport{}, fmt.Errorf("export person: %w", err)
	}
	return ex, nil
}

// draftKeyOf is the survey_drafts key of an invitation's unfinished answer
// (survey.Session.DraftKey).
func draftKeyOf(invitationID int64) string { return "inv:" + strconv.FormatInt(invitationID, 10) }

func exportDrafts(ctx context.Context, q rowQuerier, workspaceID int64, keys []string) ([]map[string]any, error) {
	out := []map[string]any{}
	for start := 0; start < len(keys); start += 500 {
		part := keys[start:min(start+500, len(keys))]
		args := []any{workspaceID}
		for _, k := range part {
			args = append(args, k)
		}
		rows, err := q.query(ctx, `SELECT draft_key, survey_id, answers, updated_at FROM survey_drafts
			WHERE workspace_id = ? AND draft_key IN (`+placeholders(len(part))+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var key, answers string
			var survey, updated int64
			if err := rows.Scan(&key, &survey, &answers, &updated); err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, map[string]any{"draft_key": key, "survey_id": survey,
				"answers": exportValue("answers", answers), "updated_at": exportValue("updated_at", updated)})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// CountCustomerFeedback counts the feedback items of one customer of the
// workspace (the erase confirmation says how many will go).
func (db *DB) CountCustomerFeedback(ctx context.Context, workspaceID, customerID int64) (int, error) {
	var n int
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM feedback_items WHERE workspace_id = ? AND customer_id = ?`, workspaceID, customerID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count customer feedback: %w", err)
	}
	return n, nil
}
