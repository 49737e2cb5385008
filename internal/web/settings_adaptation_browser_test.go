package web

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"vox/internal/adaptation"
	"vox/internal/analytics"
	"vox/internal/demo"
	"vox/internal/ingest"
	"vox/internal/store"
	"vox/internal/testutil"
)

// TestAdaptationPageBrowser fits the demo workspace's adaptation from its
// own rated answers with the real service, then opens the settings page in
// headless Chromium: one row per language, each showing what was stored.
func TestAdaptationPageBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test in -short mode")
	}
	br := testutil.NewBrowser(t)
	s := newDemoSite(t)
	ctx := context.Background()
	base, err := analytics.New()
	if err != nil {
		t.Fatal(err)
	}
	res, err := adaptation.New(s.db, ingest.NewAdaptedAnalyzer(base, s.db), nil).Fit(ctx, s.ws.ID)
	if err != nil {
		t.Fatal(err)
	}
	fits, err := s.db.Adaptations(ctx, s.ws.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("demo fit: %d rated, %+v", res.Rated, res.Langs)
	b := br.For(t)
	s.login(b, demo.OwnerEmail)
	s.open(b, "/settings/adaptation?lang=en")
	if n := testutil.Eval[int](b, `document.querySelectorAll("table.adaptation tbody tr").length`); n != len(adaptation.Languages) {
		t.Fatalf("%d language rows", n)
	}
	for _, f := range fits {
		row := testutil.Eval[string](b, `document.querySelector('tr[data-lang="`+f.Lang+`"]').textContent`)
		want := "not applied"
		if f.Active {
			want = "active"
		}
		switch {
		case !strings.Contains(row, want):
			t.Errorf("%s row %q lacks %q: %+v", f.Lang, row, want, f)
		case f.Active && !strings.Contains(row, fmt.Sprintf("%.3f", f.ScoreAdapted)):
			t.Errorf("%s row %q lacks the adapted score: %+v", f.Lang, row, f)
		case f.Refused == store.RefusedTooFew && !strings.Contains(row, "a fit needs 200"):
			t.Errorf("%s row %q does not say why: %+v", f.Lang, row, f)
		}
	}
	b.Screenshot("settings-adaptation")
	s.open(b, "/settings/adaptation?lang=zh")
	b.Screenshot("settings-adaptation-zh")
}
