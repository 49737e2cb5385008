package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestLoginSuccessAndFailure(t *testing.T) {
	f := newFixture(t)
	c := f.client()

	res := c.login("agent@example.com", "wrong password")
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong password: status %d", res.StatusCode)
	}
	mustContain(t, res.Body, "Wrong email or password.")
	unknown := c.login("nobody@example.com", testPassword)
	if unknown.StatusCode != http.StatusUnauthorized || !strings.Contains(unknown.Body, "Wrong email or password.") {
		t.Fatalf("unknown email must fail like a wrong password: %d", unknown.StatusCode)
	}
	if c.sessionCookie() != nil {
		t.Fatal("failed login set a session cookie")
	}

	res = c.login("Agent@Example.com ", testPassword)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		t.Fatalf("login: status %d location %q", res.StatusCode, res.Header.Get("Location"))
	}
	var set *http.Cookie
	for _, ck := range res.Cookies() {
		if ck.Name == "vox_session" {
			set = ck
		}
	}
	if set == nil || !set.HttpOnly || set.SameSite != http.SameSiteLaxMode || len(set.Value) < 40 {
		t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Lax, ≥256-bit token", set)
	}
	home := c.get("/")
	if home.StatusCode != http.StatusOK {
		t.Fatalf("overview after login: %d", home.StatusCode)
	}
	mustContain(t, home.Body, "Agent User", "Acme Retail")

	// Logging in again rotates the session: the old token stops working.
	old := set.Value
	res = c.post("/login", url.Values{"email": {"agent@example.com"}, "password": {testPassword}, "csrf": {csrfFrom(t, home.Body)}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("second login: %d", res.StatusCode)
	}
	if now := c.sessionCookie(); now == nil || now.Value == old {
		t.Fatal("login did not rotate the session token")
	}
	stale := f.client()
	u, _ := url.Parse(f.http.URL)
	stale.c.Jar.SetCookies(u, []*http.Cookie{{Name: "vox_session", Value: old}})
	if res := stale.get("/"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("old session still valid after rotation: %d", res.StatusCode)
	}

	// Logout ends the session server-side.
	cur := c.sessionCookie().Value
	home = c.get("/")
	if res := c.post("/logout", url.Values{"csrf": {csrfFrom(t, home.Body)}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", res.StatusCode)
	}
	stale.c.Jar.SetCookies(u, []*http.Cookie{{Name: "vox_session", Value: cur}})
	if res := stale.get("/"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("session valid after logout: %d", res.StatusCode)
	}
}

func TestLoginRedirectsBackToNext(t *testing.T) {
	f := newFixture(t)
	c := f.client()
	res := c.get("/feedback?q=late")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login?next=%2Ffeedback%3Fq%3Dlate" {
		t.Fatalf("anonymous /feedback: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	page := c.get(res.Header.Get("Location"))
	res = c.post("/login", url.Values{"email": {"owner@example.com"}, "password": {testPassword},
		"csrf": {csrfFrom(t, page.Body)}, "next": {"/feedback?q=late"}})
	if res.Header.Get("Location") != "/feedback?q=late" {
		t.Fatalf("redirect after login: %q", res.Header.Get("Location"))
	}
	for _, bad := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example"} {
		if got := safeNext(bad); got != "/" {
			t.Errorf("safeNext(%q) = %q, want /", bad, got)
		}
	}
}

func TestLoginLockoutAndIPLimit(t *testing.T) {
	f := newFixture(t)
	c := f.client()
	for i := 0; i < loginLimits.AccountMax; i++ {
		if res := c.login("viewer@example.com", "guess"); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i, res.StatusCode)
		}
	}
	// Locked: even the right password is refused, from any address.
	res := f.client().login("viewer@example.com", testPassword)
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("locked account: %d", res.StatusCode)
	}
	mustContain(t, res.Body, "Too many failed attempts")
	// Other accounts are not affected by this lockout.
	if res := f.client().login("agent@example.com", testPassword); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("other account: %d", res.StatusCode)
	}
	// The counters are in the database: another replica (here a fresh
	// limiter on the same database) sees the lockout too.
	ctx := context.Background()
	replica := &loginLimiter{db: f.db, now: f.clock.Now, log: slog.Default()}
	if replica.allowed(ctx, "198.51.100.7", " Viewer@example.com") {
		t.Fatal("another replica does not see the lockout")
	}
	f.clock.Advance(loginLimits.Lockout + time.Minute)
	if res := f.client().login("viewer@example.com", testPassword); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("after lockout expired: %d", res.StatusCode)
	}

	// Per IP: spraying many accounts from one address is cut off.
	for i := 0; i < loginLimits.IPMax; i++ {
		replica.failed(ctx, "203.0.113.9", "user"+strings.Repeat("x", i)+"@example.com")
	}
	if replica.allowed(ctx, "203.0.113.9", "fresh@example.com") {
		t.Fatal("IP over its failure budget is still allowed")
	}
	if !replica.allowed(ctx, "198.51.100.1", "fresh@example.com") {
		t.Fatal("another IP is blocked")
	}
	f.clock.Advance(loginLimits.IPWindow)
	if !replica.allowed(ctx, "203.0.113.9", "fresh@example.com") {
		t.Fatal("IP still blocked after its window")
	}
	if n, err := f.db.PruneLoginThrottle(ctx, f.clock.Now(), loginLimits.IPWindow); err != nil || n == 0 {
		t.Fatalf("prune: %d, %v", n, err)
	}
}

func TestDisabledUserCannotLogIn(t *testing.T) {
	f := newFixture(t)
	c := f.loggedIn("agent")
	if err := f.db.SetUserDisabled(context.Background(), f.users["agent"].ID, true); err != nil {
		t.Fatal(err)
	}
	if res := c.get("/"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("disabled user's session still works: %d", res.StatusCode)
	}
	if res := f.client().login("agent@example.com", testPassword); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("disabled user logged in: %d", res.StatusCode)
	}
}

func TestSessionTimeouts(t *testing.T) {
	f := newFixture(t)
	c := f.loggedIn("viewer")
	f.clock.Advance(11 * time.Hour)
	if res := c.get("/"); res.StatusCode != http.StatusOK {
		t.Fatalf("within idle timeout: %d", res.StatusCode)
	}
	f.clock.Advance(13 * time.Hour)
	if res := c.get("/"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("after idle timeout: %d", res.StatusCode)
	}

	// Activity keeps a session alive only up to the absolute limit.
	c = f.loggedIn("viewer")
	for elapsed := time.Duration(0); elapsed < 7*24*time.Hour-11*time.Hour; elapsed += 10 * time.Hour {
		f.clock.Advance(10 * time.Hour)
		if res := c.get("/"); res.StatusCode != http.StatusOK {
			t.Fatalf("active session died after %v: %d", elapsed, res.StatusCode)
		}
	}
	f.clock.Advance(11 * time.Hour)
	if res := c.get("/"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("session outlived the absolute timeout: %d", res.StatusCode)
	}
}

func TestSecureCookies(t *testing.T) {
	f := newFixture(t)
	s := New(f.db, Options{Secure: true})
	rec := &headerRecorder{h: http.Header{}}
	s.setSessionCookie(rec, "tok", time.Now().Add(time.Hour))
	ck := rec.h.Get("Set-Cookie")
	for _, want := range []string{"__Host-vox_session=tok", "Path=/", "HttpOnly", "Secure", "SameSite=Lax"} {
		if !strings.Contains(ck, want) {
			t.Errorf("cookie %q lacks %q", ck, want)
		}
	}
	if strings.Contains(ck, "Domain=") {
		t.Errorf("__Host- cookie must not carry a Domain: %q", ck)
	}
}

type headerRecorder struct{ h http.Header }

func (r *headerRecorder) Header() http.Header         { return r.h }
func (r *headerRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (r *headerRecorder) WriteHeader(int)             {}
