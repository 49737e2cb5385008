package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	"vox/internal/alert"
	"vox/internal/auth"
	"vox/internal/store"
	"vox/internal/testutil"
)

// BenchmarkCasePages measures the server time of the cases pages over
// VOX_BENCH_CASES cases (default 20000; a quarter resolved, a tenth
// escalated, a third unassigned) in SQLite, and reports p50/p95:
//
//	go test -run '^$' -bench CasePages -benchtime 50x ./internal/web/
func BenchmarkCasePages(b *testing.B) {
	n := 20000
	if v, err := strconv.Atoi(os.Getenv("VOX_BENCH_CASES")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	db := testutil.SQLite(b)
	ws, err := db.CreateWorkspace(ctx, "acme", "Acme", "UTC")
	if err != nil {
		b.Fatal(err)
	}
	hash, _ := auth.HashPassword(testPassword)
	u, err := db.CreateUser(ctx, "agent@example.com", "Agent", hash, "en")
	if err != nil {
		b.Fatal(err)
	}
	if err := db.AddMember(ctx, ws.ID, u.ID, store.RoleAgent); err != nil {
		b.Fatal(err)
	}
	var emps []int64
	for i := range 20 {
		id, err := db.UpsertEmployee(ctx, ws.ID, store.EmployeeInput{ExternalID: fmt.Sprint("e", i), Name: fmt.Sprint("Agent ", i),
			Team: []string{"support", "delivery", "vip"}[i%3]})
		if err != nil {
			b.Fatal(err)
		}
		emps = append(emps, id)
	}
	now := time.Now()
	var lastID int64
	for start := 0; start < n; start += 1000 {
		batch := make([]store.NewFeedback, min(1000, n-start))
		for i := range batch {
			nps := (start + i) % 7
			batch[i] = store.NewFeedback{Item: store.FeedbackItem{Kind: "survey_response", Channel: "email", Text: "Курьер опоздал, 很差 " +
				strconv.Itoa(start+i), NPS: &nps, Sentiment: "negative", OccurredAt: now.Add(-time.Duration(start+i) * time.Minute)},
				Customer: store.CustomerInput{Name: fmt.Sprint("Customer ", (start+i)%3000),
					Identities: []store.Identity{{Kind: store.IdentityEmail, Value: fmt.Sprintf("c%d@example.com", (start+i)%3000)}}}}
		}
		res, err := db.InsertFeedback(ctx, ws.ID, batch, nil)
		if err != nil {
			b.Fatal(err)
		}
		err = db.InTx(ctx, func(tx *store.Tx) error {
			for i, item := range res.IDs {
				k := start + i
				c := store.Case{WorkspaceID: ws.ID, FeedbackID: &item, Title: "NPS: Курьер опоздал", SLAMinutes: 1440,
					DueAt: now.Add(time.Duration(k%96-24) * time.Hour), CreatedAt: now.Add(-time.Duration(k) * time.Minute)}
				if k%3 != 0 {
					c.OwnerEmployeeID, c.Team = &emps[k%len(emps)], []string{"support", "delivery", "vip"}[k%len(emps)%3]
				}
				c, _, err := tx.InsertCase(ctx, c)
				if err != nil {
					return err
				}
				if k%4 == 0 || k%10 == 0 {
					if k%4 == 0 {
						c.Status, c.RootCause = store.CaseResolved, "courier"
					}
					if k%10 == 0 {
						c.EscalationLevel = 1
					}
					if err := tx.SaveCase(ctx, c); err != nil {
						return err
					}
				}
				lastID = c.ID
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	srv := httptest.NewServer(New(db, Options{Alerts: alert.New(db, alert.Options{})}).Handler())
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	res, err := c.Get(srv.URL + "/login")
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	tok := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(body)
	if _, err := c.PostForm(srv.URL+"/login", url.Values{"email": {u.Email}, "password": {testPassword}, "csrf": {string(tok[1])}}); err != nil {
		b.Fatal(err)
	}
	for _, p := range []struct{ name, path string }{
		{"inbox", "/cases"},
		{"inbox_unassigned_overdue", "/cases?owner=unassigned&overdue=1"},
		{"inbox_team_escalated", "/cases?team=vip&escalated=1"},
		{"inbox_resolved", "/cases?status=resolved"},
		{"board", "/cases?view=board"},
		{"case", "/cases/" + strconv.FormatInt(lastID, 10)},
	} {
		b.Run(p.name, func(b *testing.B) {
			var times []time.Duration
			for b.Loop() {
				start := time.Now()
				res, err := c.Get(srv.URL + p.path)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					b.Fatalf("%s: %d", p.path, res.StatusCode)
				}
				times = append(times, time.Since(start))
			}
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50_ms")
			b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "p95_ms")
		})
	}
}
