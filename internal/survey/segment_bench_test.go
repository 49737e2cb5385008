package survey_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"vox/internal/store"
	"vox/internal/survey"
	"vox/internal/testutil"
)

// BenchmarkInviteSegment queues an email survey to a 20,000-customer
// segment on SQLite, a new wave per iteration so that every customer is
// queued (invitation and send job) each time; "dup" sends the same wave
// again, which queues nothing and measures the walk and the dedupe checks.
//
//	go test -run '^$' -bench InviteSegment -benchtime 3x ./internal/survey
func BenchmarkInviteSegment(b *testing.B) {
	const customers = 20000
	ctx := context.Background()
	db := testutil.SQLite(b)
	ws, err := db.CreateWorkspace(ctx, "acme", "Acme", "UTC")
	if err != nil {
		b.Fatal(err)
	}
	for start := 0; start < customers; start += 1000 {
		inputs := make([]store.CustomerInput, 0, 1000)
		for i := start; i < start+1000; i++ {
			inputs = append(inputs, store.CustomerInput{Segment: "retail", Region: "north", Lang: "ru",
				Identities: []store.Identity{{Kind: store.IdentityEmail, Value: fmt.Sprintf("c%05d@example.com", i)}}})
		}
		if _, err := db.UpsertCustomers(ctx, ws.ID, inputs); err != nil {
			b.Fatal(err)
		}
	}
	signer, _ := survey.NewSigner([]byte("0123456789abcdef0123"))
	svc := survey.New(db, nil, signer, "https://vox.test")
	sv, err := svc.CreateSurvey(ctx, ws.ID, survey.Input{Name: "NPS", Definition: survey.Definition{
		Questions: []survey.Question{{Type: survey.TypeNPS, Text: survey.Text{"en": "Recommend us?"}}}}})
	if err != nil {
		b.Fatal(err)
	}
	run := func(b *testing.B, wave func(i int) string, wantQueued int) {
		start := time.Now()
		for i := 0; b.Loop(); i++ {
			res, err := svc.InviteSegment(ctx, ws.ID, sv, survey.SegmentRequest{Channel: survey.ChannelEmail, Segment: "retail", Wave: wave(i)})
			if err != nil {
				b.Fatal(err)
			}
			if res.Matched != customers || res.Queued != wantQueued {
				b.Fatalf("matched %d queued %d", res.Matched, res.Queued)
			}
		}
		b.ReportMetric(float64(customers*b.N)/time.Since(start).Seconds(), "customers/s")
	}
	b.Run("new-wave", func(b *testing.B) { run(b, func(i int) string { return fmt.Sprintf("w%d", i) }, customers) })
	b.Run("dup", func(b *testing.B) { run(b, func(int) string { return "w0" }, 0) })
}
