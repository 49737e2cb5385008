package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"vox/internal/store"
)

func TestSessionRequired(t *testing.T) {
	f := newFixture(t)
	c := f.client()
	for _, path := range []string{"/", "/feedback", "/customers", "/customers/1"} {
		res := c.get(path)
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
			t.Errorf("GET %s anonymous: %d %q", path, res.StatusCode, res.Header.Get("Location"))
		}
	}
	for _, path := range []string{"/logout", "/workspace"} {
		if res := c.post(path, url.Values{}); res.StatusCode != http.StatusSeeOther {
			t.Errorf("POST %s anonymous: %d", path, res.StatusCode)
		}
	}
}

func TestCSRFRejected(t *testing.T) {
	f := newFixture(t)
	c := f.loggedIn("manager")
	home := c.get("/")
	token := csrfFrom(t, home.Body)
	for name, form := range map[string]url.Values{
		"missing": {},
		"wrong":   {"csrf": {"not-the-token"}},
		"other":   {"csrf": {csrfFrom(t, f.loggedIn("viewer").get("/").Body)}},
	} {
		if res := c.post("/logout", form); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s csrf token: status %d, want 403", name, res.StatusCode)
		}
	}
	// A cross-site form post is refused even with a token.
	c.hdr.Set("Origin", "https://evil.example")
	if res := c.post("/logout", url.Values{"csrf": {token}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin post: %d", res.StatusCode)
	}
	c.hdr.Del("Origin")
	if res := c.get("/"); res.StatusCode != http.StatusOK {
		t.Fatal("rejected posts must not have ended the session")
	}
	// The login form needs its pre-session token too.
	anon := f.client()
	anon.get("/login")
	if res := anon.post("/login", url.Values{"email": {"owner@example.com"}, "password": {testPassword}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("login without csrf: %d", res.StatusCode)
	}
	if res := c.post("/logout", url.Values{"csrf": {token}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("logout with token: %d", res.StatusCode)
	}
}

func TestSecurityHeaders(t *testing.T) {
	f := newFixture(t)
	c := f.loggedIn("owner")
	for _, path := range []string{"/", "/login", "/feedback", "/no-such-page", "/customers/999", "/static/vox.css"} {
		res := c.get(path)
		h := res.Header
		if got := h.Get("Content-Security-Policy"); got != contentSecurityPolicy {
			t.Errorf("%s: CSP %q", path, got)
		}
		if h.Get("X-Frame-Options") != "DENY" || h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" {
			t.Errorf("%s: headers %v", path, h)
		}
	}
	mustContain(t, contentSecurityPolicy, "default-src 'self'", "script-src 'self'", "style-src 'self'",
		"img-src 'self' data:", "frame-ancestors 'none'", "form-action 'self'", "base-uri 'none'")
	if res := c.get("/no-such-page"); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown page: %d", res.StatusCode)
	}
	css := c.get("/static/vox.css")
	if css.StatusCode != http.StatusOK || !strings.HasPrefix(css.Header.Get("Content-Type"), "text/css") {
		t.Errorf("css: %d %s", css.StatusCode, css.Header.Get("Content-Type"))
	}
	if res := c.get("/static/"); res.StatusCode != http.StatusNotFound {
		t.Errorf("static directory listing: %d", res.StatusCode)
	}
}

func TestFeedbackTextIsEscaped(t *testing.T) {
	f := newFixture(t)
	now := time.Now()
	f.seedFeedback(f.wsA.ID, "anna@example.com",
		store.FeedbackItem{Kind: "review", Channel: "web", Text: `<script>alert(1)</script> delivery was late`,
			Sentiment: "negative", Topics: []string{"<b>delivery</b>"}, NPS: ptr(3), OccurredAt: now.Add(-time.Hour)},
		store.FeedbackItem{Kind: "mention", Channel: "telegram", Text: `<img src=x onerror=alert(1)>`, Author: `"><svg onload=alert(1)>`,
			URL: "javascript:alert(1)", Sentiment: `x" onmouseover="alert(1)`, OccurredAt: now.Add(-2 * time.Hour)},
	)
	c := f.loggedIn("agent")
	for _, path := range []string{"/feedback", "/", "/customers/1"} {
		body := c.get(path).Body
		mustNotContain(t, body, "<script>alert", "<img src=x", "<svg onload", "<b>delivery", "javascript:alert", `onmouseover="alert`)
		mustContain(t, body, "&lt;img src=x onerror=alert(1)&gt;")
		if path != "/" || strings.Contains(body, "delivery was late") {
			mustContain(t, body, "&lt;script&gt;alert(1)&lt;/script&gt; delivery was late")
		}
	}
}

func TestFeedbackFiltersAndPaging(t *testing.T) {
	f := newFixture(t)
	now := time.Now()
	var items []store.FeedbackItem
	for i := 0; i < 60; i++ {
		items = append(items, store.FeedbackItem{Kind: "survey_response", Channel: "email", Lang: "en", Sentiment: "positive",
			Text: fmt.Sprintf("great service number %d", i), NPS: ptr(10), Segment: "retail", Region: "north",
			OccurredAt: now.Add(-time.Duration(i) * time.Minute)})
	}
	items = append(items, store.FeedbackItem{Kind: "ticket", Channel: "telegram", Lang: "ru", Sentiment: "negative",
		Text: "Курьер опоздал на два часа", Segment: "vip", Region: "Москва", OccurredAt: now.Add(-48 * time.Hour)})
	f.seedFeedback(f.wsA.ID, "", items...)
	c := f.loggedIn("viewer")

	first := c.get("/feedback?channel=email")
	if first.StatusCode != http.StatusOK {
		t.Fatalf("feedback: %d", first.StatusCode)
	}
	if n := strings.Count(first.Body, `class="item"`); n != 50 {
		t.Fatalf("first page has %d items, want 50", n)
	}
	mustContain(t, first.Body, "great service number 0", "NPS 10/10")
	mustNotContain(t, first.Body, "Курьер")
	next := nextLink(t, first.Body)
	if !strings.Contains(next, "channel=email") {
		t.Fatalf("next link %q lost the filter", next)
	}
	second := c.get(next)
	if n := strings.Count(second.Body, `class="item"`); n != 10 {
		t.Fatalf("second page has %d items, want 10", n)
	}
	mustContain(t, second.Body, "great service number 59")

	for query, want := range map[string]string{
		"q=" + url.QueryEscape("КУРЬЕР"): "Курьер опоздал",
		"text_lang=ru":                   "Курьер опоздал",
		"sentiment=negative":             "Курьер опоздал",
		"kind=ticket&segment=vip":        "Курьер опоздал",
		"region=" + url.QueryEscape("Москва") + "&from=" + now.Add(-72*time.Hour).Format("2006-01-02") + "&to=" + now.Add(-24*time.Hour).Format("2006-01-02"): "Курьер опоздал",
	} {
		res := c.get("/feedback?" + query)
		if n := strings.Count(res.Body, `class="item"`); n != 1 || !strings.Contains(res.Body, want) {
			t.Errorf("%s: %d items (status %d)", query, n, res.StatusCode)
		}
	}
	if res := c.get("/feedback?from=yesterday"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("bad date: %d", res.StatusCode)
	}
	if res := c.get("/feedback?cursor=garbage"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("bad cursor: %d", res.StatusCode)
	}
}

func nextLink(t *testing.T, body string) string {
	t.Helper()
	i := strings.Index(body, `rel="next"`)
	if i < 0 {
		t.Fatal("no next link")
	}
	start := strings.LastIndex(body[:i], `href="`) + len(`href="`)
	end := strings.Index(body[start:], `"`)
	return strings.ReplaceAll(body[start:start+end], "&amp;", "&")
}

func TestCustomerPageAndIsolation(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	now := time.Now()
	f.seedFeedback(f.wsA.ID, "anna@example.com",
		store.FeedbackItem{Kind: "survey_response", Channel: "email", Text: "Fast delivery, thank you", NPS: ptr(9), Sentiment: "positive", OccurredAt: now.Add(-time.Hour)})
	f.seedFeedback(f.wsA.ID, "anna@example.com",
		store.FeedbackItem{Kind: "chat", Channel: "telegram", Text: "Where is my order?", Sentiment: "neutral", OccurredAt: now.Add(-2 * time.Hour)})
	f.seedFeedback(f.wsB.ID, "boris@example.com",
		store.FeedbackItem{Kind: "review", Channel: "web", Text: "Globex secret complaint", OccurredAt: now})
	anna, err := f.db.Customers(ctx, f.wsA.ID, store.CustomerFilter{Q: "anna@example.com"})
	if err != nil || len(anna) != 1 {
		t.Fatalf("anna: %v %v", anna, err)
	}
	boris, err := f.db.Customers(ctx, f.wsB.ID, store.CustomerFilter{Q: "boris@example.com"})
	if err != nil || len(boris) != 1 {
		t.Fatalf("boris: %v %v", boris, err)
	}
	if _, err := f.db.InsertTransactions(ctx, f.wsA.ID, []store.Transaction{{CustomerID: anna[0].ID, Amount: 1234.5, Currency: "RUB", OccurredAt: now}}); err != nil {
		t.Fatal(err)
	}

	c := f.loggedIn("agent")
	res := c.get(fmt.Sprintf("/customers/%d", anna[0].ID))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("own customer: %d", res.StatusCode)
	}
	mustContain(t, res.Body, "Anna Petrova", "anna@example.com", "anna_p", "Fast delivery, thank you", "Where is my order?",
		"1,234.50 RUB", "vip", "Moscow")
	list := c.get("/customers?q=anna")
	mustContain(t, list.Body, "Anna Petrova", fmt.Sprintf(`href="/customers/%d"`, anna[0].ID))

	other := c.get(fmt.Sprintf("/customers/%d", boris[0].ID))
	if other.StatusCode != http.StatusNotFound {
		t.Fatalf("another workspace's customer: %d, want 404", other.StatusCode)
	}
	mustNotContain(t, other.Body, "Globex secret", "boris")
	for _, bad := range []string{"/customers/0", "/customers/abc", "/customers/-1"} {
		if res := c.get(bad); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d", bad, res.StatusCode)
		}
	}
	mustNotContain(t, c.get("/feedback").Body, "Globex secret")
	mustNotContain(t, c.get("/customers").Body, "boris")
}

func TestLanguageSwitch(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()

	anon := f.client()
	mustContain(t, anon.get("/login").Body, "Sign in", `lang="en"`)
	anon.hdr.Set("Accept-Language", "ru-RU,ru;q=0.9,en;q=0.5")
	mustContain(t, anon.get("/login").Body, "Вход", `lang="ru"`)
	zh := anon.get("/login?lang=zh")
	mustContain(t, zh.Body, "登录", `lang="zh"`)
	// Remembered in a cookie, over the browser's preference.
	mustContain(t, anon.get("/login").Body, "登录")

	c := f.loggedIn("manager")
	mustContain(t, c.get("/").Body, "Overview", "Feedback")
	ru := c.get("/feedback?lang=ru")
	mustContain(t, ru.Body, "Отзывы", "Поиск по тексту", "Клиенты", `lang="ru"`)
	// Remembered on the user, without the parameter.
	mustContain(t, c.get("/").Body, "Обзор", "Последние отзывы")
	if u, err := f.db.User(ctx, f.users["manager"].ID); err != nil || u.Lang != "ru" {
		t.Fatalf("users.lang = %q, %v", u.Lang, err)
	}
	mustContain(t, c.get("/?lang=zh").Body, "概览", "最新反馈", `lang="zh"`)
	mustContain(t, c.get("/feedback").Body, "搜索文本", "客户")
	// The language links keep the page's filters.
	mustContain(t, c.get("/feedback?channel=sms").Body, `href="/feedback?channel=sms&amp;lang=ru"`)
}

func TestLocaleFormatting(t *testing.T) {
	cat, err := loadCatalogs()
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 9, 14, 5, 0, 0, time.UTC)
	for lang, want := range map[string][3]string{
		"en": {"1,234,567", "9 Mar 2026 14:05", "1,234.50 RUB"},
		"ru": {"1 234 567", "09.03.2026 14:05", "1 234,50 RUB"},
		"zh": {"1,234,567", "2026年3月9日 14:05", "1,234.50 RUB"},
	} {
		l := cat.localizer(lang, time.UTC)
		if got := l.Num(1234567); strings.ReplaceAll(got, "\u00a0", " ") != want[0] {
			t.Errorf("%s Num = %q", lang, got)
		}
		if got := l.DateTime(at); got != want[1] {
			t.Errorf("%s DateTime = %q", lang, got)
		}
		if got := l.Money(1234.5, "RUB"); strings.ReplaceAll(got, "\u00a0", " ") != want[2] {
			t.Errorf("%s Money = %q", lang, got)
		}
	}
	moscow, _ := time.LoadLocation("Europe/Moscow")
	if got := cat.localizer("ru", moscow).DateTime(at); got != "09.03.2026 17:05" {
		t.Errorf("workspace time zone not applied: %q", got)
	}
}

func TestWorkspaceSwitch(t *testing.T) {
	f := newFixture(t)
	now := time.Now()
	f.seedFeedback(f.wsA.ID, "", store.FeedbackItem{Kind: "review", Channel: "web", Text: "acme item", OccurredAt: now})
	f.seedFeedback(f.wsB.ID, "", store.FeedbackItem{Kind: "review", Channel: "web", Text: "globex item", OccurredAt: now})

	single := f.loggedIn("agent")
	mustNotContain(t, single.get("/").Body, `action="/workspace"`)

	c := f.loggedIn("multi")
	home := c.get("/feedback")
	mustContain(t, home.Body, `action="/workspace"`, "Acme Retail", "Globex Bank", "acme item")
	mustNotContain(t, home.Body, "globex item")
	token := csrfFrom(t, home.Body)

	// A workspace the user is not a member of is refused.
	other, err := f.db.CreateWorkspace(context.Background(), "initech", "Initech", "UTC")
	if err != nil {
		t.Fatal(err)
	}
	if res := c.post("/workspace", url.Values{"csrf": {token}, "workspace_id": {fmt.Sprint(other.ID)}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("switch to a foreign workspace: %d", res.StatusCode)
	}
	if res := c.post("/workspace", url.Values{"csrf": {token}, "workspace_id": {"x"}}); res.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad workspace id: %d", res.StatusCode)
	}
	if res := c.post("/workspace", url.Values{"workspace_id": {fmt.Sprint(f.wsB.ID)}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("switch without csrf: %d", res.StatusCode)
	}
	if res := c.post("/workspace", url.Values{"csrf": {token}, "workspace_id": {fmt.Sprint(f.wsB.ID)}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("switch: %d", res.StatusCode)
	}
	page := c.get("/feedback")
	mustContain(t, page.Body, "globex item")
	mustNotContain(t, page.Body, "acme item")
}
