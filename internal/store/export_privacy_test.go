package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// PersonTraces counts, table by table, the rows of the workspace that still
// name one of the customers, items or the invitation: after an erase every
// count must be 0. It reads the tables directly, not through the functions
// the erase uses, so a missed table shows here.
func PersonTraces(t testing.TB, db *DB, workspaceID int64, customers, items []int64, invitation int64) map[string]int {
	t.Helper()
	ctx := context.Background()
	in := func(ids []int64) string {
		s := make([]string, len(ids))
		for i, id := range ids {
			s[i] = fmt.Sprint(id)
		}
		return "(" + strings.Join(s, ",") + ")"
	}
	c, it := in(customers), in(items)
	inv := fmt.Sprint(invitation)
	queries := map[string]string{
		"customers":               `SELECT COUNT(*) FROM customers WHERE workspace_id = ? AND (id IN ` + c + ` OR merged_into_id IN ` + c + `)`,
		"customer_identities":     `SELECT COUNT(*) FROM customer_identities WHERE workspace_id = ? AND customer_id IN ` + c,
		"feedback_items":          `SELECT COUNT(*) FROM feedback_items WHERE workspace_id = ? AND (customer_id IN ` + c + ` OR id IN ` + it + `)`,
		"survey_invitations":      `SELECT COUNT(*) FROM survey_invitations WHERE workspace_id = ? AND (customer_id IN ` + c + ` OR id = ` + inv + `)`,
		"survey_responses":        `SELECT COUNT(*) FROM survey_responses WHERE workspace_id = ? AND (customer_id IN ` + c + ` OR feedback_item_id IN ` + it + `)`,
		"survey_drafts":           `SELECT COUNT(*) FROM survey_drafts WHERE workspace_id = ? AND draft_key = 'inv:` + inv + `'`,
		"survey_optouts":          `SELECT COUNT(*) FROM survey_optouts WHERE workspace_id = ? AND customer_id IN ` + c,
		"cases":                   `SELECT COUNT(*) FROM cases WHERE workspace_id = ? AND (customer_id IN ` + c + ` OR feedback_id IN ` + it + `)`,
		"case_events":             `SELECT COUNT(*) FROM case_events WHERE workspace_id = ? AND (body <> '' OR details LIKE '%@%')`,
		"alerts":                  `SELECT COUNT(*) FROM alerts WHERE workspace_id = ? AND feedback_id IN ` + it,
		"user_notifications":      `SELECT COUNT(*) FROM user_notifications WHERE workspace_id = ? AND feedback_id IN ` + it,
		"transactions":            `SELECT COUNT(*) FROM transactions WHERE workspace_id = ? AND customer_id IN ` + c,
		"churn_events":            `SELECT COUNT(*) FROM churn_events WHERE workspace_id = ? AND customer_id IN ` + c,
		"churn_scores":            `SELECT COUNT(*) FROM churn_scores WHERE workspace_id = ? AND customer_id IN ` + c,
		"jobs (invitation)":       `SELECT COUNT(*) FROM jobs WHERE workspace_id = ? AND payload LIKE '%"invitation_id":` + inv + `%'`,
		"jobs (text)":             `SELECT COUNT(*) FROM jobs WHERE workspace_id = ? AND (LOWER(payload) LIKE '%anna%' OR payload LIKE '%zebrafinch%')`,
		"audit_log":               `SELECT COUNT(*) FROM audit_log WHERE workspace_id = ? AND (LOWER(details) LIKE '%anna%' OR details LIKE '%"merged"%')`,
		"rollup_slices (survey)":  `SELECT COUNT(*) FROM rollup_slices WHERE workspace_id = ? AND dim = 'lang' AND val = 'ru'`,
		"idempotency (form keys)": `SELECT COUNT(*) FROM idempotency_keys WHERE workspace_id = ? AND LOWER(response) LIKE '%anna%'`,
	}
	out := map[string]int{}
	for name, q := range queries {
		var n int
		if err := db.queryRow(ctx, q, workspaceID).Scan(&n); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = n
	}
	return out
}
