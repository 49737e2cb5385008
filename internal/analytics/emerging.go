package analytics

import (
	"math"
	"sort"
	"unicode/utf8"
)

// EmergingTerm is a term whose share of texts rose in a recent window
// compared with a baseline window.
type EmergingTerm struct {
	Term     string  `json:"term"`
	Recent   int     `json:"recent"`   // texts in the recent window containing the term
	Baseline int     `json:"baseline"` // texts in the baseline window containing the term
	Ratio    float64 `json:"ratio"`    // recent share / baseline share (smoothed)
	Z        float64 `json:"z"`        // two-proportion z statistic
	PValue   float64 `json:"p_value"`  // one-sided, Bonferroni-corrected over tested terms
}

// EmergingOptions tunes EmergingTerms; zero values take the defaults.
type EmergingOptions struct {
	MinRecent int     // minimum recent document frequency (default 5)
	MinRatio  float64 // minimum share ratio (default 2)
	Alpha     float64 // significance level after correction (default 0.01)
	Limit     int     // maximum terms returned (default 20)
}

// EmergingTerms finds terms (words, Russian five-letter stems, Chinese
// character bigrams, and word bigrams) whose document frequency in recent
// jumps against baseline. Each candidate is tested with a one-sided
// two-proportion z-test and the p-value is Bonferroni-corrected by the number
// of candidates tested, so a large vocabulary does not produce false alarms;
// this is what lets a new complaint surface without anyone defining a topic.
// Results are sorted by z, strongest first.
func EmergingTerms(recent, baseline []string, opt EmergingOptions) []EmergingTerm {
	if opt.MinRecent <= 0 {
		opt.MinRecent = 5
	}
	if opt.MinRatio <= 0 {
		opt.MinRatio = 2
	}
	if opt.Alpha <= 0 {
		opt.Alpha = 0.01
	}
	if opt.Limit <= 0 {
		opt.Limit = 20
	}
	if len(recent) == 0 {
		return nil
	}
	rc := docFreq(recent)
	bc := docFreq(baseline)
	nr, nb := float64(len(recent)), float64(len(baseline))
	tested := 0
	var out []EmergingTerm
	for term, r := range rc {
		if r < opt.MinRecent {
			continue
		}
		tested++
		b := bc[term]
		pr := float64(r) / nr
		pb := (float64(b) + 0.5) / (nb + 1) // smoothed so unseen terms have a finite ratio
		ratio := pr / pb
		if ratio < opt.MinRatio {
			continue
		}
		pool := (float64(r) + float64(b)) / (nr + nb)
		se := math.Sqrt(pool * (1 - pool) * (1/nr + 1/math.Max(nb, 1)))
		if se == 0 {
			continue
		}
		z := (pr - float64(b)/math.Max(nb, 1)) / se
		out = append(out, EmergingTerm{Term: term, Recent: r, Baseline: b, Ratio: round3(ratio), Z: round3(z), PValue: 0.5 * math.Erfc(z/math.Sqrt2)})
	}
	kept := out[:0]
	for _, t := range out {
		t.PValue = math.Min(1, t.PValue*float64(tested))
		if t.PValue <= opt.Alpha {
			kept = append(kept, t)
		}
	}
	sort.Slice(kept, func(i, j int) bool {
		if kept[i].Z != kept[j].Z {
			return kept[i].Z > kept[j].Z
		}
		return kept[i].Term < kept[j].Term
	})
	if len(kept) > opt.Limit {
		kept = kept[:opt.Limit]
	}
	return kept
}

// docFreq counts, per term, the texts that contain it. Stop-like terms are
// not removed explicitly: they are frequent in both windows, so the ratio
// test discards them.
func docFreq(texts []string) map[string]int {
	df := map[string]int{}
	sc := &scratch{}
	seen := map[string]bool{}
	for _, t := range texts {
		lang := DetectLanguage(t)
		tokenize(sc, t)
		clear(seen)
		prev := ""
		for i, tk := range sc.toks {
			var term string
			switch {
			case tk.kind == kWord && lang == LangRU:
				term = string(stemPrefix(sc.word(tk), ruStemRunes))
			case tk.kind == kWord:
				term = string(sc.word(tk))
			case tk.kind == kHan && i+1 < len(sc.toks) && sc.toks[i+1].kind == kHan && sc.toks[i+1].join:
				term = string(sc.buf[tk.s:sc.toks[i+1].e])
			}
			if tk.kind != kWord {
				prev = ""
			}
			if term == "" {
				continue
			}
			if tk.kind == kWord && utf8.RuneCountInString(term) < 3 {
				prev = "" // too short to mean anything alone (и, на, to)
				continue
			}
			if tk.kind == kWord && prev != "" {
				seen[prev+" "+term] = true
			}
			seen[term] = true
			if tk.kind == kWord {
				prev = term
			}
		}
		for k := range seen {
			df[k]++
		}
	}
	return df
}
