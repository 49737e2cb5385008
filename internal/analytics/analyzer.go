// Package analytics understands customer text offline: language, sentiment,
// topics, aspect sentiment, emerging terms and per-workspace adaptation. It
// is pure Go with an embedded model and no I/O besides what callers pass in.
package analytics

import (
	_ "embed"
	"fmt"
	"sync"
)

// Aspect is the sentiment of one topic inside a text.
type Aspect struct {
	Aspect string  `json:"aspect"`
	Label  string  `json:"label"`
	Score  float64 `json:"score"`
}

// Result is the analysis of one text.
type Result struct {
	Lang    string   `json:"lang"`    // "ru","zh","en","other"
	Label   string   `json:"label"`   // "positive","neutral","negative"
	Score   float64  `json:"score"`   // -1..1, sign = best pos-vs-neg guess even when neutral
	Topics  []string `json:"topics"`  // topic keys like "delivery","price",...
	Aspects []Aspect `json:"aspects"` // per-topic sentiment, by clause
}

//go:embed model/sentiment.bin.gz
var embeddedModel []byte

// Analyzer analyses texts. It is safe for concurrent use: the model,
// taxonomy and adjustment are read-only and per-call buffers come from a
// pool.
type Analyzer struct {
	m    *model
	tax  *compiledTaxonomy
	adj  *compiledAdjustment
	pool *sync.Pool
}

var (
	loadOnce  sync.Once
	loadModel *model
	loadErr   error
)

// New returns an Analyzer with the embedded model and the default taxonomy.
// The model is decoded once per process and shared.
func New() (*Analyzer, error) {
	loadOnce.Do(func() { loadModel, loadErr = readModel(embeddedModel) })
	if loadErr != nil {
		return nil, fmt.Errorf("analytics: embedded model: %w", loadErr)
	}
	return newAnalyzer(loadModel), nil
}

// NewFromModel returns an Analyzer for a model file produced by RunTrain.
func NewFromModel(data []byte) (*Analyzer, error) {
	m, err := readModel(data)
	if err != nil {
		return nil, err
	}
	return newAnalyzer(m), nil
}

func newAnalyzer(m *model) *Analyzer {
	return &Analyzer{m: m, tax: compileTaxonomy(DefaultTaxonomy()), pool: newPool()}
}

func newPool() *sync.Pool {
	return &sync.Pool{New: func() any {
		return &scratch{buf: make([]byte, 0, 1024), toks: make([]tok, 0, 128), feats: make([]uint32, 0, 512)}
	}}
}

// WithTaxonomy returns an Analyzer sharing the model but matching topics of
// t, e.g. DefaultTaxonomy().With(workspaceTopics...).
func (a *Analyzer) WithTaxonomy(t Taxonomy) *Analyzer {
	b := *a
	b.tax = compileTaxonomy(t)
	return &b
}

// WithAdjustment returns an Analyzer sharing the model whose sentiment
// includes a workspace adjustment from Adapt; nil removes it.
func (a *Analyzer) WithAdjustment(adj *Adjustment) *Analyzer {
	b := *a
	b.adj = adj.compile(a.m.mask)
	return &b
}

// Analyze returns language, sentiment, topics and aspects of text. A
// langHint of "ru", "zh", "en" or "other" skips detection.
func (a *Analyzer) Analyze(text, langHint string) Result {
	lang := langHint
	switch lang {
	case LangRU, LangZH, LangEN, LangOther:
	default:
		lang = DetectLanguage(text)
	}
	sc := a.pool.Get().(*scratch)
	defer a.pool.Put(sc)
	tokenize(sc, text)
	p := a.classify(sc, lang, 0, len(sc.toks))
	label, score := decide(p)
	r := Result{Lang: lang, Label: label, Score: score, Topics: []string{}, Aspects: []Aspect{}}
	a.tax.matchTopics(sc, lang)
	if len(sc.hits) > 0 {
		r.Topics, r.Aspects = a.aspects(sc, lang, p)
	}
	return r
}

// classify returns class probabilities of tokens [from,to).
func (a *Analyzer) classify(sc *scratch, lang string, from, to int) [3]float64 {
	sc.feats = sc.feats[:0]
	extract(sc, a.m.lex, lang, from, to)
	z := a.m.logits(sc.feats, lang)
	if a.adj != nil {
		a.adj.add(&z, sc.feats)
	}
	return softmax3(z)
}

func decide(p [3]float64) (string, float64) {
	c := classNeu
	if p[classNeg] > p[c] {
		c = classNeg
	}
	if p[classPos] > p[c] {
		c = classPos
	}
	return classNames[c], round3(p[classPos] - p[classNeg])
}

func round3(x float64) float64 {
	if x < 0 {
		return -float64(int64(-x*1000+0.5)) / 1000
	}
	return float64(int64(x*1000+0.5)) / 1000
}
