package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// Group commit: many small durable writes arriving together (survey
// answers under load) share one write transaction instead of paying for
// one each. On SQLite every write goes through one connection anyway, so
// the writes queue; GroupTx lets the queue commit at once.
//
// How it works: one goroutine per DB takes the first waiting call, adds
// whatever else is already waiting (up to maxGroup; it never waits for
// more, so a lone write is not delayed), and runs them in one transaction,
// each inside its own SAVEPOINT. A call whose function fails is rolled back
// to its savepoint and gets its error; the others go on. The calls' rollup
// additions are summed and written once, before the COMMIT
// (rollup_deferred.go). After the COMMIT
// each caller is answered. If the shared transaction itself fails (begin,
// a savepoint, the commit), every call is run again alone in its own
// transaction, so one bad write never fails its neighbours.

// maxGroup bounds the calls sharing one transaction.
const maxGroup = 128

type groupCall struct {
	ctx  context.Context
	fn   func(context.Context, *Tx) error
	done chan error
}

type committer struct {
	once  sync.Once
	calls chan *groupCall
	quit  chan struct{}
	wg    sync.WaitGroup
	// Counters for GroupStats.
	nTx, nCalls atomic.Int64
}

// GroupStats says how many transactions GroupTx ran and how many calls
// they carried: calls/transactions is the mean group size.
func (db *DB) GroupStats() (transactions, calls int64) {
	return db.group.nTx.Load(), db.group.nCalls.Load()
}

// GroupTx runs fn in a write transaction that it may share with other
// GroupTx calls made at the same time; it returns once that transaction
// committed (nil) or fn's changes were rolled back (fn's error). fn must
// use the context it is given, not the caller's: it is ctx without its
// cancellation, since cancelling a statement on SQLite would roll back the
// whole shared transaction. fn must be safe to run twice (the second time
// alone, after a failed group), which a function that only writes through
// tx is: the first run's writes were rolled back.
func (db *DB) GroupTx(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) error {
	c := &db.group
	c.once.Do(func() {
		c.calls = make(chan *groupCall, maxGroup)
		c.quit = make(chan struct{})
		c.wg.Add(1)
		go db.runCommitter()
	})
	call := &groupCall{ctx: context.WithoutCancel(ctx), fn: fn, done: make(chan error, 1)}
	select {
	case c.calls <- call:
	case <-c.quit:
		return fmt.Errorf("group commit: %w", errClosed)
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued the call runs to its end: wait for it even if ctx ends,
	// so the caller never reports a failure for a write that commits.
	select {
	case err := <-call.done:
		return err
	case <-c.quit:
		c.wg.Wait() // the committer answered every call it took
		select {
		case err := <-call.done:
			return err
		default:
			return fmt.Errorf("group commit: %w", errClosed)
		}
	}
}

var errClosed = errors.New("database closed")

func (db *DB) runCommitter() {
	c := &db.group
	defer c.wg.Done()
	batch := make([]*groupCall, 0, maxGroup)
	for {
		select {
		case call := <-c.calls:
			batch = append(batch[:0], call)
		case <-c.quit:
			db.failWaiting()
			return
		}
	more:
		for len(batch) < maxGroup {
			select {
			case call := <-c.calls:
				batch = append(batch, call)
			default:
				break more
			}
		}
		db.commitGroup(batch)
	}
}

// failWaiting answers the calls still queued when the DB closes.
func (db *DB) failWaiting() {
	for {
		select {
		case call := <-db.group.calls:
			call.done <- fmt.Errorf("group commit: %w", errClosed)
		default:
			return
		}
	}
}

// commitGroup runs a batch in one transaction, falling back to one
// transaction per call when the shared one fails.
func (db *DB) commitGroup(batch []*groupCall) {
	db.group.nTx.Add(1)
	db.group.nCalls.Add(int64(len(batch)))
	if len(batch) == 1 {
		call := batch[0]
		call.done <- db.InTx(call.ctx, func(tx *Tx) error { return call.fn(call.ctx, tx) })
		return
	}
	errs := make([]error, len(batch))
	err := db.InTx(context.Background(), func(tx *Tx) error {
		tx.deferred = newDeferredRollups()
		tx.reads = newGroupReads()
		for i, call := range batch {
			if _, err := tx.exec(call.ctx, "SAVEPOINT vox_group"); err != nil {
				return err
			}
			errs[i] = call.fn(call.ctx, tx)
			tx.deferred.endCall(errs[i] == nil)
			if errs[i] != nil {
				if _, err := tx.exec(call.ctx, "ROLLBACK TO SAVEPOINT vox_group"); err != nil {
					return err
				}
			}
			if _, err := tx.exec(call.ctx, "RELEASE SAVEPOINT vox_group"); err != nil {
				return err
			}
		}
		r := tx.deferred
		tx.deferred, tx.reads = nil, groupReads{}
		return r.flush(context.Background(), tx)
	})
	if err != nil {
		for _, call := range batch {
			call.done <- db.InTx(call.ctx, func(tx *Tx) error { return call.fn(call.ctx, tx) })
		}
		return
	}
	for i, call := range batch {
		call.done <- errs[i]
	}
}

// stopCommitter ends the group-commit goroutine (DB.Close).
func (db *DB) stopCommitter() {
	c := &db.group
	c.once.Do(func() { c.quit = make(chan struct{}) }) // none started: a later GroupTx must not start one
	select {
	case <-c.quit:
	default:
		close(c.quit)
	}
	c.wg.Wait()
}
