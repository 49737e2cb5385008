package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Survey is a stored survey. Definition is the JSON of its current version's
// questions; the survey package owns that shape. Settings is JSON too.
type Survey struct {
	ID          int64
	WorkspaceID int64
	Name        string
	Status      string
	Touchpoint  string
	Stage       string
	Version     int
	Settings    string
	Definition  string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// SurveyInput is what a create or an edit writes.
type SurveyInput struct {
	Name, Status, Touchpoint, Stage string
	Settings                        string
	Definition                      string
}

// CreateSurvey stores a survey and its version 1.
func (db *DB) CreateSurvey(ctx context.Context, workspaceID int64, in SurveyInput) (int64, error) {
	var id int64
	err := db.InTx(ctx, func(tx *Tx) error {
		var err error
		if id, err = tx.allocID(ctx, "surveys"); err != nil {
			return err
		}
		now := time.Now().UnixMilli()
		if _, err := tx.exec(ctx, `INSERT INTO surveys (id, workspace_id, name, status, touchpoint, stage, version, settings, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?)`, id, workspaceID, in.Name, in.Status, in.Touchpoint, in.Stage, in.Settings, now, now); err != nil {
			return err
		}
		_, err = tx.exec(ctx, `INSERT INTO survey_versions (workspace_id, survey_id, version, definition, created_at) VALUES (?, ?, 1, ?, ?)`,
			workspaceID, id, in.Definition, now)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("create survey: %w", err)
	}
	return id, nil
}

// UpdateSurvey edits a survey. A changed definition becomes a new version;
// earlier versions stay, so invitations and answers that refer to them keep
// their meaning. It returns the survey's current version.
func (db *DB) UpdateSurvey(ctx context.Context, workspaceID, id int64, in SurveyInput) (int, error) {
	var version int
	err := db.InTx(ctx, func(tx *Tx) error {
		var cur string
		err := tx.queryRow(ctx, `SELECT s.version, v.definition FROM surveys s JOIN survey_versions v ON v.survey_id = s.id AND v.version = s.version
			WHERE s.workspace_id = ? AND s.id = ?`, workspaceID, id).Scan(&version, &cur)
		if err != nil {
			return notFound(err, "survey")
		}
		now := time.Now().UnixMilli()
		if cur != in.Definition {
			version++
			if _, err := tx.exec(ctx, `INSERT INTO survey_versions (workspace_id, survey_id, version, definition, created_at) VALUES (?, ?, ?, ?, ?)`,
				workspaceID, id, version, in.Definition, now); err != nil {
				return err
			}
		}
		_, err = tx.exec(ctx, `UPDATE surveys SET name = ?, status = ?, touchpoint = ?, stage = ?, settings = ?, version = ?, updated_at = ?
			WHERE workspace_id = ? AND id = ?`, in.Name, in.Status, in.Touchpoint, in.Stage, in.Settings, version, now, workspaceID, id)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("update survey: %w", err)
	}
	return version, nil
}

const surveyColumns = `s.id, s.workspace_id, s.name, s.status, s.touchpoint, s.stage, s.version, s.settings, v.definition, s.created_at, s.updated_at`

func scanSurvey(row interface{ Scan(...any) error }) (Survey, error) {
	var s Survey
	var created, updated int64
	err := row.Scan(&s.ID, &s.WorkspaceID, &s.Name, &s.Status, &s.Touchpoint, &s.Stage, &s.Version, &s.Settings, &s.Definition, &created, &updated)
	s.CreatedAt, s.UpdatedAt = fromMillis(created), fromMillis(updated)
	return s, err
}

// SurveyAt returns a survey with the definition of the given version
// (0: the current one).
func (db *DB) SurveyAt(ctx context.Context, workspaceID, id int64, version int) (Survey, error) {
	s, err := scanSurvey(db.hotRow(ctx, `SELECT `+surveyColumns+` FROM surveys s
		JOIN survey_versions v ON v.survey_id = s.id AND v.version = CASE WHEN ? > 0 THEN ? ELSE s.version END
		WHERE s.workspace_id = ? AND s.id = ?`, version, version, workspaceID, id))
	if err != nil {
		return s, notFound(err, "survey")
	}
	if version > 0 {
		s.Version = version
	}
	return s, nil
}

// Surveys lists a workspace's surveys, newest first.
func (db *DB) Surveys(ctx context.Context, workspaceID int64, limit int) ([]Survey, error) {
	rows, err := db.query(ctx, `SELECT `+surveyColumns+` FROM surveys s
		JOIN survey_versions v ON v.survey_id = s.id AND v.version = s.version
		WHERE s.workspace_id = ? ORDER BY s.id DESC LIMIT ?`, workspaceID, limit)
	if err != nil {
		return nil, fmt.Errorf("list surveys: %w", err)
	}
	defer rows.Close()
	var out []Survey
	for rows.Next() {
		s, err := scanSurvey(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// SurveySettings returns a workspace's collection settings JSON ("{}" when unset).
func (db *DB) SurveySettings(ctx context.Context, workspaceID int64) (string, error) {
	var s string
	err := db.queryRow(ctx, `SELECT settings FROM survey_settings WHERE workspace_id = ?`, workspaceID).Scan(&s)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return "{}", nil
		}
		return "", fmt.Errorf("survey settings: %w", err)
	}
	return s, nil
}

// PutSurveySettings replaces a workspace's collection settings.
func (db *DB) PutSurveySettings(ctx context.Context, workspaceID int64, settings string) error {
	_, err := db.exec(ctx, `INSERT INTO survey_settings (workspace_id, settings, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (workspace_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at`,
		workspaceID, settings, time.Now().UnixMilli())
	if err != nil {
		return fmt.Errorf("put survey settings: %w", err)
	}
	return nil
}

// Widget is an embeddable widget's public site key and allowed origins (JSON).
type Widget struct {
	SiteKey        string
	WorkspaceID    int64
	SurveyID       int64
	AllowedOrigins string
	CreatedAt      time.Time
}

// CreateWidget stores a widget of a survey of the workspace.
func (db *DB) CreateWidget(ctx context.Context, w Widget) error {
	r, err := db.exec(ctx, `INSERT INTO survey_widgets (site_key, workspace_id, survey_id, allowed_origins, created_at)
		SELECT ?, workspace_id, id, ?, ? FROM surveys WHERE workspace_id = ? AND id = ?`,
		w.SiteKey, w.AllowedOrigins, time.Now().UnixMilli(), w.WorkspaceID, w.SurveyID)
	if err != nil {
		return fmt.Errorf("create widget: %w", err)
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return fmt.Errorf("create widget: survey: %w", ErrNotFound)
	}
	return nil
}

// WidgetBySiteKey finds a widget by its public key (any workspace: the key
// is what names the workspace on public endpoints).
func (db *DB) WidgetBySiteKey(ctx context.Context, siteKey string) (Widget, error) {
	var w Widget
	var created int64
	err := db.queryRow(ctx, `SELECT site_key, workspace_id, survey_id, allowed_origins, created_at FROM survey_widgets WHERE site_key = ?`,
		siteKey).Scan(&w.SiteKey, &w.WorkspaceID, &w.SurveyID, &w.AllowedOrigins, &created)
	w.CreatedAt = fromMillis(created)
	if err != nil {
		return w, notFound(err, "widget")
	}
	return w, nil
}
