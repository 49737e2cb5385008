package adaptation

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"hash/fnv"
	"log/slog"
	"sync"
	"time"

	"vox/internal/analytics"
	"vox/internal/ingest"
	"vox/internal/store"
)

// MinLabelled is the fewest labelled texts of one language a workspace
// needs before Vox fits an adjustment for it. The held-out 20 % is then at
// least 40 texts, the least that tells a real gain from noise; the eval
// (internal/analytics README, "Adaptation") shows gains from ~100 training
// texts on.
const MinLabelled = 200

// MinPerClass is the fewest positive and the fewest negative texts needed:
// a workspace of almost only promoters would otherwise learn "everything is
// positive" and its held-out score could not show it.
const MinPerClass = 50

// HeldOutShare is the share of the newest labelled texts kept out of
// training to measure base vs adapted. Newest, not random: the adjustment
// will be used on texts that come after the ones it learnt from.
const HeldOutShare = 0.2

// MaxTexts caps the rated texts read per fit (the newest ones): it bounds
// memory and fit time (about a second per 10k texts on one core), and
// recent answers are the ones that say what the workspace is like now.
const MaxTexts = 60000

// Languages that get adjustments: the languages of the base model.
var Languages = []string{analytics.LangRU, analytics.LangZH, analytics.LangEN}

// Service fits and stores workspace adjustments.
type Service struct {
	db        *store.DB
	analyzers *ingest.AdaptedAnalyzer
	log       *slog.Logger
	now       func() time.Time
	mu        sync.Mutex // one fit at a time per process: fits use every core
}

// New returns a Service fitting on the analyzers' base model; a fit
// invalidates the analyzers' cache of that workspace.
func New(db *store.DB, analyzers *ingest.AdaptedAnalyzer, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{db: db, analyzers: analyzers, log: log, now: time.Now}
}

// LangResult is what a fit did for one language of a workspace.
type LangResult struct {
	Lang         string  `json:"lang"`
	Labelled     int     `json:"labelled"`
	Positives    int     `json:"positives"`
	Negatives    int     `json:"negatives"`
	HeldOut      int     `json:"held_out"`
	ScoreBase    float64 `json:"score_base"`
	ScoreAdapted float64 `json:"score_adapted"`
	Active       bool    `json:"active"`
	Skipped      string  `json:"skipped,omitempty"` // why no fit was made (too few texts)
	// Refused is why the stored fit is not applied (store.Refused*), "" when active.
	Refused string `json:"refused,omitempty"`
	// Unchanged marks a language whose labelled texts and base model are
	// those of its stored fit: nothing was fitted or written, and the
	// figures are the stored ones.
	Unchanged bool      `json:"unchanged,omitempty"`
	FittedAt  time.Time `json:"fitted_at"`
}

// Result is what Fit did for a workspace.
type Result struct {
	WorkspaceID int64        `json:"workspace_id"`
	Rated       int          `json:"rated"` // rated texts read
	Langs       []LangResult `json:"langs"`
}

// fitVersion enters every data fingerprint: a change to how fits are made
// (minimums, held-out share, Adapt itself) bumps it so that every
// workspace is refitted once.
const fitVersion = "fit1"

// Fit gathers the workspace's rated texts, and for each language with
// enough of them fits an adjustment on the older 80 %, scores base and
// adapted on the newest 20 % (macro-F1 over positive and negative), and
// stores the result. When the adjustment does not make the held-out score
// worse it is activated, refitted on all the labelled texts (the newest
// matter most for what comes next); otherwise the stored row is inactive,
// says why, and the workspace's texts of that language use the base model.
//
// A language whose labelled texts (ids, labels, texts) and base model are
// those of its stored fit is left alone: the daily fit of a workspace
// without new rated answers writes nothing, so its fitted_at, which
// identifies a `vox reanalyze` run, does not move.
func (s *Service) Fit(ctx context.Context, workspaceID int64) (Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	res := Result{WorkspaceID: workspaceID}
	rated, err := s.db.RatedTexts(ctx, workspaceID, MaxTexts)
	if err != nil {
		return res, fmt.Errorf("fit workspace %d: %w", workspaceID, err)
	}
	stored, err := s.db.Adaptations(ctx, workspaceID, false)
	if err != nil {
		return res, fmt.Errorf("fit workspace %d: %w", workspaceID, err)
	}
	prev := map[string]store.Adaptation{}
	for _, a := range stored {
		prev[a.Lang] = a
	}
	res.Rated = len(rated)
	byLang := map[string][]analytics.LabeledText{}
	prints := map[string]*dataPrint{}
	for _, r := range rated {
		label := labelOf(r)
		if label == "" {
			continue
		}
		lang := r.Lang
		if !isAdaptedLang(lang) {
			lang = analytics.DetectLanguage(r.Text)
		}
		if !isAdaptedLang(lang) {
			continue
		}
		byLang[lang] = append(byLang[lang], analytics.LabeledText{Text: r.Text, Lang: lang, Label: label})
		if prints[lang] == nil {
			prints[lang] = newDataPrint()
		}
		prints[lang].add(r.ID, label, r.Text)
	}
	base := s.analyzers.Base()
	model := s.analyzers.Model()
	changed := false
	for _, lang := range Languages {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		exs := byLang[lang]
		data := newDataPrint().sum()
		if p := prints[lang]; p != nil {
			data = p.sum()
		}
		old, had := prev[lang]
		if had && old.Model == model && old.Data == data {
			res.Langs = append(res.Langs, storedResult(old))
			continue
		}
		if !had && len(exs) == 0 {
			continue
		}
		lr, adj, err := fitLanguage(base, lang, exs)
		if err != nil {
			return res, fmt.Errorf("fit workspace %d %s: %w", workspaceID, lang, err)
		}
		var js []byte
		if adj != nil {
			if js, err = json.Marshal(adj); err != nil {
				return res, fmt.Errorf("fit workspace %d %s: %w", workspaceID, lang, err)
			}
		}
		lr.FittedAt = s.now().UTC().Truncate(time.Millisecond)
		res.Langs = append(res.Langs, lr)
		err = s.db.SaveAdaptation(ctx, store.Adaptation{WorkspaceID: workspaceID, Lang: lang, Model: model,
			Adjustment: string(js), Examples: lr.Labelled, Positives: lr.Positives, Negatives: lr.Negatives,
			HeldOut: lr.HeldOut, ScoreBase: lr.ScoreBase, ScoreAdapted: lr.ScoreAdapted, Active: lr.Active,
			FittedAt: lr.FittedAt, Data: data, Refused: lr.Refused})
		if err != nil {
			return res, fmt.Errorf("fit workspace %d: %w", workspaceID, err)
		}
		changed = true
	}
	if changed {
		s.analyzers.Invalidate(workspaceID)
	}
	return res, nil
}

// storedResult is the LangResult of a stored fit left as it was.
func storedResult(a store.Adaptation) LangResult {
	lr := LangResult{Lang: a.Lang, Labelled: a.Examples, Positives: a.Positives, Negatives: a.Negatives,
		HeldOut: a.HeldOut, ScoreBase: a.ScoreBase, ScoreAdapted: a.ScoreAdapted, Active: a.Active,
		Refused: a.Refused, Unchanged: true, FittedAt: a.FittedAt}
	switch a.Refused {
	case store.RefusedTooFew:
		lr.Skipped = tooFew(lr)
	case store.RefusedThinSplit:
		lr.Skipped = analytics.ErrTooFewExamples.Error()
	}
	return lr
}

// tooFew says why a language has too few labelled texts for a fit.
func tooFew(lr LangResult) string {
	return fmt.Sprintf("%d labelled texts (%d positive, %d negative); need %d with %d of each",
		lr.Labelled, lr.Positives, lr.Negatives, MinLabelled, MinPerClass)
}

// dataPrint fingerprints the labelled texts of one language in the order
// the fit reads them (oldest first): a new, edited, re-rated or erased
// answer changes it.
type dataPrint struct {
	h hash.Hash64
	n int
}

func newDataPrint() *dataPrint { return &dataPrint{h: fnv.New64a()} }

func (d *dataPrint) add(id int64, label, text string) {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(id))
	d.h.Write(b[:])
	d.h.Write([]byte(label))
	binary.LittleEndian.PutUint64(b[:], uint64(len(text)))
	d.h.Write(b[:])
	d.h.Write([]byte(text))
	d.n++
}

func (d *dataPrint) sum() string {
	return fmt.Sprintf("%s:%d:%016x", fitVersion, d.n, d.h.Sum64())
}

func isAdaptedLang(l string) bool {
	for _, x := range Languages {
		if l == x {
			return true
		}
	}
	return false
}

// fitLanguage fits one language's texts (oldest first). It returns the
// adjustment to store: the refit on all texts when active, nil otherwise.
func fitLanguage(base *analytics.Analyzer, lang string, exs []analytics.LabeledText) (LangResult, *analytics.Adjustment, error) {
	lr := LangResult{Lang: lang, Labelled: len(exs)}
	for _, e := range exs {
		if e.Label == Positive {
			lr.Positives++
		} else {
			lr.Negatives++
		}
	}
	if lr.Labelled < MinLabelled || lr.Positives < MinPerClass || lr.Negatives < MinPerClass {
		lr.Refused = store.RefusedTooFew
		lr.Skipped = tooFew(lr)
		return lr, nil, nil
	}
	lr.HeldOut = int(float64(len(exs)) * HeldOutShare)
	train, test := exs[:len(exs)-lr.HeldOut], exs[len(exs)-lr.HeldOut:]
	adj, err := analytics.Adapt(base, train)
	if errors.Is(err, analytics.ErrTooFewExamples) {
		// The time split left one class too thin to train on.
		lr.Skipped = err.Error()
		lr.Refused = store.RefusedThinSplit
		return lr, nil, nil
	}
	if err != nil {
		return lr, nil, err
	}
	adapted := base.WithAdjustment(adj)
	lr.ScoreBase = MacroF1(func(text, lang string) string { return base.Analyze(text, lang).Label }, test)
	lr.ScoreAdapted = MacroF1(func(text, lang string) string { return adapted.Analyze(text, lang).Label }, test)
	lr.Active = lr.ScoreAdapted >= lr.ScoreBase
	if !lr.Active {
		lr.Refused = store.RefusedWorse
		return lr, nil, nil
	}
	all, err := analytics.Adapt(base, exs)
	if err != nil {
		return lr, nil, err
	}
	return lr, all, nil
}

// MacroF1 is the mean F1 of the positive and negative classes of the
// labels predict gives weakly labelled texts; a "neutral" prediction is a
// miss. A class neither labelled nor predicted is left out of the mean.
func MacroF1(predict func(text, lang string) string, texts []analytics.LabeledText) float64 {
	var tp, fp, fn [2]int // 0 positive, 1 negative
	for _, t := range texts {
		pred := predict(t.Text, t.Lang)
		for c, name := range [2]string{Positive, Negative} {
			switch {
			case pred == name && t.Label == name:
				tp[c]++
			case pred == name:
				fp[c]++
			case t.Label == name:
				fn[c]++
			}
		}
	}
	sum, n := 0.0, 0
	for c := range tp {
		if tp[c]+fp[c]+fn[c] == 0 {
			continue
		}
		sum += 2 * float64(tp[c]) / float64(2*tp[c]+fp[c]+fn[c])
		n++
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}
