package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"vox/internal/auth"
	"vox/internal/store"
)

// TestRouteRoleMatrix walks every GET route with every role: the status must
// be what auth.Can says, so a route cannot forget its permission check.
func TestRouteRoleMatrix(t *testing.T) {
	f := newFixture(t)
	f.seedFeedback(f.wsA.ID, "anna@example.com", store.FeedbackItem{Kind: "review", Channel: "web", Text: "hello", OccurredAt: time.Now()})
	concrete := strings.NewReplacer("{id}", "1", "{$}", "")
	// Paths that need a query to be a valid request.
	queries := map[string]string{"/feedback/export": "?format=csv", "/reports/download": "?format=csv"}
	// Routes whose object is checked beyond the role: a permitted role may
	// still get 404 for an object outside its scope (an employee opening
	// an item about someone else).
	scoped := map[string]bool{"/feedback/{id}": true, "/cases/{id}": true, "/settings/rules/{id}": true,
		"/settings/webhooks/{id}": true, "/surveys/{id}": true, "/surveys/{id}/edit": true}
	for _, role := range store.Roles {
		c := f.loggedIn(role)
		rc := &reqCtx{Session: &store.WebSession{}, Role: role}
		for _, rt := range f.srv.routes() {
			if rt.method != "GET" || rt.public {
				continue
			}
			want := http.StatusOK
			if len(rt.perms) > 0 && !canAny(rc, rt.perms) {
				want = http.StatusForbidden
			}
			if rt.path == "/events" {
				if got := c.streamStatus(rt.path); got != want {
					t.Errorf("%s GET %s: %d, want %d", role, rt.path, got, want)
				}
				continue
			}
			res := c.get(concrete.Replace(rt.path) + queries[rt.path])
			if res.StatusCode != want && !(want == http.StatusOK && scoped[rt.path] && res.StatusCode == http.StatusNotFound) {
				t.Errorf("%s GET %s: %d, want %d", role, rt.path, res.StatusCode, want)
			}
		}
		// The navigation offers only what the role may open.
		body := c.get("/").Body
		if i := strings.Index(body, `<nav class="nav"`); i >= 0 {
			body = body[i:]
			body = body[:strings.Index(body, "</nav>")]
		}
		for _, n := range navigation {
			shown := strings.Contains(body, ">"+f.srv.cat["en"]["nav."+n.key])
			if shown != canAny(rc, n.perms) {
				t.Errorf("%s: nav %s shown=%v", role, n.key, shown)
			}
		}
	}
}

func TestEveryRouteHasAPermissionDecision(t *testing.T) {
	f := newFixture(t)
	// Public: signing in, and the pages an emailed one-time link opens.
	public := map[string]bool{"/login": true, "/invite/{token}": true, "/password/forgot": true, "/password/reset/{token}": true}
	for _, rt := range f.srv.routes() {
		if rt.public && !public[rt.path] {
			t.Errorf("%s %s is public", rt.method, rt.path)
		}
	}
}

func TestEmployeeSeesOnlyOwnFeedback(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	now := time.Now()
	batch := []store.NewFeedback{
		{Item: store.FeedbackItem{Kind: "review", Channel: "store", Text: "Olga was very helpful", OccurredAt: now},
			Employee: store.EmployeeInput{ExternalID: "E1", Name: "Olga"}},
		{Item: store.FeedbackItem{Kind: "review", Channel: "store", Text: "Ivan was rude", OccurredAt: now},
			Employee: store.EmployeeInput{ExternalID: "E2", Name: "Ivan"}},
	}
	if _, err := f.db.InsertFeedback(ctx, f.wsA.ID, batch, nil); err != nil {
		t.Fatal(err)
	}
	c := f.loggedIn("employee")
	// Not linked to an employee record yet: nothing to show, said plainly.
	page := c.get("/feedback")
	mustContain(t, page.Body, "not linked to an employee")
	mustNotContain(t, page.Body, "Olga was", "Ivan was")

	if err := linkEmployee(f, "E1", f.users["employee"].ID); err != nil {
		t.Fatal(err)
	}
	page = c.get("/feedback")
	mustContain(t, page.Body, "Olga was very helpful")
	mustNotContain(t, page.Body, "Ivan was rude")
	mustNotContain(t, c.get("/").Body, "Ivan was rude")
	if res := c.get("/customers"); res.StatusCode != http.StatusForbidden {
		t.Errorf("employee opened customers: %d", res.StatusCode)
	}
}

// linkEmployee ties the employee with externalID to a user.
func linkEmployee(f *fixture, externalID string, userID int64) error {
	emps, err := f.db.Employees(context.Background(), f.wsA.ID)
	if err != nil {
		return err
	}
	for _, e := range emps {
		if e.ExternalID == externalID {
			return f.db.LinkEmployeeUser(context.Background(), f.wsA.ID, e.ID, userID)
		}
	}
	return fmt.Errorf("no employee %s", externalID)
}

func TestCanMatrix(t *testing.T) {
	for _, role := range []string{store.RoleOwner, store.RoleAdmin} {
		if !auth.Can(role, auth.ManageSettings) || !auth.Can(role, auth.ViewCustomers) {
			t.Errorf("%s lacks admin permissions", role)
		}
	}
	if auth.Can(store.RoleViewer, auth.WorkCases) || auth.Can(store.RoleAgent, auth.ManageSettings) {
		t.Error("viewer/agent can act beyond their role")
	}
	if auth.Can(store.RoleEmployee, auth.ViewFeedback) || !auth.Can(store.RoleEmployee, auth.ViewOwnFeedback) {
		t.Error("employee must see only own feedback")
	}
	if auth.Can("", auth.ViewOverview) || auth.Can("root", auth.ViewOverview) {
		t.Error("unknown roles must have no permissions")
	}
}

// streamStatus opens a streaming route and returns its status without
// waiting for the stream to end.
func (c *client) streamStatus(path string) int {
	c.f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", c.f.http.URL+path, nil)
	res, err := c.c.Do(req)
	if err != nil {
		c.f.t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}
