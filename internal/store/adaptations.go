package store

import (
	"context"
	"fmt"
	"time"
)

// Adaptation is a workspace's fitted sentiment adjustment for one language
// (010_adaptations.sql, 016_adaptation_state.sql). Adjustment is opaque JSON
// owned by the analytics package; the scores say whether it helped on the
// workspace's newest labelled texts, and only Active rows are applied. An
// inactive row says in Refused why (the Refused* constants).
type Adaptation struct {
	WorkspaceID  int64     `json:"-"`
	Lang         string    `json:"lang"`
	Model        string    `json:"model"` // fingerprint of the base model it was fitted on
	Adjustment   string    `json:"-"`
	Examples     int       `json:"examples"` // labelled texts used (training + held out)
	Positives    int       `json:"positives"`
	Negatives    int       `json:"negatives"`
	HeldOut      int       `json:"held_out"`
	ScoreBase    float64   `json:"score_base"`    // macro-F1 of the base model on the held-out texts
	ScoreAdapted float64   `json:"score_adapted"` // macro-F1 with the adjustment
	Active       bool      `json:"active"`
	FittedAt     time.Time `json:"fitted_at"`
	Data         string    `json:"-"`                 // fingerprint of the labelled texts the fit saw
	Refused      string    `json:"refused,omitempty"` // why the fit is not applied; "" when active
}

// Why a stored fit is not applied (Adaptation.Refused).
const (
	RefusedTooFew    = "too_few"    // fewer labelled texts, or of one class, than a fit needs
	RefusedThinSplit = "thin_split" // the held-out split left one class too thin to train on
	RefusedWorse     = "worse"      // the adjustment did worse than the base model on the held-out texts
)

// SaveAdaptation stores a fit, replacing the workspace's earlier fit for the
// same language.
func (db *DB) SaveAdaptation(ctx context.Context, a Adaptation) error {
	active := 0
	if a.Active {
		active = 1
	}
	_, err := db.exec(ctx, `INSERT INTO adaptations (workspace_id, lang, model, adjustment, examples, positives, negatives,
			held_out, score_base, score_adapted, active, fitted_at, data, refused) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (workspace_id, lang) DO UPDATE SET model = excluded.model, adjustment = excluded.adjustment,
			examples = excluded.examples, positives = excluded.positives, negatives = excluded.negatives,
			held_out = excluded.held_out, score_base = excluded.score_base, score_adapted = excluded.score_adapted,
			active = excluded.active, fitted_at = excluded.fitted_at, data = excluded.data, refused = excluded.refused`,
		a.WorkspaceID, a.Lang, a.Model, a.Adjustment, a.Examples, a.Positives, a.Negatives, a.HeldOut,
		a.ScoreBase, a.ScoreAdapted, active, a.FittedAt.UnixMilli(), a.Data, a.Refused)
	if err != nil {
		return fmt.Errorf("save adaptation %s: %w", a.Lang, err)
	}
	return nil
}

const adaptationColumns = `workspace_id, lang, model, adjustment, examples, positives, negatives, held_out,
	score_base, score_adapted, active, fitted_at, data, refused`

// Adaptations returns the workspace's fits, by language. With activeOnly,
// only the fits ingest applies.
func (db *DB) Adaptations(ctx context.Context, workspaceID int64, activeOnly bool) ([]Adaptation, error) {
	q := `SELECT ` + adaptationColumns + ` FROM adaptations WHERE workspace_id = ?`
	if activeOnly {
		q += ` AND active = 1`
	}
	rows, err := db.query(ctx, q+` ORDER BY lang`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("adaptations: %w", err)
	}
	defer rows.Close()
	var out []Adaptation
	for rows.Next() {
		var a Adaptation
		var active int
		var fitted int64
		if err := rows.Scan(&a.WorkspaceID, &a.Lang, &a.Model, &a.Adjustment, &a.Examples, &a.Positives, &a.Negatives,
			&a.HeldOut, &a.ScoreBase, &a.ScoreAdapted, &active, &fitted, &a.Data, &a.Refused); err != nil {
			return nil, fmt.Errorf("adaptations: %w", err)
		}
		a.Active, a.FittedAt = active == 1, fromMillis(fitted)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("adaptations: %w", err)
	}
	return out, nil
}

// RatedText is a stored item with text and a rating: the raw material of
// weak sentiment labels.
type RatedText struct {
	ID         int64
	Text       string
	Lang       string
	NPS        *int
	CSAT       *int
	CSATScale  *int
	OccurredAt time.Time
}

// RatedTexts returns up to limit of the workspace's newest items that have
// text and an NPS or CSAT rating, oldest first.
func (db *DB) RatedTexts(ctx context.Context, workspaceID int64, limit int) ([]RatedText, error) {
	rows, err := db.query(ctx, `SELECT id, text, lang, nps, csat, csat_scale, occurred_at FROM feedback_items
		WHERE workspace_id = ? AND text <> '' AND (nps IS NOT NULL OR csat IS NOT NULL)
		ORDER BY occurred_at DESC, id DESC LIMIT ?`, workspaceID, limit)
	if err != nil {
		return nil, fmt.Errorf("rated texts: %w", err)
	}
	defer rows.Close()
	var out []RatedText
	for rows.Next() {
		var r RatedText
		var at int64
		if err := rows.Scan(&r.ID, &r.Text, &r.Lang, &r.NPS, &r.CSAT, &r.CSATScale, &at); err != nil {
			return nil, fmt.Errorf("rated texts: %w", err)
		}
		r.OccurredAt = fromMillis(at)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("rated texts: %w", err)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

// AdaptationStamp identifies one stored fit without its (large) adjustment:
// enough for a cache to tell whether it must reload.
type AdaptationStamp struct {
	Lang     string
	Model    string
	Active   bool
	FittedAt time.Time
}

// AdaptationStamps returns the stamps of the workspace's fits, by language.
func (db *DB) AdaptationStamps(ctx context.Context, workspaceID int64) ([]AdaptationStamp, error) {
	rows, err := db.query(ctx, `SELECT lang, model, active, fitted_at FROM adaptations WHERE workspace_id = ? ORDER BY lang`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("adaptation stamps: %w", err)
	}
	defer rows.Close()
	var out []AdaptationStamp
	for rows.Next() {
		var s AdaptationStamp
		var active int
		var fitted int64
		if err := rows.Scan(&s.Lang, &s.Model, &active, &fitted); err != nil {
			return nil, fmt.Errorf("adaptation stamps: %w", err)
		}
		s.Active, s.FittedAt = active == 1, fromMillis(fitted)
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("adaptation stamps: %w", err)
	}
	return out, nil
}
