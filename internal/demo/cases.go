package demo

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"vox/internal/alert"
	"vox/internal/store"
)

// Close the loop: every demo workspace gets the alert rules a CX team would
// run, and the cases those rules would have opened on the last two months of
// feedback, with the history of people working them. Without it the cases
// inbox, case statistics and the overview's SLA and FRT/ART figures of the
// demo would be empty.

// Demo rule names. English in every workspace: rule names are for the team,
// and the demo's teams work in several languages.
const (
	ruleVIP       = "VIP unhappy → notify + case 8 h"
	ruleDetractor = "Detractor → case (48 h)"
	ruleCSAT      = "Very unhappy CSAT → case (24 h)"
	ruleTelegram  = "Negative Telegram mention → tag"
)

// caseTeam answers cases first: support is centralised per language and
// hands a case to a store or courier team when it needs someone on site.
const caseTeam = teamSupport

// caseHistoryDays is how far back the rules are replayed. The window is
// widened to include the regional delivery incident, which the case
// statistics must show.
const caseHistoryDays = 60

// demoRules are the rules of every demo workspace in evaluation order. The
// VIP rule comes first: the first rule to open a case on an item owns it,
// so a VIP detractor's case gets the 8-hour SLA. Detractors get 48 hours
// to close the loop (the usual "call back within a day, fix within two";
// the overview's 24-hour time-to-action target covers the call back), very
// unhappy CSAT answers 24.
func demoRules() []alert.RuleSpec {
	openCase := func(sla float64) alert.Action {
		return alert.Action{Type: "open_case", SLAHours: sla, Owner: "round_robin", Team: caseTeam}
	}
	return []alert.RuleSpec{
		{Name: ruleVIP, Conditions: []alert.Condition{{Field: "segment", Op: "eq", Value: "vip"}, {Field: "sentiment", Op: "eq", Value: "negative"}},
			Actions: []alert.Action{openCase(8), {Type: "notify", Channel: "email", To: alert.StringList{"owner"}}}},
		{Name: ruleDetractor, Conditions: []alert.Condition{{Field: "nps", Op: "lte", Value: 6.0}}, Actions: []alert.Action{openCase(48)}},
		{Name: ruleCSAT, Conditions: []alert.Condition{{Field: "csat", Op: "lte", Value: 2.0}}, Actions: []alert.Action{openCase(24)}},
		{Name: ruleTelegram, Conditions: []alert.Condition{{Field: "channel", Op: "eq", Value: "telegram"},
			{Field: "kind", Op: "eq", Value: "mention"}, {Field: "sentiment", Op: "eq", Value: "negative"}},
			Actions: []alert.Action{{Type: "tag", Tags: alert.StringList{"telegram-negative"}}}},
	}
}

// caseRule is a stored demo rule ready to replay on past items.
type caseRule struct {
	rule  store.Rule
	match *alert.Compiled
	sla   time.Duration // of its open_case action; 0 when it opens none
	tags  []string
}

// ensureRules stores the demo rules the workspace lacks (matched by name,
// through the alert service's validation) and returns all of them compiled
// from what is stored, in evaluation (id) order.
func ensureRules(ctx context.Context, db *store.DB, ws int64) ([]caseRule, error) {
	svc := alert.New(db, alert.Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	stored, err := db.Rules(ctx, ws)
	if err != nil {
		return nil, err
	}
	for _, spec := range demoRules() {
		if !slices.ContainsFunc(stored, func(r store.Rule) bool { return r.Name == spec.Name }) {
			r, err := svc.CreateRule(ctx, ws, spec)
			if err != nil {
				return nil, fmt.Errorf("demo rule %q: %w", spec.Name, err)
			}
			stored = append(stored, r)
		}
	}
	slices.SortFunc(stored, func(a, b store.Rule) int { return cmp.Compare(a.ID, b.ID) })
	names := map[string]bool{}
	for _, spec := range demoRules() {
		names[spec.Name] = true
	}
	var out []caseRule
	for _, r := range stored {
		if !names[r.Name] || !r.Enabled {
			continue
		}
		spec := alert.RuleSpec{Name: r.Name, Match: r.Match}
		if err := json.Unmarshal(r.Conditions, &spec.Conditions); err != nil {
			return nil, fmt.Errorf("demo rule %d: %w", r.ID, err)
		}
		if err := json.Unmarshal(r.Actions, &spec.Actions); err != nil {
			return nil, fmt.Errorf("demo rule %d: %w", r.ID, err)
		}
		m, err := alert.Compile(spec, nil)
		if err != nil {
			return nil, fmt.Errorf("demo rule %d: %w", r.ID, err)
		}
		cr := caseRule{rule: r, match: m}
		for _, a := range spec.Actions {
			switch a.Type {
			case "open_case":
				cr.sla = time.Duration(cmp.Or(a.SLAHours, 24) * float64(time.Hour))
			case "tag":
				cr.tags = append(cr.tags, a.Tags...)
			}
		}
		out = append(out, cr)
	}
	return out, nil
}

// seedCases stores the demo rules of workspace ws and the history they
// would have made, unless the workspace already has cases: alerts, tags and
// cases with their events, all in one transaction, so a workspace has the
// whole history or none and a second run adds nothing. The history queues
// no jobs: no emails or webhooks about the past, and no escalation jobs
// either, so the cases still open keep the escalation level their history
// gave them (the board still shows them overdue when their time is up).
func seedCases(ctx context.Context, db *store.DB, ws int64, w *wsPlan, opt Options) error {
	// Cases exist once the history is written (it is one transaction), and
	// then the rules are the team's: a rule deleted in the UI stays deleted
	// when the demo restarts.
	have, err := db.ListCases(ctx, ws, store.CaseFilter{Limit: 1})
	if err != nil {
		return err
	}
	if len(have) > 0 {
		return nil
	}
	rules, err := ensureRules(ctx, db, ws)
	if err != nil {
		return err
	}
	now := opt.Now
	st := storyFor(opt)
	from := now.AddDate(0, 0, -caseHistoryDays)
	if inc := st.incidentFrom.AddDate(0, 0, -2); inc.Before(from) {
		from = inc
	}
	from = later(from, st.start)
	items, err := windowItems(ctx, db, ws, from, now.Add(time.Second))
	if err != nil {
		return err
	}
	emps, err := db.Employees(ctx, ws)
	if err != nil {
		return err
	}
	admins, err := db.WorkspaceAdminEmails(ctx, ws)
	if err != nil {
		return err
	}
	var custIDs []int64
	for i := range items {
		if items[i].CustomerID != nil {
			custIDs = append(custIDs, *items[i].CustomerID)
		}
	}
	slices.Sort(custIDs)
	customers, err := db.RuleCustomers(ctx, ws, slices.Compact(custIDs))
	if err != nil {
		return err
	}
	h := fnv.New64a()
	h.Write([]byte(w.spec.slug))
	r := rand.New(rand.NewPCG(uint64(opt.Seed), h.Sum64()))
	hist := planCaseHistory(r, caseInput{ws: ws, now: now, story: st, items: items, rules: rules,
		roster: newRoster(emps, w.spec), customers: customers, notified: admins})
	return writeCaseHistory(ctx, db, ws, hist)
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// windowItems reads the workspace's items of [from, to), oldest first; equal
// times are ordered by external id, so the replay is the same on every
// database.
func windowItems(ctx context.Context, db *store.DB, ws int64, from, to time.Time) ([]store.FeedbackItem, error) {
	var out []store.FeedbackItem
	f := store.FeedbackFilter{From: from, To: to, Limit: 1000}
	for {
		page, err := db.ListFeedback(ctx, ws, f)
		if err != nil {
			return nil, fmt.Errorf("demo cases: %w", err)
		}
		out = append(out, page.Items...)
		if page.NextCursor == "" {
			break
		}
		f.Cursor = page.NextCursor
	}
	slices.SortFunc(out, func(a, b store.FeedbackItem) int {
		return cmp.Or(a.OccurredAt.Compare(b.OccurredAt), cmp.Compare(a.ExternalID, b.ExternalID))
	})
	return out, nil
}

// writeCaseHistory stores the planned history in one transaction.
func writeCaseHistory(ctx context.Context, db *store.DB, ws int64, hist []itemHistory) error {
	err := db.InTx(ctx, func(tx *store.Tx) error {
		for _, h := range hist {
			var caseID *int64
			if h.kase != nil {
				c, created, err := tx.InsertCase(ctx, *h.kase)
				if err != nil {
					return err
				}
				if !created {
					continue // an item's case exists: its history was written
				}
				final := *h.kase
				final.ID = c.ID
				if err := tx.SaveCase(ctx, final); err != nil {
					return err
				}
				for _, e := range h.events {
					e.CaseID = c.ID
					if _, err := tx.AddCaseEvent(ctx, ws, e); err != nil {
						return err
					}
				}
				caseID = &c.ID
			}
			for _, cr := range h.fired {
				a := store.Alert{WorkspaceID: ws, Kind: store.AlertRule, RuleID: &cr.rule.ID, FeedbackID: &h.item.ID,
					Title: cr.rule.Name, Details: map[string]any{"rule": cr.rule.Name}, CreatedAt: h.firedAt,
					DedupeKey: "rule:" + strconv.FormatInt(cr.rule.ID, 10) + ":item:" + strconv.FormatInt(h.item.ID, 10)}
				if cr.sla > 0 {
					a.CaseID = caseID
				}
				if _, _, err := tx.InsertAlert(ctx, a); err != nil {
					return err
				}
			}
			if h.tags != nil {
				if err := tx.ApplyFeedbackTags(ctx, ws, h.item.ID, h.tags); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("demo case history: %w", err)
	}
	return nil
}
