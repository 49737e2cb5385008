// Package jobs runs durable jobs from the store's outbox: webhook
// deliveries, notifications, survey sends. Handlers are registered by kind;
// a failed job is retried on a backoff schedule and ends up dead (visible,
// manually retryable) when its attempts are used up.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"vox/internal/store"
)

// Handler does one job. Returning nil completes it; an error retries it.
type Handler func(ctx context.Context, job store.Job) error

// Permanent wraps an error that retrying cannot fix: the job dies at once.
func Permanent(err error) error { return permanentError{err} }

type permanentError struct{ err error }

func (p permanentError) Error() string { return p.err.Error() }
func (p permanentError) Unwrap() error { return p.err }

// RetryAfter asks for the next attempt no sooner than d (e.g. HTTP 429).
func RetryAfter(err error, d time.Duration) error { return retryAfterError{err, d} }

type retryAfterError struct {
	err error
	d   time.Duration
}

func (r retryAfterError) Error() string { return r.err.Error() }
func (r retryAfterError) Unwrap() error { return r.err }

// RetryDelay returns the delay a RetryAfter error in err's chain asks for.
func RetryDelay(err error) (time.Duration, bool) {
	var ra retryAfterError
	if errors.As(err, &ra) {
		return ra.d, true
	}
	return 0, false
}

// DefaultSchedule spreads retries over about three days, as the Standard
// Webhooks guidance suggests: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h.
var DefaultSchedule = []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour,
	5 * time.Hour, 10 * time.Hour, 14 * time.Hour, 20 * time.Hour, 24 * time.Hour}

// Worker claims and runs jobs.
type Worker struct {
	DB       *store.DB
	Log      *slog.Logger
	Schedule []time.Duration // retry delays; nil: DefaultSchedule
	Lease    time.Duration   // how long a claimed job is ours; 0: 2 min
	Poll     time.Duration   // idle poll interval; 0: 1 s (Notify wakes it sooner)
	Batch    int             // jobs claimed at once; 0: 16
	Parallel int             // jobs run at once; 0: 8
	Now      func() time.Time

	mu       sync.Mutex
	handlers map[string]Handler
	wake     chan struct{}
}

// Handle registers the handler of a job kind.
func (w *Worker) Handle(kind string, h Handler) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.handlers == nil {
		w.handlers = map[string]Handler{}
	}
	w.handlers[kind] = h
}

// Notify wakes the worker: call it after enqueueing so delivery does not
// wait for the next poll.
func (w *Worker) Notify() {
	select {
	case w.wakeChan() <- struct{}{}:
	default:
	}
}

func (w *Worker) wakeChan() chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.wake == nil {
		w.wake = make(chan struct{}, 1)
	}
	return w.wake
}

func (w *Worker) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

func (w *Worker) kinds() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]string, 0, len(w.handlers))
	for k := range w.handlers {
		out = append(out, k)
	}
	return out
}

// Run claims and runs jobs until ctx ends.
func (w *Worker) Run(ctx context.Context) error {
	poll := w.Poll
	if poll <= 0 {
		poll = time.Second
	}
	wake := w.wakeChan()
	for {
		n, err := w.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			w.log().Error("job worker", "err", err)
		}
		if n > 0 {
			continue // there may be more due work
		}
		select {
		case <-ctx.Done():
			return nil
		case <-wake:
		case <-time.After(poll):
		}
	}
}

// RunOnce claims one batch of due jobs, runs them and returns how many ran.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	lease := w.Lease
	if lease <= 0 {
		lease = 2 * time.Minute
	}
	batch := w.Batch
	if batch <= 0 {
		batch = 16
	}
	jobs, err := w.DB.ClaimJobs(ctx, w.kinds(), batch, lease, w.now())
	if err != nil || len(jobs) == 0 {
		return 0, err
	}
	parallel := w.Parallel
	if parallel <= 0 {
		parallel = 8
	}
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func(j store.Job) {
			defer wg.Done()
			defer func() { <-sem }()
			w.run(ctx, j)
		}(j)
	}
	wg.Wait()
	return len(jobs), nil
}

func (w *Worker) run(ctx context.Context, j store.Job) {
	w.mu.Lock()
	h := w.handlers[j.Kind]
	w.mu.Unlock()
	err := safeRun(ctx, h, j)
	if err == nil {
		if err := w.DB.CompleteJob(ctx, j.ID); err != nil {
			w.log().Error("complete job", "id", j.ID, "err", err)
		}
		return
	}
	next := w.nextAttempt(j, err)
	if next.IsZero() {
		w.log().Warn("job dead", "id", j.ID, "kind", j.Kind, "attempts", j.Attempts, "err", err)
	}
	if rerr := w.DB.RetryJob(ctx, j.ID, err, next); rerr != nil {
		w.log().Error("retry job", "id", j.ID, "err", rerr)
	}
}

// nextAttempt returns when to try again, or zero for never.
func (w *Worker) nextAttempt(j store.Job, err error) time.Time {
	var perm permanentError
	if errors.As(err, &perm) || j.Attempts >= j.MaxAttempts {
		return time.Time{}
	}
	sched := w.Schedule
	if sched == nil {
		sched = DefaultSchedule
	}
	i := min(j.Attempts-1, len(sched)-1)
	delay := sched[max(i, 0)]
	// ±10 % jitter so that a receiver coming back is not hit by a wave.
	delay += time.Duration((rand.Float64()*0.2 - 0.1) * float64(delay))
	var ra retryAfterError
	if errors.As(err, &ra) && ra.d > delay {
		delay = ra.d
	}
	return w.now().Add(delay)
}

func safeRun(ctx context.Context, h Handler, j store.Job) (err error) {
	if h == nil {
		return Permanent(fmt.Errorf("no handler for job kind %q", j.Kind))
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("job panicked: %v", p)
		}
	}()
	return h(ctx, j)
}

func (w *Worker) log() *slog.Logger {
	if w.Log != nil {
		return w.Log
	}
	return slog.Default()
}
