package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"vox/internal/auth"
	"vox/internal/store"
)

// The workspace's reporting currency and exchange rates: every revenue
// figure of the API, the web UI and the reports is converted with them.
// Owners and admins only (auth.ManageSettings), and every change is audited.

var errCurrencyForbidden = &apiError{Status: http.StatusForbidden, Code: "forbidden",
	Message: "this API key's creator is not an owner or admin of the workspace; currency settings need one"}

// currencyDoc is the JSON form of the currency settings. Usage is only
// answered; a PUT may send it back, and it is ignored.
type currencyDoc struct {
	ReportingCurrency *string         `json:"reporting_currency"`
	Rates             []rateDoc       `json:"rates"`
	Usage             json.RawMessage `json:"usage,omitempty"`
}

// rateDoc is one exchange rate; valid_from is a day of the workspace's
// time zone (the rate applies from its first instant), null for a rate
// without a start date.
type rateDoc struct {
	Currency  string   `json:"currency"`
	Rate      *float64 `json:"rate"`
	ValidFrom *string  `json:"valid_from"`
}

// currencyUseDoc says how much of the workspace's data is in one currency
// and how much of it a total leaves out for want of a rate.
type currencyUseDoc struct {
	Currency                string `json:"currency"`
	Transactions            int    `json:"transactions"`
	TransactionsWithoutRate int    `json:"transactions_without_rate"`
	Customers               int    `json:"customers"`
	CustomersWithoutRate    int    `json:"customers_without_rate"`
}

func (a *API) getCurrency(w http.ResponseWriter, r *http.Request, ws int64) error {
	if err := onlyParams(r.URL.Query()); err != nil {
		return err
	}
	if _, err := keyActor(r, auth.ManageSettings, errCurrencyForbidden); err != nil {
		return err
	}
	return a.writeCurrency(w, r, ws)
}

func (a *API) writeCurrency(w http.ResponseWriter, r *http.Request, ws int64) error {
	ctx := r.Context()
	wsp, err := a.db.Workspace(ctx, ws)
	if err != nil {
		return err
	}
	loc := store.LoadLocation(wsp.Timezone)
	cs, err := a.db.CurrencySettingsOf(ctx, ws)
	if err != nil {
		return err
	}
	usage, err := a.db.CurrencyUsage(ctx, ws, time.Now())
	if err != nil {
		return err
	}
	out := struct {
		ReportingCurrency string           `json:"reporting_currency"`
		Rates             []rateDoc        `json:"rates"`
		Usage             []currencyUseDoc `json:"usage"`
	}{ReportingCurrency: cs.ReportingCurrency, Rates: []rateDoc{}, Usage: []currencyUseDoc{}}
	for _, rt := range cs.Rates {
		d := rateDoc{Currency: rt.Currency, Rate: &rt.Rate}
		if !rt.ValidFrom.IsZero() {
			day := store.DayOf(rt.ValidFrom, loc).String()
			d.ValidFrom = &day
		}
		out.Rates = append(out.Rates, d)
	}
	for _, u := range usage {
		out.Usage = append(out.Usage, currencyUseDoc(u))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) putCurrency(w http.ResponseWriter, r *http.Request, ws int64) error {
	if err := onlyParams(r.URL.Query()); err != nil {
		return err
	}
	actor, err := keyActor(r, auth.ManageSettings, errCurrencyForbidden)
	if err != nil {
		return err
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var in currencyDoc
	if err := decodeStrict(body, &in, ""); err != nil {
		return err
	}
	switch {
	case in.ReportingCurrency == nil:
		return errBadRequest("missing_field", "reporting_currency", "reporting_currency is required, e.g. \"RUB\"")
	case in.Rates == nil:
		return errBadRequest("missing_field", "rates", "rates is required: the full list, [] for none (it replaces the stored rates)")
	}
	wsp, err := a.db.Workspace(r.Context(), ws)
	if err != nil {
		return err
	}
	loc := store.LoadLocation(wsp.Timezone)
	cs := store.CurrencySettings{ReportingCurrency: *in.ReportingCurrency}
	for i, d := range in.Rates {
		field := "rates[" + strconv.Itoa(i) + "]."
		if d.Rate == nil {
			return errBadRequest("missing_field", field+"rate", "is required")
		}
		rt := store.ExchangeRate{Currency: d.Currency, Rate: *d.Rate}
		if d.ValidFrom != nil {
			day, err := store.ParseDay(*d.ValidFrom)
			if err != nil {
				return errBadRequest("invalid_value", field+"valid_from", "must be a date YYYY-MM-DD, or null for a rate without a start date")
			}
			rt.ValidFrom = day.Start(loc)
		}
		cs.Rates = append(cs.Rates, rt)
	}
	if err := a.db.SetCurrencySettings(r.Context(), ws, cs, actor); err != nil {
		var ce *store.CurrencyError
		if errors.As(err, &ce) {
			return errBadRequest("invalid_value", ce.Field, ce.Message)
		}
		return err
	}
	return a.writeCurrency(w, r, ws)
}
