// Package privacy enforces the workspaces' retention settings (GDPR): once a
// day each workspace with a policy gets a durable job that deletes its
// feedback older than the policy allows, in batches that keep the rollups
// exact (store.ApplyRetention). Export and erase of one person are store
// operations called directly by the API, the web UI and the CLI.
package privacy

import (
	"context"
	"log/slog"
	"time"

	"vox/internal/jobs"
	"vox/internal/store"
)

// KindRetention is the job kind of a workspace's daily retention run.
const KindRetention = "privacy.retention"

// RetentionLease is how long a claimed run is ours: a first run over years
// of history deletes many batches; each batch commits, so a run cut short
// by a crash resumes where it stopped when the job is claimed again.
const RetentionLease = 30 * time.Minute

// Retention schedules and runs the daily retention jobs.
type Retention struct {
	DB    *store.DB
	Log   *slog.Logger
	Now   func() time.Time // nil: time.Now
	Batch int              // items per transaction; 0: 1000
}

func (r *Retention) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Retention) log() *slog.Logger {
	if r.Log != nil {
		return r.Log
	}
	return slog.Default()
}

// Schedule queues one run per workspace with a policy for the current UTC
// day. Replicas scheduling at once queue each run once (dedupe key), and a
// restart the same day does not run it again.
func (r *Retention) Schedule(ctx context.Context) error {
	wss, err := r.DB.RetentionWorkspaces(ctx)
	if err != nil {
		return err
	}
	key := "retention:" + r.now().UTC().Format(time.DateOnly)
	for _, ws := range wss {
		if _, err := r.DB.EnqueueJobs(ctx, ws, []store.NewJob{{Kind: KindRetention, DedupeKey: key, MaxAttempts: 5}}); err != nil {
			return err
		}
	}
	return nil
}

// Register makes w run retention jobs.
func (r *Retention) Register(w *jobs.Worker) { w.Handle(KindRetention, r.runJob) }

// Run schedules the daily runs (checking every hour) and runs them on a
// worker of their own, one at a time, until ctx ends: a long first run must
// not hold up webhook deliveries on the shared worker.
func (r *Retention) Run(ctx context.Context) {
	w := &jobs.Worker{DB: r.DB, Log: r.log(), Lease: RetentionLease, Batch: 1, Parallel: 1, Poll: time.Minute}
	r.Register(w)
	go func() { _ = w.Run(ctx) }()
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if err := r.Schedule(ctx); err != nil && ctx.Err() == nil {
			r.log().Error("schedule retention", "err", err)
		}
		w.Notify()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (r *Retention) runJob(ctx context.Context, job store.Job) error {
	res, err := r.DB.ApplyRetention(ctx, job.WorkspaceID, r.now(), r.Batch)
	if err != nil {
		return err
	}
	r.log().Info("retention", "workspace", job.WorkspaceID, "feedback", res.Feedback, "invitations", res.Invitations,
		"jobs", res.Jobs, "batches", res.Batches)
	return nil
}
