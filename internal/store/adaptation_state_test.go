package store_test

import (
	"context"
	"testing"
	"time"

	"vox/internal/store"
	"vox/internal/testutil"
)

// TestAdaptationStateRoundTrip checks the housekeeping columns of
// 016_adaptation_state.sql: the data fingerprint and the refusal reason are
// stored, replaced by the next fit, and scoped to the workspace.
func TestAdaptationStateRoundTrip(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, b := mustWorkspace(t, db, "a"), mustWorkspace(t, db, "b")
		at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		zh := store.Adaptation{WorkspaceID: a.ID, Lang: "zh", Model: "m20-1", Examples: 120, Positives: 100, Negatives: 20,
			FittedAt: at, Data: "fit1:120:00000000000000aa", Refused: store.RefusedTooFew}
		if err := db.SaveAdaptation(ctx, zh); err != nil {
			t.Fatal(err)
		}
		if got, err := db.Adaptations(ctx, a.ID, false); err != nil || len(got) != 1 || got[0] != zh {
			t.Fatalf("stored: %+v %v", got, err)
		}
		zh2 := zh
		zh2.Examples, zh2.Data, zh2.Refused, zh2.Active, zh2.Adjustment = 400, "fit1:400:00000000000000bb", "", true, `{"version":1}`
		if err := db.SaveAdaptation(ctx, zh2); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.Adaptations(ctx, a.ID, true); len(got) != 1 || got[0] != zh2 {
			t.Fatalf("after refit: %+v", got)
		}
		if got, _ := db.Adaptations(ctx, b.ID, false); len(got) != 0 {
			t.Fatalf("workspace b sees a's fit: %+v", got)
		}
	})
}
