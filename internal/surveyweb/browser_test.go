package surveyweb_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"vox/internal/ingest"
	"vox/internal/store"
	"vox/internal/survey"
	"vox/internal/surveyweb"
	"vox/internal/testutil"
)

// maxPageBytes is the weight budget of a survey page: it must open fast on
// a poor mobile connection (DESIGN.md). The page is one HTML response with
// its CSS inline and nothing else to load.
const maxPageBytes = 15 << 10

// scripts switches JavaScript of the browser's pages off or on.
func scripts(on bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on})
		return err
	})
}

// respondentSite serves the public survey pages like `vox serve` mounts
// them, over a real SQLite file, plus /probe: a page whose inline script
// renames it, to show whether the browser runs scripts.
type respondentSite struct {
	db  *store.DB
	svc *survey.Service
	srv *httptest.Server
	ws  int64
	sid int64
}

func newRespondentSite(t *testing.T) *respondentSite {
	t.Helper()
	ctx := context.Background()
	db := testutil.SQLite(t)
	ws, err := db.CreateWorkspace(ctx, "acme", "Acme", "Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	var public http.Handler
	mux := http.NewServeMux()
	mux.HandleFunc("GET /probe", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, `<!doctype html><title>scripts off</title><script>document.title = "scripts on"</script>`)
	})
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { public.ServeHTTP(w, r) }))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	signer, err := survey.NewSigner([]byte("browser-test-secret-0123456789"))
	if err != nil {
		t.Fatal(err)
	}
	svc := survey.New(db, &ingest.Service{DB: db}, signer, srv.URL)
	if public, err = surveyweb.New(svc, nil, 0); err != nil {
		t.Fatal(err)
	}
	sid, err := svc.CreateSurvey(ctx, ws.ID, survey.Input{Name: "After delivery", Touchpoint: "delivery", Stage: "usage",
		Definition: survey.Definition{Languages: []string{"en", "ru"},
			Title:    survey.Text{"en": "How did we do?", "ru": "Как мы справились?"},
			ThankYou: survey.Text{"en": "Thank you, that helps us a lot!", "ru": "Спасибо, это нам очень поможет!"},
			Questions: []survey.Question{
				{Type: survey.TypeNPS, Required: true, Text: survey.Text{"en": "How likely are you to recommend us to a friend?",
					"ru": "Насколько вероятно, что вы порекомендуете нас другу?"}},
				{Type: survey.TypeOpen, Text: survey.Text{"en": "What is the main reason for your score?", "ru": "Почему вы поставили такую оценку?"}},
			}}})
	if err != nil {
		t.Fatal(err)
	}
	return &respondentSite{db: db, svc: svc, srv: srv, ws: ws.ID, sid: sid}
}

// invite makes a one-time link for a customer, as a list upload does.
func (s *respondentSite) invite(t *testing.T, email, lang string) (string, store.Invitation) {
	t.Helper()
	out, err := s.svc.Invite(context.Background(), s.ws, s.sid, []survey.InviteRequest{{Channel: survey.ChannelLink,
		Customer: &ingest.CustomerRef{Email: email, Lang: lang}}})
	if err != nil {
		t.Fatal(err)
	}
	return out[0].URL, out[0].Invitation
}

// answer fills in the page in the browser: a score on the NPS scale (its
// radio buttons are styled labels) and a comment, then sends it and waits
// for the page that follows.
func answer(b *testutil.Browser, score, comment string) {
	b.Do(chromedp.WaitVisible(chromedp.CSS(`form`)),
		chromedp.Click(chromedp.CSS(`input[name="a_q1"][value="`+score+`"] + span`)),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="a_q2"]`), comment),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`form`)),
		chromedp.WaitVisible(chromedp.CSS(`h1`)))
}

// TestRespondentInBrowser answers a survey in headless Chromium, first with
// JavaScript off and then on: the thank-you page follows, a second answer
// through the same link is refused as already answered, and each answer is
// stored once, as a response and as a feedback item of its customer.
func TestRespondentInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test in -short mode")
	}
	br := testutil.NewBrowser(t)
	s := newRespondentSite(t)
	ctx := context.Background()

	// The page's weight, as fetched: one response, CSS inline.
	weighed, _ := s.invite(t, "weight@example.com", "en")
	res, err := http.Get(weighed)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	t.Logf("survey page: %d bytes (budget %d)", len(page), maxPageBytes)
	if res.StatusCode != http.StatusOK || len(page) > maxPageBytes {
		t.Errorf("survey page: status %d, %d bytes, budget %d", res.StatusCode, len(page), maxPageBytes)
	}
	for _, ref := range []string{"<script", "<link", "<img", "@import", "url("} {
		if strings.Contains(string(page), ref) {
			t.Errorf("the survey page loads more than itself: it contains %q", ref)
		}
	}

	type want struct {
		email, lang, score, comment, question, thanks string
	}
	runs := []struct {
		name string
		js   bool
		want want
	}{
		{"without JavaScript", false, want{"anna@example.com", "en", "9", "Fast delivery & a <b>friendly</b> courier",
			"How likely are you to recommend us to a friend?", "Thank you, that helps us a lot!"}},
		{"with JavaScript", true, want{"boris@example.com", "ru", "3", "Курьер опоздал на два часа",
			"Насколько вероятно, что вы порекомендуете нас другу?", "Спасибо, это нам очень поможет!"}},
	}
	for _, run := range runs {
		t.Run(run.name, func(t *testing.T) {
			b := br.For(t)
			w := run.want
			b.Do(scripts(run.js), chromedp.Navigate(s.srv.URL+"/probe"))
			if title := testutil.Run(b, chromedp.Title()); (title == "scripts on") != run.js {
				t.Fatalf("the browser's scripts are not as set: title %q", title)
			}
			link, inv := s.invite(t, w.email, w.lang)
			b.Do(chromedp.Navigate(link))
			if got := testutil.Run(b, chromedp.Text(chromedp.CSS(`legend`))); !strings.Contains(got, w.question) {
				t.Errorf("first question %q, want %q", got, w.question)
			}
			if lang := testutil.Run(b, chromedp.AttributeValue(chromedp.CSS("html"), "lang")).Value; lang != w.lang {
				t.Errorf("page language %q, want %q", lang, w.lang)
			}
			if run.js {
				n := testutil.Eval[int](b, `performance.getEntriesByType("resource").length`)
				size := testutil.Eval[int](b, `performance.getEntriesByType("navigation")[0].decodedBodySize`)
				t.Logf("in the browser: %d bytes of HTML, %d other resources", size, n)
				if n != 0 || size > maxPageBytes {
					t.Errorf("the page loaded %d resources, %d bytes", n, size)
				}
			}
			b.Screenshot("form-" + w.lang)
			answer(b, w.score, w.comment)
			if h := testutil.Run(b, chromedp.Text(chromedp.CSS("h1"))); h != w.thanks {
				t.Fatalf("after sending: %q, want the thank-you page", h)
			}
			b.Screenshot("thanks-" + w.lang)

			// Back to the form: the link is used up.
			b.Do(chromedp.NavigateBack(), chromedp.WaitVisible(chromedp.CSS("h1")))
			already := survey.Strings(w.lang).Already
			if h := testutil.Run(b, chromedp.Text(chromedp.CSS("h1"))); h != already {
				t.Errorf("back on the link: %q, want %q", h, already)
			}
			if n := testutil.Eval[int](b, `document.forms.length`); run.js && n != 0 {
				t.Errorf("a used link still shows %d forms", n)
			}
			b.Screenshot("already-" + w.lang)

			// Sending the same form again (a double click, a resubmitted
			// page) is refused and stores nothing.
			form := url.Values{"a_q1": {"10"}, "a_q2": {"second try"}}
			again, err := http.PostForm(link, form)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(again.Body)
			again.Body.Close()
			if again.StatusCode != http.StatusConflict || !strings.Contains(string(body), already) {
				t.Errorf("second answer: %d\n%s", again.StatusCode, body)
			}

			// Stored once, as a response and a feedback item of the customer.
			rs, err := s.db.SurveyResponses(ctx, s.ws, s.sid, 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			var mine []store.SurveyResponse
			for _, r := range rs {
				if r.InvitationID != nil && *r.InvitationID == inv.ID {
					mine = append(mine, r)
				}
			}
			if len(mine) != 1 {
				t.Fatalf("%d responses stored for the invitation, want 1", len(mine))
			}
			r := mine[0]
			if r.Lang != w.lang || !strings.Contains(r.Answers, `"score":`+w.score) {
				t.Errorf("response: lang %q, answers %s", r.Lang, r.Answers)
			}
			it, err := s.db.Feedback(ctx, s.ws, r.FeedbackItemID)
			if err != nil {
				t.Fatal(err)
			}
			if it.Kind != "survey_response" || it.NPS == nil || strconv.Itoa(*it.NPS) != w.score || it.Text != w.comment ||
				it.SurveyID == nil || *it.SurveyID != s.sid || it.Touchpoint != "delivery" || it.Stage != "usage" ||
				it.CustomerID == nil || inv.CustomerID == nil || *it.CustomerID != *inv.CustomerID {
				t.Errorf("feedback item: %+v", it)
			}
		})
	}
	if n, err := s.db.CountSurveyResponses(ctx, s.ws, s.sid); err != nil || n != 2 {
		t.Errorf("%d responses in all, want 2 (%v)", n, err)
	}
}
