package store_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"vox/internal/store"
	"vox/internal/testutil"
)

func TestRetentionDeletesOnlyOldItemsAndHonoursSurveyOverrides(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ws, err := db.CreateWorkspace(ctx, "acme", "Acme", "America/New_York")
		if err != nil {
			t.Fatal(err)
		}
		other, err := db.CreateWorkspace(ctx, "globex", "Globex", "UTC")
		if err != nil {
			t.Fatal(err)
		}
		forever, err := db.CreateSurvey(ctx, ws.ID, store.SurveyInput{Name: "kept", Status: "live", Definition: "{}", Settings: "{}"})
		if err != nil {
			t.Fatal(err)
		}
		short, err := db.CreateSurvey(ctx, ws.ID, store.SurveyInput{Name: "short", Status: "live", Definition: "{}", Settings: "{}"})
		if err != nil {
			t.Fatal(err)
		}
		foreign, err := db.CreateSurvey(ctx, other.ID, store.SurveyInput{Name: "theirs", Status: "live", Definition: "{}", Settings: "{}"})
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		day := 24 * time.Hour
		r := rand.New(rand.NewPCG(7, 8))
		item := func(age time.Duration, survey int64, text string) store.NewFeedback {
			it := store.FeedbackItem{Kind: "survey_response", Channel: pick(r, genChannels), Region: pick(r, genRegions),
				Lang: pick(r, genLangs), Sentiment: pick(r, genSentiments), Text: text, OccurredAt: now.Add(-age),
				NPS: ptr(r.IntN(11)), Topics: []string{pick(r, genTopics)}}
			if survey != 0 {
				it.SurveyID = &survey
			}
			return store.NewFeedback{Item: it, Customer: store.CustomerInput{Identities: []store.Identity{{Kind: "email", Value: text + "@x.test"}}}}
		}
		batch := []store.NewFeedback{
			item(5*day, 0, "keep-5"), item(20*day, 0, "keep-20"), item(40*day, 0, "drop-40"), item(100*day, 0, "drop-100"),
			item(31*day, 0, "drop-31"), item(29*day, 0, "keep-29"),
			item(40*day, forever, "keep-s1-40"), item(400*day, forever, "keep-s1-400"),
			item(5*day, short, "keep-s2-5"), item(15*day, short, "drop-s2-15"), item(11*day, short, "drop-s2-11"),
		}
		if _, err := db.InsertFeedback(ctx, ws.ID, batch, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := db.InsertFeedback(ctx, other.ID, []store.NewFeedback{item(100*day, 0, "globex-100")}, nil); err != nil {
			t.Fatal(err)
		}

		// Bad policies are refused, naming what is wrong.
		for _, bad := range []store.RetentionPolicy{{Days: -1}, {Days: store.MaxRetentionDays + 1},
			{Days: 30, Surveys: map[int64]int{short: -5}}, {Days: 30, Surveys: map[int64]int{foreign: 10}}} {
			if err := db.SetRetentionPolicy(ctx, ws.ID, bad, store.AuditActor{Name: "admin"}); !errors.Is(err, store.ErrBadRetention) {
				t.Errorf("policy %+v: %v", bad, err)
			}
		}
		policy := store.RetentionPolicy{Days: 30, Surveys: map[int64]int{forever: 0, short: 10}}
		if err := db.SetRetentionPolicy(ctx, ws.ID, policy, store.AuditActor{Name: "admin"}); err != nil {
			t.Fatal(err)
		}
		got, err := db.RetentionPolicyOf(ctx, ws.ID)
		if err != nil || got.Days != 30 || got.Surveys[forever] != 0 || got.Surveys[short] != 10 || len(got.Surveys) != 2 {
			t.Fatalf("policy read back: %+v, %v", got, err)
		}
		if wss, err := db.RetentionWorkspaces(ctx); err != nil || len(wss) != 1 || wss[0] != ws.ID {
			t.Fatalf("retention workspaces: %v, %v", wss, err)
		}

		res, err := db.ApplyRetention(ctx, ws.ID, now, 2)
		if err != nil {
			t.Fatal(err)
		}
		if res.Feedback != 5 || res.Batches < 3 {
			t.Errorf("retention result %+v, want 5 items in ≥ 3 batches", res)
		}
		left := allItems(t, db, ws.ID)
		kept := map[string]bool{}
		for _, it := range left {
			kept[it.Text] = true
		}
		for _, text := range []string{"keep-5", "keep-20", "keep-29", "keep-s1-40", "keep-s1-400", "keep-s2-5"} {
			if !kept[text] {
				t.Errorf("%s was deleted", text)
			}
		}
		if len(left) != 6 {
			t.Errorf("%d items left, want 6: %v", len(left), kept)
		}
		if n := len(allItems(t, db, other.ID)); n != 1 {
			t.Errorf("the other workspace has %d items, want 1", n)
		}
		checkRollups(t, db, ws.ID, left, store.LoadLocation(ws.Timezone),
			randomQueries(r, store.DayOf(now.Add(-500*day), time.UTC)-2, store.DayOf(now.Add(day), time.UTC)+2))

		// Nothing left to do: a second run deletes nothing.
		again, err := db.ApplyRetention(ctx, ws.ID, now, 2)
		if err != nil || again.Feedback != 0 {
			t.Errorf("second run: %+v, %v", again, err)
		}
	})
}
