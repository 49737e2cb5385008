package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"vox/internal/store"
	"vox/internal/testutil"
)

// BenchmarkErasePerson erases a person with 20 items (and their webhook
// jobs) from a SQLite workspace of 20k items and as many jobs; the baseline
// in the same run is storing those 20 items, the write an erase undoes.
func BenchmarkErasePerson(b *testing.B) {
	ctx := context.Background()
	db := testutil.SQLite(b)
	ws, err := db.CreateWorkspace(ctx, "acme", "Acme", "Europe/Moscow")
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 1))
	now := time.Now()
	item := func(text string) store.FeedbackItem {
		return store.FeedbackItem{Kind: pick(r, genKinds), Channel: pick(r, genChannels), Region: pick(r, genRegions),
			Segment: pick(r, genSegments), Lang: pick(r, genLangs), Sentiment: pick(r, genSentiments), Text: text,
			NPS: ptr(r.IntN(11)), Topics: []string{pick(r, genTopics)}, OccurredAt: now.Add(-time.Duration(r.IntN(365*24)) * time.Hour)}
	}
	for batch := range 20 {
		nf := make([]store.NewFeedback, 1000)
		jobs := make([]store.NewJob, 1000)
		for i := range nf {
			n := batch*1000 + i
			nf[i] = store.NewFeedback{Item: item(fmt.Sprintf("background text %d", n)),
				Customer: store.CustomerInput{Identities: []store.Identity{{Kind: "email", Value: fmt.Sprintf("c%d@x.test", n%5000)}}}}
			jobs[i] = store.NewJob{Kind: "webhook.deliver", Payload: fmt.Sprintf(`{"endpoint_id":1,"body":"{\"data\":{\"item\":{\"id\":%d}}}"}`, 1_000_000+n)}
		}
		if _, err := db.InsertFeedback(ctx, ws.ID, nf, nil); err != nil {
			b.Fatal(err)
		}
		if _, err := db.EnqueueJobs(ctx, ws.ID, jobs); err != nil {
			b.Fatal(err)
		}
	}
	person := func(i int) []store.NewFeedback {
		out := make([]store.NewFeedback, 20)
		for k := range out {
			out[k] = store.NewFeedback{Item: item(fmt.Sprintf("person %d says %d", i, k)),
				Customer: store.CustomerInput{Identities: []store.Identity{{Kind: "email", Value: fmt.Sprintf("p%d@x.test", i)}}}}
		}
		return out
	}
	b.Run("baseline-insert-20", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, err := db.InsertFeedback(ctx, ws.ID, person(1_000_000+i), nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("erase-20", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			b.StopTimer()
			if _, err := db.InsertFeedback(ctx, ws.ID, person(i), nil); err != nil {
				b.Fatal(err)
			}
			id, err := db.FindCustomerByIdentity(ctx, ws.ID, "email", fmt.Sprintf("p%d@x.test", i))
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if rep, err := db.ErasePerson(ctx, ws.ID, id, store.AuditActor{Name: "bench"}); err != nil || rep.Feedback != 20 {
				b.Fatal(rep, err)
			}
		}
	})
}
