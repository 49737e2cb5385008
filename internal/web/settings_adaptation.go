package web

import (
	"math"
	"net/http"
	"time"

	"vox/internal/adaptation"
	"vox/internal/store"
)

// adaptationData is the state of the workspace's sentiment adaptation: one
// row per language of the base model, with the figures of its last fit.
type adaptationData struct {
	MinLabelled, MinPerClass, HeldOutPct int
	Rows                                 []adaptationRow
}

// adaptationRow is one language. State is "active" (applied to new texts),
// "refused" (fitted or tried, not applied: Reason says why), "stale"
// (fitted on another base model, not applied until the next fit) or
// "none" (no rated text of the language yet).
type adaptationRow struct {
	Lang      string
	State     string
	Reason    string // why the fit is not applied, localized
	Examples  string // labelled texts used, formatted
	Positives string
	Negatives string
	HeldOut   string
	Base      string // held-out macro-F1 of the base model, "" when not measured
	Adapted   string // with the adjustment
	FittedAt  time.Time
}

func (s *Server) adaptationPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	fits, err := s.db.Adaptations(r.Context(), rc.Workspace.ID, false)
	if err != nil {
		return err
	}
	byLang := map[string]store.Adaptation{}
	for _, f := range fits {
		byLang[f.Lang] = f
	}
	d := adaptationData{MinLabelled: adaptation.MinLabelled, MinPerClass: adaptation.MinPerClass,
		HeldOutPct: int(math.Round(adaptation.HeldOutShare * 100))}
	for _, lang := range adaptation.Languages {
		f, ok := byLang[lang]
		d.Rows = append(d.Rows, s.adaptationRowOf(rc.L, lang, f, ok))
	}
	s.render(w, r, rc, http.StatusOK, "settings_adaptation", "settings", rc.L.T("settings.adaptation.title"), d)
	return nil
}

// adaptationRowOf describes one language's stored fit (ok false: none).
func (s *Server) adaptationRowOf(l *Localizer, lang string, f store.Adaptation, ok bool) adaptationRow {
	row := adaptationRow{Lang: lang, State: "none"}
	if !ok {
		return row
	}
	f1 := func(v float64) string { return l.printer.Sprintf("%.3f", v) }
	row.Examples, row.Positives, row.Negatives = l.Num(f.Examples), l.Num(f.Positives), l.Num(f.Negatives)
	row.FittedAt = f.FittedAt
	if f.HeldOut > 0 {
		row.HeldOut, row.Base, row.Adapted = l.Num(f.HeldOut), f1(f.ScoreBase), f1(f.ScoreAdapted)
	}
	switch {
	case s.opt.SentimentModel != "" && f.Model != s.opt.SentimentModel:
		row.State, row.Reason = "stale", l.T("settings.adaptation.reason.stale")
	case f.Active:
		row.State = "active"
	case f.Refused == store.RefusedTooFew:
		row.State = "refused"
		row.Reason = l.T("settings.adaptation.reason.too_few", row.Examples, row.Positives, row.Negatives,
			l.Num(adaptation.MinLabelled), l.Num(adaptation.MinPerClass))
	case f.Refused == store.RefusedThinSplit:
		row.State, row.Reason = "refused", l.T("settings.adaptation.reason.thin_split")
	default: // worse, or a fit stored before reasons were
		row.State, row.Reason = "refused", l.T("settings.adaptation.reason.worse", row.Adapted, row.Base)
	}
	return row
}
