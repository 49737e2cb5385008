package adaptation_test

import (
	"context"
	"testing"
	"time"

	"vox/internal/adaptation"
	"vox/internal/analytics"
	"vox/internal/ingest"
	"vox/internal/reanalyze"
	"vox/internal/store"
	"vox/internal/testutil"
)

// TestFitOnlyWhenLabelledTextsChange checks the daily fit's housekeeping: a
// second fit without new labelled answers writes nothing, so a finished
// `vox reanalyze` stays finished; an unlabelled (passive) answer changes
// nothing either; a new rated comment, or a fit of another base model, is
// refitted; a workspace whose fit is refused keeps the reason.
func TestFitOnlyWhenLabelledTextsChange(t *testing.T) {
	dir := corpusDir(t)
	texts := domainTexts(t, dir, "ru", "sentiruev2015_telecoms")[:600]
	base, err := analytics.New()
	if err != nil {
		t.Fatal(err)
	}
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ws, _ := db.CreateWorkspace(ctx, "tele", "Tele", "UTC")
		other, _ := db.CreateWorkspace(ctx, "other", "Other", "UTC")
		analyzers := ingest.NewAdaptedAnalyzer(base, db)
		svc := &ingest.Service{DB: db, Analyzer: analyzers}
		t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		ingestAll(t, svc, ws.ID, answers(texts[:500], t0))
		ingestAll(t, svc, other.ID, answers(texts[:150], t0))
		fitter := adaptation.New(db, analyzers, nil)

		first := fitRU(t, fitter, ws.ID)
		if first.Unchanged || first.Labelled != 500 || first.FittedAt.IsZero() {
			t.Fatalf("first fit: %+v", first)
		}
		stored := fitsOf(t, db, ws.ID)
		if _, err := reanalyze.Run(ctx, db, analyzers, ws.ID, reanalyze.Options{}); err != nil {
			t.Fatal(err)
		}

		// The next day: no new answers. Nothing is fitted or written, and
		// reanalyze has nothing to do.
		time.Sleep(5 * time.Millisecond)
		again := fitRU(t, fitter, ws.ID)
		if !again.Unchanged || again.FittedAt != first.FittedAt || again.Active != first.Active ||
			again.ScoreAdapted != first.ScoreAdapted || again.Labelled != first.Labelled {
			t.Fatalf("refit without new answers: %+v, first %+v", again, first)
		}
		if got := fitsOf(t, db, ws.ID); len(got) != 1 || got[0] != stored[0] {
			t.Fatalf("stored fit rewritten: %+v, was %+v", got, stored)
		}
		sum, err := reanalyze.Run(ctx, db, analyzers, ws.ID, reanalyze.Options{})
		if err != nil || !sum.AlreadyDone || sum.Scanned != 0 {
			t.Fatalf("reanalyze after an unchanged fit: %+v %v", sum, err)
		}

		// A passive's comment and an unrated review are no labelled texts.
		ingestAll(t, svc, ws.ID, []ingest.Item{
			{Kind: "survey_response", Channel: "web", Text: "Нормально, но связь иногда пропадает", NPS: ptr(8)},
			{Kind: "review", Channel: "web", Text: "Связь отличная"}})
		if lr := fitRU(t, fitter, ws.ID); !lr.Unchanged {
			t.Fatalf("refitted after unlabelled answers: %+v", lr)
		}

		// New rated comments: refitted, with a new time.
		ingestAll(t, svc, ws.ID, answers(texts[500:510], t0.Add(1000*time.Hour)))
		time.Sleep(5 * time.Millisecond)
		refit := fitRU(t, fitter, ws.ID)
		if refit.Unchanged || refit.Labelled != 510 || !refit.FittedAt.After(first.FittedAt) {
			t.Fatalf("fit after new answers: %+v", refit)
		}
		if got := fitsOf(t, db, ws.ID); got[0].FittedAt != refit.FittedAt || got[0].Examples != 510 || got[0].Data == stored[0].Data {
			t.Fatalf("stored after refit: %+v", got)
		}

		// A fit made on another base model is refitted even without new answers.
		old := fitsOf(t, db, ws.ID)[0]
		old.Model = "m20-0000000000000000"
		if err := db.SaveAdaptation(ctx, old); err != nil {
			t.Fatal(err)
		}
		if lr := fitRU(t, fitter, ws.ID); lr.Unchanged {
			t.Fatalf("fit of another base model kept: %+v", lr)
		}
		if got := fitsOf(t, db, ws.ID); got[0].Model != analyzers.Model() {
			t.Fatalf("stored model %s, want %s", got[0].Model, analyzers.Model())
		}

		// The other workspace (150 answers) is refused for too few, says so,
		// and stays untouched by a second fit.
		lr := fitRU(t, fitter, other.ID)
		got := fitsOf(t, db, other.ID)
		if lr.Refused != store.RefusedTooFew || lr.Skipped == "" || len(got) != 1 || got[0].Active ||
			got[0].Refused != store.RefusedTooFew || got[0].Examples != 150 || got[0].Adjustment != "" {
			t.Fatalf("too few: %+v, stored %+v", lr, got)
		}
		if lr := fitRU(t, fitter, other.ID); !lr.Unchanged || lr.Refused != store.RefusedTooFew || lr.Skipped == "" {
			t.Fatalf("second fit of too few: %+v", lr)
		}
		if len(fitsOf(t, db, ws.ID)) != 1 {
			t.Fatalf("fits leaked across workspaces")
		}
	})
}

func fitRU(t *testing.T, s *adaptation.Service, ws int64) adaptation.LangResult {
	t.Helper()
	res, err := s.Fit(context.Background(), ws)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range res.Langs {
		if l.Lang == "ru" {
			return l
		}
	}
	t.Fatalf("no ru result: %+v", res.Langs)
	return adaptation.LangResult{}
}

func fitsOf(t *testing.T, db *store.DB, ws int64) []store.Adaptation {
	t.Helper()
	var ru []store.Adaptation
	all, err := db.Adaptations(context.Background(), ws, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range all {
		if a.Lang == "ru" {
			ru = append(ru, a)
		}
	}
	return ru
}
