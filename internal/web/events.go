package web

import (
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Live updates: the explorer opens an EventSource on /events and shows
// "N new items — show" when feedback arrives. The stream polls the database
// (cheap: an index range on id), so it works the same with several `vox
// serve` replicas on one database. Without JavaScript nothing changes: the
// page has a plain reload link.

const (
	eventsPollDefault = 2 * time.Second
	eventsHeartbeat   = 25 * time.Second // keeps proxies from closing an idle stream
	eventsMaxDuration = 10 * time.Minute // then the browser reconnects, and the session is checked again
)

// events streams the count of items stored after ?after= (or the
// Last-Event-ID of a reconnecting browser), limited to the viewer's own
// items for an employee.
func (s *Server) events(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	if id, err := strconv.ParseInt(r.Header.Get("Last-Event-ID"), 10, 64); err == nil && id > after {
		after = id
	}
	emp, _, ok, err := s.ownEmployee(ctx, rc)
	if err != nil {
		return err
	}
	// An employee not linked to an employee record yet has nothing to see:
	// the stream stays open but silent, like the explorer's empty page.
	silent := !ok
	if after <= 0 && !silent {
		if after, err = s.db.LatestFeedbackID(ctx, rc.Workspace.ID); err != nil {
			return err
		}
	}
	flusher, canFlush := w.(http.Flusher)
	if !canFlush {
		return fmt.Errorf("events: response writer cannot flush")
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 5000\n\n")
	flusher.Flush()
	poll := s.eventsPoll
	if poll <= 0 {
		poll = eventsPollDefault
	}
	tick := time.NewTicker(poll)
	defer tick.Stop()
	end := time.After(eventsMaxDuration)
	lastWrite := time.Now()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-end:
			return nil
		case <-tick.C:
		}
		var n int
		var last int64
		if !silent {
			n, last, err = s.db.FeedbackSince(ctx, rc.Workspace.ID, after, emp)
		}
		if err != nil {
			if ctx.Err() == nil {
				s.log.Error("web: events", "err", err)
			}
			return nil // headers are sent; the browser retries
		}
		switch {
		case n > 0:
			after = last
			fmt.Fprintf(w, "id: %d\nevent: feedback\ndata: {\"count\":%d,\"last\":%d}\n\n", last, n, last)
		case time.Since(lastWrite) >= eventsHeartbeat:
			fmt.Fprint(w, ": keep-alive\n\n")
		default:
			continue
		}
		flusher.Flush()
		lastWrite = time.Now()
	}
}
