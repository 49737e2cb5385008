package web

import (
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"vox/internal/store"
)

// The currency settings page: the reporting currency every revenue figure
// is shown in, the exchange rates into it (Vox has no rate feed), and which
// currencies of the workspace's data still lack a rate.

// blankRateRows is how many empty rows the rates form offers for new rates.
const blankRateRows = 3

// exchangeRow is one line of the exchange rates form, as typed.
type exchangeRow struct {
	Currency, Rate, From string
	Err                  *formError // the row's problem, if any
	Field                string     // its input at fault: currency, rate or from
}

// currencyData is the currency settings page.
type currencyData struct {
	Reporting    string
	ReportingErr *formError
	Rows         []exchangeRow
	Usage        []store.CurrencyUse
	Missing      bool // some data has no rate
	Saved        bool
}

func (s *Server) currencyPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	cs, err := s.db.CurrencySettingsOf(r.Context(), rc.Workspace.ID)
	if err != nil {
		return err
	}
	loc := workspaceLocation(rc.Workspace)
	d := currencyData{Reporting: cs.ReportingCurrency, Saved: r.URL.Query().Get("done") == "saved"}
	for _, rt := range cs.Rates {
		row := exchangeRow{Currency: rt.Currency, Rate: strconv.FormatFloat(rt.Rate, 'f', -1, 64)}
		if !rt.ValidFrom.IsZero() {
			row.From = store.DayOf(rt.ValidFrom, loc).String()
		}
		d.Rows = append(d.Rows, row)
	}
	return s.renderCurrency(w, r, rc, http.StatusOK, d)
}

func (s *Server) renderCurrency(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, d currencyData) error {
	var err error
	if d.Usage, err = s.db.CurrencyUsage(r.Context(), rc.Workspace.ID, s.now()); err != nil {
		return err
	}
	for _, u := range d.Usage {
		d.Missing = d.Missing || u.TransactionsWithoutRate > 0 || u.CustomersWithoutRate > 0
	}
	for range blankRateRows {
		d.Rows = append(d.Rows, exchangeRow{})
	}
	s.render(w, r, rc, status, "settings_currency", "settings", rc.L.T("currency.title"), d)
	return nil
}

// rateFieldRe splits a service field such as "rates[2].valid_from".
var rateFieldRe = regexp.MustCompile(`^rates\[(\d+)\]\.(\w+)$`)

// rateFieldKeys maps a rate's field to the form input and its message.
var rateFieldKeys = map[string][2]string{
	"currency":   {"currency", "currency.err.currency"},
	"rate":       {"rate", "currency.err.rate"},
	"valid_from": {"from", "currency.err.from"},
}

func (s *Server) currencySave(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := r.ParseForm(); err != nil {
		return errBadRequest
	}
	v := r.PostForm
	d := currencyData{Reporting: strings.ToUpper(strings.TrimSpace(v.Get("reporting")))}
	currencies, rates, froms := v["rate_currency"], v["rate_value"], v["rate_from"]
	if len(rates) != len(currencies) || len(froms) != len(currencies) {
		return errBadRequest
	}
	loc := workspaceLocation(rc.Workspace)
	cs := store.CurrencySettings{ReportingCurrency: d.Reporting}
	var rowOf []int // form row of each rate sent to the store
	failed := false
	for i := range currencies {
		row := exchangeRow{Currency: strings.ToUpper(strings.TrimSpace(currencies[i])), Rate: strings.TrimSpace(rates[i]),
			From: strings.TrimSpace(froms[i])}
		if row.Currency == "" && row.Rate == "" && row.From == "" {
			continue // an unused blank row, or a rate cleared to delete it
		}
		rt := store.ExchangeRate{Currency: row.Currency}
		// A decimal comma and digit grouping are how many locales type numbers.
		rate, err := strconv.ParseFloat(strings.NewReplacer(",", ".", " ", "", "\u00a0", "").Replace(row.Rate), 64)
		switch {
		case err != nil:
			row.Err, row.Field = &formError{Key: "currency.err.rate"}, "rate"
		default:
			rt.Rate = rate
		}
		if row.From != "" && row.Err == nil {
			day, err := store.ParseDay(row.From)
			if err != nil {
				row.Err, row.Field = &formError{Key: "currency.err.from"}, "from"
			} else {
				rt.ValidFrom = day.Start(loc)
			}
		}
		failed = failed || row.Err != nil
		d.Rows = append(d.Rows, row)
		rowOf = append(rowOf, len(d.Rows)-1)
		cs.Rates = append(cs.Rates, rt)
	}
	if failed {
		return s.renderCurrency(w, r, rc, http.StatusUnprocessableEntity, d)
	}
	err := s.db.SetCurrencySettings(r.Context(), rc.Workspace.ID, cs, accountActor(rc))
	var ce *store.CurrencyError
	switch {
	case errors.As(err, &ce):
		if m := rateFieldRe.FindStringSubmatch(ce.Field); m != nil {
			i, _ := strconv.Atoi(m[1])
			if keys, ok := rateFieldKeys[m[2]]; ok && i < len(rowOf) {
				row := &d.Rows[rowOf[i]]
				row.Err, row.Field = &formError{Key: keys[1], Detail: ce.Message}, keys[0]
				return s.renderCurrency(w, r, rc, http.StatusUnprocessableEntity, d)
			}
		}
		d.ReportingErr = &formError{Key: "currency.err.reporting", Detail: ce.Message}
		if ce.Field == "rates" {
			d.ReportingErr.Key = "currency.err.too_many"
		}
		return s.renderCurrency(w, r, rc, http.StatusUnprocessableEntity, d)
	case err != nil:
		return err
	}
	http.Redirect(w, r, "/settings/currency?done=saved", http.StatusSeeOther)
	return nil
}
