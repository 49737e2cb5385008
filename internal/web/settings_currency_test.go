package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"vox/internal/store"
)

// currencySampleData gives TestEveryTemplateRenders the currency page with
// a row error, a reporting-currency error and a currency without a rate.
func currencySampleData() map[string]any {
	return map[string]any{
		"settings_currency": currencyData{Reporting: "RUB", ReportingErr: &formError{Key: "currency.err.reporting", Detail: "bad"},
			Rows: []exchangeRow{{Currency: "USD", Rate: "92.5"}, {Currency: "USD", Rate: "84", From: "2026-03-01"},
				{Currency: "CNY", Rate: "-1", Field: "rate", Err: &formError{Key: "currency.err.rate"}}, {}},
			Usage: []store.CurrencyUse{{Currency: "KZT", Transactions: 12, TransactionsWithoutRate: 12, Customers: 3, CustomersWithoutRate: 3},
				{Currency: "RUB", Transactions: 4000, Customers: 300}},
			Missing: true, Saved: true},
	}
}

// TestCurrencySettingsPage sets the reporting currency and rates through
// the form: a bad rate shows on its row and saves nothing, a good form
// replaces the rates (blank rows ignored), the usage table counts what has
// no rate, only owners and admins get in, and the other workspace is
// untouched.
func TestCurrencySettingsPage(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cust, err := f.db.UpsertCustomer(ctx, f.wsA.ID, store.CustomerInput{
		Identities: []store.Identity{{Kind: store.IdentityEmail, Value: "kz@example.com"}}})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC)
	if _, err := f.db.InsertTransactions(ctx, f.wsA.ID, []store.Transaction{
		{CustomerID: cust, Amount: 100, Currency: "RUB", OccurredAt: at}, {CustomerID: cust, Amount: 200, Currency: "RUB", OccurredAt: at},
		{CustomerID: cust, Amount: 5000, Currency: "KZT", OccurredAt: at}}); err != nil {
		t.Fatal(err)
	}

	for _, role := range []string{"manager", "agent", "viewer", "employee"} {
		c := f.loggedIn(role)
		if res := c.get("/settings/currency"); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s opened the currency page: %d", role, res.StatusCode)
		}
		if res := c.post("/settings/currency", url.Values{"reporting": {"USD"}, "csrf": {csrfFrom(t, c.get("/").Body)}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s saved currency settings: %d", role, res.StatusCode)
		}
	}

	c := f.loggedIn("admin")
	mustContain(t, c.get("/settings?lang=en").Body, `href="/settings/currency"`)
	// The first transactions chose the reporting currency; KZT has no rate.
	page := c.get("/settings/currency?lang=en").Body
	mustContain(t, page, `id="reporting" name="reporting" value="RUB"`, `<tr data-currency="KZT"><th scope="row">KZT</th><td class="num">1</td>
      <td class="num bad">1</td>`, `id="missing-rates"`)

	form := func(reporting string, rows ...[3]string) url.Values {
		v := url.Values{"reporting": {reporting}}
		for _, r := range rows {
			v.Add("rate_currency", r[0])
			v.Add("rate_value", r[1])
			v.Add("rate_from", r[2])
		}
		return v
	}
	res := c.postForm("/settings/currency", "/settings/currency?lang=en", form("rub", [3]string{"kzt", "0,2", ""}, [3]string{"USD", "-5", ""}, [3]string{"", "", ""}))
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, `name="rate_value" value="-5" inputmode="decimal" size="12" aria-label="1 unit = … RUB 1" aria-invalid="true"`) {
		t.Fatalf("a negative rate: %d\n%s", res.StatusCode, res.Body)
	}
	res = c.postForm("/settings/currency", "/settings/currency?lang=en", form("RUB", [3]string{"KZT", "abc", ""}))
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, `value="abc"`) {
		t.Fatalf("a rate that is no number: %d", res.StatusCode)
	}
	res = c.postForm("/settings/currency", "/settings/currency?lang=en", form("RU"))
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, `aria-describedby="reporting-err"`) {
		t.Fatalf("a two-letter reporting currency: %d", res.StatusCode)
	}
	if cs, _ := f.db.CurrencySettingsOf(ctx, f.wsA.ID); len(cs.Rates) != 0 {
		t.Fatalf("a refused form saved rates: %+v", cs)
	}

	res = c.postForm("/settings/currency", "/settings/currency?lang=en",
		form("rub", [3]string{"kzt", "0,2", ""}, [3]string{"USD", "90", "2026-01-01"}, [3]string{"", "", ""}))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", res.StatusCode, res.Body)
	}
	cs, err := f.db.CurrencySettingsOf(ctx, f.wsA.ID)
	wantFrom := time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("MSK", 3*3600))
	if err != nil || cs.ReportingCurrency != "RUB" || len(cs.Rates) != 2 || cs.Rates[0] != (store.ExchangeRate{Currency: "KZT", Rate: 0.2}) ||
		cs.Rates[1].Currency != "USD" || cs.Rates[1].Rate != 90 || !cs.Rates[1].ValidFrom.Equal(wantFrom) {
		t.Fatalf("saved %+v, %v", cs, err)
	}
	page = c.get("/settings/currency?done=saved&lang=en").Body
	mustContain(t, page, "Currency settings saved", `value="2026-01-01"`, `value="0.2"`, "Every transaction and annual revenue converts")
	mustNotContain(t, page, `id="missing-rates"`)
	if cs, _ := f.db.CurrencySettingsOf(ctx, f.wsB.ID); len(cs.Rates) != 0 || cs.ReportingCurrency != store.DefaultReportingCurrency {
		t.Errorf("the other workspace changed: %+v", cs)
	}
}
