package demo

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vox/internal/ingest"
	"vox/internal/store"
)

var testNow = time.Date(2025, 6, 15, 12, 0, 0, 0, time.UTC)

func openDB(t *testing.T) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "vox.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

// The plan is a pure function of the options: the demo a user sees is the
// one the story below describes.
func TestGenerateIsDeterministic(t *testing.T) {
	opt := Options{Seed: 7, Items: 3000, Months: 7, Now: testNow}
	a, b := generate(opt), generate(opt)
	for w := range a.workspaces {
		ia, ib := a.workspaces[w].items, b.workspaces[w].items
		if len(ia) != len(ib) {
			t.Fatalf("workspace %d: %d vs %d items", w, len(ia), len(ib))
		}
		for i := range ia {
			if ia[i].Text != ib[i].Text || !ia[i].OccurredAt.Equal(*ib[i].OccurredAt) || ia[i].ExternalID != ib[i].ExternalID {
				t.Fatalf("item %d differs: %q vs %q", i, ia[i].Text, ib[i].Text)
			}
		}
		if len(a.workspaces[w].txs) != len(b.workspaces[w].txs) {
			t.Fatalf("transactions differ")
		}
	}
	c := generate(Options{Seed: 8, Items: 3000, Months: 7, Now: testNow})
	same := 0
	for i, it := range c.workspaces[0].items {
		if it.Text == a.workspaces[0].items[i].Text {
			same++
		}
	}
	if same > len(c.workspaces[0].items)/4 {
		t.Errorf("another seed repeats %d texts", same)
	}
}

// The shape of the data: volume, time range, languages, kinds, channels,
// multi-channel identities, and the story the dashboards will show.
func TestPlanShape(t *testing.T) {
	opt := Options{Seed: 1, Items: 24000, Months: 7, Now: testNow}
	p := generate(opt)
	st := storyFor(p.opt)
	total := 0
	langs, kinds, channels := map[string]int{}, map[string]int{}, map[string]int{}
	for _, w := range p.workspaces {
		total += len(w.items)
		for _, it := range w.items {
			if it.OccurredAt.Before(st.start) || it.OccurredAt.After(st.end) {
				t.Fatalf("item at %v outside %v..%v", it.OccurredAt, st.start, st.end)
			}
			if fe := it.Validate(testNow); fe != nil {
				t.Fatalf("invalid item %+v: %v", it, fe)
			}
			langs[it.Lang]++
			kinds[it.Kind]++
			channels[it.Channel]++
			if strings.Contains(it.Text, "{") {
				t.Fatalf("unfilled slot: %q", it.Text)
			}
		}
	}
	if total != opt.Items {
		t.Errorf("items = %d, want %d", total, opt.Items)
	}
	for _, l := range []string{"ru", "zh", "en"} {
		if langs[l] < total/10 {
			t.Errorf("lang %s: %d items", l, langs[l])
		}
	}
	for _, k := range []string{"survey_response", "review", "mention", "ticket"} {
		if kinds[k] == 0 {
			t.Errorf("no %s", k)
		}
	}
	for _, c := range []string{"email", "sms", "telegram", "web", "widget", "social", "review_site", "app", "call"} {
		if channels[c] == 0 {
			t.Errorf("no channel %s", c)
		}
	}

	main := p.workspaces[0]
	// NPS improves over the history.
	nps := func(from, to time.Time) (float64, int) {
		var pro, det, n int
		for _, it := range main.items {
			if it.NPS == nil || it.OccurredAt.Before(from) || !it.OccurredAt.Before(to) {
				continue
			}
			n++
			if *it.NPS >= 9 {
				pro++
			} else if *it.NPS <= 6 {
				det++
			}
		}
		return 100 * float64(pro-det) / float64(max(n, 1)), n
	}
	early, _ := nps(st.start, st.start.AddDate(0, 2, 0))
	late, _ := nps(st.end.AddDate(0, -2, 0), st.end)
	t.Logf("NPS first two months %.1f, last two months %.1f", early, late)
	if late < early+10 {
		t.Errorf("NPS does not improve: %.1f → %.1f", early, late)
	}
	// The delivery incident: the region's Telegram mentions spike that week.
	week := func(from time.Time) int {
		n := 0
		for _, it := range main.items {
			if it.Channel == "telegram" && it.Kind == "mention" && it.Region == incidentRegion &&
				!it.OccurredAt.Before(from) && it.OccurredAt.Before(from.AddDate(0, 0, 7)) {
				n++
			}
		}
		return n
	}
	during, before := week(st.incidentFrom), week(st.incidentFrom.AddDate(0, 0, -14))
	t.Logf("telegram mentions in %s: incident week %d, two weeks before %d", incidentRegion, during, before)
	if during < 3*max(before, 1) {
		t.Errorf("no incident spike: %d vs %d", during, before)
	}
	// Churn: 8-12 %, detractors churn more.
	churned, withNPS := 0, 0
	var churnNPS, stayNPS []float64
	for _, c := range main.customers {
		if !c.churnAt.IsZero() {
			churned++
		}
		if c.npsN == 0 {
			continue
		}
		withNPS++
		avg := float64(c.npsSum) / float64(c.npsN)
		if c.churnAt.IsZero() {
			stayNPS = append(stayNPS, avg)
		} else {
			churnNPS = append(churnNPS, avg)
		}
	}
	rate := float64(churned) / float64(len(main.customers))
	t.Logf("customers %d, churned %d (%.1f%%), mean NPS churned %.2f stayed %.2f, transactions %d",
		len(main.customers), churned, 100*rate, mean(churnNPS), mean(stayNPS), len(main.txs))
	if rate < 0.07 || rate > 0.13 {
		t.Errorf("churn rate %.3f", rate)
	}
	if mean(churnNPS) >= mean(stayNPS)-0.5 {
		t.Errorf("churners' NPS %.2f not below stayers' %.2f", mean(churnNPS), mean(stayNPS))
	}
}

func allFeedback(t *testing.T, db *store.DB, ws int64) []store.FeedbackItem {
	t.Helper()
	var out []store.FeedbackItem
	f := store.FeedbackFilter{Limit: 1000}
	for {
		page, err := db.ListFeedback(context.Background(), ws, f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page.Items...)
		if page.NextCursor == "" || len(page.Items) == 0 {
			return out
		}
		f.Cursor = page.NextCursor
	}
}

func allCustomers(t *testing.T, db *store.DB, ws int64) []store.Customer {
	t.Helper()
	var out []store.Customer
	f := store.CustomerFilter{Limit: 500}
	for {
		page, err := db.Customers(context.Background(), ws, f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page...)
		if len(page) < f.Limit {
			return out
		}
		f.AfterID = page[len(page)-1].ID
	}
}

func mean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(max(len(xs), 1))
}

// Seeding a real database: counts, multi-channel profiles, churners' scores
// in the stored data, and a second run that stores nothing twice.
func TestSeedSQLite(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	svc := &ingest.Service{DB: db}
	opt := Options{Seed: 3, Items: 2000, Months: 6, Now: testNow}
	var last, lastTotal int
	creds, err := Seed(ctx, db, svc, opt, func(done, total int) { last, lastTotal = done, total })
	if err != nil {
		t.Fatal(err)
	}
	if last != lastTotal || creds.APIKey == "" || creds.Email != OwnerEmail || creds.Workspace != MainWorkspace {
		t.Fatalf("creds %+v, progress %d/%d", creds, last, lastTotal)
	}
	ws, err := db.WorkspaceBySlug(ctx, MainWorkspace)
	if err != nil {
		t.Fatal(err)
	}
	if id, err := db.WorkspaceForAPIKey(ctx, creds.APIKey); err != nil || id != ws.ID {
		t.Fatalf("api key: %v %v", id, err)
	}
	kz, err := db.WorkspaceBySlug(ctx, "acme-kz")
	if err != nil {
		t.Fatal(err)
	}
	nMain, _ := db.CountFeedback(ctx, ws.ID)
	nKZ, _ := db.CountFeedback(ctx, kz.ID)
	if nMain+nKZ != opt.Items || nKZ == 0 {
		t.Fatalf("feedback %d + %d, want %d", nMain, nKZ, opt.Items)
	}

	// Profiles hold several identities, and feedback from several channels.
	custs := allCustomers(t, db, ws.ID)[:200]
	multi := 0
	for _, c := range custs {
		full, err := db.Customer(ctx, ws.ID, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(full.Identities) >= 3 {
			multi++
		}
	}
	if multi < len(custs)/2 {
		t.Errorf("%d of %d customers have 3+ identities", multi, len(custs))
	}
	channelsPerCustomer := map[int64]map[string]bool{}
	langs := map[string]int{}
	items := allFeedback(t, db, ws.ID)
	for _, it := range items {
		langs[it.Lang]++
		if it.CustomerID != nil {
			if channelsPerCustomer[*it.CustomerID] == nil {
				channelsPerCustomer[*it.CustomerID] = map[string]bool{}
			}
			channelsPerCustomer[*it.CustomerID][it.Channel] = true
		}
	}
	multiChannel := 0
	for _, ch := range channelsPerCustomer {
		if len(ch) >= 2 {
			multiChannel++
		}
	}
	if multiChannel < 20 {
		t.Errorf("only %d customers have feedback from 2+ channels", multiChannel)
	}
	for _, l := range []string{"ru", "zh", "en"} {
		if langs[l] == 0 {
			t.Errorf("no stored %s feedback (%v)", l, langs)
		}
	}

	// Churners answered NPS worse than those who stayed.
	var churnNPS, stayNPS []float64
	sum := map[int64][2]int{}
	for _, it := range items {
		if it.NPS != nil && it.CustomerID != nil {
			s := sum[*it.CustomerID]
			sum[*it.CustomerID] = [2]int{s[0] + *it.NPS, s[1] + 1}
		}
	}
	status := map[int64]string{}
	for id := range sum {
		c, err := db.Customer(ctx, ws.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		status[id] = c.Status
	}
	for id, s := range sum {
		avg := float64(s[0]) / float64(s[1])
		if status[id] == "churned" {
			churnNPS = append(churnNPS, avg)
		} else {
			stayNPS = append(stayNPS, avg)
		}
	}
	t.Logf("stored: churned %d (NPS %.2f), stayed %d (NPS %.2f)", len(churnNPS), mean(churnNPS), len(stayNPS), mean(stayNPS))
	if len(churnNPS) == 0 || mean(churnNPS) >= mean(stayNPS) {
		t.Errorf("churners' NPS %.2f not below stayers' %.2f", mean(churnNPS), mean(stayNPS))
	}

	// A second run stores nothing twice and still returns a working key.
	creds2, err := Seed(ctx, db, svc, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	if creds2.APIKey == "" || creds2.APIKey == creds.APIKey {
		t.Errorf("second run key %q", creds2.APIKey)
	}
	if n, _ := db.CountFeedback(ctx, ws.ID); n != nMain {
		t.Errorf("after re-seed %d items, want %d", n, nMain)
	}
}

// An interrupted seed is completed without duplicates: items, transactions
// and churn events already stored are recognised on the next run.
func TestSeedResumes(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	svc := &ingest.Service{DB: db}
	opt := Options{Seed: 5, Items: 1500, Months: 6, Now: testNow}
	p := generate(opt)
	main := p.workspaces[0]
	ws, err := db.CreateWorkspace(ctx, MainWorkspace, "Acme", "UTC")
	if err != nil {
		t.Fatal(err)
	}
	// The first run died after 700 items.
	partial := *main
	partial.items = main.items[:700]
	if err := fillWorkspace(ctx, db, svc, ws.ID, &partial, func(int) {}); err != nil {
		t.Fatal(err)
	}
	if _, err := Seed(ctx, db, svc, opt, nil); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.CountFeedback(ctx, ws.ID); n != len(main.items) {
		t.Fatalf("stored %d, planned %d", n, len(main.items))
	}
	custs := allCustomers(t, db, ws.ID)
	if len(custs) != len(main.customers) {
		t.Errorf("%d customer profiles, planned %d", len(custs), len(main.customers))
	}
	txCount := func() int {
		n := 0
		for _, c := range custs[:50] {
			txs, err := db.CustomerTransactions(ctx, ws.ID, c.ID, 1000)
			if err != nil {
				t.Fatal(err)
			}
			n += len(txs)
		}
		return n
	}
	before := txCount()
	if err := fillWorkspace(ctx, db, svc, ws.ID, main, func(int) {}); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.CountFeedback(ctx, ws.ID); n != len(main.items) {
		t.Errorf("after a second fill %d items, want %d", n, len(main.items))
	}
	if after := txCount(); after != before || before == 0 {
		t.Errorf("transactions %d → %d", before, after)
	}
}

// TestSeedDefaultSize measures the default demo on SQLite; it is slow, so it
// runs only with VOX_DEMO_FULL=1.
func TestSeedDefaultSize(t *testing.T) {
	if os.Getenv("VOX_DEMO_FULL") == "" {
		t.Skip("set VOX_DEMO_FULL=1")
	}
	ctx := context.Background()
	db := openDB(t)
	start := time.Now()
	if _, err := Seed(ctx, db, &ingest.Service{DB: db}, Options{Seed: 1, Now: testNow}, nil); err != nil {
		t.Fatal(err)
	}
	t.Logf("default demo seeded in %v", time.Since(start))
}
