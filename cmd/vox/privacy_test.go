package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vox/internal/store"
)

// TestPrivacyCommand exports a person by email to a file, refuses an erase
// without --yes, erases, and sets and applies a retention policy.
func TestPrivacyCommand(t *testing.T) {
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
	ws, err := db.CreateWorkspace(ctx, "shop", "Shop", "UTC")
	if err != nil {
		t.Fatal(err)
	}
	anna := store.CustomerInput{Name: "Anna", Identities: []store.Identity{{Kind: "email", Value: "anna@example.com"}}}
	if _, err := db.InsertFeedback(ctx, ws.ID, []store.NewFeedback{
		{Item: store.FeedbackItem{Kind: "review", Channel: "web", Text: "wombat delivery late", OccurredAt: time.Now()}, Customer: anna},
		{Item: store.FeedbackItem{Kind: "review", Channel: "web", Text: "ancient", OccurredAt: time.Now().Add(-400 * 24 * time.Hour)}},
	}, nil); err != nil {
		t.Fatal(err)
	}
	db.Close()
	vox := func(args ...string) (string, int) {
		var out, errOut bytes.Buffer
		code := run(ctx, append([]string{"privacy", args[0], "--db", path, "--data-dir", dir, "--log-level", "warn", "--workspace", "shop"},
			args[1:]...), &out, &errOut)
		return out.String() + errOut.String(), code
	}
	file := filepath.Join(dir, "anna.json")
	if out, code := vox("export", "--email", "ANNA@example.com", "--out", file); code != 0 {
		t.Fatalf("export: %d %s", code, out)
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var ex store.PersonExport
	if err := json.Unmarshal(raw, &ex); err != nil || len(ex.Feedback) != 1 || !strings.Contains(string(raw), "wombat") {
		t.Fatalf("export file: %v %s", err, raw)
	}
	if out, code := vox("erase", "--email", "anna@example.com"); code == 0 || !strings.Contains(out, "--yes") {
		t.Errorf("erase without --yes: %d %s", code, out)
	}
	if out, code := vox("erase", "--email", "anna@example.com", "--yes"); code != 0 || !strings.Contains(out, "1 feedback items") {
		t.Errorf("erase: %d %s", code, out)
	}
	if out, code := vox("export", "--email", "anna@example.com"); code == 0 || !strings.Contains(out, "no customer") {
		t.Errorf("export after erase: %d %s", code, out)
	}
	if out, code := vox("retention", "--days", "365", "--run"); code != 0 || !strings.Contains(out, "deleted after 365 days") ||
		!strings.Contains(out, "deleted 1 feedback items") {
		t.Errorf("retention: %d %s", code, out)
	}
	if out, code := vox("retention", "--days", "-5", "--survey", "x"); code == 0 {
		t.Errorf("bad retention flags accepted: %s", out)
	}
}
