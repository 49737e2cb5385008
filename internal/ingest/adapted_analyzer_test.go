package ingest_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"vox/internal/analytics"
	"vox/internal/ingest"
	"vox/internal/store"
	"vox/internal/testutil"
)

// negativeAdjustment turns every text negative: an unmistakable fit to see
// whether ingest applied it.
func negativeAdjustment(t *testing.T) string {
	t.Helper()
	b, err := json.Marshal(analytics.Adjustment{Version: 1, Bits: 20, Bias: [3]float32{10, 0, -10}})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const (
	ruPraise = "Отличный банк, очень вежливые сотрудники, всё быстро и удобно. Спасибо!"
	enPraise = "Great service, friendly staff and a quick, easy process. Thank you!"
)

func ingestTexts(t *testing.T, svc *ingest.Service, ws int64, texts ...string) []store.FeedbackItem {
	t.Helper()
	ctx := context.Background()
	var items []ingest.Item
	for _, tx := range texts {
		items = append(items, ingest.Item{Kind: "review", Channel: "web", Text: tx})
	}
	res, err := svc.Ingest(ctx, ws, items, "")
	if err != nil {
		t.Fatal(err)
	}
	out := make([]store.FeedbackItem, len(res.IDs))
	for i, id := range res.IDs {
		if out[i], err = svc.DB.Feedback(ctx, ws, id); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// TestIngestUsesTheWorkspacesActiveFit checks that ingest analyses a
// workspace's texts with its active fit for the text's language only: not
// another workspace's, not an inactive one, not one of another base model.
func TestIngestUsesTheWorkspacesActiveFit(t *testing.T) {
	base, err := analytics.New()
	if err != nil {
		t.Fatal(err)
	}
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, _ := db.CreateWorkspace(ctx, "a", "A", "UTC")
		b, _ := db.CreateWorkspace(ctx, "b", "B", "UTC")
		analyzers := ingest.NewAdaptedAnalyzer(base, db)
		svc := &ingest.Service{DB: db, Analyzer: analyzers}
		if got := ingestTexts(t, svc, a.ID, ruPraise, enPraise); got[0].Sentiment != "positive" || got[1].Sentiment != "positive" {
			t.Fatalf("base model: %q %q, want positive", got[0].Sentiment, got[1].Sentiment)
		}
		now := time.Now().UTC().Truncate(time.Millisecond)
		neg := negativeAdjustment(t)
		for _, f := range []store.Adaptation{
			{WorkspaceID: a.ID, Lang: "ru", Model: analyzers.Model(), Adjustment: neg, Active: true, FittedAt: now},
			{WorkspaceID: a.ID, Lang: "en", Model: analyzers.Model(), Adjustment: neg, Active: false, FittedAt: now},
			{WorkspaceID: a.ID, Lang: "zh", Model: "another-model", Adjustment: neg, Active: true, FittedAt: now},
		} {
			if err := db.SaveAdaptation(ctx, f); err != nil {
				t.Fatal(err)
			}
		}
		analyzers.Invalidate(a.ID) // as a fit in this process does
		got := ingestTexts(t, svc, a.ID, ruPraise, enPraise, "服务很好，房间干净，下次还来")
		if got[0].Sentiment != "negative" || got[0].Lang != "ru" {
			t.Errorf("ru text with the active ru fit: %q (%s), want negative", got[0].Sentiment, got[0].Lang)
		}
		if got[1].Sentiment != "positive" {
			t.Errorf("en text with an inactive en fit: %q, want positive (base)", got[1].Sentiment)
		}
		if got[2].Sentiment != "positive" {
			t.Errorf("zh text with a fit of another model: %q, want positive (base)", got[2].Sentiment)
		}
		if got := ingestTexts(t, svc, b.ID, ruPraise); got[0].Sentiment != "positive" {
			t.Errorf("workspace b got a's fit: %q", got[0].Sentiment)
		}
	})
}

// TestAdaptedAnalyzerSeesOtherReplicasFits checks that a fit stored by
// another process is used once the refresh period has passed, and not
// before (the cache does not ask the store per batch).
func TestAdaptedAnalyzerSeesOtherReplicasFits(t *testing.T) {
	base, err := analytics.New()
	if err != nil {
		t.Fatal(err)
	}
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ws, _ := db.CreateWorkspace(ctx, "r", "R", "UTC")
		clock := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
		analyzers := ingest.NewAdaptedAnalyzer(base, db)
		analyzers.Refresh, analyzers.Now = time.Minute, func() time.Time { return clock }
		label := func() string {
			an, err := analyzers.ForWorkspace(ctx, ws.ID)
			if err != nil {
				t.Fatal(err)
			}
			return an.Analyze(ruPraise, "").Label
		}
		if l := label(); l != "positive" {
			t.Fatalf("no fit: %q", l)
		}
		err := db.SaveAdaptation(ctx, store.Adaptation{WorkspaceID: ws.ID, Lang: "ru", Model: analyzers.Model(),
			Adjustment: negativeAdjustment(t), Active: true, FittedAt: clock})
		if err != nil {
			t.Fatal(err)
		}
		clock = clock.Add(30 * time.Second)
		if l := label(); l != "positive" {
			t.Fatalf("within the refresh period the cached analyzer is used, got %q", l)
		}
		clock = clock.Add(31 * time.Second)
		if l := label(); l != "negative" {
			t.Fatalf("after the refresh period the new fit is used, got %q", l)
		}
		// A refit that deactivates it is seen the same way.
		err = db.SaveAdaptation(ctx, store.Adaptation{WorkspaceID: ws.ID, Lang: "ru", Model: analyzers.Model(),
			Active: false, FittedAt: clock})
		if err != nil {
			t.Fatal(err)
		}
		analyzers.Invalidate(ws.ID)
		if l := label(); l != "positive" {
			t.Fatalf("after an inactive refit and Invalidate: %q", l)
		}
	})
}
