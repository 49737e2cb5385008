package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Touchpoint types (DESIGN.md "Core model": touchpoints typed physical|digital|social).
const (
	TouchpointPhysical = "physical"
	TouchpointDigital  = "digital"
	TouchpointSocial   = "social"
)

// JourneyStage is one step of the customer journey; Key is what feedback
// items carry in their stage field.
type JourneyStage struct {
	Key  string `json:"key"`
	Name string `json:"name,omitempty"`
}

// JourneyTouchpoint is a place where customers meet the company; Key is what
// feedback items carry in their touchpoint field. Stages lists where on the
// journey it usually appears (for drawing the map; items may say otherwise).
type JourneyTouchpoint struct {
	Key    string   `json:"key"`
	Name   string   `json:"name,omitempty"`
	Type   string   `json:"type"`
	Stages []string `json:"stages,omitempty"`
}

// JourneyConfig is a workspace's journey: stages in order and touchpoints.
type JourneyConfig struct {
	Stages      []JourneyStage      `json:"stages"`
	Touchpoints []JourneyTouchpoint `json:"touchpoints"`
	Default     bool                `json:"default"` // true until the workspace saves its own
}

// DefaultJourney is what a workspace starts with: the five stages of
// DESIGN.md and the touchpoints most CX programmes map first.
func DefaultJourney() JourneyConfig {
	stages := make([]JourneyStage, len(JourneyStages))
	for i, s := range JourneyStages {
		stages[i] = JourneyStage{Key: s}
	}
	tp := func(key, typ string, stages ...string) JourneyTouchpoint {
		return JourneyTouchpoint{Key: key, Type: typ, Stages: stages}
	}
	return JourneyConfig{Default: true, Stages: stages, Touchpoints: []JourneyTouchpoint{
		tp("advertising", TouchpointDigital, "awareness"),
		tp("social_media", TouchpointSocial, "awareness", "research", "loyalty"),
		tp("review_site", TouchpointSocial, "research"),
		tp("website", TouchpointDigital, "research", "decision", "usage"),
		tp("mobile_app", TouchpointDigital, "decision", "usage", "loyalty"),
		tp("store", TouchpointPhysical, "research", "decision", "usage"),
		tp("delivery", TouchpointPhysical, "usage"),
		tp("call_center", TouchpointPhysical, "decision", "usage"),
		tp("support_chat", TouchpointDigital, "usage"),
		tp("email", TouchpointDigital, "awareness", "usage", "loyalty"),
		tp("loyalty_program", TouchpointDigital, "loyalty"),
	}}
}

// JourneyConfig returns the workspace's journey, or the defaults when it has
// not saved one.
func (db *DB) JourneyConfig(ctx context.Context, workspaceID int64) (JourneyConfig, error) {
	var raw string
	err := db.queryRow(ctx, `SELECT config FROM journey_configs WHERE workspace_id = ?`, workspaceID).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultJourney(), nil
	}
	if err != nil {
		return JourneyConfig{}, fmt.Errorf("journey config: %w", err)
	}
	var c JourneyConfig
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		return JourneyConfig{}, fmt.Errorf("journey config: %w", err)
	}
	c.Default = false
	return c, nil
}

// SaveJourneyConfig replaces the workspace's journey; callers validate it.
func (db *DB) SaveJourneyConfig(ctx context.Context, workspaceID int64, c JourneyConfig, actor string) error {
	c.Default = false
	raw, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("save journey config: %w", err)
	}
	return db.InTx(ctx, func(tx *Tx) error {
		now := time.Now().UnixMilli()
		if _, err := tx.exec(ctx, `INSERT INTO journey_configs (workspace_id, config, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (workspace_id) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at`,
			workspaceID, string(raw), now); err != nil {
			return fmt.Errorf("save journey config: %w", err)
		}
		return tx.audit(ctx, AuditEntry{WorkspaceID: workspaceID, Actor: actor, Action: "journey.update", ObjectType: "journey"})
	})
}

// NPSAnswer is one NPS answer with what key-driver analysis needs.
type NPSAnswer struct {
	NPS        int
	Topics     []string
	Stage      string
	Touchpoint string
}

// NPSAnswers returns up to limit NPS answers that occurred in [from, to),
// newest first, and whether more exist, read from feedback_items. Key
// drivers read NPSTopicSets (a rollup) instead; this is the raw answer that
// tests check that rollup against.
func (db *DB) NPSAnswers(ctx context.Context, workspaceID int64, from, to time.Time, limit int) ([]NPSAnswer, bool, error) {
	rows, err := db.query(ctx, `SELECT nps, topics, stage, touchpoint FROM feedback_items
		WHERE workspace_id = ? AND occurred_at >= ? AND occurred_at < ? AND nps IS NOT NULL
		ORDER BY occurred_at DESC LIMIT ?`, workspaceID, from.UnixMilli(), to.UnixMilli(), limit+1)
	if err != nil {
		return nil, false, fmt.Errorf("nps answers: %w", err)
	}
	defer rows.Close()
	var out []NPSAnswer
	for rows.Next() {
		var a NPSAnswer
		var topics string
		if err := rows.Scan(&a.NPS, &topics, &a.Stage, &a.Touchpoint); err != nil {
			return nil, false, fmt.Errorf("nps answers: %w", err)
		}
		_ = json.Unmarshal([]byte(topics), &a.Topics)
		a.Topics = ItemTopics(&FeedbackItem{Topics: a.Topics})
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("nps answers: %w", err)
	}
	more := len(out) > limit
	if more {
		out = out[:limit]
	}
	return out, more, nil
}
