package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"vox/internal/store"
)

const currencyUsage = `usage:
  vox currency --workspace SLUG [--reporting CODE] [--rate CODE=RATE[@YYYY-MM-DD]]... [--clear-rates]`

// runCurrency shows a workspace's reporting currency, exchange rates and
// which currencies of its data lack a rate; --reporting and --rate change
// them (--rate flags replace every stored rate, like PUT
// /api/v1/business/currency). Changes are audited with the actor "cli".
func runCurrency(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, load := newFlags("currency", stderr)
	workspace := fs.String("workspace", "", "workspace slug")
	reporting := fs.String("reporting", "", "set the reporting currency (ISO 4217 code)")
	var rates rateFlags
	fs.Var(&rates, "rate", "CODE=RATE or CODE=RATE@YYYY-MM-DD: one unit of CODE in the reporting currency, from that local day on (repeatable; replaces all rates)")
	clear := fs.Bool("clear-rates", false, "delete every rate")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 || *workspace == "" || (*clear && len(rates) > 0) {
		return errors.New(currencyUsage)
	}
	e, ws, err := openWorkspace(ctx, load, *workspace)
	if err != nil {
		return err
	}
	defer e.db.Close()
	loc := store.LoadLocation(ws.Timezone)
	cs, err := e.db.CurrencySettingsOf(ctx, ws.ID)
	if err != nil {
		return err
	}
	if *reporting != "" || len(rates) > 0 || *clear {
		if *reporting != "" {
			cs.ReportingCurrency = strings.ToUpper(*reporting)
		}
		if len(rates) > 0 || *clear {
			cs.Rates = nil
			for _, r := range rates {
				rate := store.ExchangeRate{Currency: r.currency, Rate: r.rate}
				if r.from != nil {
					rate.ValidFrom = r.from.Start(loc)
				}
				cs.Rates = append(cs.Rates, rate)
			}
		}
		if err := e.db.SetCurrencySettings(ctx, ws.ID, cs, store.AuditActor{Name: "cli"}); err != nil {
			return err
		}
		if cs, err = e.db.CurrencySettingsOf(ctx, ws.ID); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "%s: revenue is reported in %s\n", ws.Slug, cs.ReportingCurrency)
	for _, r := range cs.Rates {
		from := ""
		if !r.ValidFrom.IsZero() {
			from = " from " + store.DayOf(r.ValidFrom, loc).String()
		}
		fmt.Fprintf(stdout, "  1 %s = %s %s%s\n", r.Currency, strconv.FormatFloat(r.Rate, 'f', -1, 64), cs.ReportingCurrency, from)
	}
	usage, err := e.db.CurrencyUsage(ctx, ws.ID, time.Now())
	if err != nil {
		return err
	}
	for _, u := range usage {
		fmt.Fprintf(stdout, "  %s: %d transactions (%d without a rate), %d annual revenues (%d without a rate today)\n",
			u.Currency, u.Transactions, u.TransactionsWithoutRate, u.Customers, u.CustomersWithoutRate)
	}
	return nil
}

// rateFlag is one --rate CODE=RATE[@YYYY-MM-DD].
type rateFlag struct {
	currency string
	rate     float64
	from     *store.Day
}

// rateFlags collects repeated --rate flags.
type rateFlags []rateFlag

func (r *rateFlags) String() string { return fmt.Sprint(len(*r), " rates") }

func (r *rateFlags) Set(v string) error {
	code, rest, ok := strings.Cut(v, "=")
	value, day, dated := strings.Cut(rest, "@")
	rate, err := strconv.ParseFloat(value, 64)
	if !ok || err != nil {
		return errors.New("must be CODE=RATE or CODE=RATE@YYYY-MM-DD, e.g. USD=92.5@2025-03-01")
	}
	f := rateFlag{currency: strings.ToUpper(code), rate: rate}
	if dated {
		d, err := store.ParseDay(day)
		if err != nil {
			return errors.New("the date after @ must be YYYY-MM-DD")
		}
		f.from = &d
	}
	*r = append(*r, f)
	return nil
}

var _ flag.Value = (*rateFlags)(nil)
