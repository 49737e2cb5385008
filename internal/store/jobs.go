package store

import (
	"context"
	"fmt"
	"time"
)

// Job statuses.
const (
	JobPending = "pending"
	JobRunning = "running"
	JobDone    = "done"
	JobDead    = "dead"
)

// Job is a durable unit of work. Its id is stable across retries, so it can
// serve as the receiver's de-duplication key (e.g. a webhook-id).
type Job struct {
	ID          int64     `json:"id"`
	WorkspaceID int64     `json:"workspace_id"`
	Kind        string    `json:"kind"`
	Payload     string    `json:"payload"`
	DedupeKey   string    `json:"dedupe_key,omitempty"`
	Status      string    `json:"status"`
	Attempts    int       `json:"attempts"`
	MaxAttempts int       `json:"max_attempts"`
	RunAt       time.Time `json:"run_at"`
	LastError   string    `json:"last_error,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

// NewJob describes a job to enqueue.
type NewJob struct {
	Kind        string
	Payload     string
	DedupeKey   string    // optional: a second job with the same key is not enqueued
	RunAt       time.Time // zero: now
	MaxAttempts int       // zero: 10
}

// EnqueueJobs adds jobs inside tx, so they commit with the data that caused
// them (never a stored response without its webhook job, nor the reverse).
// It returns the ids of the jobs created (0 for a duplicate dedupe key).
func (tx *Tx) EnqueueJobs(ctx context.Context, workspaceID int64, jobs []NewJob) ([]int64, error) {
	ids, err := tx.allocIDs(ctx, "jobs", len(jobs))
	if err != nil {
		return nil, err
	}
	now := time.Now()
	for i, j := range jobs {
		runAt := j.RunAt
		if runAt.IsZero() {
			runAt = now
		}
		maxAttempts := j.MaxAttempts
		if maxAttempts <= 0 {
			maxAttempts = 10
		}
		var dedupe any
		if j.DedupeKey != "" {
			dedupe = j.DedupeKey
		}
		payload := j.Payload
		if payload == "" {
			payload = "{}"
		}
		r, err := tx.exec(ctx, `INSERT INTO jobs (id, workspace_id, kind, payload, dedupe_key, status, attempts, max_attempts, run_at, created_at)
			VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?) ON CONFLICT (workspace_id, kind, dedupe_key) DO NOTHING`,
			ids[i], workspaceID, j.Kind, payload, dedupe, maxAttempts, runAt.UnixMilli(), now.UnixMilli())
		if err != nil {
			return nil, fmt.Errorf("enqueue %s: %w", j.Kind, err)
		}
		if n, _ := r.RowsAffected(); n == 0 {
			ids[i] = 0
		}
	}
	return ids, nil
}

// EnqueueJobs adds jobs in their own transaction.
func (db *DB) EnqueueJobs(ctx context.Context, workspaceID int64, jobs []NewJob) ([]int64, error) {
	var ids []int64
	err := db.InTx(ctx, func(tx *Tx) error {
		var err error
		ids, err = tx.EnqueueJobs(ctx, workspaceID, jobs)
		return err
	})
	return ids, err
}

const jobColumns = `id, workspace_id, kind, payload, COALESCE(dedupe_key, ''), status, attempts, max_attempts, run_at, last_error, created_at`

func scanJob(row interface{ Scan(...any) error }) (Job, error) {
	var j Job
	var runAt, created int64
	err := row.Scan(&j.ID, &j.WorkspaceID, &j.Kind, &j.Payload, &j.DedupeKey, &j.Status, &j.Attempts, &j.MaxAttempts,
		&runAt, &j.LastError, &created)
	j.RunAt, j.CreatedAt = fromMillis(runAt), fromMillis(created)
	return j, err
}

// ClaimJobs leases up to n due jobs of the given kinds for lease. A job
// whose worker died is claimed again once its lease expires, so delivery is
// at-least-once; on PostgreSQL replicas skip each other's locked rows.
func (db *DB) ClaimJobs(ctx context.Context, kinds []string, n int, lease time.Duration, now time.Time) ([]Job, error) {
	if len(kinds) == 0 || n <= 0 {
		return nil, nil
	}
	lock := ""
	if db.Dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	args := []any{JobRunning, now.Add(lease).UnixMilli()}
	for _, k := range kinds {
		args = append(args, k)
	}
	args = append(args, now.UnixMilli(), now.UnixMilli(), n)
	var out []Job
	err := db.InTx(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `UPDATE jobs SET status = ?, locked_until = ?, attempts = attempts + 1
			WHERE id IN (SELECT id FROM jobs WHERE kind IN (`+placeholders(len(kinds))+`)
				AND status IN ('pending', 'running') AND run_at <= ? AND (locked_until IS NULL OR locked_until < ?)
				ORDER BY run_at, id LIMIT ?`+lock+`)
			RETURNING `+jobColumns, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			j, err := scanJob(rows)
			if err != nil {
				return err
			}
			out = append(out, j)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("claim jobs: %w", err)
	}
	return out, nil
}

// CompleteJob marks a claimed job done.
func (db *DB) CompleteJob(ctx context.Context, id int64) error {
	_, err := db.exec(ctx, `UPDATE jobs SET status = 'done', locked_until = NULL, finished_at = ?, last_error = '' WHERE id = ?`,
		time.Now().UnixMilli(), id)
	if err != nil {
		return fmt.Errorf("complete job %d: %w", id, err)
	}
	return nil
}

// RetryJob records a failure: the job runs again at next, or becomes dead
// when next is zero or its attempts are used up.
func (db *DB) RetryJob(ctx context.Context, id int64, cause error, next time.Time) error {
	msg := ""
	if cause != nil {
		msg = cause.Error()
		if len(msg) > 2000 {
			msg = msg[:2000]
		}
	}
	var err error
	if next.IsZero() {
		_, err = db.exec(ctx, `UPDATE jobs SET status = 'dead', locked_until = NULL, last_error = ?, finished_at = ? WHERE id = ?`,
			msg, time.Now().UnixMilli(), id)
	} else {
		_, err = db.exec(ctx, `UPDATE jobs SET status = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'pending' END,
			locked_until = NULL, last_error = ?, run_at = ? WHERE id = ?`, msg, next.UnixMilli(), id)
	}
	if err != nil {
		return fmt.Errorf("retry job %d: %w", id, err)
	}
	return nil
}

// Jobs lists a workspace's jobs of a status, newest first (e.g. dead letters).
func (db *DB) Jobs(ctx context.Context, workspaceID int64, status, kindPrefix string, limit int) ([]Job, error) {
	rows, err := db.query(ctx, `SELECT `+jobColumns+` FROM jobs WHERE workspace_id = ? AND status = ? AND kind LIKE ?
		ORDER BY id DESC LIMIT ?`, workspaceID, status, escapeLike(kindPrefix)+"%", limit)
	if err != nil {
		return nil, fmt.Errorf("list jobs: %w", err)
	}
	defer rows.Close()
	var out []Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, rows.Err()
}

// Job returns one job of the workspace.
func (db *DB) Job(ctx context.Context, workspaceID, id int64) (Job, error) {
	j, err := scanJob(db.queryRow(ctx, `SELECT `+jobColumns+` FROM jobs WHERE workspace_id = ? AND id = ?`, workspaceID, id))
	if err != nil {
		return j, notFound(err, "job")
	}
	return j, nil
}

// RequeueDeadJob gives a dead job of the workspace a fresh set of attempts.
func (db *DB) RequeueDeadJob(ctx context.Context, workspaceID, id int64) error {
	r, err := db.exec(ctx, `UPDATE jobs SET status = 'pending', attempts = 0, run_at = ?, finished_at = NULL
		WHERE workspace_id = ? AND id = ? AND status = 'dead'`, time.Now().UnixMilli(), workspaceID, id)
	if err != nil {
		return fmt.Errorf("requeue job: %w", err)
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return fmt.Errorf("requeue job %d: %w", id, ErrNotFound)
	}
	return nil
}
