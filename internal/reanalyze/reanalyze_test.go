package reanalyze_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"vox/internal/analytics"
	"vox/internal/ingest"
	"vox/internal/reanalyze"
	"vox/internal/store"
	"vox/internal/testutil"
)

// texts in the three languages, with topics and mixed aspects.
var texts = []string{
	"Доставка опоздала на два дня, но курьер был очень вежлив и извинился.",
	"Ужасное приложение, постоянно вылетает при оплате. Верните деньги!",
	"Отличный банк, очень вежливые сотрудники, всё быстро и удобно.",
	"Цены высокие, а качество обслуживания так себе.",
	"快递很慢，等了一个星期才到，但是东西质量还不错，价格也便宜。",
	"服务态度很差，再也不来了",
	"@united my flight was delayed 3 hours and nobody at the gate could tell us anything. Terrible.",
	"Great prices and the staff were super helpful, delivery was quick too!",
	"The app keeps crashing when I try to pay.",
	"ok",
}

// staleItems stores n items whose analysis is what an older model might have
// said: wrong labels, languages and topics.
func staleItems(t testing.TB, db *store.DB, ws int64, n int, t0 time.Time) []int64 {
	t.Helper()
	stale := []string{"positive", "neutral", "negative", ""}
	var batch []store.NewFeedback
	for i := 0; i < n; i++ {
		score := 0.1
		it := store.FeedbackItem{Kind: "review", Channel: []string{"web", "email"}[i%2], Text: texts[i%len(texts)],
			Lang: []string{"ru", "en", "zh", "other"}[i%4], Sentiment: stale[i%4], SentimentScore: &score,
			Topics: []string{[]string{"price", "queue", "app"}[i%3]}, OccurredAt: t0.Add(time.Duration(i) * 7 * time.Hour)}
		if i%3 == 0 {
			it.NPS = ptr(i % 11)
		}
		batch = append(batch, store.NewFeedback{Item: it})
	}
	res, err := db.InsertFeedback(context.Background(), ws, batch, nil)
	if err != nil {
		t.Fatal(err)
	}
	return res.IDs
}

func ptr[T any](v T) *T { return &v }

func allItems(t testing.TB, db *store.DB, ws int64) []store.FeedbackItem {
	t.Helper()
	page, err := db.ListFeedback(context.Background(), ws, store.FeedbackFilter{Limit: 1000})
	if err != nil || page.NextCursor != "" {
		t.Fatalf("list: %v (more than a page)", err)
	}
	return page.Items
}

// rollupSnapshot reads the rollups of ws by every dimension, by day and by
// pairs involving the re-analysed dimensions.
func rollupSnapshot(t *testing.T, db *store.DB, ws int64) map[string][]store.RollupRow {
	t.Helper()
	out := map[string][]store.RollupRow{}
	from, to := store.DayFromDate(2020, 1, 1), store.DayFromDate(2030, 1, 1)
	var qs []store.RollupQuery
	for _, d := range store.RollupDims {
		qs = append(qs, store.RollupQuery{From: from, To: to, Dims: []string{d}, ByDay: true})
	}
	qs = append(qs, store.RollupQuery{From: from, To: to, Dims: []string{"lang", "topic"}},
		store.RollupQuery{From: from, To: to, Dims: []string{"channel", "lang"}},
		store.RollupQuery{From: from, To: to, Dims: []string{"topic"}, Filters: map[string][]string{"lang": {"ru", "zh"}}},
		store.RollupQuery{From: from, To: to, ByDay: true})
	for _, q := range qs {
		rows, err := db.RollupCounts(context.Background(), ws, q)
		if err != nil {
			t.Fatal(err)
		}
		key := fmt.Sprintf("%v %v %v", q.Dims, q.ByDay, q.Filters)
		m := map[string]store.RollupRow{}
		for _, r := range rows {
			m[fmt.Sprint(r.Day, r.Key)] = r
		}
		var keys []string
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			out[key] = append(out[key], m[k])
		}
	}
	return out
}

// checkRollupsRecomputed compares the rollups with a rebuild from the raw
// items.
func checkRollupsRecomputed(t *testing.T, db *store.DB, ws int64) {
	t.Helper()
	before := rollupSnapshot(t, db, ws)
	if err := db.RebuildRollups(context.Background(), ws); err != nil {
		t.Fatal(err)
	}
	after := rollupSnapshot(t, db, ws)
	if !reflect.DeepEqual(before, after) {
		for k := range after {
			if !reflect.DeepEqual(before[k], after[k]) {
				t.Errorf("rollups %s after reanalyze:\n%+v\nrecomputed from items:\n%+v", k, before[k], after[k])
			}
		}
		t.FailNow()
	}
}

// expectAnalysed checks every item holds what the workspace's analyzer
// says of it now (the stored language as hint, as ingest would).
func expectAnalysed(t *testing.T, an ingest.Analyzer, items []store.FeedbackItem, redetect bool) {
	t.Helper()
	for _, it := range items {
		hint := it.Lang
		if redetect {
			hint = ""
		}
		a := an.Analyze(it.Text, hint)
		if it.Sentiment != a.Label || *it.SentimentScore != a.Score || !reflect.DeepEqual(it.Topics, a.Topics) {
			t.Fatalf("item %d %q: stored %s %v %v, analyzer says %s %v %v", it.ID, it.Text, it.Sentiment,
				*it.SentimentScore, it.Topics, a.Label, a.Score, a.Topics)
		}
		if redetect && it.Lang != a.Lang {
			t.Fatalf("item %d: lang %s, detected %s", it.ID, it.Lang, a.Lang)
		}
	}
}

func TestReanalyzeResumesAndKeepsRollupsExact(t *testing.T) {
	base, err := analytics.New()
	if err != nil {
		t.Fatal(err)
	}
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ws, _ := db.CreateWorkspace(ctx, "bank", "Bank", "Europe/Moscow")
		other, _ := db.CreateWorkspace(ctx, "other", "Other", "UTC")
		t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		staleItems(t, db, ws.ID, 230, t0)
		staleItems(t, db, other.ID, 20, t0)
		otherBefore := allItems(t, db, other.ID)
		analyzers := ingest.NewAdaptedAnalyzer(base, db)
		// The workspace has an active Russian fit (every Russian text negative).
		adj, _ := json.Marshal(analytics.Adjustment{Version: 1, Bits: 20, Bias: [3]float32{10, 0, -10}})
		fit := store.Adaptation{WorkspaceID: ws.ID, Lang: "ru", Model: analyzers.Model(), Adjustment: string(adj),
			Active: true, FittedAt: t0}
		if err := db.SaveAdaptation(ctx, fit); err != nil {
			t.Fatal(err)
		}

		// Interrupted after two batches.
		cctx, cancel := context.WithCancel(ctx)
		batches := 0
		opt := reanalyze.Options{Batch: 40, Progress: func(p reanalyze.Progress) {
			if batches++; batches == 2 {
				cancel()
			}
		}}
		sum, err := reanalyze.Run(cctx, db, analyzers, ws.ID, opt)
		if !errors.Is(err, context.Canceled) || sum.Scanned != 80 {
			t.Fatalf("interrupted run: %+v %v", sum, err)
		}
		checkRollupsRecomputed(t, db, ws.ID)
		cp, err := db.ReanalyzeCheckpointOf(ctx, ws.ID)
		if err != nil || cp.Scanned != 80 || !cp.FinishedAt.IsZero() {
			t.Fatalf("checkpoint after interruption: %+v %v", cp, err)
		}

		// Resumed: the rest, and not the first 80 again.
		var last reanalyze.Progress
		opt.Progress = func(p reanalyze.Progress) { last = p }
		sum, err = reanalyze.Run(ctx, db, analyzers, ws.ID, opt)
		if err != nil || !sum.Resumed || sum.Scanned != 150 || last.Done != 230 || last.Total != 230 {
			t.Fatalf("resumed run: %+v %v, last progress %+v", sum, err, last)
		}
		if sum.Changed == 0 || sum.Rate() <= 0 {
			t.Fatalf("resumed run changed nothing: %+v", sum)
		}
		wa, _ := analyzers.ForWorkspace(ctx, ws.ID)
		items := allItems(t, db, ws.ID)
		expectAnalysed(t, wa, items, false)
		for _, it := range items {
			if it.Lang == "ru" && it.Sentiment != "negative" {
				t.Fatalf("Russian item %d analysed without the workspace fit: %s", it.ID, it.Sentiment)
			}
		}
		checkRollupsRecomputed(t, db, ws.ID)

		// The other workspace is untouched.
		if got := allItems(t, db, other.ID); !reflect.DeepEqual(got, otherBefore) {
			t.Fatal("another workspace's items changed")
		}

		// Idempotent: an identical run is a no-op; a forced one changes nothing.
		if sum, err = reanalyze.Run(ctx, db, analyzers, ws.ID, opt); err != nil || !sum.AlreadyDone {
			t.Fatalf("repeat: %+v %v", sum, err)
		}
		opt.Restart = true
		if sum, err = reanalyze.Run(ctx, db, analyzers, ws.ID, opt); err != nil || sum.Scanned != 230 || sum.Changed != 0 {
			t.Fatalf("forced repeat: %+v %v", sum, err)
		}
		opt.Restart = false

		// A new fit is a new run: the Russian texts become positive again
		// where the base model says so.
		fit.Active, fit.FittedAt = false, t0.Add(time.Hour)
		if err := db.SaveAdaptation(ctx, fit); err != nil {
			t.Fatal(err)
		}
		if sum, err = reanalyze.Run(ctx, db, analyzers, ws.ID, opt); err != nil || sum.AlreadyDone || sum.Changed == 0 {
			t.Fatalf("after a new fit: %+v %v", sum, err)
		}
		expectAnalysed(t, ingest.TextAnalyzer{A: base}, allItems(t, db, ws.ID), false)
		checkRollupsRecomputed(t, db, ws.ID)
	})
}

// TestReanalyzeSinceAndRedetect checks --since leaves older items alone and
// --redetect-lang moves items (and their rollups) to the detected language.
func TestReanalyzeSinceAndRedetect(t *testing.T) {
	base, err := analytics.New()
	if err != nil {
		t.Fatal(err)
	}
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ws, _ := db.CreateWorkspace(ctx, "s", "S", "UTC")
		t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		ids := staleItems(t, db, ws.ID, 40, t0) // item i at t0 + 7i hours
		analyzers := ingest.NewAdaptedAnalyzer(base, db)
		since := t0.Add(20 * 7 * time.Hour)
		sum, err := reanalyze.Run(ctx, db, analyzers, ws.ID, reanalyze.Options{Since: since})
		if err != nil || sum.Scanned != 20 {
			t.Fatalf("since run: %+v %v", sum, err)
		}
		for i, id := range ids {
			it, _ := db.Feedback(ctx, ws.ID, id)
			fresh := ingest.TextAnalyzer{A: base}.Analyze(it.Text, it.Lang)
			if i < 20 && it.Topics[0] != []string{"price", "queue", "app"}[i%3] {
				t.Fatalf("item %d before --since was re-analysed: %+v", i, it)
			}
			if i >= 20 && !reflect.DeepEqual(it.Topics, fresh.Topics) {
				t.Fatalf("item %d after --since was not re-analysed: %+v", i, it)
			}
		}
		checkRollupsRecomputed(t, db, ws.ID)

		sum, err = reanalyze.Run(ctx, db, analyzers, ws.ID, reanalyze.Options{RedetectLang: true})
		if err != nil || sum.Scanned != 40 {
			t.Fatalf("redetect run: %+v %v", sum, err)
		}
		items := allItems(t, db, ws.ID)
		expectAnalysed(t, ingest.TextAnalyzer{A: base}, items, true)
		rows, err := db.RollupCounts(ctx, ws.ID, store.RollupQuery{From: store.DayOf(t0, time.UTC), To: store.DayOf(t0.AddDate(1, 0, 0), time.UTC), Dims: []string{"lang"}})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int64{}
		for _, it := range items {
			want[it.Lang]++
		}
		got := map[string]int64{}
		for _, r := range rows {
			got[r.Key[0]] = r.Counts.Items
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("items by language after redetect: rollups %v, items %v", got, want)
		}
		checkRollupsRecomputed(t, db, ws.ID)
	})
}
