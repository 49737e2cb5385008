package adaptation

import (
	"context"
	"time"

	"vox/internal/jobs"
	"vox/internal/store"
)

// KindFit is the job kind of a workspace's daily fit.
const KindFit = "adaptation.fit"

// FitLease is how long a claimed fit job is ours: far more than a fit of
// MaxTexts takes, so a slow fit is not claimed a second time.
const FitLease = 30 * time.Minute

// ScheduleFits queues one fit per workspace for the current UTC day.
// Replicas calling it at once queue each fit once (dedupe key), and a
// restart the same day does not fit again.
func (s *Service) ScheduleFits(ctx context.Context) error {
	wss, err := s.db.Workspaces(ctx)
	if err != nil {
		return err
	}
	key := "adapt:" + s.now().UTC().Format(time.DateOnly)
	for _, ws := range wss {
		if _, err := s.db.EnqueueJobs(ctx, ws.ID, []store.NewJob{{Kind: KindFit, DedupeKey: key, MaxAttempts: 3}}); err != nil {
			return err
		}
	}
	return nil
}

// Run schedules the daily fits (checking every hour) and runs them on a
// worker of their own, one at a time, until ctx ends. Fits take seconds of
// CPU; on the shared job worker they would hold up webhook deliveries
// claimed in the same batch.
func (s *Service) Run(ctx context.Context) {
	w := &jobs.Worker{DB: s.db, Log: s.log, Lease: FitLease, Batch: 1, Parallel: 1, Poll: time.Minute}
	w.Handle(KindFit, s.fitJob)
	go func() { _ = w.Run(ctx) }()
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if err := s.ScheduleFits(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("schedule adaptation fits", "err", err)
		}
		w.Notify()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (s *Service) fitJob(ctx context.Context, job store.Job) error {
	res, err := s.Fit(ctx, job.WorkspaceID)
	if err != nil {
		return err
	}
	for _, l := range res.Langs {
		s.log.Info("adaptation fit", "workspace", job.WorkspaceID, "lang", l.Lang, "labelled", l.Labelled,
			"score_base", l.ScoreBase, "score_adapted", l.ScoreAdapted, "active", l.Active, "skipped", l.Skipped, "unchanged", l.Unchanged)
	}
	return nil
}
