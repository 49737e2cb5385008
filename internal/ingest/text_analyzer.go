package ingest

import (
	"vox/internal/analytics"
	"vox/internal/store"
)

// TextAnalyzer adapts the analytics package to the Analyzer interface.
type TextAnalyzer struct{ A *analytics.Analyzer }

// NewTextAnalyzer loads the embedded sentiment model.
func NewTextAnalyzer() (TextAnalyzer, error) {
	a, err := analytics.New()
	return TextAnalyzer{A: a}, err
}

// Analyze implements Analyzer.
func (t TextAnalyzer) Analyze(text, langHint string) Analysis {
	r := t.A.Analyze(text, langHint)
	out := Analysis{Lang: r.Lang, Label: r.Label, Score: r.Score, Topics: r.Topics}
	if len(r.Aspects) > 0 {
		out.Aspects = make([]store.Aspect, len(r.Aspects))
		for i, a := range r.Aspects {
			out.Aspects[i] = store.Aspect{Aspect: a.Aspect, Label: a.Label, Score: a.Score}
		}
	}
	return out
}
