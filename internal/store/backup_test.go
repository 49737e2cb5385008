package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"vox/internal/store"
	"vox/internal/testutil"
)

// TestBackup copies a SQLite database while items are being written: the copy
// opens, migrates as up to date, and holds a consistent prefix of the writes
// (every item with its rollups). PostgreSQL refuses with a pointer to pg_dump.
func TestBackup(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		path := filepath.Join(t.TempDir(), "backup.db")
		if db.Dialect == store.Postgres {
			if err := db.Backup(ctx, path); !errors.Is(err, store.ErrBackupPostgres) {
				t.Fatalf("backup on PostgreSQL: %v", err)
			}
			return
		}
		ws := mustWorkspace(t, db, "a")
		write := func(i int) {
			nps := i % 11
			if _, err := db.InsertFeedback(ctx, ws.ID, []store.NewFeedback{{Item: store.FeedbackItem{Kind: "survey_response",
				Channel: "web", Text: "ok", NPS: &nps, OccurredAt: time.Now()}}}, nil); err != nil {
				t.Error(err)
			}
		}
		for i := 0; i < 50; i++ {
			write(i)
		}
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { // writes go on during the backup
			defer wg.Done()
			for i := 0; i < 200; i++ {
				write(i)
			}
		}()
		err := db.Backup(ctx, path)
		wg.Wait()
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Backup(ctx, path); err == nil {
			t.Fatal("a backup overwrote an existing file")
		}
		cp, err := store.Open(ctx, path, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer cp.Close()
		if applied, err := cp.Migrate(ctx); err != nil || len(applied) != 0 {
			t.Fatalf("the copy is not up to date: %v, %v", applied, err)
		}
		items, err := cp.CountRows(ctx, "feedback_items", ws.ID)
		if err != nil || items < 50 || items > 250 {
			t.Fatalf("items in the copy: %d, %v", items, err)
		}
		var counted int64
		if err := cp.ScanQuery(ctx, `SELECT COALESCE(SUM(items), 0) FROM rollup_slices WHERE workspace_id = ? AND dim = 'kind'`, []any{ws.ID},
			func(row interface{ Scan(...any) error }) error { return row.Scan(&counted) }); err != nil {
			t.Fatal(err)
		}
		if counted != items {
			t.Fatalf("the copy's rollups count %d items, its table %d", counted, items)
		}
	})
}
