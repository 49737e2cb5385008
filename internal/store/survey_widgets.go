package store

import (
	"context"
	"fmt"
)

// SurveyWidgets lists a survey's widgets in the workspace, oldest first.
func (db *DB) SurveyWidgets(ctx context.Context, workspaceID, surveyID int64) ([]Widget, error) {
	rows, err := db.query(ctx, `SELECT site_key, workspace_id, survey_id, allowed_origins, created_at FROM survey_widgets
		WHERE workspace_id = ? AND survey_id = ? ORDER BY created_at, site_key`, workspaceID, surveyID)
	if err != nil {
		return nil, fmt.Errorf("list survey widgets: %w", err)
	}
	defer rows.Close()
	var out []Widget
	for rows.Next() {
		var w Widget
		var created int64
		if err := rows.Scan(&w.SiteKey, &w.WorkspaceID, &w.SurveyID, &w.AllowedOrigins, &created); err != nil {
			return nil, err
		}
		w.CreatedAt = fromMillis(created)
		out = append(out, w)
	}
	return out, rows.Err()
}
