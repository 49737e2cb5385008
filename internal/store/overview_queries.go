package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Queries of the overview page that the other packages do not already ask:
// the invitation funnel under the page's survey filter and the spike alerts
// of a period. Both return a few rows per workspace.

// InvitationFunnel counts the invitations sent in [from, to) per channel
// like InvitationFunnelByChannel, limited to one survey when surveyID > 0,
// so that the overview's response rates follow its survey filter.
func (db *DB) InvitationFunnel(ctx context.Context, workspaceID int64, from, to time.Time, surveyID int64) ([]ChannelFunnel, error) {
	if surveyID <= 0 {
		return db.InvitationFunnelByChannel(ctx, workspaceID, from, to)
	}
	rows, err := db.query(ctx, `SELECT channel, COUNT(*), COUNT(delivered_at), COUNT(answered_at)
		FROM survey_invitations WHERE workspace_id = ? AND survey_id = ? AND sent_at >= ? AND sent_at < ?
		GROUP BY channel ORDER BY channel`, workspaceID, surveyID, from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("invitation funnel: %w", err)
	}
	defer rows.Close()
	var out []ChannelFunnel
	for rows.Next() {
		var f ChannelFunnel
		if err := rows.Scan(&f.Channel, &f.Sent, &f.Delivered, &f.Answered); err != nil {
			return nil, fmt.Errorf("invitation funnel: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// SpikeAlerts returns up to limit spike alerts raised in [from, to), newest
// first: the overview marks the mention card with them.
func (db *DB) SpikeAlerts(ctx context.Context, workspaceID int64, from, to time.Time, limit int) ([]Alert, error) {
	rows, err := db.query(ctx, `SELECT id, title, details, created_at FROM alerts
		WHERE workspace_id = ? AND kind = ? AND created_at >= ? AND created_at < ?
		ORDER BY created_at DESC, id DESC LIMIT ?`, workspaceID, AlertSpike, from.UnixMilli(), to.UnixMilli(), limit)
	if err != nil {
		return nil, fmt.Errorf("spike alerts: %w", err)
	}
	defer rows.Close()
	out := []Alert{}
	for rows.Next() {
		a := Alert{WorkspaceID: workspaceID, Kind: AlertSpike, Details: map[string]any{}}
		var details string
		var at int64
		if err := rows.Scan(&a.ID, &a.Title, &details, &at); err != nil {
			return nil, fmt.Errorf("spike alerts: %w", err)
		}
		a.CreatedAt = fromMillis(at)
		_ = json.Unmarshal([]byte(details), &a.Details)
		out = append(out, a)
	}
	return out, rows.Err()
}
