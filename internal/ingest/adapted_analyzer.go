package ingest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	"vox/internal/analytics"
	"vox/internal/store"
)

// WorkspaceAnalyzer is an Analyzer that can specialise to one workspace.
// Service uses ForWorkspace once per batch, so whatever it costs is not paid
// per item.
type WorkspaceAnalyzer interface {
	Analyzer
	ForWorkspace(ctx context.Context, workspaceID int64) (Analyzer, error)
}

// DefaultAdaptationRefresh is how long AdaptedAnalyzer trusts what it loaded
// for a workspace: a fit made by another replica or by `vox reanalyze
// --adapt` is used within this time; fits made in this process are used at
// once (Invalidate).
const DefaultAdaptationRefresh = time.Minute

// AdaptedAnalyzer analyses a workspace's texts with the base model plus the
// workspace's active adjustment for the text's language (stored by
// internal/adaptation). Adjustments are cached per workspace; after Refresh
// the cache asks the store only whether a fit changed (one small query per
// workspace and period) and reloads just then.
type AdaptedAnalyzer struct {
	base    TextAnalyzer
	model   string
	db      *store.DB
	Refresh time.Duration    // 0: DefaultAdaptationRefresh
	Now     func() time.Time // nil: time.Now

	mu      sync.Mutex
	entries map[int64]*adaptedEntry
}

type adaptedEntry struct {
	checked time.Time
	stamps  []store.AdaptationStamp
	an      Analyzer
}

// NewAdaptedAnalyzer wraps base; adjustments come from db.
func NewAdaptedAnalyzer(base *analytics.Analyzer, db *store.DB) *AdaptedAnalyzer {
	return &AdaptedAnalyzer{base: TextAnalyzer{A: base}, model: base.ModelFingerprint(), db: db, entries: map[int64]*adaptedEntry{}}
}

// Base returns the base model's analyzer (no workspace adjustment).
func (a *AdaptedAnalyzer) Base() *analytics.Analyzer { return a.base.A }

// Model returns the base model's fingerprint, which fits must record.
func (a *AdaptedAnalyzer) Model() string { return a.model }

// Analyze analyses with the base model: for texts of no workspace.
func (a *AdaptedAnalyzer) Analyze(text, langHint string) Analysis {
	return a.base.Analyze(text, langHint)
}

// Invalidate drops the workspace's cached adjustments, e.g. right after a
// fit, so that the next batch loads the new ones.
func (a *AdaptedAnalyzer) Invalidate(workspaceID int64) {
	a.mu.Lock()
	delete(a.entries, workspaceID)
	a.mu.Unlock()
}

func (a *AdaptedAnalyzer) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// ForWorkspace returns the analyzer of the workspace's texts.
func (a *AdaptedAnalyzer) ForWorkspace(ctx context.Context, workspaceID int64) (Analyzer, error) {
	refresh := a.Refresh
	if refresh <= 0 {
		refresh = DefaultAdaptationRefresh
	}
	now := a.now()
	a.mu.Lock()
	e := a.entries[workspaceID]
	a.mu.Unlock()
	if e != nil && now.Sub(e.checked) < refresh {
		return e.an, nil
	}
	stamps, err := a.db.AdaptationStamps(ctx, workspaceID)
	if err != nil {
		if e != nil {
			return e.an, nil // keep what we had; the next batch asks again
		}
		return nil, fmt.Errorf("workspace analyzer: %w", err)
	}
	if e != nil && slices.Equal(e.stamps, stamps) {
		fresh := &adaptedEntry{checked: now, stamps: stamps, an: e.an}
		a.store(workspaceID, fresh)
		return fresh.an, nil
	}
	an, err := a.load(ctx, workspaceID)
	if err != nil {
		if e != nil {
			return e.an, nil
		}
		return nil, fmt.Errorf("workspace analyzer: %w", err)
	}
	a.store(workspaceID, &adaptedEntry{checked: now, stamps: stamps, an: an})
	return an, nil
}

func (a *AdaptedAnalyzer) store(workspaceID int64, e *adaptedEntry) {
	a.mu.Lock()
	a.entries[workspaceID] = e
	a.mu.Unlock()
}

// load builds the workspace's analyzer from its active fits of this base
// model; fits of another model or unreadable ones are ignored (the base
// model is the safe answer until the next fit).
func (a *AdaptedAnalyzer) load(ctx context.Context, workspaceID int64) (Analyzer, error) {
	fits, err := a.db.Adaptations(ctx, workspaceID, true)
	if err != nil {
		return nil, err
	}
	byLang := map[string]TextAnalyzer{}
	for _, f := range fits {
		if f.Model != a.model {
			continue
		}
		var adj analytics.Adjustment
		if json.Unmarshal([]byte(f.Adjustment), &adj) != nil || !a.base.A.Compatible(&adj) {
			continue
		}
		byLang[f.Lang] = TextAnalyzer{A: a.base.A.WithAdjustment(&adj)}
	}
	if len(byLang) == 0 {
		return a.base, nil
	}
	return languageAnalyzer{base: a.base, byLang: byLang}, nil
}

// languageAnalyzer picks the adjusted analyzer of a text's language.
type languageAnalyzer struct {
	base   TextAnalyzer
	byLang map[string]TextAnalyzer
}

func (l languageAnalyzer) Analyze(text, langHint string) Analysis {
	lang := langHint
	switch lang {
	case analytics.LangRU, analytics.LangZH, analytics.LangEN, analytics.LangOther:
	default:
		lang = analytics.DetectLanguage(text)
	}
	if an, ok := l.byLang[lang]; ok {
		return an.Analyze(text, lang)
	}
	return l.base.Analyze(text, lang)
}
