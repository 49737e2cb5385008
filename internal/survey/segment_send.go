package survey

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"vox/internal/jobs"
	"vox/internal/store"
)

// JobSegment walks a segment send page by page (see QueueSegment).
const JobSegment = "survey.segment"

// segmentBudget bounds one run of a segment job: past it, the run records
// its progress together with a continuation job and ends, so that no run
// outlives its job lease however large the segment (a lease that ran out
// would let a second worker walk the same pages).
var segmentBudget = 20 * time.Second

// QueueSegment starts a background send of a survey to a segment: it
// checks the request and the survey as InviteSegment does, then stores the
// send and its first job in one transaction and returns at once. The job
// walks the segment a page at a time (one transaction per page, as
// InviteSegment), recording progress after each page, so a restart carries
// on where the walk stopped. The same survey, wave, channel, segment and
// region name one send: asking again returns it (created false) and starts
// nothing; the invitations' dedupe keys (wave + customer) make sure nobody
// is invited twice in a wave in any case.
func (s *Service) QueueSegment(ctx context.Context, ws, surveyID int64, req SegmentRequest) (store.SegmentSend, bool, error) {
	sv, err := s.Survey(ctx, ws, surveyID, 0)
	if err != nil {
		return store.SegmentSend{}, false, err
	}
	if err := req.validate(); err != nil {
		return store.SegmentSend{}, false, err
	}
	if sv.Status != "live" {
		return store.SegmentSend{}, false, ErrSurveyNotLive
	}
	send, created, err := s.DB.StartSegmentSend(ctx, ws, store.SegmentSend{SurveyID: surveyID, Channel: req.Channel,
		Segment: req.Segment, Region: req.Region, Wave: req.Wave, DelaySeconds: req.DelaySeconds},
		func(id int64) store.NewJob { return segmentJob(id, 0, s.now()) })
	if err != nil {
		return send, false, fmt.Errorf("queue segment send: %w", err)
	}
	if created {
		s.notify()
	}
	return send, created, nil
}

type segmentPayload struct {
	SendID int64 `json:"send_id"`
	After  int64 `json:"after"` // the customer id the run starts after
}

func segmentJob(sendID, after int64, runAt time.Time) store.NewJob {
	p, _ := json.Marshal(segmentPayload{SendID: sendID, After: after})
	return store.NewJob{Kind: JobSegment, Payload: string(p), DedupeKey: fmt.Sprintf("segment-send:%d:%d", sendID, after), RunAt: runAt}
}

// handleSegment runs a segment send from where its progress stands.
//
// A crash between a page's invitations and its progress record re-walks
// that page on the retry: its invitations exist already, so nothing is
// sent twice, but they are counted as duplicates rather than queued.
func (s *Service) handleSegment(ctx context.Context, j store.Job) error {
	var p segmentPayload
	if err := json.Unmarshal([]byte(j.Payload), &p); err != nil {
		return jobs.Permanent(fmt.Errorf("%s payload: %w", JobSegment, err))
	}
	ws := j.WorkspaceID
	send, err := s.DB.SegmentSend(ctx, ws, p.SendID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if send.Status == store.SegmentSendDone || send.AfterID != p.After {
		return nil // finished, or carried on by another run
	}
	req := SegmentRequest{Channel: send.Channel, Segment: send.Segment, Region: send.Region, Wave: send.Wave,
		DelaySeconds: send.DelaySeconds}
	deadline := time.Now().Add(segmentBudget)
	after := send.AfterID
	for {
		page, res, err := s.invitePage(ctx, ws, send.SurveyID, req, after)
		if errors.Is(err, ErrSurveyNotLive) || errors.Is(err, store.ErrNotFound) {
			// Closed or deleted half-way: the rest of the segment is not invited.
			return ignoreStale(s.DB.AdvanceSegmentSend(ctx, ws, send.ID, after, 0, store.SegmentCounts{}, "the survey is not live", nil))
		}
		if err != nil {
			return err
		}
		var next int64
		if len(page) == segmentPage {
			next = page[len(page)-1].ID
		}
		var cont *store.NewJob
		if next != 0 && time.Now().After(deadline) {
			c := segmentJob(send.ID, next, s.now())
			cont = &c
		}
		counts := store.SegmentCounts{Matched: res.Matched, Queued: res.Queued, Duplicates: res.Duplicates,
			OptedOut: res.OptedOut, Throttled: res.Throttled, NoAddress: res.NoAddress, Invalid: len(res.Invalid)}
		if err := s.DB.AdvanceSegmentSend(ctx, ws, send.ID, after, next, counts, "", cont); err != nil {
			return ignoreStale(err)
		}
		if next == 0 {
			return nil
		}
		if cont != nil {
			s.notify()
			return nil
		}
		after = next
	}
}

// ignoreStale treats progress recorded by another run as success: that run
// owns the walk now.
func ignoreStale(err error) error {
	if errors.Is(err, store.ErrStaleProgress) {
		return nil
	}
	return err
}
