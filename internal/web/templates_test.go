package web

import (
	"io/fs"
	"maps"
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
	pages := map[string]any{
		"login":    loginData{Email: "anna@example.com", Next: "/feedback", Error: "login.error.invalid"},
		"error":    errorData{Status: http.StatusNotFound},
		"overview": sampleOverview(rows),
		"feedback": feedbackData{Filter: map[string][]string{"q": {"доставка"}, "channel": {"telegram"}}, Channels: store.Channels,
			Kinds: store.FeedbackKinds, Sentiments: []string{"positive", "neutral", "negative"}, Langs: languages, Rows: rows,
			NextURL: "/feedback?cursor=abc", FirstURL: "/feedback", ExportCSV: "/feedback/export?format=csv&q=x",
			ExportXLSX: "/feedback/export?format=xlsx&q=x", ExportMax: exportMaxRows, LiveURL: "/events?after=42", LatestID: 42, ReloadURL: "/feedback?q=x"},
		"customers": customerListData{Q: "anna", Customers: []store.Customer{customer, {ID: 8, Status: "churned", CreatedAt: at}},
			NextURL: "/customers?after=8"},
		"customer": customerData{Customer: merged, Timeline: rows, NextURL: "/customers/7?cursor=x",
			Transactions: []store.Transaction{{ID: 1, CustomerID: cust, Amount: 4990.5, Currency: "RUB", OccurredAt: at}},
			Revenue:      []store.RevenueTotal{{Currency: "RUB", Total: 123456.5, Count: 12, First: at.AddDate(0, -6, 0), Last: at}},
			Channels:     []store.ChannelActivity{{Channel: "telegram", Items: 5, Last: at}, {Channel: "store", Items: 2, Last: at}},
			NPSAnswers:   []store.NPSPoint{{At: at.AddDate(0, -2, 0), Score: 9}, {At: at.AddDate(0, -1, 0), Score: 7}, {At: at, Score: 3}},
			NPSHistory: newLineChart([]chartPoint{{Label: "14 Mar", Value: 9, Class: "promoter"}, {Label: "14 Apr", Value: 7, Class: "passive"},
				{Label: "14 May", Value: 3, Class: "detractor"}}, 320, 100, 0, 10, 5, false, "NPS", func(v float64) string { return "x" })},
		"feedback_item": feedbackItemData{Item: rows[0].Item, Customer: &customer, CustomerLink: true, Employee: "Ольга",
			Score: "-0.82", CaseBox: sampleCaseBox()},
		"employees": employeesData{From: "2026-02-14", To: "2026-05-14", Days: 90, MinSample: 10, RankedCount: 2,
			Ranked: []leaderRow{{Rank: 1, Name: "Анна Смирнова", Score: 62.5, CILow: 48, CIHigh: 74, N: 40, Bar: newCIBar(62.5, 48, 74, -100, 100)},
				{Rank: 2, Name: "王伟", Score: 20, CILow: -5, CIHigh: 42, N: 25, Bar: newCIBar(20, -5, 42, -100, 100)}},
			Insufficient: []leaderRow{{Name: "Ivan", Score: 100, N: 3}},
			Praise:       []praiseRow{{Row: rows[1], Employee: "Анна Смирнова"}}},
		"mentions": mentionsData{From: "2026-04-15", To: "2026-05-14", Days: 30, Channels: store.Channels, Total: 120,
			ByChannel: []mentionChannel{{Channel: "telegram", Items: 80, Positive: 20, Neutral: 30, Negative: 30, Index: -12.5, Analysed: 80, NegShare: 0.375},
				{Channel: "social", Items: 40}},
			Daily: newBarChart([]stackedBar{{Label: "1 May", Parts: []int{3, 4, 5, 1}, Title: "1 May"}, {Label: "2 May", Parts: []int{8, 2, 1, 0}}},
				[]string{"seg-negative", "seg-neutral", "seg-positive", "seg-unknown"}, 640, 160, "Mentions", func(n int) string { return "n" }),
			Samples: rows},
		"journey": sampleJourney(),
		"reports": sampleReports(),
		// Account pages: samples in accounts_samples_test.go.
		"users":           sampleUsers(at),
		"invite":          sampleInvite(),
		"password_forgot": forgotData{Email: "anna@example.com", Sent: true, Minutes: 60},
		"password_reset":  resetData{State: "form", Action: "/password/reset/x", Error: "account.password.mismatch", MinLen: 10},
		"apikeys":         sampleAPIKeys(at),
		"audit":           sampleAudit(at),
		"cases":           sampleCases(at),
		"case":            sampleCase(at),
		"surveys":         sampleSurveyList(),
		"survey":          sampleSurveyPage(),
		"survey_edit":     sampleSurveyEdit(),
	}
	maps.Copy(pages, settingsSampleData(rows))
	maps.Copy(pages, privacySampleData())
	maps.Copy(pages, currencySampleData())
	return pages
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

// sampleOverview is the overview with every card filled, one without a
// previous period and one empty.
func sampleOverview(rows []feedbackRow) overviewData {
	d := overviewData{Filter: map[string][]string{"channel": {"telegram"}}, From: "2026-04-15", To: "2026-05-14", Days: 30,
		Channels: store.Channels, Stages: store.JourneyStages, Langs: languages, Regions: []string{"Москва", "上海"},
		Segments: []string{"vip"}, Touchpoints: []string{"checkout"}, Customers: 9876, ShowCustomers: true, Recent: rows,
		OwnOnly: true, APIQuery: "filter%5Bchannel%5D=telegram&from=2026-04-15&to=2026-05-14"}
	trend := newLineChart([]chartPoint{{Label: "13 Apr", Value: 20, Lo: 10, Hi: 30, N: 50}, {Label: "20 Apr", Value: -5, Lo: -20, Hi: 8, N: 40},
		{Label: "27 Apr", Value: 12, Lo: 2, Hi: 22, N: 60}}, 320, 120, -100, 100, 10, true, "NPS by week", func(v float64) string { return "x" })
	d.Cards = []metricCard{
		{Metric: "nps", Has: true, Value: 12.3, CILow: 5.1, CIHigh: 19.5, N: 950, Definition: "metric.nps.def", ExactValue: "12.3",
			Change: &metrics.Change{Value: -4.2, PValue: 0.01, Significant: true}, Trend: trend},
		{Metric: "csat", Has: true, Value: 81, CILow: 78, CIHigh: 84, N: 400, Definition: "metric.csat.def", ExactValue: "81", Trend: trend},
		{Metric: "ces", Has: true, Value: 5.2, CILow: 5, CIHigh: 5.4, N: 120, Definition: "metric.ces.def", ExactValue: "5.2",
			Change: &metrics.Change{Value: 0.02, PValue: 0.8}, Trend: newLineChart(nil, 320, 120, 1, 7, 0.5, true, "CES", nil)},
		{Metric: "sentiment", Definition: "metric.sentiment.def", Trend: newLineChart(nil, 320, 120, -100, 100, 10, true, "S", nil)},
	}
	sampleOverviewCards(&d) // overview_test.go
	return d
}
