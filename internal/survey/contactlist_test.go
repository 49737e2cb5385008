package survey_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"vox/internal/store"
	"vox/internal/survey"
	"vox/internal/testutil"
)

func TestParseContactList(t *testing.T) {
	csv := "\ufeff Email ;Name;LANG;City;telegram\n" +
		"anna@example.com;Анна;RU;Москва;\n" +
		"\n" +
		"\"bob@example.com\";\"Bob; the \"\"builder\"\"\nsecond line\";en;;\n" + // a quoted name over two lines
		";;;;123456\n"
	rows, err := survey.ParseContactList(strings.NewReader(csv), survey.ChannelEmail, "w1")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("%d rows: %+v", len(rows), rows)
	}
	for i, want := range []struct {
		line               int
		email, name, lang  string
		telegram, dedupKey string
	}{
		{2, "anna@example.com", "Анна", "ru", "", "list:w1:anna@example.com|||"},
		{4, "bob@example.com", "Bob; the \"builder\"\nsecond line", "en", "", "list:w1:bob@example.com|||"},
		{6, "", "", "", "123456", "list:w1:||123456|"},
	} {
		r := rows[i]
		c := r.Request.Customer
		if r.Line != want.line || c.Email != want.email || c.Name != want.name || c.Lang != want.lang || c.TelegramID != want.telegram ||
			r.Request.DedupeKey != want.dedupKey || r.Request.Channel != survey.ChannelEmail || r.Request.Wave != "w1" {
			t.Errorf("row %d: line %d %+v %+v", i, r.Line, r.Request, *c)
		}
	}

	for _, tc := range []struct {
		in   string
		line int
	}{
		{"", 0},
		{"name,city\nAnna,Moscow\n", 1},
		{"email\n", 0},
		{"email,name\nanna@example.com,Anna\n\"bob@example.com,Bob\n", 3},
		{"email,name\na@example.com,\"x\"y\n", 2},
	} {
		_, err := survey.ParseContactList(strings.NewReader(tc.in), survey.ChannelEmail, "")
		var le *survey.ListError
		if !errors.As(err, &le) || le.Line != tc.line {
			t.Errorf("%q: %v, want a list error on line %d", tc.in, err, tc.line)
		}
	}
}

// FuzzParseContactList: any upload gives rows in increasing line order or
// a list error, never a panic.
func FuzzParseContactList(f *testing.F) {
	for _, s := range []string{"email,name\na@b.c,A\n", "email;name\n\"a;b\";c\n", "\ufeffphone\n+7 900\n\n", "email\n\"", "telegram\n1\r\n2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		rows, err := survey.ParseContactList(strings.NewReader(in), survey.ChannelEmail, "")
		var le *survey.ListError
		if err != nil && !errors.As(err, &le) {
			t.Fatalf("error of another kind: %v", err)
		}
		last := 1
		for _, r := range rows {
			if r.Line <= last || r.Request.Customer == nil {
				t.Fatalf("row at line %d after %d: %+v", r.Line, last, r)
			}
			last = r.Line
		}
	})
}

// TestInviteList checks that a list is invited row by row: bad rows are
// reported by line and the others queued, the throttling forecast matches
// what the send job then does, and a repeated upload queues nothing.
func TestInviteList(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := newFixture(t, db, time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC))
		if err := fx.svc.PutSettings(ctx, fx.ws, survey.Settings{ThrottleDays: 7}); err != nil {
			t.Fatal(err)
		}
		s1, s2 := fx.survey(t, survey.Options{}), fx.survey(t, survey.Options{})
		fx.invite(t, s2, "recent@example.com", "")
		fx.run(t) // recent@ is surveyed now
		opted := fx.invite(t, s2, "gone@example.com", "")
		if err := db.OptOut(ctx, fx.ws, *opted.CustomerID, "email"); err != nil {
			t.Fatal(err)
		}
		list := "email,name,lang\nnew@example.com,New,en\nbad-address,Bad,en\nrecent@example.com,Recent,en\ngone@example.com,Gone,en\n,Nobody,en\n"
		rows, err := survey.ParseContactList(strings.NewReader(list), survey.ChannelEmail, "march")
		if err != nil {
			t.Fatal(err)
		}
		res, err := fx.svc.InviteList(ctx, fx.ws, s1, rows)
		if err != nil {
			t.Fatal(err)
		}
		if res.Rows != 5 || res.Queued != 2 || res.OptedOut != 1 || res.Throttled != 1 || res.Duplicates != 0 || len(res.Invalid) != 2 {
			t.Fatalf("result %+v", res)
		}
		if res.Invalid[0].Line != 3 || res.Invalid[0].Field != "customer.email" || res.Invalid[1].Line != 6 {
			t.Errorf("invalid rows %+v", res.Invalid)
		}
		if len(res.Links) != 2 || res.Links[0].Line != 2 || res.Links[1].Line != 4 || !strings.HasPrefix(res.Links[0].URL, "https://vox.test/s/") {
			t.Errorf("links %+v", res.Links)
		}
		sentBefore := fx.sender.count()
		fx.run(t)
		if got := fx.status(t, res.Links[1].Invitation.ID).Status; got != store.InvitationThrottled {
			t.Errorf("forecast throttled, the send job made it %s", got)
		}
		if got := fx.status(t, res.Links[0].Invitation.ID).Status; got != store.InvitationSent || fx.sender.count() != sentBefore+1 {
			t.Errorf("new@: %s, sent %d", got, fx.sender.count()-sentBefore)
		}

		again, err := fx.svc.InviteList(ctx, fx.ws, s1, rows)
		if err != nil {
			t.Fatal(err)
		}
		if again.Queued != 0 || again.Duplicates != 3 || len(again.Invalid) != 2 {
			t.Errorf("repeated upload: %+v", again)
		}

		// Only a live survey of the workspace takes a list.
		if _, err := fx.svc.InviteList(ctx, fx.ws+1000, s1, rows); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another workspace: %v", err)
		}
		sv, _ := fx.svc.Survey(ctx, fx.ws, s1, 0)
		if _, err := fx.svc.UpdateSurvey(ctx, fx.ws, s1, survey.Input{Name: sv.Name, Status: "draft", Definition: sv.Definition}); err != nil {
			t.Fatal(err)
		}
		if _, err := fx.svc.InviteList(ctx, fx.ws, s1, rows); !errors.Is(err, survey.ErrSurveyNotLive) {
			t.Errorf("draft survey: %v", err)
		}
	})
}

func TestWidgetsList(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := newFixture(t, db, time.Now())
		s1, s2 := fx.survey(t, survey.Options{}), fx.survey(t, survey.Options{})
		w, err := fx.svc.CreateWidget(ctx, fx.ws, s1, []string{"https://shop.example/"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fx.svc.CreateWidget(ctx, fx.ws, s2, []string{"https://other.example"}); err != nil {
			t.Fatal(err)
		}
		list, err := fx.svc.Widgets(ctx, fx.ws, s1)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].SiteKey != w.SiteKey || list[0].Snippet != w.Snippet || list[0].AllowedOrigins[0] != "https://shop.example" {
			t.Errorf("widgets %+v, created %+v", list, w)
		}
		if other, _ := fx.svc.Widgets(ctx, fx.ws+1000, s1); len(other) != 0 {
			t.Errorf("another workspace sees %d widgets", len(other))
		}
	})
}
