package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A workspace reports revenue in one currency. Its transactions (and its
// customers' annual revenues) may be in others: each is converted with the
// workspace's own exchange rates where the revenue is summed, and amounts
// in a currency without a rate are left out and counted, never summed as
// if they were in the reporting currency.

// DefaultReportingCurrency is the reporting currency of a workspace that
// has neither chosen one nor stored a transaction.
const DefaultReportingCurrency = "USD"

// MaxExchangeRates bounds a workspace's rates.
const MaxExchangeRates = 1000

// undatedFrom is the valid_from of a rate without a start date: before any
// transaction. Not math.MinInt64, whose literal is not a BIGINT in SQL.
const undatedFrom int64 = math.MinInt64 + 1

// ratePeriods is a WITH clause naming, for one workspace, the rate that
// converts each currency into the reporting currency over each span of
// time: rate_periods(currency, rate, valid_from, valid_to), to be joined
// with valid_from <= t < valid_to. A rate holds until the next rate of its
// currency starts; the reporting currency converts at 1 over all time.
// Its two arguments are the workspace id, twice. MATERIALIZED: without
// statistics PostgreSQL otherwise re-ran the window function for every
// transaction it joined (a revenue query took 4× a raw sum; now 2×).
var ratePeriods = `WITH reporting AS (
		SELECT COALESCE((SELECT reporting_currency FROM currency_settings WHERE workspace_id = ?), '` + DefaultReportingCurrency + `') AS currency
	), rate_periods AS MATERIALIZED (
		SELECT currency, rate, valid_from,
			COALESCE(LEAD(valid_from) OVER (PARTITION BY currency ORDER BY valid_from), ` + strconv.FormatInt(math.MaxInt64, 10) + `) AS valid_to
		FROM exchange_rates WHERE workspace_id = ? AND currency <> (SELECT currency FROM reporting)
		UNION ALL
		SELECT currency, 1.0, ` + strconv.FormatInt(undatedFrom, 10) + `, ` + strconv.FormatInt(math.MaxInt64, 10) + ` FROM reporting
	)`

// rateAt is the join condition that finds a transaction's rate: that of its
// currency whose span holds its time. No row: the currency has no rate then.
const rateAt = `r.currency = t.currency AND r.valid_from <= t.occurred_at AND t.occurred_at < r.valid_to`

// ValidCurrency reports whether code has the form of an ISO 4217 code:
// three upper-case Latin letters.
func ValidCurrency(code string) bool {
	if len(code) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if code[i] < 'A' || code[i] > 'Z' {
			return false
		}
	}
	return true
}

// ExchangeRate says what one unit of Currency is worth in the reporting
// currency from ValidFrom on (zero ValidFrom: no start date).
type ExchangeRate struct {
	Currency  string
	Rate      float64
	ValidFrom time.Time
}

// CurrencySettings are a workspace's reporting currency and exchange rates,
// rates ordered by currency and then start (the undated one first).
type CurrencySettings struct {
	ReportingCurrency string
	Rates             []ExchangeRate
}

// RateAt returns the rate of currency at t and whether there is one: 1 for
// the reporting currency, else the newest rate that started by t.
func (cs CurrencySettings) RateAt(currency string, t time.Time) (float64, bool) {
	if currency == cs.ReportingCurrency {
		return 1, true
	}
	rate, ok := 0.0, false
	for _, r := range cs.Rates {
		if r.Currency == currency && !r.ValidFrom.After(t) {
			rate, ok = r.Rate, true // later starts come later
		}
	}
	return rate, ok
}

// ErrBadCurrency is returned (as a *CurrencyError) for currency settings
// that cannot be saved.
var ErrBadCurrency = errors.New("invalid currency settings")

// CurrencyError names the field of currency settings at fault:
// "reporting_currency", "rates" or "rates[i].currency|rate|valid_from".
type CurrencyError struct {
	Field, Message string
}

func (e *CurrencyError) Error() string {
	return "invalid currency settings: " + e.Field + ": " + e.Message
}

// Is makes errors.Is(err, ErrBadCurrency) true.
func (e *CurrencyError) Is(target error) bool { return target == ErrBadCurrency }

// Validate checks the settings as SetCurrencySettings would store them.
func (cs CurrencySettings) Validate() error {
	const codeMsg = "must be an ISO 4217 code: three upper-case letters such as RUB"
	if !ValidCurrency(cs.ReportingCurrency) {
		return &CurrencyError{Field: "reporting_currency", Message: codeMsg}
	}
	if len(cs.Rates) > MaxExchangeRates {
		return &CurrencyError{Field: "rates", Message: fmt.Sprintf("at most %d rates", MaxExchangeRates)}
	}
	type key struct {
		currency string
		from     int64
	}
	seen := map[key]bool{}
	for i, r := range cs.Rates {
		field := fmt.Sprintf("rates[%d].", i)
		switch {
		case !ValidCurrency(r.Currency):
			return &CurrencyError{Field: field + "currency", Message: codeMsg}
		case r.Currency == cs.ReportingCurrency:
			return &CurrencyError{Field: field + "currency", Message: "is the reporting currency, which always converts at 1"}
		case !(r.Rate > 0) || math.IsInf(r.Rate, 1):
			return &CurrencyError{Field: field + "rate", Message: "must be a positive number: units of the reporting currency per unit of " + r.Currency}
		}
		k := key{r.Currency, rateFrom(r.ValidFrom)}
		if seen[k] {
			msg := "another rate of " + r.Currency + " starts at the same time"
			if r.ValidFrom.IsZero() {
				msg = "another rate of " + r.Currency + " has no start date"
			}
			return &CurrencyError{Field: field + "valid_from", Message: msg}
		}
		seen[k] = true
	}
	return nil
}

func rateFrom(t time.Time) int64 {
	if t.IsZero() {
		return undatedFrom
	}
	return t.UnixMilli()
}

// CurrencySettingsOf returns the workspace's reporting currency and rates.
// A workspace that never chose a currency reports in the one its first
// transactions chose, else in DefaultReportingCurrency.
func (db *DB) CurrencySettingsOf(ctx context.Context, workspaceID int64) (CurrencySettings, error) {
	return currencySettings(ctx, db.query, workspaceID)
}

// currencySettings is CurrencySettingsOf through query, so that the writer
// can read them inside its transaction (rules compare converted revenue).
func currencySettings(ctx context.Context, query func(context.Context, string, ...any) (*sql.Rows, error),
	workspaceID int64) (CurrencySettings, error) {
	cs := CurrencySettings{ReportingCurrency: DefaultReportingCurrency, Rates: []ExchangeRate{}}
	rows, err := query(ctx, `SELECT reporting_currency FROM currency_settings WHERE workspace_id = ?`, workspaceID)
	if err != nil {
		return cs, fmt.Errorf("currency settings: %w", err)
	}
	for rows.Next() {
		if err := rows.Scan(&cs.ReportingCurrency); err != nil {
			rows.Close()
			return cs, fmt.Errorf("currency settings: %w", err)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return cs, fmt.Errorf("currency settings: %w", err)
	}
	rows, err = query(ctx, `SELECT currency, rate, valid_from FROM exchange_rates WHERE workspace_id = ?
		ORDER BY currency, valid_from`, workspaceID)
	if err != nil {
		return cs, fmt.Errorf("exchange rates: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r ExchangeRate
		var from int64
		if err := rows.Scan(&r.Currency, &r.Rate, &from); err != nil {
			return cs, fmt.Errorf("exchange rates: %w", err)
		}
		if from != undatedFrom {
			r.ValidFrom = fromMillis(from)
		}
		cs.Rates = append(cs.Rates, r)
	}
	return cs, rows.Err()
}

// SetCurrencySettings replaces the workspace's reporting currency and all
// its rates (rates are relative to the reporting currency, so the two
// change together) and records the change in the audit log.
func (db *DB) SetCurrencySettings(ctx context.Context, workspaceID int64, cs CurrencySettings, actor AuditActor) error {
	if err := cs.Validate(); err != nil {
		return err
	}
	now := time.Now().UnixMilli()
	err := db.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `INSERT INTO currency_settings (workspace_id, reporting_currency, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (workspace_id) DO UPDATE SET reporting_currency = excluded.reporting_currency, updated_at = excluded.updated_at`,
			workspaceID, cs.ReportingCurrency, now); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM exchange_rates WHERE workspace_id = ?`, workspaceID); err != nil {
			return err
		}
		for start := 0; start < len(cs.Rates); start += rowsPerInsert {
			end := min(start+rowsPerInsert, len(cs.Rates))
			rows := make([]string, 0, end-start)
			args := make([]any, 0, (end-start)*4)
			for _, r := range cs.Rates[start:end] {
				rows = append(rows, "(?, ?, ?, ?)")
				args = append(args, workspaceID, r.Currency, rateFrom(r.ValidFrom), r.Rate)
			}
			if _, err := tx.exec(ctx, `INSERT INTO exchange_rates (workspace_id, currency, valid_from, rate) VALUES `+
				strings.Join(rows, ","), args...); err != nil {
				return err
			}
		}
		return tx.audit(ctx, actor.entry(workspaceID, "currency.update", "workspace", workspaceID,
			map[string]any{"reporting_currency": cs.ReportingCurrency, "rates": len(cs.Rates)}))
	})
	if err != nil {
		return fmt.Errorf("set currency settings: %w", err)
	}
	return nil
}

// chooseReportingCurrency makes the currency most of txs are in the
// workspace's reporting currency, unless it already has one: a workspace
// that bills in one currency then never needs to set it.
func (tx *Tx) chooseReportingCurrency(ctx context.Context, workspaceID int64, txs []Transaction) error {
	counts := map[string]int{}
	for _, t := range txs {
		counts[t.Currency]++
	}
	best := ""
	for c, n := range counts {
		if best == "" || n > counts[best] || (n == counts[best] && c < best) {
			best = c
		}
	}
	if !ValidCurrency(best) {
		return nil
	}
	_, err := tx.exec(ctx, `INSERT INTO currency_settings (workspace_id, reporting_currency, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (workspace_id) DO NOTHING`, workspaceID, best, time.Now().UnixMilli())
	return err
}

// CurrencyUse is what a workspace holds in one currency and how much of it
// has no rate into the reporting currency.
type CurrencyUse struct {
	Currency                string
	Transactions            int
	TransactionsWithoutRate int
	Customers               int // with an annual revenue in this currency
	CustomersWithoutRate    int // of those, whose currency has no rate now
}

// CurrencyUsage lists the currencies of the workspace's transactions and
// customers' annual revenues, with what lacks a rate (customers' annual
// revenue is converted at the rate of now). It reads every transaction of
// the workspace: a settings page, not a dashboard.
func (db *DB) CurrencyUsage(ctx context.Context, workspaceID int64, now time.Time) ([]CurrencyUse, error) {
	byCurrency := map[string]*CurrencyUse{}
	get := func(c string) *CurrencyUse {
		if byCurrency[c] == nil {
			byCurrency[c] = &CurrencyUse{Currency: c}
		}
		return byCurrency[c]
	}
	rows, err := db.query(ctx, ratePeriods+` SELECT t.currency, COUNT(*), SUM(CASE WHEN r.rate IS NULL THEN 1 ELSE 0 END)
		FROM transactions t LEFT JOIN rate_periods r ON `+rateAt+`
		WHERE t.workspace_id = ? GROUP BY t.currency`, workspaceID, workspaceID, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("currency usage: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c string
		var n, missing int
		if err := rows.Scan(&c, &n, &missing); err != nil {
			return nil, fmt.Errorf("currency usage: %w", err)
		}
		u := get(c)
		u.Transactions, u.TransactionsWithoutRate = n, missing
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("currency usage: %w", err)
	}
	rows.Close()

	at := now.UnixMilli()
	crows, err := db.query(ctx, ratePeriods+` SELECT `+revenueCurrency+`, COUNT(*), SUM(CASE WHEN r.rate IS NULL THEN 1 ELSE 0 END)
		FROM customers c LEFT JOIN rate_periods r ON `+revenueRateAt+`
		WHERE c.workspace_id = ? AND c.merged_into_id IS NULL AND c.annual_revenue <> 0 GROUP BY 1`,
		workspaceID, workspaceID, at, at, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("currency usage: %w", err)
	}
	defer crows.Close()
	for crows.Next() {
		var c string
		var n, missing int
		if err := crows.Scan(&c, &n, &missing); err != nil {
			return nil, fmt.Errorf("currency usage: %w", err)
		}
		u := get(c)
		u.Customers, u.CustomersWithoutRate = n, missing
	}
	if err := crows.Err(); err != nil {
		return nil, fmt.Errorf("currency usage: %w", err)
	}
	out := make([]CurrencyUse, 0, len(byCurrency))
	for _, u := range byCurrency {
		out = append(out, *u)
	}
	slices.SortFunc(out, func(a, b CurrencyUse) int { return strings.Compare(a.Currency, b.Currency) })
	return out, nil
}

// revenueCurrency is the currency of a customer c's annual revenue: its
// own, or the reporting currency when blank.
const revenueCurrency = `CASE WHEN c.annual_revenue_currency = '' THEN (SELECT currency FROM reporting) ELSE c.annual_revenue_currency END`

// revenueRateAt finds the rate of a customer's annual revenue at an
// instant (the two arguments): annual revenue is a figure of now, so it
// converts at today's rate rather than at any transaction's.
const revenueRateAt = `r.currency = ` + revenueCurrency + ` AND r.valid_from <= ? AND ? < r.valid_to`
