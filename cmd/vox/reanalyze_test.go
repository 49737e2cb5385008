package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"vox/internal/store"
)

// TestReanalyzeCommand runs `vox reanalyze --adapt` as a user would on a
// SQLite file with rated answers whose stored analysis is stale: it fits
// (or refuses) an adaptation, re-analyses every item with a throughput
// figure, and a second run has nothing to do.
func TestReanalyzeCommand(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "vox.db")
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	ws, err := db.CreateWorkspace(ctx, "shop", "Shop", "UTC")
	if err != nil {
		t.Fatal(err)
	}
	pos := []string{"Спасибо, всё отлично, доставили быстро", "Очень понравилось, вежливый курьер", "Прекрасный магазин, рекомендую"}
	neg := []string{"Ужасно, доставка опоздала на неделю", "Плохое качество, верните деньги", "Грубый персонал, больше не приду"}
	var batch []store.NewFeedback
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 300; i++ {
		text, nps := pos[i%3]+" #"+strconv.Itoa(i), 10
		if i%2 == 1 {
			text, nps = neg[i%3]+" #"+strconv.Itoa(i), 2
		}
		batch = append(batch, store.NewFeedback{Item: store.FeedbackItem{Kind: "survey_response", Channel: "web",
			Text: text, Lang: "ru", Sentiment: "neutral", NPS: &nps, OccurredAt: t0.Add(time.Duration(i) * time.Hour)}})
	}
	if _, err := db.InsertFeedback(ctx, ws.ID, batch, nil); err != nil {
		t.Fatal(err)
	}
	db.Close()

	var out, errOut bytes.Buffer
	args := []string{"reanalyze", "--db", path, "--data-dir", t.TempDir(), "--log-level", "warn", "--workspace", "shop", "--adapt", "--batch", "100"}
	if code := run(ctx, args, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s %s", code, out.String(), errOut.String())
	}
	for _, want := range []string{"shop: adaptation from 300 rated texts", "ru: 300 labelled (150+, 150-), held-out 60 newest: macro-F1 base",
		"shop: re-analysed 300 items", "items/s"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	t.Log(out.String())
	out.Reset()
	if code := run(ctx, args[:len(args)-3], &out, &errOut); code != 0 || !strings.Contains(out.String(), "already re-analysed") {
		t.Fatalf("second run (exit %d): %s %s", code, out.String(), errOut.String())
	}
	db, err = store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	page, err := db.ListFeedback(ctx, ws.ID, store.FeedbackFilter{Sentiment: "neutral", Limit: 1000})
	if err != nil || len(page.Items) > 30 {
		t.Fatalf("%d items still have the stale neutral label (%v)", len(page.Items), err)
	}
	if code := run(ctx, []string{"reanalyze", "--db", path, "--since", "yesterday"}, &out, &errOut); code == 0 {
		t.Fatal("a bad --since was accepted")
	}
	if code := run(ctx, []string{"reanalyze", "--db", path, "--workspace", "nope"}, &out, &errOut); code == 0 {
		t.Fatal("an unknown workspace was accepted")
	}
}
