package store_test

import (
	"context"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"vox/internal/store"
	"vox/internal/testutil"
)

// randomAnalysis is a new analysis for an item: another language, label,
// score and topics (or the same ones), as a new model would give.
func randomAnalysis(r *rand.Rand, id int64) store.ItemAnalysis {
	a := store.ItemAnalysis{ID: id, Lang: pick(r, genLangs), Sentiment: pick(r, genSentiments)}
	if r.IntN(4) > 0 {
		a.SentimentScore = ptr(float64(r.IntN(2001)-1000) / 1000)
	}
	for k := r.IntN(4); k > 0; k-- {
		a.Topics = append(a.Topics, pick(r, genTopics))
	}
	if len(a.Topics) > 0 && r.IntN(2) == 0 {
		a.Aspects = []store.Aspect{{Aspect: a.Topics[0], Label: "negative", Score: -0.5}}
	}
	return a
}

// TestReanalyzeKeepsRollupsExact is the property test of re-analysis: random
// items in two workspaces (the rollup property test's generator), then
// random new analyses — language, sentiment and topic changes, unchanged
// items, ids of the other workspace, repeated batches — applied in batches
// by UpdateAnalyses. After every step the rollups equal a recomputation from
// the raw items (the rollup property test's checker); the other workspace
// is untouched; applying the same batch twice changes nothing.
func TestReanalyzeKeepsRollupsExact(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("VOX_ROLLUP_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (set VOX_ROLLUP_SEED to replay)", seed)
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := rand.New(rand.NewPCG(seed, 9))
		g := &itemGen{r: r, transitions: map[int64][]time.Time{}}
		zones := map[int64]*time.Location{}
		var wss []int64
		for _, tz := range []string{"Europe/Moscow", "America/New_York"} {
			ws, err := db.CreateWorkspace(ctx, "re-"+strconv.Itoa(len(wss)), tz, tz)
			if err != nil {
				t.Fatal(err)
			}
			loc := store.LoadLocation(tz)
			zones[ws.ID] = loc
			g.transitions[ws.ID] = dstTransitions(loc, time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC))
			wss = append(wss, ws.ID)
		}
		for _, ws := range wss {
			batch := make([]store.NewFeedback, 600)
			for i := range batch {
				batch[i] = g.item(ws, zones[ws])
			}
			if _, err := db.InsertFeedback(ctx, ws, batch, nil); err != nil {
				t.Fatal(err)
			}
		}
		target, other := wss[0], wss[1]
		from, to := store.DayFromDate(2009, 12, 25), store.DayFromDate(2016, 1, 5)
		otherBefore := allItems(t, db, other)
		items := allItems(t, db, target)
		var otherIDs []int64
		for _, it := range otherBefore {
			otherIDs = append(otherIDs, it.ID)
		}
		for round := 0; round < 3; round++ {
			r.Shuffle(len(items), func(i, j int) { items[i], items[j] = items[j], items[i] })
			for start := 0; start < len(items); start += 150 {
				var ups []store.ItemAnalysis
				for _, it := range items[start:min(start+150, len(items))] {
					if r.IntN(5) == 0 {
						// the analysis it already has: not a change
						ups = append(ups, store.ItemAnalysis{ID: it.ID, Lang: it.Lang, Sentiment: it.Sentiment,
							SentimentScore: it.SentimentScore, Topics: it.Topics, Aspects: it.Aspects})
						continue
					}
					ups = append(ups, randomAnalysis(r, it.ID))
				}
				ups = append(ups, randomAnalysis(r, pick(r, otherIDs)), randomAnalysis(r, 1<<40))
				changed, err := db.UpdateAnalyses(ctx, target, ups, nil)
				if err != nil {
					t.Fatal(err)
				}
				again, err := db.UpdateAnalyses(ctx, target, ups, nil)
				if err != nil || again != 0 {
					t.Fatalf("the same batch again changed %d items (%v), want 0 (first time %d)", again, err, changed)
				}
			}
			items = allItems(t, db, target)
			checkRollups(t, db, target, items, zones[target], randomQueries(r, from, to))
		}
		cp := store.ReanalyzeCheckpoint{WorkspaceID: target, Params: "p", LastID: 7, Scanned: 7,
			StartedAt: time.UnixMilli(1000).UTC(), UpdatedAt: time.UnixMilli(2000).UTC(), FinishedAt: time.UnixMilli(3000).UTC()}
		if err := db.FinishReanalyze(ctx, &cp); err != nil {
			t.Fatal(err)
		}
		checkRollups(t, db, target, items, zones[target], randomQueries(r, from, to))
		if got, err := db.ReanalyzeCheckpointOf(ctx, target); err != nil || got != cp {
			t.Fatalf("checkpoint %+v %v, want %+v", got, err, cp)
		}

		// The other workspace: same items, same rollups.
		otherAfter := allItems(t, db, other)
		if len(otherAfter) != len(otherBefore) {
			t.Fatalf("other workspace has %d items, had %d", len(otherAfter), len(otherBefore))
		}
		for i := range otherAfter {
			a, b := otherAfter[i], otherBefore[i]
			if a.Lang != b.Lang || a.Sentiment != b.Sentiment || len(a.Topics) != len(b.Topics) {
				t.Fatalf("other workspace's item %d changed: %+v → %+v", a.ID, b, a)
			}
		}
		checkRollups(t, db, other, otherAfter, zones[other], randomQueries(r, from, to))
	})
}

// TestUpdateAnalysesSavesCheckpointWithBatch checks the checkpoint commits
// with the batch, and TextsToReanalyze pages by id from it with since.
func TestUpdateAnalysesSavesCheckpointWithBatch(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ws := mustWorkspace(t, db, "cp")
		t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		var batch []store.NewFeedback
		for i := 0; i < 6; i++ {
			it := item("text "+strconv.Itoa(i), t0.Add(time.Duration(i)*24*time.Hour))
			if i == 5 {
				it.Item.Text = ""
			}
			batch = append(batch, it)
		}
		res, err := db.InsertFeedback(ctx, ws.ID, batch, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ReanalyzeCheckpointOf(ctx, ws.ID); err == nil {
			t.Fatal("a checkpoint before any run")
		}
		texts, err := db.TextsToReanalyze(ctx, ws.ID, 0, t0.Add(48*time.Hour), 2)
		if err != nil || len(texts) != 2 || texts[0].ID != res.IDs[2] || texts[1].ID != res.IDs[3] {
			t.Fatalf("first page since day 2: %+v %v", texts, err)
		}
		if n, _ := db.CountTextsToReanalyze(ctx, ws.ID, 0, t0.Add(48*time.Hour)); n != 3 {
			t.Fatalf("count since day 2 = %d, want 3 (the item without text is not counted)", n)
		}
		cp := store.ReanalyzeCheckpoint{WorkspaceID: ws.ID, Params: "x", LastID: texts[1].ID, Scanned: 2,
			StartedAt: t0, UpdatedAt: t0}
		if err := db.StartReanalyze(ctx, &store.ReanalyzeCheckpoint{WorkspaceID: ws.ID, Params: "x", StartedAt: t0, UpdatedAt: t0}); err != nil {
			t.Fatal(err)
		}
		ups := []store.ItemAnalysis{{ID: texts[0].ID, Lang: "en", Sentiment: "positive", SentimentScore: ptr(0.5)},
			{ID: texts[1].ID, Lang: "en", Sentiment: "negative", SentimentScore: ptr(-0.5), Topics: []string{"price"}}}
		if n, err := db.UpdateAnalyses(ctx, ws.ID, ups, &cp); err != nil || n != 2 {
			t.Fatalf("update: %d %v", n, err)
		}
		got, err := db.ReanalyzeCheckpointOf(ctx, ws.ID)
		if err != nil || got.LastID != texts[1].ID || got.Scanned != 2 || got.Changed != 2 || !got.FinishedAt.IsZero() {
			t.Fatalf("checkpoint after batch: %+v %v", got, err)
		}
		it, _ := db.Feedback(ctx, ws.ID, texts[1].ID)
		if it.Lang != "en" || it.Sentiment != "negative" || *it.SentimentScore != -0.5 || len(it.Topics) != 1 {
			t.Fatalf("stored analysis: %+v", it)
		}
		rest, _ := db.TextsToReanalyze(ctx, ws.ID, got.LastID, t0.Add(48*time.Hour), 10)
		if len(rest) != 1 || rest[0].ID != res.IDs[4] {
			t.Fatalf("resumed page: %+v", rest)
		}
	})
}
