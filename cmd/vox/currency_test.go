package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vox/internal/store"
)

// TestCurrencyCommand shows the default, sets the reporting currency and
// dated rates, refuses bad flags and clears the rates.
func TestCurrencyCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "vox.db")
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	ws, err := db.CreateWorkspace(ctx, "shop", "Shop", "Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	cust, err := db.UpsertCustomer(ctx, ws.ID, store.CustomerInput{Identities: []store.Identity{{Kind: "email", Value: "a@x.test"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.InsertTransactions(ctx, ws.ID, []store.Transaction{
		{CustomerID: cust, Amount: 10, Currency: "RUB", OccurredAt: time.Now()}, {CustomerID: cust, Amount: 1, Currency: "USD", OccurredAt: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	vox := func(args ...string) (string, int) {
		var out, errOut bytes.Buffer
		code := run(ctx, append([]string{"currency", "--db", path, "--data-dir", dir, "--log-level", "warn", "--workspace", "shop"}, args...), &out, &errOut)
		return out.String() + errOut.String(), code
	}
	if out, code := vox(); code != 0 || !strings.Contains(out, "reported in RUB") || !strings.Contains(out, "USD: 1 transactions (1 without a rate)") {
		t.Errorf("show: %d %s", code, out)
	}
	out, code := vox("--rate", "usd=90", "--rate", "USD=100@2025-03-01")
	if code != 0 || !strings.Contains(out, "1 USD = 90 RUB\n") || !strings.Contains(out, "1 USD = 100 RUB from 2025-03-01") ||
		!strings.Contains(out, "USD: 1 transactions (0 without a rate)") {
		t.Errorf("set rates: %d %s", code, out)
	}
	for _, bad := range [][]string{{"--rate", "USD"}, {"--rate", "USD=x"}, {"--rate", "USD=1@March"}, {"--rate", "USD=-1"}, {"--reporting", "USD"},
		{"--clear-rates", "--rate", "USD=1"}} {
		if out, code := vox(bad...); code == 0 {
			t.Errorf("%v accepted: %s", bad, out)
		}
	}
	if out, code := vox("--clear-rates", "--reporting", "usd"); code != 0 || !strings.Contains(out, "reported in USD") || strings.Contains(out, "1 USD") {
		t.Errorf("clear: %d %s", code, out)
	}
}
