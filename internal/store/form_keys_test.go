package store_test

import (
	"context"
	"testing"
	"time"

	"vox/internal/store"
	"vox/internal/testutil"
)

func TestFormKeys(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, b := mustWorkspace(t, db, "a"), mustWorkspace(t, db, "b")
		now := time.Now()
		claim := func(ws int64, want bool) {
			t.Helper()
			if ok, err := db.ClaimFormKey(ctx, ws, "k1", now); err != nil || ok != want {
				t.Fatalf("claim in %d = %v, %v; want %v", ws, ok, err, want)
			}
		}
		claim(a.ID, true)
		claim(a.ID, false) // a replay
		claim(b.ID, true)  // keys are per workspace
		if err := db.ReleaseFormKey(ctx, a.ID, "k1"); err != nil {
			t.Fatal(err)
		}
		claim(a.ID, true)
		claim(b.ID, false) // releasing in a did not touch b
	})
}
