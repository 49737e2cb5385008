package surveyweb_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"vox/internal/ingest"
	"vox/internal/store"
	"vox/internal/survey"
	"vox/internal/surveyweb"
	"vox/internal/testutil"
)

func benchSetup(b *testing.B) (*store.DB, *survey.Service, http.Handler, int64, int64) {
	db := testutil.SQLite(b)
	ctx := context.Background()
	ws, _ := db.CreateWorkspace(ctx, "acme", "Acme", "UTC")
	signer, _ := survey.NewSigner([]byte("0123456789abcdef0123"))
	svc := survey.New(db, &ingest.Service{DB: db}, signer, "https://vox.test")
	h, err := surveyweb.New(svc, nil, 0)
	if err != nil {
		b.Fatal(err)
	}
	sid, err := svc.CreateSurvey(ctx, ws.ID, survey.Input{Name: "NPS", Definition: survey.Definition{Languages: []string{"en", "ru"},
		Questions: []survey.Question{{Type: survey.TypeNPS, Required: true, Text: survey.Text{"en": "How likely are you to recommend us?"}},
			{Type: survey.TypeOpen, Text: survey.Text{"en": "Why?"}}}}})
	if err != nil {
		b.Fatal(err)
	}
	return db, svc, h, ws.ID, sid
}

func links(b *testing.B, svc *survey.Service, ws, sid int64, n int) []string {
	reqs := make([]survey.InviteRequest, n)
	for i := range reqs {
		reqs[i] = survey.InviteRequest{Channel: survey.ChannelLink, Customer: &ingest.CustomerRef{ExternalID: fmt.Sprint("c", i)}}
	}
	out, err := svc.Invite(context.Background(), ws, sid, reqs)
	if err != nil {
		b.Fatal(err)
	}
	paths := make([]string, n)
	for i, o := range out {
		paths[i] = strings.TrimPrefix(o.URL, "https://vox.test")
	}
	return paths
}

// BenchmarkSurveyPage measures GET of a hosted page (token check, invitation,
// survey version and draft reads, render) in-process on SQLite.
func BenchmarkSurveyPage(b *testing.B) {
	_, svc, h, ws, sid := benchSetup(b)
	paths := links(b, svc, ws, sid, 100)
	var i atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest("GET", paths[i.Add(1)%100], nil))
			if w.Code != 200 {
				b.Fatalf("GET: %d", w.Code)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
}

// BenchmarkSurveySubmit measures durable submits: each POST answers its own
// invitation, storing a feedback item and a response in one transaction.
func BenchmarkSurveySubmit(b *testing.B) {
	db, svc, h, ws, sid := benchSetup(b)
	paths := links(b, svc, ws, sid, b.N)
	tx0, calls0 := db.GroupStats()
	form := url.Values{"a_q1": {"9"}, "a_q2": {"Quick delivery and friendly staff"}}.Encode()
	var i atomic.Int64
	b.SetParallelism(16) // 32 concurrent respondents on 2 cores, like wrk -c32
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest("POST", paths[i.Add(1)-1], strings.NewReader(form))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != 200 {
				b.Fatalf("POST: %d", w.Code)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "submits/s")
	tx1, calls1 := db.GroupStats()
	b.ReportMetric(float64(calls1-calls0)/float64(max(tx1-tx0, 1)), "calls/tx")
}

// BenchmarkQueueEmails measures invitations created with their send jobs,
// 1000 per transaction (a list upload).
func BenchmarkQueueEmails(b *testing.B) {
	_, svc, _, ws, sid := benchSetup(b)
	const batch = 1000
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		reqs := make([]survey.InviteRequest, batch)
		for i := range reqs {
			reqs[i] = survey.InviteRequest{Channel: survey.ChannelEmail, Customer: &ingest.CustomerRef{Email: fmt.Sprintf("c%d-%d@example.com", n, i)}}
		}
		if _, err := svc.Invite(context.Background(), ws, sid, reqs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "emails_queued/s")
}
