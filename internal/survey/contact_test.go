package survey_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"vox/internal/ingest"
	"vox/internal/jobs"
	"vox/internal/store"
	"vox/internal/survey"
	"vox/internal/testutil"
)

// fakeSender records what would have been sent.
type fakeSender struct {
	mu   sync.Mutex
	sent []survey.Message
}

func (f *fakeSender) Send(_ context.Context, m survey.Message) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, m)
	return m.Ref, nil
}

func (f *fakeSender) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.sent)
}

// clock is a fake time shared by the service and the worker.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type fixture struct {
	db     *store.DB
	svc    *survey.Service
	sender *fakeSender
	worker *jobs.Worker
	clock  *clock
	ws     int64
}

func newFixture(t *testing.T, db *store.DB, start time.Time) *fixture {
	ws, err := db.CreateWorkspace(context.Background(), "acme", "Acme", "UTC")
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := survey.NewSigner([]byte("0123456789abcdef0123"))
	c := &clock{t: start}
	svc := survey.New(db, &ingest.Service{DB: db, Now: c.now}, signer, "https://vox.test")
	svc.Now = c.now
	f := &fakeSender{}
	svc.Senders[survey.ChannelEmail] = f
	w := &jobs.Worker{DB: db, Now: c.now}
	svc.Register(w)
	return &fixture{db: db, svc: svc, sender: f, worker: w, clock: c, ws: ws.ID}
}

func (fx *fixture) run(t *testing.T) {
	t.Helper()
	for {
		n, err := fx.worker.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

func (fx *fixture) survey(t *testing.T, opts survey.Options) int64 {
	t.Helper()
	id, err := fx.svc.CreateSurvey(context.Background(), fx.ws, survey.Input{Name: "NPS", Options: opts,
		Definition: survey.Definition{Questions: []survey.Question{{Type: survey.TypeNPS, Text: survey.Text{"en": "Recommend us?"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (fx *fixture) invite(t *testing.T, surveyID int64, email, tz string) store.Invitation {
	t.Helper()
	out, err := fx.svc.Invite(context.Background(), fx.ws, surveyID, []survey.InviteRequest{{Channel: survey.ChannelEmail,
		Customer: &ingest.CustomerRef{Email: email, Timezone: tz}}})
	if err != nil {
		t.Fatal(err)
	}
	return out[0].Invitation
}

func (fx *fixture) status(t *testing.T, id int64) store.Invitation {
	t.Helper()
	inv, err := fx.db.Invitation(context.Background(), fx.ws, id)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func TestRemindersAndThrottling(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := newFixture(t, db, time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC))
		if err := fx.svc.PutSettings(ctx, fx.ws, survey.Settings{ThrottleDays: 7}); err != nil {
			t.Fatal(err)
		}
		s1 := fx.survey(t, survey.Options{ReminderDays: 3, MaxReminders: 2})
		s2 := fx.survey(t, survey.Options{})
		a := fx.invite(t, s1, "a@example.com", "")
		b := fx.invite(t, s1, "b@example.com", "")
		fx.run(t)
		if fx.sender.count() != 2 {
			t.Fatalf("sent %d, want 2", fx.sender.count())
		}
		// A second survey to A a day later is throttled: A was surveyed yesterday.
		fx.clock.add(24 * time.Hour)
		a2 := fx.invite(t, s2, "a@example.com", "")
		fx.run(t)
		if got := fx.status(t, a2.ID); got.Status != store.InvitationThrottled || fx.sender.count() != 2 {
			t.Fatalf("second survey: %s, sent %d", got.Status, fx.sender.count())
		}
		// B answers; A does not.
		sess, err := fx.svc.Open(ctx, fx.svc.InvitationToken(b))
		if err != nil {
			t.Fatal(err)
		}
		if res, err := fx.svc.Submit(ctx, sess, map[string][]string{"q1": {"10"}}, ""); err != nil || !res.Done {
			t.Fatalf("answer: %v %+v", err, res)
		}
		// Nothing is due before three days.
		fx.clock.add(24 * time.Hour)
		fx.run(t)
		if fx.sender.count() != 2 {
			t.Fatalf("reminder too early: %d", fx.sender.count())
		}
		// Day 3: one reminder, to A only; day 6: the second; day 9: no third (max 2).
		for i, want := range []int{3, 4, 4} {
			fx.clock.add(3*24*time.Hour + time.Minute)
			fx.run(t)
			if fx.sender.count() != want {
				t.Fatalf("after reminder round %d: sent %d, want %d", i+1, fx.sender.count(), want)
			}
		}
		for _, m := range fx.sender.sent[2:] {
			if m.InvitationID != a.ID || !m.Reminder {
				t.Errorf("reminder %+v", m)
			}
		}
		if got := fx.status(t, a.ID); got.RemindersSent != 2 {
			t.Errorf("reminders_sent = %d", got.RemindersSent)
		}
		// Ten days after A's invitation, A may be surveyed again.
		fx.clock.add(24 * time.Hour)
		a3 := fx.invite(t, s2, "a@example.com", "")
		fx.run(t)
		if got := fx.status(t, a3.ID); got.Status != store.InvitationSent {
			t.Errorf("after the throttle window: %s", got.Status)
		}
	})
}

func TestQuietHoursInCustomerTimeZone(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// 19:30 UTC is 22:30 in Moscow: inside 21-9 quiet hours.
		fx := newFixture(t, db, time.Date(2026, 3, 2, 19, 30, 0, 0, time.UTC))
		if err := fx.svc.PutSettings(ctx, fx.ws, survey.Settings{QuietHours: survey.QuietHours{Start: 21, End: 9}}); err != nil {
			t.Fatal(err)
		}
		s := fx.survey(t, survey.Options{})
		moscow := fx.invite(t, s, "ivan@example.ru", "Europe/Moscow")
		london := fx.invite(t, s, "jane@example.co.uk", "Europe/London") // 19:30 there: fine
		fx.run(t)
		if fx.sender.count() != 1 || fx.sender.sent[0].InvitationID != london.ID {
			t.Fatalf("sent %d during Moscow's night", fx.sender.count())
		}
		fx.clock.add(11 * time.Hour) // 09:30 in Moscow
		fx.run(t)
		if fx.sender.count() != 2 || fx.status(t, moscow.ID).Status != store.InvitationSent {
			t.Fatalf("not sent after quiet hours: %d", fx.sender.count())
		}
		// A retried job never sends twice.
		if _, err := db.EnqueueJobs(ctx, fx.ws, []store.NewJob{{Kind: survey.JobSend,
			Payload: `{"invitation_id":` + strconv.FormatInt(moscow.ID, 10) + `}`}}); err != nil {
			t.Fatal(err)
		}
		fx.run(t)
		if fx.sender.count() != 2 {
			t.Fatalf("sent twice: %d", fx.sender.count())
		}
	})
}
