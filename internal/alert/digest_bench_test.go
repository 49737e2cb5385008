package alert_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"vox/internal/alert"
	"vox/internal/demo"
	"vox/internal/ingest"
	"vox/internal/store"
	"vox/internal/testutil"
)

// BenchmarkDigestBuild measures building and rendering the weekly digest of
// the demo's front-line employee (anna.smirnova, linked to employee E-101)
// on the default demo data (24 000 items over 7 months, SQLite), with 20 open
// cases owned by her: cases, NPS/CSAT against the previous week from
// rollups, and her team's praise.
//
//	go test -run '^$' -bench BenchmarkDigestBuild ./internal/alert
func BenchmarkDigestBuild(b *testing.B) {
	ctx := context.Background()
	db := testutil.SQLite(b)
	svc := alert.New(db, alert.Options{})
	db.AddFeedbackHook(svc.OnFeedback)
	now := time.Now()
	if _, err := demo.Seed(ctx, db, &ingest.Service{DB: db}, demo.Options{Seed: 1, Now: now}, nil); err != nil {
		b.Fatal(err)
	}
	ws, err := db.WorkspaceBySlug(ctx, demo.MainWorkspace)
	if err != nil {
		b.Fatal(err)
	}
	anna, err := db.UserByEmail(ctx, "anna.smirnova@vox.local")
	if err != nil {
		b.Fatal(err)
	}
	emp, err := db.EmployeeIDForUser(ctx, ws.ID, anna.ID)
	if err != nil {
		b.Fatal(err)
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		for i := range 20 {
			created := now.Add(-time.Duration(i) * 3 * time.Hour)
			if _, _, err := tx.InsertCase(ctx, store.Case{WorkspaceID: ws.ID, OwnerEmployeeID: &emp, Title: fmt.Sprintf("case %d", i),
				SLAMinutes: 24 * 60, DueAt: created.Add(24 * time.Hour), CreatedAt: created}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	d, err := svc.PreviewDigest(ctx, ws.ID, anna.ID, store.DigestWeekly)
	if err != nil || d.Cases.Open != 20 || d.KPIs[0].N == 0 {
		b.Fatalf("digest %+v %v", d.Digest, err)
	}
	b.Logf("period %s..%s: %d open cases, you NPS n=%d, workspace NPS n=%d, %d praise", d.From, d.To, d.Cases.Open,
		d.KPIs[0].N, d.KPIs[2].N, d.Praise.Total)
	for b.Loop() {
		if _, err := svc.PreviewDigest(ctx, ws.ID, anna.ID, store.DigestWeekly); err != nil {
			b.Fatal(err)
		}
	}
}
