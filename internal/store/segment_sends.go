package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Statuses of a segment send.
const (
	SegmentSendQueued  = "queued"  // its job has not started
	SegmentSendRunning = "running" // some pages are done
	SegmentSendDone    = "done"
)

// SegmentSend is a background send of a survey to a segment of customers
// and how far it got. Counts follow survey.SegmentResult: every matched
// customer lands in exactly one of queued, duplicates, opted_out,
// no_address or invalid (throttled is a forecast about queued ones).
type SegmentSend struct {
	ID           int64  `json:"id"`
	WorkspaceID  int64  `json:"-"`
	SurveyID     int64  `json:"survey_id"`
	Channel      string `json:"channel"`
	Segment      string `json:"segment"`
	Region       string `json:"region"`
	Wave         string `json:"wave"`
	DelaySeconds int    `json:"delay_seconds"`
	Status       string `json:"status"`
	AfterID      int64  `json:"-"` // the last customer walked; the next page starts after it
	SegmentCounts
	LastError string    `json:"last_error,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// SegmentCounts are the outcomes of a segment send so far.
type SegmentCounts struct {
	Matched    int `json:"matched"`
	Queued     int `json:"queued"`
	Duplicates int `json:"duplicates"`
	OptedOut   int `json:"opted_out"`
	Throttled  int `json:"throttled"`
	NoAddress  int `json:"no_address"`
	Invalid    int `json:"invalid"`
}

const segmentSendColumns = `id, workspace_id, survey_id, channel, segment, region, wave, delay_seconds, status, after_id,
	matched, queued, duplicates, opted_out, throttled, no_address, invalid, last_error, created_at, updated_at`

func scanSegmentSend(row interface{ Scan(...any) error }) (SegmentSend, error) {
	var s SegmentSend
	var created, updated int64
	err := row.Scan(&s.ID, &s.WorkspaceID, &s.SurveyID, &s.Channel, &s.Segment, &s.Region, &s.Wave, &s.DelaySeconds,
		&s.Status, &s.AfterID, &s.Matched, &s.Queued, &s.Duplicates, &s.OptedOut, &s.Throttled, &s.NoAddress, &s.Invalid,
		&s.LastError, &created, &updated)
	s.CreatedAt, s.UpdatedAt = fromMillis(created), fromMillis(updated)
	return s, err
}

// StartSegmentSend stores a send and, in the same transaction, the job that
// walks it (job's payload is given; the send id is appended by mkJob). When
// the workspace already has the send of this survey, wave, channel, segment
// and region, nothing is stored and that send is returned with created
// false: a repeated request never starts a second walk.
func (db *DB) StartSegmentSend(ctx context.Context, workspaceID int64, s SegmentSend, mkJob func(id int64) NewJob) (SegmentSend, bool, error) {
	now := time.Now()
	created := false
	err := db.InTx(ctx, func(tx *Tx) error {
		id, err := tx.allocID(ctx, "segment_sends")
		if err != nil {
			return err
		}
		r, err := tx.exec(ctx, `INSERT INTO segment_sends (id, workspace_id, survey_id, channel, segment, region, wave, delay_seconds,
			status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?)
			ON CONFLICT (workspace_id, survey_id, wave, channel, segment, region) DO NOTHING`,
			id, workspaceID, s.SurveyID, s.Channel, s.Segment, s.Region, s.Wave, s.DelaySeconds, now.UnixMilli(), now.UnixMilli())
		if err != nil {
			return fmt.Errorf("start segment send: %w", err)
		}
		if n, _ := r.RowsAffected(); n == 1 {
			created = true
			if _, err := tx.EnqueueJobs(ctx, workspaceID, []NewJob{mkJob(id)}); err != nil {
				return err
			}
		}
		s, err = scanSegmentSend(tx.queryRow(ctx, `SELECT `+segmentSendColumns+` FROM segment_sends
			WHERE workspace_id = ? AND survey_id = ? AND wave = ? AND channel = ? AND segment = ? AND region = ?`,
			workspaceID, s.SurveyID, s.Wave, s.Channel, s.Segment, s.Region))
		return err
	})
	if err != nil {
		return SegmentSend{}, false, err
	}
	return s, created, nil
}

// SegmentSend returns one send of the workspace.
func (db *DB) SegmentSend(ctx context.Context, workspaceID, id int64) (SegmentSend, error) {
	s, err := scanSegmentSend(db.queryRow(ctx, `SELECT `+segmentSendColumns+` FROM segment_sends WHERE workspace_id = ? AND id = ?`,
		workspaceID, id))
	if err != nil {
		return s, notFound(err, "segment send")
	}
	return s, nil
}

// SegmentSends lists a survey's sends, newest first.
func (db *DB) SegmentSends(ctx context.Context, workspaceID, surveyID int64, limit int) ([]SegmentSend, error) {
	rows, err := db.query(ctx, `SELECT `+segmentSendColumns+` FROM segment_sends WHERE workspace_id = ? AND survey_id = ?
		ORDER BY id DESC LIMIT ?`, workspaceID, surveyID, limit)
	if err != nil {
		return nil, fmt.Errorf("segment sends: %w", err)
	}
	defer rows.Close()
	out := []SegmentSend{}
	for rows.Next() {
		s, err := scanSegmentSend(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// ErrStaleProgress means a send's progress moved on since it was read (a
// second worker ran the same page): the caller's page is not counted again.
var ErrStaleProgress = errors.New("segment send progress moved on")

// AdvanceSegmentSend records a walked page: from after (the cursor the page
// was read after) to next, adding its counts. With next == 0 the send is
// done. next, when given, is queued in the same transaction (the walk's
// continuation), so progress and the job that carries on commit together.
// A cursor that is no longer after leaves the send unchanged and returns
// ErrStaleProgress.
func (db *DB) AdvanceSegmentSend(ctx context.Context, workspaceID, id, after, next int64, add SegmentCounts, errText string, cont *NewJob) error {
	status := SegmentSendRunning
	if next == 0 {
		status = SegmentSendDone
	}
	return db.InTx(ctx, func(tx *Tx) error {
		r, err := tx.exec(ctx, `UPDATE segment_sends SET status = ?, after_id = ?, matched = matched + ?, queued = queued + ?,
			duplicates = duplicates + ?, opted_out = opted_out + ?, throttled = throttled + ?, no_address = no_address + ?,
			invalid = invalid + ?, last_error = ?, updated_at = ? WHERE workspace_id = ? AND id = ? AND after_id = ? AND status <> 'done'`,
			status, next, add.Matched, add.Queued, add.Duplicates, add.OptedOut, add.Throttled, add.NoAddress, add.Invalid, errText,
			time.Now().UnixMilli(), workspaceID, id, after)
		if err != nil {
			return fmt.Errorf("advance segment send: %w", err)
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return ErrStaleProgress
		}
		if cont != nil {
			if _, err := tx.EnqueueJobs(ctx, workspaceID, []NewJob{*cont}); err != nil {
				return err
			}
		}
		return nil
	})
}
