package survey_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"vox/internal/store"
	"vox/internal/survey"
	"vox/internal/testutil"
)

// TestQueueSegmentInBackground walks a segment as jobs, one page per run
// (as if each run were cut short by a restart): every customer is invited
// once, progress adds up, asking again starts nothing, an old job left
// behind by a crash changes nothing, and the send belongs to its workspace.
func TestQueueSegmentInBackground(t *testing.T) {
	defer survey.SetSegmentPage(2)()
	defer survey.SetSegmentBudget(0)()
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := newFixture(t, db, time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC))
		var inputs []store.CustomerInput
		for i := range 7 {
			inputs = append(inputs, store.CustomerInput{Segment: "smb",
				Identities: []store.Identity{{Kind: store.IdentityEmail, Value: fmt.Sprintf("c%d@example.com", i)}}})
		}
		inputs = append(inputs, store.CustomerInput{Segment: "smb", Identities: []store.Identity{{Kind: store.IdentityPhone, Value: "+79001112233"}}})
		if _, err := db.UpsertCustomers(ctx, fx.ws, inputs); err != nil {
			t.Fatal(err)
		}
		sv := fx.survey(t, survey.Options{})
		req := survey.SegmentRequest{Channel: survey.ChannelEmail, Segment: "smb", Wave: "q1"}
		send, created, err := fx.svc.QueueSegment(ctx, fx.ws, sv, req)
		if err != nil || !created || send.Status != store.SegmentSendQueued {
			t.Fatalf("queue: %+v %v %v", send, created, err)
		}
		if again, created, err := fx.svc.QueueSegment(ctx, fx.ws, sv, req); err != nil || created || again.ID != send.ID {
			t.Fatalf("queue again: %+v %v %v", again, created, err)
		}
		if len(mustInvitations(t, db, fx.ws, sv)) != 0 {
			t.Fatal("queueing invited someone before the job ran")
		}

		// One run walks one page and hands over to the next job.
		if _, err := fx.worker.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		mid, err := db.SegmentSend(ctx, fx.ws, send.ID)
		if err != nil {
			t.Fatal(err)
		}
		if mid.Status != store.SegmentSendRunning || mid.Matched != 2 || mid.Queued != 2 {
			t.Fatalf("after one run: %+v", mid)
		}
		// The first job again (a crash re-delivers it): the walk moved on, it does nothing.
		if _, err := db.EnqueueJobs(ctx, fx.ws, []store.NewJob{{Kind: survey.JobSegment,
			Payload: fmt.Sprintf(`{"send_id":%d,"after":0}`, send.ID), DedupeKey: "replayed"}}); err != nil {
			t.Fatal(err)
		}
		fx.run(t)
		done, err := db.SegmentSend(ctx, fx.ws, send.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := store.SegmentCounts{Matched: 8, Queued: 7, NoAddress: 1}
		if done.Status != store.SegmentSendDone || done.SegmentCounts != want {
			t.Errorf("done: %+v, want counts %+v", done, want)
		}
		seen := map[string]bool{}
		for _, inv := range mustInvitations(t, db, fx.ws, sv) {
			if seen[inv.Address] {
				t.Errorf("%s invited twice", inv.Address)
			}
			seen[inv.Address] = true
		}
		if len(seen) != 7 || fx.sender.count() != 7 {
			t.Errorf("%d invited, %d mailed, want 7 and 7", len(seen), fx.sender.count())
		}
		if again, created, _ := fx.svc.QueueSegment(ctx, fx.ws, sv, req); created || again.Status != store.SegmentSendDone {
			t.Errorf("a finished wave started again: %+v", again)
		}

		// Closed half-way: the walk stops and says why.
		req.Wave = "q2"
		second, _, err := fx.svc.QueueSegment(ctx, fx.ws, sv, req)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fx.worker.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		s, _ := fx.svc.Survey(ctx, fx.ws, sv, 0)
		if _, err := fx.svc.UpdateSurvey(ctx, fx.ws, sv, survey.Input{Name: s.Name, Status: "closed", Definition: s.Definition}); err != nil {
			t.Fatal(err)
		}
		fx.run(t)
		stopped, _ := db.SegmentSend(ctx, fx.ws, second.ID)
		if stopped.Status != store.SegmentSendDone || stopped.LastError == "" || stopped.Matched != 2 {
			t.Errorf("closed half-way: %+v", stopped)
		}
		if _, _, err := fx.svc.QueueSegment(ctx, fx.ws, sv, survey.SegmentRequest{Channel: survey.ChannelEmail, Segment: "smb", Wave: "q3"}); !errors.Is(err, survey.ErrSurveyNotLive) {
			t.Errorf("closed survey: %v", err)
		}

		// Another workspace sees neither the send nor the list.
		other, err := db.CreateWorkspace(ctx, "globex", "Globex", "UTC")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.SegmentSend(ctx, other.ID, send.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another workspace read the send: %v", err)
		}
		if list, err := db.SegmentSends(ctx, other.ID, sv, 10); err != nil || len(list) != 0 {
			t.Errorf("another workspace listed %d sends (%v)", len(list), err)
		}
		if list, _ := db.SegmentSends(ctx, fx.ws, sv, 10); len(list) != 2 || list[0].ID != second.ID {
			t.Errorf("sends: %+v", list)
		}
	})
}
