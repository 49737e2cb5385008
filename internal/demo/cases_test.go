package demo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"vox/internal/alert"
	"vox/internal/analytics"
	"vox/internal/ingest"
	"vox/internal/store"
	"vox/internal/testutil"
)

// allCases lists every case of the workspace, newest first.
func allCases(t *testing.T, db *store.DB, ws int64) []store.Case {
	t.Helper()
	var out []store.Case
	f := store.CaseFilter{Limit: 500}
	for {
		page, err := db.ListCases(context.Background(), ws, f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page...)
		if len(page) < f.Limit {
			return out
		}
		f.BeforeID = page[len(page)-1].ID
	}
}

// The demo closes the loop: rules, and cases they opened on the last two
// months of feedback, worked by the employees with a believable course,
// with work left in the inbox today; a second seed adds nothing.
func TestSeedCases(t *testing.T) {
	var history []string // of the first database, to compare with the second
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// The real analyzer: the VIP and Telegram rules test sentiment.
		base, err := analytics.New()
		if err != nil {
			t.Fatal(err)
		}
		svc := &ingest.Service{DB: db, Analyzer: ingest.NewAdaptedAnalyzer(base, db)}
		opt := Options{Seed: 5, Items: 1500, Now: testNow}
		if _, err := Seed(ctx, db, svc, opt, nil); err != nil {
			t.Fatal(err)
		}
		main, err := db.WorkspaceBySlug(ctx, MainWorkspace)
		if err != nil {
			t.Fatal(err)
		}
		kz, err := db.WorkspaceBySlug(ctx, "acme-kz")
		if err != nil {
			t.Fatal(err)
		}
		for _, ws := range []store.Workspace{main, kz} {
			rules, err := db.Rules(ctx, ws.ID)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, r := range rules {
				names = append(names, r.Name)
			}
			for _, spec := range demoRules() {
				if !slices.Contains(names, spec.Name) {
					t.Errorf("%s: rule %q missing (have %v)", ws.Slug, spec.Name, names)
				}
			}
			if len(allCases(t, db, ws.ID)) == 0 {
				t.Errorf("%s: no cases", ws.Slug)
			}
		}

		cases := allCases(t, db, main.ID)
		byStatus, bySLA := map[string]int{}, map[int64]int{}
		escalated := 0
		for _, c := range cases {
			byStatus[c.Status]++
			bySLA[c.SLAMinutes]++
			if c.CreatedAt.Before(testNow.AddDate(0, 0, -80)) || c.CreatedAt.After(testNow) {
				t.Errorf("case %d created %v, outside the replayed window", c.ID, c.CreatedAt)
			}
			if c.FeedbackID == nil || c.RuleID == nil || c.OwnerEmployeeID == nil || c.Team == "" || c.Title == "" {
				t.Fatalf("case %d lacks its item, rule, owner, team or title: %+v", c.ID, c)
			}
			it, err := db.Feedback(ctx, main.ID, *c.FeedbackID)
			if err != nil {
				t.Fatalf("case %d: item %d: %v", c.ID, *c.FeedbackID, err)
			}
			if c.CreatedAt.Before(it.OccurredAt) || c.CreatedAt.Sub(it.OccurredAt) > 10*time.Minute {
				t.Errorf("case %d created %v, its item at %v", c.ID, c.CreatedAt, it.OccurredAt)
			}
			if _, err := db.EmployeeContact(ctx, main.ID, *c.OwnerEmployeeID); err != nil {
				t.Errorf("case %d: owner %d is not of the workspace: %v", c.ID, *c.OwnerEmployeeID, err)
			}
			if c.FirstActionAt != nil && c.FirstActionAt.Before(c.CreatedAt) {
				t.Errorf("case %d acted on before it was opened", c.ID)
			}
			switch c.Status {
			case store.CaseResolved:
				if c.RootCause == "" || c.ResolvedAt == nil || c.FirstActionAt == nil || c.FirstActionAt.After(*c.ResolvedAt) {
					t.Errorf("resolved case %d: root cause %q, first action %v, resolved %v", c.ID, c.RootCause, c.FirstActionAt, c.ResolvedAt)
				}
			case store.CaseOpen:
				if c.FirstActionAt != nil || c.ResolvedAt != nil || c.RootCause != "" {
					t.Errorf("open case %d was acted on or resolved: %+v", c.ID, c)
				}
			default:
				if c.FirstActionAt == nil || c.ResolvedAt != nil {
					t.Errorf("%s case %d: first action %v, resolved %v", c.Status, c.ID, c.FirstActionAt, c.ResolvedAt)
				}
			}
			if c.EscalationLevel > 0 {
				escalated++
			}
		}
		if bySLA[8*60] == 0 || bySLA[48*60] == 0 || bySLA[24*60] == 0 {
			t.Errorf("cases by SLA minutes %v: want the VIP (8 h), detractor (48 h) and CSAT (24 h) rules all to open some", bySLA)
		}
		tagged, err := db.ListFeedback(ctx, main.ID, store.FeedbackFilter{Channel: "telegram", Kind: "mention", Sentiment: "negative",
			From: testNow.AddDate(0, 0, -30), To: testNow.Add(time.Second), Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range tagged.Items {
			if !slices.Contains(it.Tags, "telegram-negative") {
				t.Errorf("negative Telegram mention %d of the last month not tagged: %v", it.ID, it.Tags)
			}
		}
		if len(tagged.Items) == 0 {
			t.Error("no negative Telegram mention in the last month to tag")
		}
		for _, s := range store.CaseStatuses {
			if byStatus[s] == 0 {
				t.Errorf("no case is %s: %v", s, byStatus)
			}
		}
		if byStatus[store.CaseResolved]*10 < len(cases)*7 {
			t.Errorf("only %d of %d cases resolved", byStatus[store.CaseResolved], len(cases))
		}
		if escalated == 0 {
			t.Error("no case was escalated")
		}
		overdue, err := db.ListCases(ctx, main.ID, store.CaseFilter{Overdue: true, Now: testNow, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		if len(overdue) < 2 || len(overdue) > len(cases)/5 {
			t.Errorf("%d of %d cases overdue, want a couple", len(overdue), len(cases))
		}

		// A case's history reads like the work it records.
		kinds := map[string]int{}
		for _, c := range cases {
			evs, err := db.CaseEvents(ctx, main.ID, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) == 0 || evs[0].Kind != "created" {
				t.Fatalf("case %d history does not start with its creation: %+v", c.ID, evs)
			}
			levels := 0
			var firstAction *time.Time
			for i, e := range evs {
				if firstAction == nil && e.Kind != "created" && e.Kind != "escalation" {
					firstAction = &evs[i].CreatedAt
				}
				kinds[e.Kind]++
				if i > 0 && e.CreatedAt.Before(evs[i-1].CreatedAt) {
					t.Errorf("case %d: events out of order", c.ID)
				}
				if e.CreatedAt.After(testNow) {
					t.Errorf("case %d: event %s in the future", c.ID, e.Kind)
				}
				if e.Kind == "escalation" {
					levels++
				}
				if (e.Kind == "note" || e.Kind == "reply") && e.Body == "" {
					t.Errorf("case %d: empty %s", c.ID, e.Kind)
				}
			}
			if (firstAction == nil) != (c.FirstActionAt == nil) || (firstAction != nil && !firstAction.Equal(*c.FirstActionAt)) {
				t.Errorf("case %d: first action %v, first event by a person at %v", c.ID, c.FirstActionAt, firstAction)
			}
			if last := evs[len(evs)-1]; c.ResolvedAt != nil && (last.Kind != "status" || !last.CreatedAt.Equal(*c.ResolvedAt)) {
				t.Errorf("case %d resolved at %v, last event %s at %v", c.ID, c.ResolvedAt, last.Kind, last.CreatedAt)
			}
			if levels != c.EscalationLevel {
				t.Errorf("case %d: escalation level %d, %d escalation events", c.ID, c.EscalationLevel, levels)
			}
		}
		for _, k := range []string{"created", "status", "note", "reply", "escalation", "assign"} {
			if kinds[k] == 0 {
				t.Errorf("no %s event in any case: %v", k, kinds)
			}
		}

		// The seed decides the history, whatever the database.
		var h []string
		for _, c := range cases {
			h = append(h, fmt.Sprintf("%s|%s|%s|%d|%d|%v", c.Title, c.Status, c.RootCause, c.EscalationLevel,
				c.CreatedAt.UnixMilli(), c.FirstActionAt))
		}
		if history == nil {
			history = h
		} else if !slices.Equal(history, h) {
			t.Error("the same seed gave another case history on this database")
		}

		// Case statistics as the API computes them.
		stats := alert.New(db, alert.Options{Now: func() time.Time { return testNow }})
		st, err := stats.CaseStats(ctx, main.ID, testNow.AddDate(0, 0, -90), testNow.Add(time.Hour), alert.StatsByTeam)
		if err != nil {
			t.Fatal(err)
		}
		o := st.Overall
		t.Logf("%d cases %v; overdue %d; time to action median %.1f h p90 %.1f h; FRT median %.1f h p90 %.1f h; ART median %.1f h p90 %.1f h; resolved within SLA %.0f%%",
			o.Cases, byStatus, len(overdue), o.TimeToAction.MedianSeconds/3600, o.TimeToAction.P90Seconds/3600,
			o.FRT.MedianSeconds/3600, o.FRT.P90Seconds/3600, o.ART.MedianSeconds/3600, o.ART.P90Seconds/3600, o.ResolvedWithinSLA.Value)
		for name, d := range map[string]alert.DurationSummary{"time to action": o.TimeToAction, "FRT": o.FRT, "ART": o.ART} {
			if d.N == 0 || d.MedianSeconds <= 0 || d.P90Seconds <= d.MedianSeconds {
				t.Errorf("%s: %+v, want a spread of positive durations", name, d)
			}
		}
		if o.ART.MedianSeconds < o.TimeToAction.MedianSeconds {
			t.Errorf("cases resolved faster (%v s) than first acted on (%v s)", o.ART.MedianSeconds, o.TimeToAction.MedianSeconds)
		}
		if v := o.ResolvedWithinSLA.Value; v < 60 || v > 97 {
			t.Errorf("resolved within SLA %.0f%%, want most but not all", v)
		}
		if len(st.Groups) < 2 {
			t.Errorf("cases of %d teams, want support and the on-site teams they hand over to", len(st.Groups))
		}

		// The delivery incident shows as a burst of cases about delivery.
		story := storyFor(Options{Seed: 5, Items: 1500, Now: testNow}.normalized())
		inIncident, before := 0, 0
		for _, c := range cases {
			if c.RootCause != causeDelivery {
				continue
			}
			switch {
			case !c.CreatedAt.Before(story.incidentFrom) && c.CreatedAt.Before(story.incidentTo.Add(24*time.Hour)):
				inIncident++
			case c.CreatedAt.Before(story.incidentFrom) && c.CreatedAt.After(story.incidentFrom.AddDate(0, 0, -14)):
				before++
			}
		}
		if inIncident < 3 || inIncident < 2*before {
			t.Errorf("%d delivery-delay cases in the incident week, %d in the two weeks before", inIncident, before)
		}

		// Another workspace's case ids are not found there.
		kzCases := allCases(t, db, kz.ID)
		for _, c := range kzCases[:min(20, len(kzCases))] {
			if _, err := db.Case(ctx, main.ID, c.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("kz case %d visible in the main workspace: %v", c.ID, err)
			}
			if c.OwnerEmployeeID != nil {
				if _, err := db.EmployeeContact(ctx, main.ID, *c.OwnerEmployeeID); err == nil {
					t.Errorf("kz case %d owned by an employee of the main workspace", c.ID)
				}
			}
		}

		// History queues nothing: no emails, webhooks or escalations about the past.
		for _, ws := range []int64{main.ID, kz.ID} {
			jobs, err := db.Jobs(ctx, ws, "pending", "", 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(jobs) > 0 {
				t.Errorf("history queued jobs: %+v", jobs[0])
			}
		}

		// Seeding again adds no rule, case, event or alert.
		countAll := func() (int, int, int, int) {
			rules, _ := db.Rules(ctx, main.ID)
			cs := allCases(t, db, main.ID)
			evs, _ := db.CaseEvents(ctx, main.ID, cs[len(cs)/2].ID)
			alerts, before := 0, int64(0)
			for {
				page, err := db.Alerts(ctx, main.ID, store.AlertRule, before, 500)
				if err != nil {
					t.Fatal(err)
				}
				alerts += len(page)
				if len(page) < 500 {
					break
				}
				before = page[len(page)-1].ID
			}
			return len(rules), len(cs), len(evs), alerts
		}
		r1, c1, e1, a1 := countAll()
		if _, err := Seed(ctx, db, svc, opt, nil); err != nil {
			t.Fatal(err)
		}
		if r2, c2, e2, a2 := countAll(); r1 != r2 || c1 != c2 || e1 != e2 || a1 != a2 {
			t.Errorf("second seed: rules %d→%d, cases %d→%d, events %d→%d, alerts %d→%d", r1, r2, c1, c2, e1, e2, a1, a2)
		}
		if a1 < c1 {
			t.Errorf("%d alerts for %d cases: every case comes from a rule's alert", a1, c1)
		}
	})
}
