package store_test

import (
	"context"
	"testing"
	"time"

	"vox/internal/store"
	"vox/internal/testutil"
)

// TestOverviewQueries: the invitation funnel per channel for one survey or
// all, and the spike alerts of a period, each scoped to its workspace.
func TestOverviewQueries(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, _ := db.CreateWorkspace(ctx, "a", "A", "UTC")
		b, _ := db.CreateWorkspace(ctx, "b", "B", "UTC")
		now := time.Now().Truncate(time.Millisecond)
		surveys := map[int64][]int64{}
		for _, ws := range []int64{a.ID, b.ID} {
			for _, name := range []string{"one", "two"} {
				id, err := db.CreateSurvey(ctx, ws, store.SurveyInput{Name: name, Status: "live", Definition: "{}"})
				if err != nil {
					t.Fatal(err)
				}
				surveys[ws] = append(surveys[ws], id)
			}
		}
		// In A: survey one has 3 email and 2 sms invitations, survey two 1
		// email; one invitation was sent before the period. B has its own.
		invite := func(ws, survey int64, ch string, sentAt time.Time) int64 {
			var id int64
			err := db.InTx(ctx, func(tx *store.Tx) error {
				inv, _, err := tx.CreateInvitation(ctx, ws, store.NewInvitation{SurveyID: survey, SurveyVersion: 1, Channel: ch, Address: "x", SentAt: sentAt}, now)
				id = inv.ID
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		from, to := now.Add(-24*time.Hour), now.Add(time.Hour)
		for i := 0; i < 3; i++ {
			invite(a.ID, surveys[a.ID][0], "email", now.Add(-time.Hour))
		}
		sms := invite(a.ID, surveys[a.ID][0], "sms", now.Add(-time.Hour))
		invite(a.ID, surveys[a.ID][0], "sms", now.Add(-time.Hour))
		if err := db.MarkInvitationDelivered(ctx, a.ID, sms, now); err != nil {
			t.Fatal(err)
		}
		invite(a.ID, surveys[a.ID][1], "email", now.Add(-time.Hour))
		invite(a.ID, surveys[a.ID][1], "email", now.Add(-48*time.Hour))
		invite(b.ID, surveys[b.ID][0], "email", now.Add(-time.Hour))

		count := func(fs []store.ChannelFunnel) map[string][2]int {
			out := map[string][2]int{}
			for _, f := range fs {
				out[f.Channel] = [2]int{f.Sent, f.Delivered}
			}
			return out
		}
		all, err := db.InvitationFunnel(ctx, a.ID, from, to, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := count(all); got["email"] != [2]int{4, 0} || got["sms"] != [2]int{2, 1} || len(got) != 2 {
			t.Errorf("all surveys: %v", got)
		}
		one, err := db.InvitationFunnel(ctx, a.ID, from, to, surveys[a.ID][0])
		if err != nil {
			t.Fatal(err)
		}
		if got := count(one); got["email"] != [2]int{3, 0} || got["sms"] != [2]int{2, 1} {
			t.Errorf("survey one: %v", got)
		}
		// B's survey asked for in A counts nothing.
		if other, err := db.InvitationFunnel(ctx, a.ID, from, to, surveys[b.ID][0]); err != nil || len(other) != 0 {
			t.Errorf("B's survey in A: %v %v", other, err)
		}

		err = db.InTx(ctx, func(tx *store.Tx) error {
			for i, al := range []store.Alert{
				{WorkspaceID: a.ID, Kind: store.AlertSpike, Title: "old", CreatedAt: now.Add(-48 * time.Hour), DedupeKey: "s1"},
				{WorkspaceID: a.ID, Kind: store.AlertSpike, Title: "recent", CreatedAt: now.Add(-time.Hour), DedupeKey: "s2",
					Details: map[string]any{"dimension": "channel", "value": "telegram"}},
				{WorkspaceID: a.ID, Kind: store.AlertRule, Title: "rule", CreatedAt: now.Add(-time.Hour), DedupeKey: "r1"},
				{WorkspaceID: b.ID, Kind: store.AlertSpike, Title: "other workspace", CreatedAt: now.Add(-time.Hour), DedupeKey: "s3"},
			} {
				if _, _, err := tx.InsertAlert(ctx, al); err != nil {
					t.Fatalf("alert %d: %v", i, err)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		spikes, err := db.SpikeAlerts(ctx, a.ID, from, to, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(spikes) != 1 || spikes[0].Title != "recent" || spikes[0].Details["value"] != "telegram" || !spikes[0].CreatedAt.Equal(now.Add(-time.Hour)) {
			t.Errorf("spikes %+v", spikes)
		}
	})
}

// TestListFeedbackByTopic: the explorer's topic filter matches whole topic
// ids only (not substrings, not LIKE wildcards), within the workspace.
func TestListFeedbackByTopic(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, _ := db.CreateWorkspace(ctx, "a", "A", "UTC")
		b, _ := db.CreateWorkspace(ctx, "b", "B", "UTC")
		now := time.Now()
		item := func(text string, topics ...string) store.NewFeedback {
			return store.NewFeedback{Item: store.FeedbackItem{Kind: "review", Channel: "web", Text: text, Topics: topics, OccurredAt: now}}
		}
		if _, err := db.InsertFeedback(ctx, a.ID, []store.NewFeedback{item("late", "delivery", "waiting_time"),
			item("delay", "delivery_delay"), item("price", "price"), item("none")}, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := db.InsertFeedback(ctx, b.ID, []store.NewFeedback{item("b late", "delivery")}, nil); err != nil {
			t.Fatal(err)
		}
		for topic, want := range map[string]string{"delivery": "late", "delivery_delay": "delay", "waiting_time": "late", "%": "", "deliver": ""} {
			page, err := db.ListFeedback(ctx, a.ID, store.FeedbackFilter{Topic: topic})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, it := range page.Items {
				got = append(got, it.Text)
			}
			if (want == "" && len(got) != 0) || (want != "" && (len(got) != 1 || got[0] != want)) {
				t.Errorf("topic %q: %v, want %q", topic, got, want)
			}
		}
	})
}
