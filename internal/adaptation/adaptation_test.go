package adaptation_test

import (
	"bufio"
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"vox/internal/adaptation"
	"vox/internal/analytics"
	"vox/internal/ingest"
	"vox/internal/store"
	"vox/internal/testutil"
)

func ptr[T any](v T) *T { return &v }

func TestLabel(t *testing.T) {
	for _, c := range []struct {
		nps, csat, scale *int
		want             string
	}{
		{nps: ptr(10), want: "positive"}, {nps: ptr(9), want: "positive"}, {nps: ptr(8), want: ""},
		{nps: ptr(7), want: ""}, {nps: ptr(6), want: "negative"}, {nps: ptr(0), want: "negative"},
		{nps: ptr(11), want: ""}, {nps: ptr(-1), want: ""},
		{csat: ptr(5), want: "positive"}, {csat: ptr(4), scale: ptr(5), want: "positive"}, {csat: ptr(3), want: ""},
		{csat: ptr(2), want: "negative"}, {csat: ptr(1), scale: ptr(5), want: "negative"},
		{csat: ptr(10), scale: ptr(10), want: "positive"}, {csat: ptr(9), scale: ptr(10), want: "positive"},
		{csat: ptr(8), scale: ptr(10), want: ""}, {csat: ptr(5), scale: ptr(10), want: ""},
		{csat: ptr(4), scale: ptr(10), want: "negative"}, {csat: ptr(1), scale: ptr(10), want: "negative"},
		{csat: ptr(3), scale: ptr(7), want: ""},
		{nps: ptr(10), csat: ptr(5), want: "positive"}, {nps: ptr(10), csat: ptr(1), want: ""},
		{nps: ptr(8), csat: ptr(5), want: ""}, {want: ""},
	} {
		if got := adaptation.Label(c.nps, c.csat, c.scale); got != c.want {
			t.Errorf("Label(nps %v, csat %v/%v) = %q, want %q", deref(c.nps), deref(c.csat), deref(c.scale), got, c.want)
		}
	}
}

func deref(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestMacroF1(t *testing.T) {
	texts := []analytics.LabeledText{{Text: "a", Label: "positive"}, {Text: "b", Label: "positive"},
		{Text: "c", Label: "negative"}, {Text: "d", Label: "negative"}}
	pred := map[string]string{"a": "positive", "b": "neutral", "c": "negative", "d": "positive"}
	got := adaptation.MacroF1(func(text, _ string) string { return pred[text] }, texts)
	// positive: tp 1, fp 1, fn 1 → 0.5; negative: tp 1, fp 0, fn 1 → 2/3
	if want := (0.5 + 2.0/3) / 2; got < want-1e-9 || got > want+1e-9 {
		t.Fatalf("MacroF1 = %v, want %v", got, want)
	}
}

// corpusDir is the shared sentiment corpus (VOX_SENTIMENT_DATA, else the
// repository's ../shared/data/sentiment).
func corpusDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("VOX_SENTIMENT_DATA")
	if dir == "" {
		dir = "../../../shared/data/sentiment"
	}
	if _, err := os.Stat(filepath.Join(dir, "ru.jsonl")); err != nil {
		t.Skipf("sentiment corpus not found at %s (set VOX_SENTIMENT_DATA): %v", dir, err)
	}
	return dir
}

// domainTexts returns the positive and negative texts of one corpus source,
// de-duplicated, in a fixed shuffled order.
func domainTexts(t *testing.T, dir, lang, source string) []analytics.LabeledText {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, lang+".jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	seen := map[string]bool{}
	var out []analytics.LabeledText
	for sc.Scan() {
		var row struct{ Text, Label, Source string }
		if json.Unmarshal(sc.Bytes(), &row) != nil || row.Source != source || seen[row.Text] {
			continue
		}
		seen[row.Text] = true
		if row.Label == "positive" || row.Label == "negative" {
			out = append(out, analytics.LabeledText{Text: row.Text, Lang: lang, Label: row.Label})
		}
	}
	rand.New(rand.NewPCG(3, 4)).Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// baseWithout trains a Russian base model that never saw the domain, as
// `vox sentiment train --exclude` does: a workspace in a domain the shipped
// model does not know.
func baseWithout(t *testing.T, dir, domain string) *analytics.Analyzer {
	t.Helper()
	tmp := t.TempDir()
	if err := os.MkdirAll(filepath.Join(tmp, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"ru.jsonl", "lexicons"} {
		abs, err := filepath.Abs(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(abs, filepath.Join(tmp, "data", name)); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(tmp, "model.bin.gz")
	var log testWriter
	if err := analytics.RunTrain([]string{"--data", filepath.Join(tmp, "data"), "--out", out, "--exclude", domain}, &log, &log); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	a, err := analytics.NewFromModel(data)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

type testWriter struct{}

func (testWriter) Write(p []byte) (int, error) { return len(p), nil }

// answers turns labelled texts into NPS answers an hour apart from t0:
// positive → 9 or 10, negative → 0..6.
func answers(texts []analytics.LabeledText, t0 time.Time) []ingest.Item {
	var out []ingest.Item
	for i, x := range texts {
		nps := 9 + i%2
		if x.Label == "negative" {
			nps = i % 7
		}
		at := t0.Add(time.Duration(i) * time.Hour)
		out = append(out, ingest.Item{Kind: "survey_response", Channel: "web", Text: x.Text, NPS: ptr(nps), OccurredAt: &at})
	}
	return out
}

func ingestAll(t *testing.T, svc *ingest.Service, ws int64, items []ingest.Item) []int64 {
	t.Helper()
	var ids []int64
	for start := 0; start < len(items); start += 500 {
		res, err := svc.Ingest(context.Background(), ws, items[start:min(start+500, len(items))], "")
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.IDs...)
	}
	return ids
}

func storedF1(t *testing.T, db *store.DB, ws int64, ids []int64, gold []analytics.LabeledText) float64 {
	t.Helper()
	label := map[string]string{}
	for _, id := range ids {
		it, err := db.Feedback(context.Background(), ws, id)
		if err != nil {
			t.Fatal(err)
		}
		label[it.Text] = it.Sentiment
	}
	return adaptation.MacroF1(func(text, _ string) string { return label[text] }, gold)
}

// TestFitImprovesAWeakDomain is the end-to-end proof: a bank whose domain
// the base model never saw collects NPS answers with comments; the fit
// learns from them, passes its held-out check and is activated; from then
// on ingest analyses the bank's new comments with it, and they are scored
// better than with the base model (measured on comments it never saw).
func TestFitImprovesAWeakDomain(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a base model")
	}
	dir := corpusDir(t)
	texts := domainTexts(t, dir, "ru", "sentiruev2015_banks")
	if len(texts) < 2000 {
		t.Fatalf("only %d bank texts", len(texts))
	}
	base := baseWithout(t, dir, "ru:sentiruev2015_banks")
	history, future := texts[:1800], texts[1800:]
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		bank, _ := db.CreateWorkspace(ctx, "bank", "Bank", "Europe/Moscow")
		control, _ := db.CreateWorkspace(ctx, "control", "Control", "UTC")
		analyzers := ingest.NewAdaptedAnalyzer(base, db)
		svc := &ingest.Service{DB: db, Analyzer: analyzers}
		t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		items := answers(history, t0)
		// passives and answers without a comment teach nothing and are skipped
		items = append(items, ingest.Item{Kind: "survey_response", Channel: "web", Text: "Нормально", NPS: ptr(8)},
			ingest.Item{Kind: "survey_response", Channel: "web", NPS: ptr(10)})
		ingestAll(t, svc, bank.ID, items)

		svcFit := adaptation.New(db, analyzers, nil)
		res, err := svcFit.Fit(ctx, bank.ID)
		if err != nil {
			t.Fatal(err)
		}
		var ru adaptation.LangResult
		for _, l := range res.Langs {
			if l.Lang == "ru" {
				ru = l
			} else if l.Skipped == "" {
				t.Fatalf("fitted %s from a few texts detected as it: %+v", l.Lang, l)
			}
		}
		t.Logf("fit on %d bank answers (%d+, %d-): held-out newest %d: macro-F1 base %.3f → adapted %.3f, active %v",
			ru.Labelled, ru.Positives, ru.Negatives, ru.HeldOut, ru.ScoreBase, ru.ScoreAdapted, ru.Active)
		// a few bank comments are detected as another language
		if ru.Labelled < 1750 || ru.HeldOut != ru.Labelled/5 || !ru.Active || ru.ScoreAdapted <= ru.ScoreBase {
			t.Fatalf("fit result: %+v", ru)
		}
		fits, err := db.Adaptations(ctx, bank.ID, true)
		if err != nil || len(fits) != 1 || fits[0].Model != analyzers.Model() || fits[0].Examples != ru.Labelled {
			t.Fatalf("stored fits: %+v %v", fits, err)
		}

		// New comments, never seen by the fit, arrive in the bank and in a
		// control workspace without a fit.
		var reviews []ingest.Item
		for _, x := range future {
			reviews = append(reviews, ingest.Item{Kind: "review", Channel: "review_site", Text: x.Text})
		}
		baseF1 := storedF1(t, db, control.ID, ingestAll(t, svc, control.ID, reviews), future)
		adaptedF1 := storedF1(t, db, bank.ID, ingestAll(t, svc, bank.ID, reviews), future)
		t.Logf("%d new bank comments, macro-F1 of stored sentiment: base model %.3f, with the bank's fit %.3f", len(future), baseF1, adaptedF1)
		if adaptedF1 < baseF1+0.03 {
			t.Fatalf("adaptation did not help the weak domain: base %.3f, adapted %.3f", baseF1, adaptedF1)
		}
	})
}

// TestFitKeepsTheBaseModelWhenWorse checks the held-out guard: a
// workspace whose older answers are mislabelled (its ratings said the
// opposite of its comments) gets an adjustment that does worse on its newest
// answers, so it is stored inactive and ingest keeps the base model.
func TestFitKeepsTheBaseModelWhenWorse(t *testing.T) {
	dir := corpusDir(t)
	texts := domainTexts(t, dir, "ru", "sentiruev2015_telecoms")[:1000]
	base, err := analytics.New()
	if err != nil {
		t.Fatal(err)
	}
	flipped := make([]analytics.LabeledText, len(texts))
	copy(flipped, texts)
	for i := range flipped[:800] {
		if flipped[i].Label == "positive" {
			flipped[i].Label = "negative"
		} else {
			flipped[i].Label = "positive"
		}
	}
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ws, _ := db.CreateWorkspace(ctx, "odd", "Odd", "UTC")
		analyzers := ingest.NewAdaptedAnalyzer(base, db)
		svc := &ingest.Service{DB: db, Analyzer: analyzers}
		ingestAll(t, svc, ws.ID, answers(flipped, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)))
		res, err := adaptation.New(db, analyzers, nil).Fit(ctx, ws.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Langs) == 0 || res.Langs[0].Lang != "ru" || res.Langs[0].Active || res.Langs[0].ScoreAdapted >= res.Langs[0].ScoreBase {
			t.Fatalf("a harmful fit was not refused: %+v", res.Langs)
		}
		t.Logf("mislabelled history: base %.3f, adapted %.3f → kept inactive", res.Langs[0].ScoreBase, res.Langs[0].ScoreAdapted)
		all, _ := db.Adaptations(ctx, ws.ID, false)
		active, _ := db.Adaptations(ctx, ws.ID, true)
		if len(all) != 1 || all[0].Lang != "ru" || len(active) != 0 || all[0].Refused != store.RefusedWorse {
			t.Fatalf("stored: all %+v, active %+v", all, active)
		}
		an, err := analyzers.ForWorkspace(ctx, ws.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range texts[800:850] {
			if got, want := an.Analyze(x.Text, ""), (ingest.TextAnalyzer{A: base}).Analyze(x.Text, ""); got.Label != want.Label || got.Score != want.Score {
				t.Fatalf("inactive fit changed the analysis of %q: %+v vs base %+v", x.Text, got, want)
			}
		}
	})
}

// TestFitNeedsEnoughAnswers checks the minimums: too few labelled texts, or
// too few of one class, store no adjustment, only why.
func TestFitNeedsEnoughAnswers(t *testing.T) {
	base, err := analytics.New()
	if err != nil {
		t.Fatal(err)
	}
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		analyzers := ingest.NewAdaptedAnalyzer(base, db)
		svc := &ingest.Service{DB: db, Analyzer: analyzers}
		fitter := adaptation.New(db, analyzers, nil)
		mk := func(slug string, pos, neg int) int64 {
			ws, _ := db.CreateWorkspace(ctx, slug, slug, "UTC")
			var texts []analytics.LabeledText
			for i := 0; i < pos; i++ {
				texts = append(texts, analytics.LabeledText{Text: "Спасибо, всё отлично, отзыв номер " + strconv.Itoa(i), Label: "positive"})
			}
			for i := 0; i < neg; i++ {
				texts = append(texts, analytics.LabeledText{Text: "Плохо, очень долго ждал, отзыв номер " + strconv.Itoa(i), Label: "negative"})
			}
			ingestAll(t, svc, ws.ID, answers(texts, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)))
			return ws.ID
		}
		for _, c := range []struct {
			slug     string
			pos, neg int
		}{{"few", 100, 90}, {"one-sided", 280, 40}} {
			ws := mk(c.slug, c.pos, c.neg)
			res, err := fitter.Fit(ctx, ws)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Langs) != 1 || res.Langs[0].Skipped == "" || res.Langs[0].Active || res.Langs[0].Refused != store.RefusedTooFew {
				t.Fatalf("%s: %+v", c.slug, res.Langs)
			}
			// Only the refusal is stored, for the settings page to show.
			if fits, _ := db.Adaptations(ctx, ws, false); len(fits) != 1 || fits[0].Active || fits[0].Adjustment != "" ||
				fits[0].Refused != store.RefusedTooFew || fits[0].Examples != c.pos+c.neg {
				t.Fatalf("%s: stored %+v", c.slug, fits)
			}
			if fits, _ := db.Adaptations(ctx, ws, true); len(fits) != 0 {
				t.Fatalf("%s: active %+v", c.slug, fits)
			}
		}
	})
}

// TestScheduleFitsOncePerDay checks the daily job is queued once per
// workspace and day, however often the ticker fires.
func TestScheduleFitsOncePerDay(t *testing.T) {
	base, err := analytics.New()
	if err != nil {
		t.Fatal(err)
	}
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, _ := db.CreateWorkspace(ctx, "a", "A", "UTC")
		b, _ := db.CreateWorkspace(ctx, "b", "B", "UTC")
		s := adaptation.New(db, ingest.NewAdaptedAnalyzer(base, db), nil)
		for i := 0; i < 3; i++ {
			if err := s.ScheduleFits(ctx); err != nil {
				t.Fatal(err)
			}
		}
		jobs, err := db.ClaimJobs(ctx, []string{adaptation.KindFit}, 10, time.Minute, time.Now().Add(time.Second))
		if err != nil || len(jobs) != 2 {
			t.Fatalf("claimed %+v %v, want one fit per workspace", jobs, err)
		}
		got := map[int64]bool{jobs[0].WorkspaceID: true, jobs[1].WorkspaceID: true}
		if !got[a.ID] || !got[b.ID] {
			t.Fatalf("jobs for %v", got)
		}
	})
}
