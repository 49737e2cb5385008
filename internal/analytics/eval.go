package analytics

import (
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"time"
)

// confusion is a gold × predicted count matrix over neg/neu/pos.
type confusion [3][3]int

// metrics computes accuracy and macro-F1 over the classes present in gold.
func (c *confusion) metrics() (n int, acc, macroF1 float64) {
	correct := 0
	var f1sum float64
	classes := 0
	for k := 0; k < 3; k++ {
		gold, pred := 0, 0
		for j := 0; j < 3; j++ {
			gold += c[k][j]
			pred += c[j][k]
		}
		n += gold
		correct += c[k][k]
		if gold == 0 {
			continue
		}
		classes++
		if c[k][k] > 0 {
			p := float64(c[k][k]) / float64(pred)
			r := float64(c[k][k]) / float64(gold)
			f1sum += 2 * p * r / (p + r)
		}
	}
	if n == 0 || classes == 0 {
		return 0, 0, 0
	}
	return n, float64(correct) / float64(n), f1sum / float64(classes)
}

// scored is one evaluated example.
type scored struct {
	e *example
	p [3]float64
}

func predict(a *Analyzer, exs []example) []scored {
	out := make([]scored, len(exs))
	sc := a.pool.Get().(*scratch)
	defer a.pool.Put(sc)
	for i := range exs {
		tokenize(sc, exs[i].Text)
		out[i] = scored{e: &exs[i], p: a.classify(sc, exs[i].Lang, 0, len(sc.toks))}
	}
	return out
}

// evalSummary holds the two views of a set: 3-class (only meaningful where
// gold has neutral) and binary (gold pos/neg only, prediction = pos vs neg).
type evalSummary struct {
	three, bin     confusion
	hasNeutralGold bool
}

func summarize(rows []scored) evalSummary {
	var s evalSummary
	for _, r := range rows {
		pred := classNeu
		if r.p[classNeg] > r.p[pred] {
			pred = classNeg
		}
		if r.p[classPos] > r.p[pred] {
			pred = classPos
		}
		s.three[r.e.y][pred]++
		if r.e.y == classNeu {
			s.hasNeutralGold = true
			continue
		}
		bp := classNeg
		if r.p[classPos] > r.p[classNeg] {
			bp = classPos
		}
		s.bin[r.e.y][bp]++
	}
	return s
}

func (s evalSummary) line() string {
	var b strings.Builder
	if s.hasNeutralGold {
		n, acc, f1 := s.three.metrics()
		fmt.Fprintf(&b, "3-class n=%-6d acc %.3f macro-F1 %.3f   ", n, acc, f1)
	} else {
		b.WriteString(strings.Repeat(" ", 45))
	}
	n, acc, f1 := s.bin.metrics()
	fmt.Fprintf(&b, "binary n=%-6d acc %.3f macro-F1 %.3f", n, acc, f1)
	return b.String()
}

func (s evalSummary) matrix(w io.Writer, indent string) {
	m := s.three
	rowsC := []int{classNeg, classNeu, classPos}
	if !s.hasNeutralGold {
		m = s.bin
		rowsC = []int{classNeg, classPos}
	}
	fmt.Fprintf(w, "%sgold\\pred %9s %9s %9s\n", indent, "negative", "neutral", "positive")
	for _, k := range rowsC {
		fmt.Fprintf(w, "%s%-9s %9d %9d %9d\n", indent, classNames[k], m[k][0], m[k][1], m[k][2])
	}
}

// report prints per-language and per-domain scores with confusion matrices.
func report(w io.Writer, rows []scored, matrices bool) {
	byLang := map[string][]scored{}
	byGroup := map[string][]scored{}
	for _, r := range rows {
		byLang[r.e.Lang] = append(byLang[r.e.Lang], r)
		byGroup[r.e.group()] = append(byGroup[r.e.group()], r)
	}
	for _, l := range sortedKeys(byLang) {
		s := summarize(byLang[l])
		fmt.Fprintf(w, "%-28s %s\n", "lang "+l, s.line())
		if matrices {
			s.matrix(w, "    ")
		}
		for _, g := range sortedKeys(byGroup) {
			if strings.HasPrefix(g, l+":") {
				fmt.Fprintf(w, "  %-26s %s\n", g, summarize(byGroup[g]).line())
			}
		}
	}
}

// RunEval implements `vox sentiment eval --data FILE.jsonl [--model FILE]`.
// By default it scores only the held-out split (rows the shipped model never
// trained on); --all scores every row. --experiment runs the studies behind
// the package's reported numbers: "cross" (leave one domain out, retrain,
// test on it), "adapt" (weak-supervision adaptation to a left-out domain),
// "aspects" (car-review aspect sentiment) and "langid".
func RunEval(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sentiment eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "", "JSONL file (or directory of *.jsonl) with text,label,lang")
	modelPath := fs.String("model", "", "model file (default: the embedded model)")
	all := fs.Bool("all", false, "score all rows, not only the held-out split")
	exp := fs.String("experiment", "", "cross | adapt | aspects | langid (needs --lex with a lexicons/ dir for cross/adapt)")
	lexDir := fs.String("lex", "", "data directory holding lexicons/ (for --experiment cross|adapt)")
	epochs := fs.Int("epochs", trainEpochs, "training epochs for experiments")
	l2 := fs.Float64("l2", trainL2, "L2 strength for experiments")
	only := fs.String("groups", "", "comma-separated domains for --experiment cross (default all)")
	calibrate := fs.Bool("calibrate", true, "calibrate the neutral class on the validation split in experiments")
	if err := fs.Parse(args); err != nil {
		return err
	}
	o := defaultTrainOptions()
	o.epochs, o.l2, o.calibrate = *epochs, *l2, *calibrate
	if *data == "" {
		return errors.New("sentiment eval: --data is required")
	}
	exs, ds, err := loadCorpus(*data)
	if err != nil {
		return fmt.Errorf("sentiment eval: %w", err)
	}
	fmt.Fprintf(stdout, "rows %d, duplicates %d, conflicting dropped %d, kept %d\n", ds.Rows, ds.Duplicates, ds.Conflicting, ds.Kept)
	var a *Analyzer
	if *modelPath != "" {
		b, err := os.ReadFile(*modelPath)
		if err != nil {
			return err
		}
		if a, err = NewFromModel(b); err != nil {
			return err
		}
	} else if a, err = New(); err != nil {
		return err
	}
	switch *exp {
	case "":
	case "langid":
		return evalLangID(stdout, exs)
	case "aspects":
		return evalAspects(stdout, a, exs)
	case "cross", "adapt":
		if *lexDir == "" {
			return errors.New("sentiment eval: --experiment cross|adapt needs --lex DIR")
		}
		lex, err := buildLexicon(*lexDir)
		if err != nil {
			return err
		}
		if *exp == "cross" {
			return evalCross(stdout, exs, lex, o, *only)
		}
		return evalAdapt(stdout, exs, lex, o)
	default:
		return fmt.Errorf("sentiment eval: unknown experiment %q", *exp)
	}
	var test []example
	for _, e := range exs {
		if *all || isHeldOut(e.key) {
			test = append(test, e)
		}
	}
	split := "held-out split"
	if *all {
		split = "all rows (includes training data)"
	}
	fmt.Fprintf(stdout, "scoring %d texts (%s)\n", len(test), split)
	report(stdout, predict(a, test), true)
	return evalLangID(stdout, test)
}

func evalLangID(w io.Writer, exs []example) error {
	conf := map[string]map[string]int{}
	ok := 0
	for _, e := range exs {
		d := DetectLanguage(e.Text)
		if conf[e.Lang] == nil {
			conf[e.Lang] = map[string]int{}
		}
		conf[e.Lang][d]++
		if d == e.Lang {
			ok++
		}
	}
	fmt.Fprintf(w, "language detection: %d/%d = %.4f\n", ok, len(exs), float64(ok)/float64(max(1, len(exs))))
	for _, l := range sortedKeys(conf) {
		n := 0
		for _, c := range conf[l] {
			n += c
		}
		fmt.Fprintf(w, "  %s: acc %.4f  %v\n", l, float64(conf[l][l])/float64(n), conf[l])
	}
	return nil
}

// evalCross trains, for every domain, a model on the other domains of the
// same language and tests on all of that domain.
func evalCross(w io.Writer, exs []example, lex string, o trainOptions, only string) error {
	groups := map[string]bool{}
	for i := range exs {
		groups[exs[i].group()] = true
	}
	pooled := map[string][]scored{}
	defer func() {
		for _, l := range sortedKeys(pooled) {
			fmt.Fprintf(w, "cross pooled %-17s       %s\n", l, summarize(pooled[l]).line())
		}
	}()
	for _, g := range sortedKeys(groups) {
		if only != "" && !strings.Contains(","+only+",", ","+g+",") {
			continue
		}
		lang := g[:2]
		var tr, te []example
		for _, e := range exs {
			if e.Lang != lang {
				continue
			}
			if e.group() == g {
				te = append(te, e)
			} else {
				tr = append(tr, e)
			}
		}
		t0 := time.Now()
		m, err := trainCalibrated(tr, lex, o)
		if err != nil {
			return err
		}
		pr := predict(newAnalyzer(m), te)
		pooled[lang] = append(pooled[lang], pr...)
		s := summarize(pr)
		fmt.Fprintf(w, "cross %-24s train %-6d %s  (%s)\n", g, len(tr), s.line(), time.Since(t0).Round(time.Second))
		s.matrix(w, "    ")
	}
	return nil
}

func hash10(key string) uint32 {
	h := fnv.New32a()
	h.Write([]byte("adapt:" + key))
	return h.Sum32() % 10
}

// evalAdapt simulates a workspace: the base model is trained without one
// domain; that domain's texts are split 70/30; the 70% become weak NPS-style
// labels (positive/negative only, neutrals dropped like passives) for Adapt,
// and the 30% measure base vs adapted.
func evalAdapt(w io.Writer, exs []example, lex string, o trainOptions) error {
	for _, g := range []string{"zh:hotel", "ru:sentiruev2015_banks", "ru:sentiruev2015_telecoms", "en:amazon_reviews_sample", "en:airline_tweets"} {
		lang := g[:2]
		var tr, pool, te []example
		for _, e := range exs {
			if e.Lang != lang {
				continue
			}
			switch {
			case e.group() != g:
				tr = append(tr, e)
			case hash10(e.key) < 3:
				te = append(te, e)
			default:
				pool = append(pool, e)
			}
		}
		m, err := trainCalibrated(tr, lex, o)
		if err != nil {
			return err
		}
		base := newAnalyzer(m)
		fmt.Fprintf(w, "adapt %s: base (trained without it) %s\n", g, summarize(predict(base, te)).line())
		var weak []LabeledText
		for _, e := range pool {
			if e.y != classNeu {
				weak = append(weak, LabeledText{Text: e.Text, Lang: e.Lang, Label: e.Label})
			}
		}
		// corpus files are sorted by label; shuffle so a prefix is a sample
		rng := rand.New(rand.NewPCG(1, 2))
		rng.Shuffle(len(weak), func(i, j int) { weak[i], weak[j] = weak[j], weak[i] })
		for _, n := range []int{100, 300, 1000, len(weak)} {
			if n > len(weak) {
				continue
			}
			adj, err := Adapt(base, weak[:n])
			if err != nil {
				fmt.Fprintf(w, "  n=%d: %v\n", n, err)
				continue
			}
			s := summarize(predict(base.WithAdjustment(adj), te))
			fmt.Fprintf(w, "  adapted with %-5d weak labels (%d buckets): %s\n", n, len(adj.Buckets), s.line())
			if n == len(weak) {
				break
			}
		}
	}
	return nil
}
