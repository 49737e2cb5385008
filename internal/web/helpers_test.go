package web

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"vox/internal/alert"
	"vox/internal/auth"
	"vox/internal/ingest"
	"vox/internal/store"
	"vox/internal/survey"
)

// testClock is a settable clock shared by the server and the test.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fixture is a real SQLite database with two workspaces and users of
// every role in workspace A, served by a real HTTP server.
type fixture struct {
	t     *testing.T
	db    *store.DB
	srv   *Server
	http  *httptest.Server
	clock *testClock
	wsA   store.Workspace
	wsB   store.Workspace
	users map[string]store.User // by role, all in workspace A; "multi" is in A and B
	// alerts and surveys are the real services behind the cases, settings
	// and survey pages; the alert hook is registered, no job worker runs.
	alerts  *alert.Service
	surveys *survey.Service
}

const testPassword = "correct horse battery staple"

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "vox.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, db: db, clock: &testClock{t: time.Now()}, users: map[string]store.User{}}
	if f.wsA, err = db.CreateWorkspace(ctx, "acme", "Acme Retail", "Europe/Moscow"); err != nil {
		t.Fatal(err)
	}
	if f.wsB, err = db.CreateWorkspace(ctx, "globex", "Globex Bank", "Asia/Shanghai"); err != nil {
		t.Fatal(err)
	}
	hash, err := auth.HashPassword(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range append(append([]string{}, store.Roles...), "multi") {
		u, err := db.CreateUser(ctx, role+"@example.com", strings.ToUpper(role[:1])+role[1:]+" User", hash, "")
		if err != nil {
			t.Fatal(err)
		}
		r := role
		if role == "multi" {
			r = store.RoleManager
			if err := db.AddMember(ctx, f.wsB.ID, u.ID, store.RoleViewer); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.AddMember(ctx, f.wsA.ID, u.ID, r); err != nil {
			t.Fatal(err)
		}
		f.users[role] = u
	}
	f.alerts = alert.New(db, alert.Options{Now: f.clock.Now})
	db.AddFeedbackHook(f.alerts.OnFeedback)
	signer, err := survey.NewSigner([]byte("web-test-secret-0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	f.surveys = survey.New(db, &ingest.Service{DB: db}, signer, "http://vox.test")
	f.srv = New(db, Options{Now: f.clock.Now, Alerts: f.alerts, Surveys: f.surveys, PublicURL: "http://vox.test"})
	f.http = httptest.NewServer(f.srv.Handler())
	t.Cleanup(f.http.Close)
	return f
}

// client is a browser: a cookie jar, no automatic redirects.
type client struct {
	f   *fixture
	c   *http.Client
	hdr http.Header
}

func (f *fixture) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{f: f, hdr: http.Header{}, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// response is a finished request with its body read.
type response struct {
	*http.Response
	Body string
}

func (c *client) do(req *http.Request) response {
	c.f.t.Helper()
	for k, v := range c.hdr {
		req.Header[k] = v
	}
	res, err := c.c.Do(req)
	if err != nil {
		c.f.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{Response: res, Body: string(b)}
}

func (c *client) get(path string) response {
	c.f.t.Helper()
	req, _ := http.NewRequest("GET", c.f.http.URL+path, nil)
	return c.do(req)
}

func (c *client) post(path string, form url.Values) response {
	c.f.t.Helper()
	req, _ := http.NewRequest("POST", c.f.http.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrfFrom extracts the CSRF token of the first form in a page.
// postForm posts form to action with the CSRF token of page, as a browser
// submitting the form on that page would.
func (c *client) postForm(page, action string, form url.Values) response {
	c.f.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", csrfFrom(c.f.t, c.get(page).Body))
	return c.post(action, form)
}

func csrfFrom(t *testing.T, body string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no csrf field in page:\n%s", body)
	}
	return m[1]
}

// login signs in through the form and returns the POST's response.
func (c *client) login(email, password string) response {
	c.f.t.Helper()
	page := c.get("/login")
	return c.post("/login", url.Values{"email": {email}, "password": {password}, "csrf": {csrfFrom(c.f.t, page.Body)}})
}

// loggedIn returns a client signed in as the fixture user of role.
func (f *fixture) loggedIn(role string) *client {
	f.t.Helper()
	c := f.client()
	if res := c.login(role+"@example.com", testPassword); res.StatusCode != http.StatusSeeOther {
		f.t.Fatalf("login as %s: status %d\n%s", role, res.StatusCode, res.Body)
	}
	return c
}

func (c *client) sessionCookie() *http.Cookie {
	u, _ := url.Parse(c.f.http.URL)
	for _, ck := range c.c.Jar.Cookies(u) {
		if ck.Name == "vox_session" {
			return ck
		}
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

// seedFeedback stores items in workspace ws, each from the customer with
// the given email.
func (f *fixture) seedFeedback(ws int64, email string, items ...store.FeedbackItem) []int64 {
	f.t.Helper()
	batch := make([]store.NewFeedback, len(items))
	for i, it := range items {
		batch[i] = store.NewFeedback{Item: it}
		if email != "" {
			batch[i].Customer = store.CustomerInput{Name: "Anna Petrova", Segment: "vip", Region: "Moscow",
				Identities: []store.Identity{{Kind: store.IdentityEmail, Value: email}, {Kind: store.IdentityTelegramUsername, Value: "@anna_p"}}}
		}
	}
	res, err := f.db.InsertFeedback(context.Background(), ws, batch, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	return res.IDs
}

func mustContain(t *testing.T, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("page lacks %q", w)
		}
	}
}

func mustNotContain(t *testing.T, body string, bad ...string) {
	t.Helper()
	for _, b := range bad {
		if strings.Contains(body, b) {
			t.Errorf("page contains %q", b)
		}
	}
}
