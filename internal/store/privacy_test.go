package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"vox/internal/store"
	"vox/internal/testutil"
)

// personFixture is one workspace holding a person with something in every
// table that can name them, a bystander, and a second workspace with
// another person of the same email.
type personFixture struct {
	db            *store.DB
	ws, other     int64
	anna, bob     int64
	tombstone     int64
	otherAnna     int64
	annaItems     []int64
	invitation    int64
	caseID        int64
	bobJob        int64
	loc           *time.Location
	surveyID      int64
	annaMarker    string // a word only Anna's texts contain
	annaEmail     string
	annaName      string
	annaTelegram  string
	tombstoneMail string
}

func newPersonFixture(t *testing.T, db *store.DB) *personFixture {
	t.Helper()
	ctx := context.Background()
	f := &personFixture{db: db, annaMarker: "zebrafinch", annaEmail: "anna.petrova@example.com", annaName: "Anna Petrova",
		annaTelegram: "778899001", tombstoneMail: "anna.old@example.com"}
	ws, err := db.CreateWorkspace(ctx, "acme", "Acme", "Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	other, err := db.CreateWorkspace(ctx, "globex", "Globex", "UTC")
	if err != nil {
		t.Fatal(err)
	}
	f.ws, f.other, f.loc = ws.ID, other.ID, store.LoadLocation("Europe/Moscow")
	if f.surveyID, err = db.CreateSurvey(ctx, f.ws, store.SurveyInput{Name: "NPS", Status: "live", Definition: `{"questions":[]}`, Settings: "{}"}); err != nil {
		t.Fatal(err)
	}
	anna := store.CustomerInput{Name: f.annaName, Identities: []store.Identity{{Kind: "email", Value: f.annaEmail},
		{Kind: "phone", Value: "+7 900 111-22-33"}, {Kind: "telegram_id", Value: f.annaTelegram}}}
	bob := store.CustomerInput{Name: "Bob Stone", Identities: []store.Identity{{Kind: "email", Value: "bob@example.com"}}}
	old := store.CustomerInput{Name: "A. Petrova", Identities: []store.Identity{{Kind: "email", Value: f.tombstoneMail}}}
	now := time.Now()
	sid := f.surveyID
	var batch []store.NewFeedback
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 12 {
		it := store.FeedbackItem{Kind: "survey_response", Channel: pick(r, []string{"email", "telegram", "web"}), Text: fmt.Sprintf("%s: курьер опоздал на %d минут", f.annaMarker, 10+i),
			Lang: "ru", Sentiment: "negative", Topics: []string{"delivery"}, NPS: ptr(i % 11), Region: "eu", Segment: "vip",
			OccurredAt: now.Add(-time.Duration(i) * 36 * time.Hour), SurveyID: &sid}
		batch = append(batch, store.NewFeedback{Item: it, Customer: anna})
	}
	for i := range 8 {
		it := store.FeedbackItem{Kind: "review", Channel: "web", Text: fmt.Sprintf("great service %d", i), Lang: "en",
			Sentiment: "positive", Topics: []string{"staff", "delivery"}, NPS: ptr(9 + i%2), Region: "eu", Segment: "vip",
			OccurredAt: now.Add(-time.Duration(i) * 30 * time.Hour)}
		batch = append(batch, store.NewFeedback{Item: it, Customer: bob})
	}
	batch = append(batch, store.NewFeedback{Item: store.FeedbackItem{Kind: "review", Channel: "email", Text: f.annaMarker + " old profile text",
		Lang: "en", Sentiment: "neutral", CSAT: ptr(3), CSATScale: ptr(5), OccurredAt: now.Add(-100 * time.Hour)}, Customer: old})
	res, err := db.InsertFeedback(ctx, f.ws, batch, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.annaItems = append(f.annaItems, res.IDs[:12]...)
	f.annaItems = append(f.annaItems, res.IDs[len(res.IDs)-1])
	if f.anna, err = db.FindCustomerByIdentity(ctx, f.ws, "email", f.annaEmail); err != nil {
		t.Fatal(err)
	}
	if f.bob, err = db.FindCustomerByIdentity(ctx, f.ws, "email", "bob@example.com"); err != nil {
		t.Fatal(err)
	}
	if f.tombstone, err = db.FindCustomerByIdentity(ctx, f.ws, "email", f.tombstoneMail); err != nil {
		t.Fatal(err)
	}
	if err := db.MergeCustomers(ctx, f.ws, f.anna, f.tombstone, "test"); err != nil {
		t.Fatal(err)
	}
	// The same email in another workspace is another person.
	if _, err := db.InsertFeedback(ctx, f.other, []store.NewFeedback{{Item: store.FeedbackItem{Kind: "review", Channel: "web",
		Text: f.annaMarker + " in globex", OccurredAt: now}, Customer: anna}}, nil); err != nil {
		t.Fatal(err)
	}
	if f.otherAnna, err = db.FindCustomerByIdentity(ctx, f.other, "email", f.annaEmail); err != nil {
		t.Fatal(err)
	}

	err = db.InTx(ctx, func(tx *store.Tx) error {
		inv, _, err := tx.CreateInvitation(ctx, f.ws, store.NewInvitation{SurveyID: f.surveyID, SurveyVersion: 1, Customer: anna,
			Channel: "email", Address: f.annaEmail, SendAt: now, ExpiresAt: now.Add(24 * time.Hour)}, now)
		if err != nil {
			return err
		}
		f.invitation = inv.ID
		annaID, item := f.anna, f.annaItems[0]
		if _, err := tx.InsertSurveyResponse(ctx, f.ws, store.SurveyResponse{SurveyID: f.surveyID, SurveyVersion: 1, InvitationID: &inv.ID,
			CustomerID: &annaID, FeedbackItemID: item, Channel: "email", Answers: `{"comment":"` + f.annaMarker + `"}`, CreatedAt: now}, ""); err != nil {
			return err
		}
		c, _, err := tx.InsertCase(ctx, store.Case{WorkspaceID: f.ws, FeedbackID: &item, CustomerID: &annaID, Title: "NPS 0 " + f.annaMarker,
			Status: "open", SLAMinutes: 60, DueAt: now.Add(time.Hour), CreatedAt: now, UpdatedAt: now})
		if err != nil {
			return err
		}
		f.caseID = c.ID
		if _, err := tx.AddCaseEvent(ctx, f.ws, store.CaseEvent{CaseID: c.ID, Kind: "reply", Actor: "agent", Body: "Dear Anna Petrova, sorry",
			Details: map[string]any{"to": f.annaEmail}, CreatedAt: now}); err != nil {
			return err
		}
		if _, err := tx.AddCaseEvent(ctx, f.ws, store.CaseEvent{CaseID: c.ID, Kind: "note", Actor: "agent", Body: "called Anna", CreatedAt: now}); err != nil {
			return err
		}
		if _, _, err := tx.InsertAlert(ctx, store.Alert{WorkspaceID: f.ws, Kind: "rule", FeedbackID: &item, Title: "detractor",
			DedupeKey: "rule:1:item:" + fmt.Sprint(item), CreatedAt: now}); err != nil {
			return err
		}
		webhook, _ := json.Marshal(map[string]any{"type": "feedback.created", "data": map[string]any{
			"item": map[string]any{"id": item, "text": "x"}, "customer": map[string]any{"id": annaID}}})
		bobHook, _ := json.Marshal(map[string]any{"type": "feedback.created", "data": map[string]any{
			"item": map[string]any{"id": 999999, "text": "great service"}, "customer": map[string]any{"id": f.bob}}})
		payload := func(v any) string { b, _ := json.Marshal(v); return string(b) }
		ids, err := tx.EnqueueJobs(ctx, f.ws, []store.NewJob{
			{Kind: "survey.send", Payload: payload(map[string]any{"invitation_id": inv.ID})},
			{Kind: "webhook.deliver", Payload: payload(map[string]any{"endpoint_id": 1, "message_id": "msg_1", "event": "feedback.created", "body": string(webhook)})},
			{Kind: "notify.email", Payload: payload(map[string]any{"to": []string{"cx@acme.test"}, "subject": "Vox: detractor",
				"body": "Customer: Anna Petrova\n\n" + f.annaMarker + ": курьер опоздал на 10 минут\n"})},
			{Kind: "case.reply", Payload: payload(map[string]any{"case_id": c.ID, "to": f.annaEmail, "text": "sorry"})},
			{Kind: "webhook.deliver", Payload: payload(map[string]any{"endpoint_id": 1, "message_id": "msg_2", "event": "feedback.created", "body": string(bobHook)})},
		})
		if err != nil {
			return err
		}
		f.bobJob = ids[4]
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.PutDraft(ctx, f.ws, f.surveyID, "inv:"+fmt.Sprint(f.invitation), `{"q1":"`+f.annaMarker+`"}`); err != nil {
		t.Fatal(err)
	}
	if err := db.OptOut(ctx, f.ws, f.anna, "email"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.InsertTransactions(ctx, f.ws, []store.Transaction{{CustomerID: f.anna, Amount: 120, Currency: "EUR", OccurredAt: now},
		{CustomerID: f.bob, Amount: 50, Currency: "EUR", OccurredAt: now}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.InsertChurnEvent(ctx, f.ws, store.ChurnEvent{CustomerID: f.anna, OccurredAt: now, Reason: "moved"}); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveChurnModel(ctx, f.ws, now, []byte(`{}`), []store.ChurnScore{{CustomerID: f.anna, Risk: 0.7}, {CustomerID: f.bob, Risk: 0.1}}); err != nil {
		t.Fatal(err)
	}
	u, err := db.CreateUser(ctx, "staff@acme.test", "Staff", "", "")
	if err != nil {
		t.Fatal(err)
	}
	item := f.annaItems[1]
	if _, err := db.AddUserNotification(ctx, f.ws, store.UserNotification{UserID: u.ID, Kind: "praise", Title: "praise",
		Body: f.annaMarker, FeedbackID: &item, DedupeKey: "praise:" + fmt.Sprint(item) + ":1", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestExportPersonHasEveryKindOfRecord(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newPersonFixture(t, db)
		// The tombstone's id resolves to the live profile.
		ex, err := db.ExportPerson(ctx, f.ws, f.tombstone, store.AuditActor{Name: "dpo"})
		if err != nil {
			t.Fatal(err)
		}
		if ex.CustomerID != f.anna || ex.Workspace != "acme" {
			t.Fatalf("export of %d/%s, want %d/acme", ex.CustomerID, ex.Workspace, f.anna)
		}
		sections := map[string]int{"profiles": len(ex.Profiles), "identities": len(ex.Identities), "feedback": len(ex.Feedback),
			"survey_invitations": len(ex.SurveyInvitations), "survey_responses": len(ex.SurveyResponses), "survey_drafts": len(ex.SurveyDrafts),
			"survey_optouts": len(ex.SurveyOptOuts), "cases": len(ex.Cases), "case_events": len(ex.CaseEvents), "alerts": len(ex.Alerts),
			"notifications": len(ex.Notifications), "transactions": len(ex.Transactions), "churn_events": len(ex.ChurnEvents),
			"churn_scores": len(ex.ChurnScores), "audit_log": len(ex.AuditLog)}
		want := map[string]int{"profiles": 2, "identities": 4, "feedback": 13, "survey_invitations": 1, "survey_responses": 1,
			"survey_drafts": 1, "survey_optouts": 1, "cases": 1, "case_events": 2, "alerts": 1, "notifications": 1,
			"transactions": 1, "churn_events": 1, "churn_scores": 1, "audit_log": 1}
		for k, w := range want {
			if sections[k] != w {
				t.Errorf("export %s: %d rows, want %d", k, sections[k], w)
			}
		}
		b, err := json.Marshal(ex)
		if err != nil {
			t.Fatal(err)
		}
		doc := string(b)
		for _, wantText := range []string{f.annaEmail, f.annaName, f.annaMarker + ": курьер", `"topics":["delivery"]`, `"nps":0`, "Dear Anna Petrova"} {
			if !strings.Contains(doc, wantText) {
				t.Errorf("export lacks %q", wantText)
			}
		}
		for _, bad := range []string{"bob@example.com", "great service", "search_text", "globex"} {
			if strings.Contains(doc, bad) {
				t.Errorf("export holds %q", bad)
			}
		}
		// The access is audited.
		entries, err := db.AuditLog(ctx, f.ws, 5)
		if err != nil || len(entries) == 0 || entries[0].Action != "customer.export" || entries[0].ObjectID != f.anna {
			t.Fatalf("audit: %+v, %v", entries, err)
		}
		if _, err := db.ExportPerson(ctx, f.ws, f.otherAnna, store.AuditActor{}); !isNotFound(err) {
			t.Fatalf("another workspace's customer exported: %v", err)
		}
	})
}

func isNotFound(err error) bool {
	return err != nil && strings.Contains(err.Error(), store.ErrNotFound.Error())
}

// count runs a COUNT(*) query through the public surface tests have: the
// store offers no raw SQL, so counts come from a helper in export_test.go.
func TestErasePersonLeavesNoTrace(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newPersonFixture(t, db)
		otherBefore := allItems(t, db, f.other)
		rep, err := db.ErasePerson(ctx, f.ws, f.anna, store.AuditActor{Name: "dpo"})
		if err != nil {
			t.Fatal(err)
		}
		want := store.ErasureReport{CustomerID: f.anna, Profiles: 2, Identities: 4, Feedback: 13, Invitations: 1, Responses: 1,
			CasesScrubbed: 1, Alerts: 1, Notifications: 1, Transactions: 1, ChurnEvents: 1, Jobs: 4, AuditScrubbed: 1}
		if rep != want {
			t.Errorf("report %+v\nwant   %+v", rep, want)
		}
		ids := []int64{f.anna, f.tombstone}
		traces := store.PersonTraces(t, db, f.ws, ids, f.annaItems, f.invitation)
		for table, n := range traces {
			if n != 0 {
				t.Errorf("%s: %d rows still name the person", table, n)
			}
		}
		for _, q := range []string{f.annaEmail, f.annaName, f.annaMarker, "курьер опоздал", f.annaTelegram} {
			page, err := db.ListFeedback(ctx, f.ws, store.FeedbackFilter{Q: q})
			if err != nil || len(page.Items) != 0 {
				t.Errorf("search %q after erase: %d items, %v", q, len(page.Items), err)
			}
			if cs, err := db.Customers(ctx, f.ws, store.CustomerFilter{Q: q}); err != nil || len(cs) != 0 {
				t.Errorf("customer search %q after erase: %d, %v", q, len(cs), err)
			}
		}
		for _, idn := range [][2]string{{"email", f.annaEmail}, {"email", f.tombstoneMail}, {"telegram_id", f.annaTelegram}} {
			if _, err := db.FindCustomerByIdentity(ctx, f.ws, idn[0], idn[1]); !isNotFound(err) {
				t.Errorf("identity %v still resolves: %v", idn, err)
			}
		}
		// The kept customer count (the overview's card) follows the erase.
		kept, err := db.CountCustomers(ctx, f.ws)
		if err != nil {
			t.Fatal(err)
		}
		if raw, err := db.CountCustomersRaw(ctx, f.ws); err != nil || kept != raw {
			t.Errorf("kept customer count %d after the erase, COUNT(*) %d (%v)", kept, raw, err)
		}
		// Rollups equal a recomputation from the items left.
		from, to := store.DayFromDate(2000, 1, 1), store.DayFromDate(2100, 1, 1)
		left := allItems(t, db, f.ws)
		if len(left) != 8 {
			t.Fatalf("%d items left, want Bob's 8", len(left))
		}
		checkRollups(t, db, f.ws, left, f.loc, randomQueries(rand.New(rand.NewPCG(3, 4)), from, to))
		// The case stays for the team's statistics, anonymous.
		c, err := db.Case(ctx, f.ws, f.caseID)
		if err != nil {
			t.Fatal(err)
		}
		if c.CustomerID != nil || c.FeedbackID != nil || strings.Contains(c.Title, f.annaMarker) {
			t.Errorf("case not anonymous: %+v", c)
		}
		events, err := db.CaseEvents(ctx, f.ws, f.caseID)
		if err != nil || len(events) != 2 {
			t.Fatalf("case events: %v, %v", events, err)
		}
		for _, e := range events {
			if e.Body != "" || e.Details["to"] != nil {
				t.Errorf("case event keeps personal data: %+v", e)
			}
		}
		// Bob, his job and the other workspace's Anna are untouched.
		if _, err := db.Customer(ctx, f.ws, f.bob); err != nil {
			t.Errorf("bob: %v", err)
		}
		if _, err := db.Job(ctx, f.ws, f.bobJob); err != nil {
			t.Errorf("bob's webhook job: %v", err)
		}
		if _, err := db.Customer(ctx, f.other, f.otherAnna); err != nil {
			t.Errorf("globex anna: %v", err)
		}
		if otherAfter := allItems(t, db, f.other); len(otherAfter) != len(otherBefore) || len(otherAfter) != 1 {
			t.Errorf("globex items %d → %d", len(otherBefore), len(otherAfter))
		}
		// The audit log keeps the fact, with numbers only.
		entries, err := db.AuditLog(ctx, f.ws, 50)
		if err != nil {
			t.Fatal(err)
		}
		erased := false
		for _, e := range entries {
			b, _ := json.Marshal(e.Details)
			if strings.Contains(string(b), f.annaEmail) || strings.Contains(string(b), f.annaName) || strings.Contains(string(b), "anna") {
				t.Errorf("audit entry %s keeps personal data: %s", e.Action, b)
			}
			if e.Action == "customer.erase" && e.ObjectID == f.anna && e.Details["feedback"] == float64(13) {
				erased = true
			}
		}
		if !erased {
			t.Error("no customer.erase audit entry")
		}
		// A retry reports the earlier erase; a new profile never gets the erased id.
		again, err := db.ErasePerson(ctx, f.ws, f.anna, store.AuditActor{Name: "dpo"})
		if err != nil || !again.AlreadyErased || again.Feedback != 13 {
			t.Errorf("second erase: %+v, %v", again, err)
		}
		if _, err := db.ErasePerson(ctx, f.ws, 987654, store.AuditActor{}); !isNotFound(err) {
			t.Errorf("erase of an unknown id: %v", err)
		}
		fresh, err := db.UpsertCustomer(ctx, f.ws, store.CustomerInput{Identities: []store.Identity{{Kind: "email", Value: "new@example.com"}}})
		if err != nil || fresh <= max(f.anna, f.tombstone) {
			t.Errorf("new customer id %d reuses an erased id (≤ %d): %v", fresh, max(f.anna, f.tombstone), err)
		}
		res, err := db.InsertFeedback(ctx, f.ws, []store.NewFeedback{{Item: store.FeedbackItem{Kind: "review", Channel: "web", Text: "new", OccurredAt: time.Now()}}}, nil)
		if err != nil || res.IDs[0] <= f.annaItems[len(f.annaItems)-1] {
			t.Errorf("new item id %v reuses an erased id: %v", res.IDs, err)
		}
	})
}
