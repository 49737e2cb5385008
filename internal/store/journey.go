package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
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
// newest first, and whether more exist, read from feedback_items. Unfiltered
// key drivers read NPSTopicSets (a rollup) instead; filtered ones read this,
// since that rollup keeps only stage and touchpoint. filters keep the answers
// whose dimension values are among filters[dim], as RollupQuery.Filters do,
// so drivers and pain points agree with the metrics under the same filters;
// "topic" cannot filter answers. The limit bounds the read.
func (db *DB) NPSAnswers(ctx context.Context, workspaceID int64, from, to time.Time, limit int, filters map[string][]string) ([]NPSAnswer, bool, error) {
	where, args, err := itemFilters(filters)
	if err != nil {
		return nil, false, err
	}
	args = append([]any{workspaceID, from.UnixMilli(), to.UnixMilli()}, append(args, limit+1)...)
	rows, err := db.query(ctx, `SELECT nps, topics, stage, touchpoint FROM feedback_items
		WHERE workspace_id = ? AND occurred_at >= ? AND occurred_at < ? AND nps IS NOT NULL`+where+`
		ORDER BY occurred_at DESC LIMIT ?`, args...)
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

// itemFilters turns rollup-style dimension filters into conditions on
// feedback_items (" AND …", each value list an IN). Items without an
// employee or survey match the value "", as in the rollups.
func itemFilters(filters map[string][]string) (string, []any, error) {
	dims := make([]string, 0, len(filters))
	for d, vals := range filters {
		if !validDim(d) || d == "topic" {
			return "", nil, fmt.Errorf("%w: answers cannot be filtered by %q", ErrBadRollupQuery, d)
		}
		if len(vals) > 0 {
			dims = append(dims, d)
		}
	}
	slices.Sort(dims)
	var where strings.Builder
	var args []any
	for _, d := range dims {
		vals := filters[d]
		col := dimColumn(d)
		if d == "employee" || d == "survey" {
			col = "COALESCE(" + col + ", 0)"
		}
		where.WriteString(" AND " + col + " IN (" + placeholders(len(vals)) + ")")
		for _, v := range vals {
			if d == "employee" || d == "survey" {
				id, err := parseIDValue(v)
				if err != nil {
					return "", nil, fmt.Errorf("%w: filter %s: %q is not an id", ErrBadRollupQuery, d, v)
				}
				args = append(args, id)
				continue
			}
			args = append(args, v)
		}
	}
	return where.String(), args, nil
}
