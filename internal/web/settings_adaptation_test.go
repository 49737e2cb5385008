package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"vox/internal/store"
)

// sampleAdaptation fills every state of the adaptation page for the
// template coverage test.
func sampleAdaptation() adaptationData {
	at := time.Date(2026, 5, 14, 3, 0, 0, 0, time.UTC)
	return adaptationData{MinLabelled: 200, MinPerClass: 50, HeldOutPct: 20, Rows: []adaptationRow{
		{Lang: "ru", State: "active", Examples: "1 796", Positives: "515", Negatives: "1 281", HeldOut: "359", Base: "0.484", Adapted: "0.750", FittedAt: at},
		{Lang: "zh", State: "refused", Reason: "120 labelled texts", Examples: "120", Positives: "100", Negatives: "20", FittedAt: at},
		{Lang: "en", State: "none"}}}
}

// TestAdaptationPage checks the settings page shows, per language, whether
// the workspace's fit is applied, its figures and why one is not — from
// this workspace's fits only — and that only owners and admins open it.
func TestAdaptationPage(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.srv.opt.SentimentModel = "m20-current"
	at := time.Date(2026, 5, 14, 3, 0, 0, 0, time.UTC)
	for _, a := range []store.Adaptation{
		{WorkspaceID: f.wsA.ID, Lang: "ru", Model: "m20-current", Adjustment: `{"version":1}`, Examples: 1796, Positives: 515,
			Negatives: 1281, HeldOut: 359, ScoreBase: 0.4841, ScoreAdapted: 0.7503, Active: true, FittedAt: at},
		{WorkspaceID: f.wsA.ID, Lang: "zh", Model: "m20-current", Examples: 120, Positives: 100, Negatives: 20,
			FittedAt: at, Refused: store.RefusedTooFew},
		{WorkspaceID: f.wsA.ID, Lang: "en", Model: "m20-current", Examples: 900, Positives: 400, Negatives: 500, HeldOut: 180,
			ScoreBase: 0.91, ScoreAdapted: 0.87, FittedAt: at, Refused: store.RefusedWorse},
		{WorkspaceID: f.wsB.ID, Lang: "ru", Model: "m20-old", Adjustment: `{"version":1}`, Examples: 4242, Positives: 2000,
			Negatives: 2242, HeldOut: 848, ScoreBase: 0.6, ScoreAdapted: 0.7, Active: true, FittedAt: at},
	} {
		if err := f.db.SaveAdaptation(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	c := f.settingsAs("admin")
	res := c.get("/settings/adaptation")
	wantStatus(t, res, http.StatusOK)
	body := res.Body
	row := func(lang string) string {
		i := strings.Index(body, `data-lang="`+lang+`"`)
		if i < 0 {
			t.Fatalf("no %s row:\n%s", lang, body)
		}
		return body[i : i+strings.Index(body[i:], "</tr>")]
	}
	mustContain(t, row("ru"), ">active<", "1,796 (515 positive, 1,281 negative)", ">359<", "0.484", "0.750", `datetime="2026-05-14T03:00:00Z"`)
	mustContain(t, row("zh"), ">not applied<", "120 labelled texts (100 positive, 20 negative); a fit needs 200, with at least 50 of each.")
	mustContain(t, row("en"), ">not applied<", "the adjusted model scored 0.870 against 0.910 for the base model")
	mustNotContain(t, body, "4,242") // Globex's fit

	// In Russian, the labels and reasons are translated.
	ru := c.get("/settings/adaptation?lang=ru").Body
	mustContain(t, ru, "Адаптация тональности", "действует", "не применяется", "нужно 200, из них не меньше 50 каждого вида")

	// The index links to it.
	mustContain(t, c.get("/settings").Body, `href="/settings/adaptation"`)
	for _, role := range []string{store.RoleManager, store.RoleAgent, store.RoleViewer, store.RoleEmployee} {
		if res := f.settingsAs(role).get("/settings/adaptation"); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s GET /settings/adaptation: %d", role, res.StatusCode)
		}
	}
}

// TestAdaptationRowStale checks a fit of another base model is shown as
// not applied, with the reason, whatever its stored state.
func TestAdaptationRowStale(t *testing.T) {
	f := newFixture(t)
	f.srv.opt.SentimentModel = "m20-current"
	l := f.srv.cat.localizer("en", time.UTC)
	row := f.srv.adaptationRowOf(l, "ru", store.Adaptation{Lang: "ru", Model: "m20-old", Active: true, Examples: 300, HeldOut: 60}, true)
	if row.State != "stale" || !strings.Contains(row.Reason, "earlier base model") {
		t.Fatalf("stale fit: %+v", row)
	}
	if row := f.srv.adaptationRowOf(l, "zh", store.Adaptation{}, false); row.State != "none" || row.Examples != "" {
		t.Fatalf("no fit: %+v", row)
	}
}
