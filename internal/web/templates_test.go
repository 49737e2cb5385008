package web

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path"
	"strings"
	"testing"
	"time"

	"vox/internal/metrics"
	"vox/internal/store"
)

// sampleData gives every page template realistic content; the test fails
// when a page exists without an entry here, so a new page cannot skip it.
func sampleData() map[string]any {
	at := time.Date(2026, 5, 14, 9, 30, 0, 0, time.UTC)
	cust := int64(7)
	rows := []feedbackRow{
		{Item: store.FeedbackItem{ID: 1, CustomerID: &cust, Kind: "survey_response", Channel: "telegram", Lang: "ru",
			Text: "Доставка опоздала на три дня", Sentiment: "negative", Topics: []string{"delivery"}, NPS: ptr(3),
			CSAT: ptr(2), CSATScale: ptr(5), CES: ptr(2), Author: "@anna_p", URL: "https://t.me/c/1/2", OccurredAt: at},
			CustomerName: "Анна Петрова", CustomerLink: true},
		{Item: store.FeedbackItem{ID: 2, Kind: "review", Channel: "review_site", Lang: "zh", Text: "服务很好，下次还来",
			Sentiment: "positive", OccurredAt: at.Add(-time.Hour)}},
		{Item: store.FeedbackItem{ID: 3, CustomerID: &cust, Kind: "mention", Channel: "social", Lang: "en",
			Text: "Checkout keeps failing", OccurredAt: at.Add(-2 * time.Hour)}, CustomerLink: false},
	}
	customer := store.Customer{ID: cust, Name: "Анна Петрова", Segment: "vip", Region: "Москва", Lang: "ru",
		Status: "active", AnnualRevenue: 125000, CreatedAt: at.AddDate(-1, 0, 0),
		Identities: []store.Identity{{Kind: "email", Value: "anna@example.com"}, {Kind: "telegram_username", Value: "anna_p"}}}
	merged := customer
	merged.MergedIntoID = ptr(int64(9))
	return map[string]any{
		"login": loginData{Email: "anna@example.com", Next: "/feedback", Error: "login.error.invalid"},
		"error": errorData{Status: http.StatusNotFound},
		"overview": overviewData{Days: 30, Summary: store.FeedbackSummary{Items: 12345, Positive: 5000, Neutral: 4000,
			Negative: 3345, Promoters: 600, Passives: 200, Detractors: 150, Customers: 4321},
			NPS: metrics.NPS(600, 200, 150), Sentiment: metrics.SentimentIndex(5000, 4000, 3345), Customers: 9876,
			ShowCustomers: true, Recent: rows, OwnOnly: true},
		"feedback": feedbackData{Filter: map[string][]string{"q": {"доставка"}, "channel": {"telegram"}}, Channels: store.Channels,
			Kinds: store.FeedbackKinds, Sentiments: []string{"positive", "neutral", "negative"}, Langs: languages, Rows: rows,
			NextURL: "/feedback?cursor=abc", FirstURL: "/feedback"},
		"customers": customerListData{Q: "anna", Customers: []store.Customer{customer, {ID: 8, Status: "churned", CreatedAt: at}},
			NextURL: "/customers?after=8"},
		"customer": customerData{Customer: merged, Timeline: rows, NextURL: "/customers/7?cursor=x",
			Transactions: []store.Transaction{{ID: 1, CustomerID: cust, Amount: 4990.5, Currency: "RUB", OccurredAt: at}}},
	}
}

// TestEveryTemplateRenders renders every page, logged in and anonymous, in
// every language, and checks no message key leaks into the output.
func TestEveryTemplateRenders(t *testing.T) {
	f := newFixture(t)
	files, err := fs.Glob(templateFS, "templates/pages/*.html")
	if err != nil || len(files) == 0 {
		t.Fatalf("page templates: %v", err)
	}
	samples := sampleData()
	for _, file := range files {
		if _, ok := samples[strings.TrimSuffix(path.Base(file), ".html")]; !ok {
			t.Errorf("%s has no sample data in sampleData", file)
		}
	}
	keys := f.srv.cat["en"]
	ws := store.Workspace{ID: 1, Name: "Acme Retail", Timezone: "Europe/Moscow"}
	for page, data := range samples {
		for _, lang := range languages {
			for _, loggedIn := range []bool{true, false} {
				rc := &reqCtx{L: f.srv.cat.localizer(lang, time.UTC), CSRF: "tok"}
				if loggedIn {
					rc.Session = &store.WebSession{}
					rc.User = store.User{ID: 1, Email: "owner@example.com", Name: "Olga"}
					rc.Role, rc.Workspace = store.RoleOwner, ws
					rc.Workspaces = []store.Workspace{ws, {ID: 2, Name: "Globex"}}
				}
				rec := httptest.NewRecorder()
				req := httptest.NewRequest("GET", "/"+page+"?lang="+lang, nil)
				f.srv.render(rec, req, rc, http.StatusOK, page, page, "Title", data)
				body := rec.Body.String()
				if rec.Code != http.StatusOK || !strings.Contains(body, "</html>") {
					t.Fatalf("%s/%s (logged in %v): status %d\n%s", page, lang, loggedIn, rec.Code, body)
				}
				for k := range keys {
					if strings.Contains(body, ">"+k+"<") || strings.Contains(body, `"`+k+`"`) {
						t.Errorf("%s/%s: untranslated key %q in output", page, lang, k)
					}
				}
				if strings.Contains(body, "%!") {
					t.Errorf("%s/%s: bad format verb in output", page, lang)
				}
			}
		}
	}
}
