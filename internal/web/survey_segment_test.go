package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"vox/internal/jobs"
	"vox/internal/store"
	"vox/internal/survey"
)

// recordingSender is an email channel that keeps what it was given.
type recordingSender struct{ to []string }

func (r *recordingSender) Send(_ context.Context, m survey.Message) (string, error) {
	r.to = append(r.to, m.To)
	return "rec-" + strconv.Itoa(len(r.to)), nil
}

// runSurveyJobs runs the fixture's survey jobs (segment walks, sends) until
// none is due, with mail going to a recordingSender.
func runSurveyJobs(t *testing.T, f *fixture, mail *recordingSender) int {
	t.Helper()
	f.surveys.Senders[survey.ChannelEmail] = mail
	w := &jobs.Worker{DB: f.db}
	f.surveys.Register(w)
	total := 0
	for {
		n, err := w.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return total
		}
		total += n
	}
}

// seedSegments gives workspace A a "vip" segment (two customers with
// email in the north, one with only a phone, one opted out in the south)
// and a "mass" one, and workspace B a "vip" customer and its own
// "globex-only" segment.
func seedSegments(t *testing.T, f *fixture) {
	t.Helper()
	ctx := context.Background()
	add := func(ws int64, segment, region, kind, value string) int64 {
		id, err := f.db.UpsertCustomer(ctx, ws, store.CustomerInput{Segment: segment, Region: region,
			Identities: []store.Identity{{Kind: kind, Value: value}}})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	add(f.wsA.ID, "vip", "north", store.IdentityEmail, "anna@example.com")
	add(f.wsA.ID, "vip", "north", store.IdentityEmail, "boris@example.com")
	add(f.wsA.ID, "vip", "north", store.IdentityPhone, "+79001112233")
	opted := add(f.wsA.ID, "vip", "south", store.IdentityEmail, "olga@example.com")
	add(f.wsA.ID, "mass", "north", store.IdentityEmail, "mass@example.com")
	add(f.wsB.ID, "vip", "north", store.IdentityEmail, "stranger@globex.example")
	add(f.wsB.ID, "globex-only", "shanghai", store.IdentityEmail, "wei@globex.example")
	if err := f.db.OptOut(ctx, f.wsA.ID, opted, "email"); err != nil {
		t.Fatal(err)
	}
}

// TestSurveySendSegment sends a survey to a segment through the send form:
// the form offers only the workspace's own segments, the result counts
// every customer, a re-send in the same wave queues nothing, the region
// narrows it, a list and a segment together are refused.
func TestSurveySendSegment(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ws := f.wsA.ID
	seedSegments(t, f)
	id, err := f.surveys.CreateSurvey(ctx, ws, survey.Input{Name: "NPS", Definition: survey.Definition{
		Questions: []survey.Question{{Type: survey.TypeNPS, Text: survey.Text{"en": "Recommend us?"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	c := f.loggedIn("manager")
	path := "/surveys/" + strconv.FormatInt(id, 10)
	page := c.get(path)
	mustContain(t, page.Body, `<option value="vip">vip (4)</option>`, `<option value="mass">mass (1)</option>`,
		`<option value="north">north</option>`, `<option value="south">south</option>`)
	mustNotContain(t, page.Body, "globex-only", "shanghai")
	csrf := csrfFrom(t, page.Body)

	send := func(fields map[string]string) response {
		t.Helper()
		fields["csrf"] = csrf
		return c.postMultipart(path+"/send", fields, "", "", "")
	}
	// Email is sent in the background: the answer says so, the job walks
	// the segment and the page then shows what it did.
	res := send(map[string]string{"channel": "email", "wave": "may", "segment": "vip"})
	if res.StatusCode != http.StatusAccepted {
		t.Fatalf("send: %d\n%s", res.StatusCode, res.Body)
	}
	mustContain(t, res.Body, "Sending to the segment “vip” in the background", `data-status="queued"`, `<option value="vip" selected>`)
	mail := &recordingSender{}
	if n := runSurveyJobs(t, f, mail); n != 3 {
		t.Errorf("ran %d jobs, want 3 (the walk and two sends)", n)
	}
	page = c.get(path)
	mustContain(t, page.Body, `data-status="done"`,
		"4 customers walked: 2 queued, 0 invited before, 1 opted out, 1 without an address, 0 unusable")
	invs, err := f.db.Invitations(ctx, ws, id, 100)
	if err != nil {
		t.Fatal(err)
	}
	var addrs []string
	for _, inv := range invs {
		addrs = append(addrs, inv.Address+" "+inv.Status)
	}
	if got := strings.Join(addrs, ","); len(invs) != 3 || !strings.Contains(got, "anna@example.com sent") ||
		!strings.Contains(got, "boris@example.com sent") || !strings.Contains(got, "olga@example.com opted_out") {
		t.Errorf("invitations: %s", got)
	}
	if got := strings.Join(mail.to, ","); len(mail.to) != 2 || strings.Contains(got, "olga") || strings.Contains(got, "globex") {
		t.Errorf("mailed %s", got)
	}

	// The same wave again starts nothing.
	res = send(map[string]string{"channel": "email", "wave": "may", "segment": "vip"})
	if res.StatusCode != http.StatusOK {
		t.Errorf("same wave again: %d", res.StatusCode)
	}
	mustContain(t, res.Body, "This wave was already sent to the segment “vip”")
	if n := runSurveyJobs(t, f, mail); n != 0 {
		t.Errorf("same wave again ran %d jobs", n)
	}
	if again, _ := f.db.Invitations(ctx, ws, id, 100); len(again) != 3 {
		t.Errorf("a re-send made %d invitations, want 3", len(again))
	}

	// Links to the north: one-time URLs by customer, phone-only included.
	res = send(map[string]string{"channel": "link", "wave": "links", "segment": "vip", "region": "north"})
	mustContain(t, res.Body, "3 of 3 customers of the segment “vip” queued.", `<option value="north" selected>`, "http://vox.test/s/", `href="/customers/`)

	// Another workspace's segment name matches nobody here.
	res = send(map[string]string{"channel": "email", "wave": "x", "segment": "globex-only"})
	runSurveyJobs(t, f, mail)
	page = c.get(path)
	mustContain(t, page.Body, "globex-only</td>", "0 customers walked: 0 queued")
	if len(mail.to) != 2 {
		t.Errorf("another workspace's segment mailed %v", mail.to)
	}

	// A segment and a list together are refused, and so is a bad channel.
	before, _ := f.db.Invitations(ctx, ws, id, 1000)
	res = send(map[string]string{"channel": "email", "wave": "june", "segment": "vip", "contacts_text": "email\nx@example.com\n"})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("list and segment: %d", res.StatusCode)
	}
	mustContain(t, res.Body, "Choose either a list or a segment, not both; nothing was sent.", `<option value="vip" selected>`)
	res = send(map[string]string{"channel": "fax", "segment": "vip"})
	mustContain(t, res.Body, "Choose a channel")
	res = send(map[string]string{"channel": "email", "segment": strings.Repeat("s", 201)})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("long segment: %d", res.StatusCode)
	}
	mustContain(t, res.Body, "The segment or region cannot be used; nothing was sent.")
	if after, _ := f.db.Invitations(ctx, ws, id, 1000); len(after) != len(before) {
		t.Errorf("refused sends made %d invitations", len(after)-len(before))
	}

	// Without the CSRF token nothing is sent.
	res = c.postMultipart(path+"/send", map[string]string{"channel": "email", "wave": "july", "segment": "vip"}, "", "", "")
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("no csrf: %d", res.StatusCode)
	}
	if after, _ := f.db.Invitations(ctx, ws, id, 1000); len(after) != len(before) {
		t.Errorf("a post without csrf made %d invitations", len(after)-len(before))
	}

	// A closed survey sends nothing.
	sv, _ := f.surveys.Survey(ctx, ws, id, 0)
	if _, err := f.surveys.UpdateSurvey(ctx, ws, id, survey.Input{Name: sv.Name, Status: "closed", Definition: sv.Definition}); err != nil {
		t.Fatal(err)
	}
	res = send(map[string]string{"channel": "email", "wave": "august", "segment": "vip"})
	if res.StatusCode != http.StatusConflict {
		t.Errorf("closed survey: %d", res.StatusCode)
	}
}

// TestSurveySendSegmentRolesAndWorkspaces: roles without ManageSurveys get
// 403, another workspace's survey 404, and neither queues anything.
func TestSurveySendSegmentRolesAndWorkspaces(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	seedSegments(t, f)
	def := survey.Definition{Questions: []survey.Question{{Type: survey.TypeNPS, Text: survey.Text{"en": "Recommend us?"}}}}
	ours, err := f.surveys.CreateSurvey(ctx, f.wsA.ID, survey.Input{Name: "Ours", Definition: def})
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := f.surveys.CreateSurvey(ctx, f.wsB.ID, survey.Input{Name: "Globex secret survey", Definition: def})
	if err != nil {
		t.Fatal(err)
	}
	fields := func(csrf string) map[string]string {
		return map[string]string{"csrf": csrf, "channel": "email", "wave": "w", "segment": "vip"}
	}
	for _, role := range []string{store.RoleViewer, store.RoleAgent, store.RoleEmployee} {
		c := f.loggedIn(role)
		res := c.postMultipart("/surveys/"+strconv.FormatInt(ours, 10)+"/send", fields(csrfFrom(t, c.get("/").Body)), "", "", "")
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", role, res.StatusCode)
		}
	}
	for i, role := range []string{store.RoleManager, store.RoleAdmin, store.RoleOwner} {
		c := f.loggedIn(role)
		path := "/surveys/" + strconv.FormatInt(ours, 10)
		res := c.postMultipart(path+"/send", fields(csrfFrom(t, c.get(path).Body)), "", "", "")
		want := http.StatusOK // the same wave, asked for again
		if i == 0 {
			want = http.StatusAccepted // started in the background
		}
		if res.StatusCode != want {
			t.Errorf("%s: %d, want %d", role, res.StatusCode, want)
		}
	}
	runSurveyJobs(t, f, &recordingSender{})
	if invs, _ := f.db.Invitations(ctx, f.wsA.ID, ours, 100); len(invs) != 3 {
		t.Errorf("%d invitations after the allowed roles sent one wave, want 3", len(invs))
	}
	c := f.loggedIn("multi") // a manager in A, a viewer in B
	res := c.postMultipart("/surveys/"+strconv.FormatInt(theirs, 10)+"/send", fields(csrfFrom(t, c.get("/surveys").Body)), "", "", "")
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("another workspace's survey: %d, want 404", res.StatusCode)
	}
	mustNotContain(t, res.Body, "Globex secret survey", "stranger@globex.example")
	if invs, _ := f.db.Invitations(ctx, f.wsB.ID, theirs, 10); len(invs) != 0 {
		t.Errorf("another workspace's survey got %d invitations", len(invs))
	}
}
