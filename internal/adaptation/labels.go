// Package adaptation fits each workspace's sentiment adjustment from its own
// rated answers (weak supervision: a promoter's comment is positive, a
// detractor's negative), checks it on the workspace's newest answers and
// activates it only when it does not do worse than the base model. Fits run
// daily from `vox serve` (a durable job) and on demand from `vox reanalyze
// --adapt`; ingest applies the active ones (ingest.AdaptedAnalyzer).
package adaptation

import "vox/internal/store"

// Weak labels.
const (
	Positive = "positive"
	Negative = "negative"
)

// Label returns the weak sentiment label of a rated answer: NPS 9-10 and
// CSAT 4-5 (of 5) or 9-10 (of 10) are positive; NPS 0-6 and CSAT 1-2 (of 5)
// or 1-4 (of 10) negative. Passives, middling CSAT and answers whose ratings
// disagree return "": they carry too little signal to learn from.
func Label(nps, csat, csatScale *int) string {
	var labels []string
	if nps != nil {
		labels = append(labels, npsLabel(*nps))
	}
	if csat != nil {
		scale := 5
		if csatScale != nil {
			scale = *csatScale
		}
		labels = append(labels, csatLabel(*csat, scale))
	}
	if len(labels) == 0 {
		return ""
	}
	for _, l := range labels[1:] {
		if l != labels[0] {
			return ""
		}
	}
	return labels[0]
}

func npsLabel(s int) string {
	switch {
	case s >= 9 && s <= 10:
		return Positive
	case s >= 0 && s <= 6:
		return Negative
	}
	return ""
}

func csatLabel(s, scale int) string {
	switch scale {
	case 5:
		switch {
		case s >= 4 && s <= 5:
			return Positive
		case s >= 1 && s <= 2:
			return Negative
		}
	case 10:
		switch {
		case s >= 9 && s <= 10:
			return Positive
		case s >= 1 && s <= 4:
			return Negative
		}
	}
	return ""
}

// labelOf is Label of a stored rated text.
func labelOf(r store.RatedText) string { return Label(r.NPS, r.CSAT, r.CSATScale) }
