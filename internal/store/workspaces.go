package store

import (
	"context"
	"fmt"
	"time"
)

// Workspace is a tenant: every customer-data row carries its id.
type Workspace struct {
	ID        int64     `json:"id"`
	Slug      string    `json:"slug"`
	Name      string    `json:"name"`
	Timezone  string    `json:"timezone"`
	CreatedAt time.Time `json:"created_at"`
}

// CreateWorkspace inserts a workspace; slug must be unique.
func (db *DB) CreateWorkspace(ctx context.Context, slug, name, timezone string) (Workspace, error) {
	if timezone == "" {
		timezone = "UTC"
	}
	ws := Workspace{Slug: slug, Name: name, Timezone: timezone, CreatedAt: time.Now().UTC().Truncate(time.Millisecond)}
	err := db.InTx(ctx, func(tx *Tx) error {
		id, err := tx.allocID(ctx, "workspaces")
		if err != nil {
			return err
		}
		ws.ID = id
		_, err = tx.exec(ctx, `INSERT INTO workspaces (id, slug, name, timezone, created_at) VALUES (?, ?, ?, ?, ?)`,
			id, slug, name, timezone, ws.CreatedAt.UnixMilli())
		return err
	})
	if err != nil {
		return Workspace{}, fmt.Errorf("create workspace %q: %w", slug, err)
	}
	return ws, nil
}

const workspaceColumns = `id, slug, name, timezone, created_at`

func scanWorkspace(row interface{ Scan(...any) error }) (Workspace, error) {
	var ws Workspace
	var created int64
	err := row.Scan(&ws.ID, &ws.Slug, &ws.Name, &ws.Timezone, &created)
	ws.CreatedAt = fromMillis(created)
	return ws, err
}

// Workspace returns one workspace by id.
func (db *DB) Workspace(ctx context.Context, id int64) (Workspace, error) {
	ws, err := scanWorkspace(db.queryRow(ctx, `SELECT `+workspaceColumns+` FROM workspaces WHERE id = ?`, id))
	if err != nil {
		return ws, notFound(err, "workspace")
	}
	return ws, nil
}

// WorkspaceBySlug returns one workspace by its slug.
func (db *DB) WorkspaceBySlug(ctx context.Context, slug string) (Workspace, error) {
	ws, err := scanWorkspace(db.queryRow(ctx, `SELECT `+workspaceColumns+` FROM workspaces WHERE slug = ?`, slug))
	if err != nil {
		return ws, notFound(err, "workspace "+slug)
	}
	return ws, nil
}

// Workspaces lists every workspace (for operators and the CLI).
func (db *DB) Workspaces(ctx context.Context) ([]Workspace, error) {
	rows, err := db.query(ctx, `SELECT `+workspaceColumns+` FROM workspaces ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list workspaces: %w", err)
	}
	defer rows.Close()
	var out []Workspace
	for rows.Next() {
		ws, err := scanWorkspace(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, ws)
	}
	return out, rows.Err()
}

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// nullMillis converts an optional time for storage.
func nullMillis(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}
