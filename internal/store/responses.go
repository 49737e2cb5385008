package store

import (
	"context"
	"fmt"
	"time"
)

// SurveyResponse is one completed answer to a survey. Answers is JSON keyed
// by question id, read against the survey version it was given for.
type SurveyResponse struct {
	ID             int64     `json:"id"`
	WorkspaceID    int64     `json:"-"`
	SurveyID       int64     `json:"survey_id"`
	SurveyVersion  int       `json:"survey_version"`
	InvitationID   *int64    `json:"invitation_id"`
	CustomerID     *int64    `json:"customer_id"`
	FeedbackItemID int64     `json:"feedback_item_id"`
	Channel        string    `json:"channel"`
	Lang           string    `json:"lang"`
	Answers        string    `json:"-"`
	CreatedAt      time.Time `json:"created_at"`
}

// InsertSurveyResponse stores a response inside tx (the one storing its
// feedback item) unless its invitation already has one, and reports whether
// it did. The UNIQUE invitation_id decides races: on PostgreSQL a concurrent
// insert waits for the winner's commit and then does nothing; on SQLite the
// single writer serialises them. It also closes the invitation and drops the
// draft of partial answers.
func (tx *Tx) InsertSurveyResponse(ctx context.Context, workspaceID int64, r SurveyResponse, draftKey string) (bool, error) {
	id, err := tx.allocID(ctx, "survey_responses")
	if err != nil {
		return false, err
	}
	now := time.Now()
	if r.CreatedAt.IsZero() {
		r.CreatedAt = now
	}
	res, err := tx.exec(ctx, `INSERT INTO survey_responses (id, workspace_id, survey_id, survey_version, invitation_id, customer_id,
		feedback_item_id, channel, lang, answers, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (invitation_id) DO NOTHING`,
		id, workspaceID, r.SurveyID, r.SurveyVersion, r.InvitationID, r.CustomerID, r.FeedbackItemID, r.Channel, r.Lang, r.Answers,
		r.CreatedAt.UnixMilli())
	if err != nil {
		return false, fmt.Errorf("insert survey response: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	if r.InvitationID != nil {
		if _, err := tx.exec(ctx, `UPDATE survey_invitations SET status = 'answered', answered_at = ? WHERE workspace_id = ? AND id = ?`,
			r.CreatedAt.UnixMilli(), workspaceID, *r.InvitationID); err != nil {
			return false, fmt.Errorf("close invitation: %w", err)
		}
	}
	if draftKey != "" {
		if _, err := tx.exec(ctx, `DELETE FROM survey_drafts WHERE workspace_id = ? AND draft_key = ?`, workspaceID, draftKey); err != nil {
			return false, fmt.Errorf("drop draft: %w", err)
		}
	}
	return true, nil
}

const responseColumns = `id, workspace_id, survey_id, survey_version, invitation_id, customer_id, feedback_item_id, channel, lang, answers, created_at`

// SurveyResponses lists a survey's responses, newest first, after the id
// cursor (0: from the newest).
func (db *DB) SurveyResponses(ctx context.Context, workspaceID, surveyID, beforeID int64, limit int) ([]SurveyResponse, error) {
	if beforeID <= 0 {
		beforeID = 1 << 62
	}
	rows, err := db.query(ctx, `SELECT `+responseColumns+` FROM survey_responses WHERE workspace_id = ? AND survey_id = ? AND id < ?
		ORDER BY id DESC LIMIT ?`, workspaceID, surveyID, beforeID, limit)
	if err != nil {
		return nil, fmt.Errorf("list survey responses: %w", err)
	}
	defer rows.Close()
	var out []SurveyResponse
	for rows.Next() {
		var r SurveyResponse
		var created int64
		if err := rows.Scan(&r.ID, &r.WorkspaceID, &r.SurveyID, &r.SurveyVersion, &r.InvitationID, &r.CustomerID, &r.FeedbackItemID,
			&r.Channel, &r.Lang, &r.Answers, &created); err != nil {
			return nil, err
		}
		r.CreatedAt = fromMillis(created)
		out = append(out, r)
	}
	return out, rows.Err()
}

// CountSurveyResponses counts a survey's responses (0 survey: all of the workspace).
func (db *DB) CountSurveyResponses(ctx context.Context, workspaceID, surveyID int64) (int, error) {
	var n int
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM survey_responses WHERE workspace_id = ? AND (survey_id = ? OR ? = 0)`,
		workspaceID, surveyID, surveyID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count survey responses: %w", err)
	}
	return n, nil
}
