package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// MaxRetentionDays bounds a retention period (100 years).
const MaxRetentionDays = 36500

// RetentionPolicy says how long a workspace keeps feedback: Days for every
// item (0: forever), and per-survey overrides for the answers of one survey
// (0: that survey's answers are kept forever).
type RetentionPolicy struct {
	Days    int           `json:"days"`
	Surveys map[int64]int `json:"surveys"`
}

// ErrBadRetention is returned (as a *RetentionError) for a policy that
// cannot be saved.
var ErrBadRetention = errors.New("invalid retention policy")

// RetentionError names the field of a policy that cannot be saved: "days"
// or "surveys.<id>".
type RetentionError struct {
	Field, Message string
}

func (e *RetentionError) Error() string {
	return "invalid retention policy: " + e.Field + ": " + e.Message
}

// Is makes errors.Is(err, ErrBadRetention) true.
func (e *RetentionError) Is(target error) bool { return target == ErrBadRetention }

// RetentionPolicyOf returns the workspace's policy (zero: keep everything).
func (db *DB) RetentionPolicyOf(ctx context.Context, workspaceID int64) (RetentionPolicy, error) {
	p := RetentionPolicy{Surveys: map[int64]int{}}
	rows, err := db.query(ctx, `SELECT survey_id, days FROM retention_policies WHERE workspace_id = ? ORDER BY survey_id`, workspaceID)
	if err != nil {
		return p, fmt.Errorf("retention policy: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var survey int64
		var days int
		if err := rows.Scan(&survey, &days); err != nil {
			return p, fmt.Errorf("retention policy: %w", err)
		}
		if survey == 0 {
			p.Days = days
		} else {
			p.Surveys[survey] = days
		}
	}
	return p, rows.Err()
}

// SetRetentionPolicy replaces the workspace's policy, checking that every
// survey is the workspace's, and records the change in the audit log.
func (db *DB) SetRetentionPolicy(ctx context.Context, workspaceID int64, p RetentionPolicy, actor AuditActor) error {
	rangeMsg := fmt.Sprintf("must be 0 (keep forever) to %d days", MaxRetentionDays)
	if p.Days < 0 || p.Days > MaxRetentionDays {
		return &RetentionError{Field: "days", Message: rangeMsg}
	}
	for id, d := range p.Surveys {
		if d < 0 || d > MaxRetentionDays {
			return &RetentionError{Field: fmt.Sprintf("surveys.%d", id), Message: rangeMsg}
		}
	}
	return db.InTx(ctx, func(tx *Tx) error {
		for id := range p.Surveys {
			var n int
			if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM surveys WHERE workspace_id = ? AND id = ?`, workspaceID, id).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return &RetentionError{Field: fmt.Sprintf("surveys.%d", id), Message: "no such survey in this workspace"}
			}
		}
		if _, err := tx.exec(ctx, `DELETE FROM retention_policies WHERE workspace_id = ?`, workspaceID); err != nil {
			return fmt.Errorf("set retention: %w", err)
		}
		now := time.Now().UnixMilli()
		details := map[string]any{"days": p.Days}
		if p.Days > 0 {
			if _, err := tx.exec(ctx, `INSERT INTO retention_policies (workspace_id, survey_id, days, updated_at) VALUES (?, 0, ?, ?)`,
				workspaceID, p.Days, now); err != nil {
				return fmt.Errorf("set retention: %w", err)
			}
		}
		surveys := map[string]int{}
		for id, d := range p.Surveys {
			if _, err := tx.exec(ctx, `INSERT INTO retention_policies (workspace_id, survey_id, days, updated_at) VALUES (?, ?, ?, ?)`,
				workspaceID, id, d, now); err != nil {
				return fmt.Errorf("set retention: %w", err)
			}
			surveys[fmt.Sprint(id)] = d
		}
		if len(surveys) > 0 {
			details["surveys"] = surveys
		}
		return tx.audit(ctx, actor.entry(workspaceID, "retention.update", "workspace", workspaceID, details))
	})
}

// RetentionWorkspaces lists the workspaces that delete anything.
func (db *DB) RetentionWorkspaces(ctx context.Context) ([]int64, error) {
	rows, err := db.query(ctx, `SELECT DISTINCT workspace_id FROM retention_policies WHERE days > 0 ORDER BY workspace_id`)
	if err != nil {
		return nil, fmt.Errorf("retention workspaces: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// RetentionResult counts what one retention run deleted.
type RetentionResult struct {
	Feedback      int `json:"feedback"`
	Responses     int `json:"responses"`
	Alerts        int `json:"alerts"`
	Notifications int `json:"notifications"`
	Invitations   int `json:"invitations"`
	Jobs          int `json:"jobs"`
	Batches       int `json:"batches"`
}

// retentionScope is one cutoff: the items older than Before that belong to
// Survey (or, for the default scope, to no overridden survey).
type retentionScope struct {
	survey   int64   // 0: the workspace default
	excluded []int64 // default scope: surveys with an override
	before   int64   // unix ms
}

// ApplyRetention deletes the workspace's feedback older than its policy
// allows, batch items per transaction (each batch moves the rollups down
// by exactly its items, like an erase), together with what hangs on the
// items (survey responses, alerts, notifications; cases lose their link
// and quoted title), invitations sent before the cutoff, and finished jobs
// older than the longest period (their payloads copy the items). A run cut
// short resumes where it stopped: the next run finds the rest.
func (db *DB) ApplyRetention(ctx context.Context, workspaceID int64, now time.Time, batch int) (RetentionResult, error) {
	var res RetentionResult
	if batch <= 0 {
		batch = 1000
	}
	p, err := db.RetentionPolicyOf(ctx, workspaceID)
	if err != nil {
		return res, err
	}
	cutoff := func(days int) int64 { return now.Add(-time.Duration(days) * 24 * time.Hour).UnixMilli() }
	var scopes []retentionScope
	var overridden []int64
	for id := range p.Surveys {
		overridden = append(overridden, id)
	}
	slices.Sort(overridden)
	if p.Days > 0 {
		scopes = append(scopes, retentionScope{excluded: overridden, before: cutoff(p.Days)})
	}
	longest, forever := p.Days, p.Days == 0
	for _, id := range overridden {
		if d := p.Surveys[id]; d > 0 {
			scopes = append(scopes, retentionScope{survey: id, before: cutoff(d)})
			longest = max(longest, d)
		} else {
			forever = true
		}
	}
	for _, sc := range scopes {
		for {
			n, err := db.retentionBatch(ctx, workspaceID, sc, batch, &res)
			if err != nil {
				return res, fmt.Errorf("retention: %w", err)
			}
			if n > 0 {
				res.Batches++
			}
			if n < batch {
				break
			}
		}
		if err := db.retentionInvitations(ctx, workspaceID, sc, batch, &res); err != nil {
			return res, fmt.Errorf("retention: %w", err)
		}
	}
	if !forever && longest > 0 {
		if err := db.retentionJobs(ctx, workspaceID, cutoff(longest), batch, &res); err != nil {
			return res, fmt.Errorf("retention: %w", err)
		}
	}
	if res.Feedback+res.Invitations+res.Jobs > 0 {
		err := db.Audit(ctx, AuditEntry{WorkspaceID: workspaceID, Actor: "retention", Action: "retention.run", ObjectType: "workspace",
			ObjectID: workspaceID, Details: map[string]any{"feedback": res.Feedback, "invitations": res.Invitations, "jobs": res.Jobs}})
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

// where returns the scope's item condition and arguments (after workspace).
func (sc retentionScope) where() (string, []any) {
	if sc.survey != 0 {
		return "survey_id = ? AND occurred_at < ?", []any{sc.survey, sc.before}
	}
	cond := "occurred_at < ?"
	args := []any{sc.before}
	if len(sc.excluded) > 0 {
		cond += " AND (survey_id IS NULL OR survey_id NOT IN (" + placeholders(len(sc.excluded)) + "))"
		for _, id := range sc.excluded {
			args = append(args, id)
		}
	}
	return cond, args
}

// retentionBatch deletes up to batch items of the scope in one transaction
// and returns how many it deleted.
func (db *DB) retentionBatch(ctx context.Context, workspaceID int64, sc retentionScope, batch int, res *RetentionResult) (int, error) {
	cond, args := sc.where()
	lock := ""
	if db.Dialect == Postgres {
		lock = " FOR UPDATE"
	}
	n := 0
	err := db.InTx(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT `+feedbackColumns+` FROM feedback_items WHERE workspace_id = ? AND `+cond+`
			ORDER BY occurred_at, id LIMIT ?`+lock, append(append([]any{workspaceID}, args...), batch)...)
		if err != nil {
			return err
		}
		var items []FeedbackItem
		for rows.Next() {
			it, err := scanFeedback(rows)
			if err != nil {
				rows.Close()
				return err
			}
			items = append(items, it)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		var rep ErasureReport
		if err := tx.removeItems(ctx, workspaceID, items, &rep); err != nil {
			return err
		}
		n = len(items)
		res.Feedback += n
		res.Responses += rep.Responses
		res.Alerts += rep.Alerts
		res.Notifications += rep.Notifications
		return nil
	})
	return n, err
}

// retentionInvitations deletes invitations of the scope created before its
// cutoff: they hold the address an old survey was sent to.
func (db *DB) retentionInvitations(ctx context.Context, workspaceID int64, sc retentionScope, batch int, res *RetentionResult) error {
	cond, args := sc.where()
	cond = strings.Replace(cond, "occurred_at", "created_at", 1)
	cond = strings.Replace(cond, "survey_id IS NULL OR ", "", 1)
	for {
		var n int64
		err := db.InTx(ctx, func(tx *Tx) error {
			r, err := tx.exec(ctx, `DELETE FROM survey_invitations WHERE id IN (SELECT id FROM survey_invitations
				WHERE workspace_id = ? AND `+cond+` ORDER BY id LIMIT ?)`, append(append([]any{workspaceID}, args...), batch)...)
			if err != nil {
				return err
			}
			n, _ = r.RowsAffected()
			return nil
		})
		if err != nil {
			return fmt.Errorf("invitations: %w", err)
		}
		res.Invitations += int(n)
		if n < int64(batch) {
			return nil
		}
	}
}

// retentionJobs deletes the workspace's finished jobs older than before.
func (db *DB) retentionJobs(ctx context.Context, workspaceID int64, before int64, batch int, res *RetentionResult) error {
	for {
		var n int64
		err := db.InTx(ctx, func(tx *Tx) error {
			r, err := tx.exec(ctx, `DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE workspace_id = ? AND status IN ('done', 'dead')
				AND created_at < ? ORDER BY id LIMIT ?)`, workspaceID, before, batch)
			if err != nil {
				return err
			}
			n, _ = r.RowsAffected()
			return nil
		})
		if err != nil {
			return fmt.Errorf("jobs: %w", err)
		}
		res.Jobs += int(n)
		if n < int64(batch) {
			return nil
		}
	}
}
