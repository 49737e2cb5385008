package alert_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"vox/internal/alert"
	"vox/internal/store"
	"vox/internal/testutil"
)

// TestSpikeScan injects a negative Telegram surge over a quiet seasonal
// baseline: the scan raises volume and negativity alerts for the channel
// (and the topic), sends spike.detected once, and a second scan in the
// same window raises nothing new.
func TestSpikeScan(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 30, 12, 30, 0, 0, time.UTC)
		clk := &clock{t: now}
		h := newHarness(t, db, alert.Options{Now: clk.Now})
		if _, _, err := h.svc.CreateWebhook(ctx, h.ws.ID, "https://hooks.example.com/pr", []string{"spike.detected"}); err != nil {
			t.Fatal(err)
		}
		var batch []store.NewFeedback
		add := func(at time.Time, text, sentiment string, topics ...string) {
			batch = append(batch, store.NewFeedback{Item: store.FeedbackItem{Kind: "mention", Channel: "telegram", Text: text,
				Sentiment: sentiment, Topics: topics, OccurredAt: at}})
		}
		// Seasonal baseline: 3 mentions in this hour of the week, 4 weeks back.
		for k := 1; k <= 4; k++ {
			for i := range 3 {
				add(now.Add(-time.Duration(k)*7*24*time.Hour-time.Duration(10+i)*time.Minute), "обычный день", "neutral")
			}
		}
		// The previous week: 2 mentions every 4 hours, 10 % negative.
		for hr := 2; hr < 168; hr += 4 {
			sent := "neutral"
			if hr%40 == 2 {
				sent = "negative"
			}
			add(now.Add(-time.Duration(hr)*time.Hour), "всё нормально", sent)
			add(now.Add(-time.Duration(hr)*time.Hour-time.Minute), "normal", "neutral")
		}
		// The surge: 40 mentions in the last hour, 30 negative, about delivery.
		for i := range 40 {
			sent, text := "negative", fmt.Sprintf("курьер опоздал снова, заказ %d потерян", i)
			if i%4 == 0 {
				sent, text = "neutral", "где мой заказ"
			}
			add(now.Add(-time.Duration(i+1)*time.Minute), text, sent, "delivery")
		}
		if _, err := db.InsertFeedback(ctx, h.ws.ID, batch, nil); err != nil {
			t.Fatal(err)
		}
		alerts, err := h.svc.ScanSpikes(ctx, h.ws.ID)
		if err != nil {
			t.Fatal(err)
		}
		stored, _ := db.Alerts(ctx, h.ws.ID, store.AlertSpike, 0, 100)
		if len(stored) != len(alerts) {
			t.Fatalf("%d stored vs %d raised", len(stored), len(alerts))
		}
		got := map[string]bool{}
		for _, a := range stored {
			got[fmt.Sprintf("%v/%v/%v", a.Details["dimension"], a.Details["value"], a.Details["spike"].(map[string]any)["kind"])] = true
		}
		for _, want := range []string{"channel/telegram/volume", "channel/telegram/negative_share", "all//volume", "topic/delivery/volume"} {
			if !got[want] {
				t.Errorf("missing spike %s (got %v)", want, got)
			}
		}
		for _, a := range stored {
			if terms, _ := a.Details["top_terms"].([]any); a.Details["value"] == "telegram" && len(terms) == 0 {
				t.Errorf("no top terms in %s", a.Title)
			}
		}
		jobs, _ := db.Jobs(ctx, h.ws.ID, "pending", alert.KindWebhook, 100)
		if len(jobs) != len(alerts) {
			t.Fatalf("%d spike.detected deliveries for %d alerts", len(jobs), len(alerts))
		}
		// Same window again: deduplicated.
		clk.Set(now.Add(time.Minute))
		again, err := h.svc.ScanSpikes(ctx, h.ws.ID)
		if err != nil || len(again) != 0 {
			t.Fatalf("second scan raised %d alerts (%v)", len(again), err)
		}
		// A quiet workspace raises nothing.
		quiet, _ := db.CreateWorkspace(ctx, "quiet", "Quiet", "UTC")
		if q, err := h.svc.ScanSpikes(ctx, quiet.ID); err != nil || len(q) != 0 {
			t.Fatalf("quiet workspace: %v %v", q, err)
		}
		// Scheduling queues one scan per workspace per minute, however often called.
		if err := h.svc.ScheduleSpikeScans(ctx); err != nil {
			t.Fatal(err)
		}
		if err := h.svc.ScheduleSpikeScans(ctx); err != nil {
			t.Fatal(err)
		}
		scans, _ := db.Jobs(ctx, h.ws.ID, "pending", alert.KindSpikeScan, 10)
		if len(scans) != 1 {
			t.Fatalf("%d scans queued", len(scans))
		}
	})
}
