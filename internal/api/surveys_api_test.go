package api_test

import (
	"context"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"vox/internal/api"
	"vox/internal/channel/email"
	"vox/internal/channel/email/emailtest"
	"vox/internal/ingest"
	"vox/internal/jobs"
	"vox/internal/store"
	"vox/internal/survey"
	"vox/internal/surveyweb"
	"vox/internal/testutil"
)

// surveyEnv is testEnv plus the survey service, the public pages on the
// same server, a real SMTP server and a job worker run by hand.
type surveyEnv struct {
	*testEnv
	svc    *survey.Service
	web    *surveyweb.Handler
	smtp   *emailtest.Server
	worker *jobs.Worker
}

func newSurveyEnv(t *testing.T, db *store.DB) *surveyEnv {
	t.Helper()
	ctx := context.Background()
	ws, err := db.CreateWorkspace(ctx, "acme", "Acme", "Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	_, key, err := db.CreateAPIKey(ctx, ws.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	ing := &ingest.Service{DB: db}
	signer, err := survey.NewSigner([]byte("test-secret-0123456789"))
	if err != nil {
		t.Fatal(err)
	}
	svc := survey.New(db, ing, signer, srv.URL)
	smtpSrv := emailtest.Start(t)
	svc.Senders[survey.ChannelEmail] = &email.Sender{Addr: smtpSrv.Addr, TLS: "none", From: "Acme Survey <survey@acme.test>"}
	w := &jobs.Worker{DB: db}
	svc.Register(w)
	a := api.New(db, ing, nil, nil)
	a.SetSurveys(svc)
	web, err := surveyweb.New(svc, nil, 6)
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/api/", a.Handler())
	mux.Handle("/s/", web)
	mux.Handle("/widget/", web)
	return &surveyEnv{testEnv: &testEnv{t: t, db: db, srv: srv, ws: ws, key: key}, svc: svc, web: web, smtp: smtpSrv, worker: w}
}

func (e *surveyEnv) runJobs() int {
	e.t.Helper()
	total := 0
	for {
		n, err := e.worker.RunOnce(context.Background())
		if err != nil {
			e.t.Fatal(err)
		}
		if n == 0 {
			return total
		}
		total += n
	}
}

const npsSurvey = `{"name":"After delivery","touchpoint":"delivery","stage":"usage","languages":["en","ru"],
 "questions":[{"type":"nps","required":true,"text":{"en":"How likely are you to recommend us?","ru":"Насколько вероятно, что вы порекомендуете нас?"}},
 {"type":"open","text":{"en":"What is the main reason for your score?","ru":"Почему такая оценка?"}}]}`

func (e *surveyEnv) createSurvey(body string) int64 {
	e.t.Helper()
	r := e.do("POST", "/api/v1/surveys", body)
	if r.Status != 201 {
		e.t.Fatalf("create survey: %d %s", r.Status, r.Raw)
	}
	return int64(r.JSON["id"].(float64))
}

// get and post talk to the public pages like a browser without JavaScript.
func get(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func postForm(t *testing.T, u string, form url.Values) (int, string) {
	t.Helper()
	resp, err := http.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// mailParts returns the decoded text and HTML parts and the headers.
func mailParts(t *testing.T, raw []byte) (mail.Header, string, string) {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("content type %q: %v", msg.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	var text, html string
	for {
		p, err := mr.NextPart() // decodes quoted-printable
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") {
			html = string(b)
		} else {
			text = string(b)
		}
	}
	return msg.Header, text, html
}

func TestSurveyEmailEndToEnd(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newSurveyEnv(t, db)
		id := e.createSurvey(npsSurvey)

		r := e.do("POST", fmt.Sprintf("/api/v1/surveys/%d/invitations", id),
			`{"channel":"email","customer":{"email":"Anna@Example.com","name":"Anna","lang":"ru"},"wave":"2026-05"}`)
		if r.Status != 201 || r.JSON["url"] == "" {
			t.Fatalf("invite: %d %s", r.Status, r.Raw)
		}
		if n := e.runJobs(); n != 1 {
			t.Fatalf("ran %d jobs", n)
		}
		msgs := e.smtp.Wait(1, 5*time.Second)
		if len(msgs) != 1 || msgs[0].To[0] != "anna@example.com" {
			t.Fatalf("mail: %+v", msgs)
		}
		hdr, text, html := mailParts(t, msgs[0].Data)
		unsub := hdr.Get("List-Unsubscribe")
		if !strings.HasPrefix(unsub, "<"+e.srv.URL+"/s/") || hdr.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
			t.Fatalf("List-Unsubscribe headers: %q", unsub)
		}
		if dec, _ := new(mime.WordDecoder).DecodeHeader(hdr.Get("Subject")); !strings.Contains(dec, "вопрос") {
			t.Errorf("subject not in Russian: %q", dec)
		}
		if !strings.Contains(text, "Насколько вероятно") || !strings.Contains(html, "Насколько вероятно") {
			t.Errorf("question missing from the mail:\n%s", text)
		}
		links := regexp.MustCompile(`(?m)^ ?(\d+): (\S+)\r?$`).FindAllStringSubmatch(text, -1)
		if len(links) != 11 {
			t.Fatalf("want 0-10 links, got %d:\n%s", len(links), text)
		}
		link9 := links[9][2]
		if strings.Count(html, "?a_q1=") != 11 {
			t.Errorf("html has no 11 score links")
		}

		// Open the page from the "9" link: the score is filled in.
		status, page := get(t, link9)
		if status != 200 || !strings.Contains(page, `value="9" checked`) || !strings.Contains(page, `lang="ru"`) {
			t.Fatalf("page %d:\n%s", status, page)
		}
		if len(page) > 15*1024 {
			t.Errorf("page is %d bytes, over 15 KB", len(page))
		}
		t.Logf("survey page: %d bytes", len(page))
		pageURL := strings.SplitN(link9, "?", 2)[0]
		status, page = postForm(t, pageURL, url.Values{"a_q1": {"9"}, "a_q2": {"Быстрая доставка"}})
		if status != 200 || !strings.Contains(page, "Спасибо") {
			t.Fatalf("submit %d:\n%s", status, page)
		}
		status, page = postForm(t, pageURL, url.Values{"a_q1": {"2"}})
		if status != 409 || !strings.Contains(page, "уже ответили") {
			t.Fatalf("second submit %d:\n%s", status, page)
		}

		r = e.do("GET", fmt.Sprintf("/api/v1/surveys/%d/responses", id), nil)
		items := r.JSON["items"].([]any)
		if len(items) != 1 {
			t.Fatalf("responses: %s", r.Raw)
		}
		resp := items[0].(map[string]any)
		if resp["channel"] != "email" || resp["answers"].(map[string]any)["q1"].(map[string]any)["score"].(float64) != 9 {
			t.Errorf("response: %v", resp)
		}
		fb := e.do("GET", fmt.Sprintf("/api/v1/feedback/%d", int64(resp["feedback_item_id"].(float64))), nil)
		if fb.JSON["kind"] != "survey_response" || fb.JSON["nps"].(float64) != 9 || fb.JSON["text"] != "Быстрая доставка" ||
			fb.JSON["survey_id"].(float64) != float64(id) || fb.JSON["channel"] != "email" || fb.JSON["customer_id"] == nil ||
			fb.JSON["touchpoint"] != "delivery" {
			t.Errorf("feedback item: %s", fb.Raw)
		}
		if n, _ := db.CountFeedback(context.Background(), e.ws.ID); n != 1 {
			t.Errorf("%d feedback items, want 1", n)
		}
		st := e.do("GET", fmt.Sprintf("/api/v1/surveys/%d/stats", id), nil)
		total := st.JSON["total"].(map[string]any)
		for k, want := range map[string]float64{"invited": 1, "sent": 1, "opened": 1, "answered": 1, "failed": 0} {
			if total[k].(float64) != want {
				t.Errorf("stats %s = %v, want %v (%s)", k, total[k], want, st.Raw)
			}
		}

		// The opt-out link of the mail works by one-click POST, and is honoured.
		optout := strings.Trim(unsub, "<>")
		if status, _ := postForm(t, optout, url.Values{"List-Unsubscribe": {"One-Click"}}); status != 200 {
			t.Fatalf("opt-out: %d", status)
		}
		r = e.do("POST", fmt.Sprintf("/api/v1/surveys/%d/invitations", id), `{"channel":"email","customer":{"email":"anna@example.com"}}`)
		if r.Status != 201 || r.JSON["status"] != "opted_out" || r.JSON["url"] != nil {
			t.Fatalf("invite after opt-out: %s", r.Raw)
		}
		if n := e.runJobs(); n != 0 {
			t.Errorf("%d jobs after opt-out", n)
		}
	})
}

func TestSurveyConcurrentSubmitsOneResponse(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newSurveyEnv(t, db)
		id := e.createSurvey(npsSurvey)
		r := e.do("POST", fmt.Sprintf("/api/v1/surveys/%d/invitations", id), `{"channel":"link","customer":{"external_id":"c-1"}}`)
		link := r.JSON["url"].(string)
		var wg sync.WaitGroup
		var mu sync.Mutex
		codes := map[int]int{}
		start := make(chan struct{})
		for i := 0; i < 100; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				<-start
				resp, err := http.PostForm(link, url.Values{"a_q1": {fmt.Sprint(i % 11)}, "a_q2": {"retry " + fmt.Sprint(i)}})
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				mu.Lock()
				codes[resp.StatusCode]++
				mu.Unlock()
			}(i)
		}
		close(start)
		wg.Wait()
		if codes[200] != 1 || codes[409] != 99 {
			t.Errorf("status codes %v, want one 200 and 99 409", codes)
		}
		if n, _ := db.CountSurveyResponses(context.Background(), e.ws.ID, id); n != 1 {
			t.Errorf("%d responses, want 1", n)
		}
		if n, _ := db.CountFeedback(context.Background(), e.ws.ID); n != 1 {
			t.Errorf("%d feedback items, want 1", n)
		}
	})
}

func TestSurveyBadInput(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newSurveyEnv(t, db)
		id := e.createSurvey(npsSurvey)
		r := e.do("POST", fmt.Sprintf("/api/v1/surveys/%d/invitations", id), `{"channel":"link","customer":{"email":"b@example.com"}}`)
		link := r.JSON["url"].(string)
		tok := link[strings.LastIndex(link, "/")+1:]

		// Forged tokens: garbage, one character changed, another workspace's id.
		flip := []byte(tok)
		flip[len(flip)-3] ^= 1
		for _, bad := range []string{"garbage", string(flip), tok[:len(tok)-2], strings.Repeat("A", 200)} {
			status, page := get(t, e.srv.URL+"/s/"+bad)
			if status != 404 || !strings.Contains(page, "not valid") {
				t.Errorf("forged %q: %d", bad, status)
			}
			if status, _ := postForm(t, e.srv.URL+"/s/"+bad, url.Values{"a_q1": {"5"}}); status != 404 {
				t.Errorf("forged POST %q: %d", bad, status)
			}
		}
		// Out of range, missing required, oversized.
		cases := []struct {
			form url.Values
			want int
			text string
		}{
			{url.Values{"a_q1": {"11"}}, 422, "choose one of the values"},
			{url.Values{"a_q1": {"-1"}}, 422, "choose one of the values"},
			{url.Values{"a_q1": {"abc"}}, 422, "choose one of the values"},
			{url.Values{"a_q2": {"no score"}}, 422, "Please answer"},
			{url.Values{"a_q1": {"5"}, "a_q2": {strings.Repeat("ы", survey.MaxOpenRunes+1)}}, 422, "too long"},
			{url.Values{"a_q1": {"5"}, "a_q2": {strings.Repeat("x", surveyweb.MaxFormBytes)}}, 413, ""},
		}
		for i, c := range cases {
			status, page := postForm(t, link, c.form)
			if status != c.want || !strings.Contains(page, c.text) {
				t.Errorf("case %d: %d, want %d with %q", i, status, c.want, c.text)
			}
		}
		if n, _ := db.CountSurveyResponses(context.Background(), e.ws.ID, id); n != 0 {
			t.Errorf("%d responses stored from bad input", n)
		}
		// Expired: the clock moves past the survey's expiry (30 days).
		e.svc.Now = func() time.Time { return time.Now().AddDate(0, 0, 31) }
		if status, page := get(t, link); status != 410 || !strings.Contains(page, "expired") {
			t.Errorf("expired link: %d", status)
		}
		e.svc.Now = nil
		// Invalid definitions and isolation.
		for _, body := range []string{`{"name":"x","questions":[]}`, `{"name":"x","questions":[{"type":"nps"}]}`,
			`{"name":"x","questions":[{"type":"csat","scale":7,"text":{"en":"?"}}]}`,
			`{"name":"x","languages":["de"],"questions":[{"type":"nps","text":{"en":"?"}}]}`,
			`{"name":"x","questions":[{"type":"open","text":{"en":"?"},"show_if":{"question":"q9","op":"gte","value":9}}]}`} {
			if r := e.do("POST", "/api/v1/surveys", body); r.Status != 422 {
				t.Errorf("%s: %d %s", body, r.Status, r.Raw)
			}
		}
		_, keyB := e.otherWorkspace("b")
		for _, p := range []string{"", "/responses", "/stats", "/invitations", "/link"} {
			if r := e.doKey(keyB, "GET", fmt.Sprintf("/api/v1/surveys/%d%s", id, p), nil); r.Status != 404 {
				t.Errorf("workspace B GET survey%s: %d", p, r.Status)
			}
		}
		if r := e.doKey(keyB, "POST", fmt.Sprintf("/api/v1/surveys/%d/invitations", id), `{"channel":"link"}`); r.Status != 404 {
			t.Errorf("workspace B invites to A's survey: %d", r.Status)
		}
		if r := e.doKey(keyB, "GET", "/api/v1/surveys", nil); len(r.JSON["items"].([]any)) != 0 {
			t.Errorf("workspace B lists A's surveys: %s", r.Raw)
		}
	})
}

func TestSurveySkipLogicVersionsAndDrafts(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newSurveyEnv(t, db)
		body := `{"name":"CSAT","languages":["zh","en"],"questions":[
		 {"id":"sat","type":"csat","required":true,"text":{"en":"How satisfied are you?","zh":"您满意吗？"}},
		 {"id":"review","type":"open","text":{"en":"Would you write us a public review?"},"show_if":{"question":"sat","op":"gte","value":4}},
		 {"id":"wrong","type":"multi","required":true,"text":{"en":"What went wrong?","zh":"哪里出了问题？"},
		  "options":[{"id":"late","text":{"en":"Late"}},{"id":"rude","text":{"en":"Rude staff"}}],"show_if":{"question":"sat","op":"lte","value":2}}]}`
		id := e.createSurvey(body)
		r := e.do("POST", fmt.Sprintf("/api/v1/surveys/%d/invitations", id), `{"channel":"link","customer":{"phone":"+7 900 000-00-01"}}`)
		link := r.JSON["url"].(string)
		// Edit the live survey: the invitation keeps version 1.
		if r := e.do("PUT", fmt.Sprintf("/api/v1/surveys/%d", id), strings.Replace(body, "How satisfied", "How happy", 1)); r.JSON["version"].(float64) != 2 {
			t.Fatalf("edit: %s", r.Raw)
		}
		status, page := get(t, link)
		if status != 200 || !strings.Contains(page, "您满意吗") || strings.Contains(page, "哪里出了问题") {
			t.Fatalf("step 1 (zh, only the score): %d\n%s", status, page)
		}
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := client.PostForm(link, url.Values{"a_sat": {"2"}})
		if err != nil || resp.StatusCode != 303 {
			t.Fatalf("step 1 submit: %v %v", err, resp.StatusCode)
		}
		resp.Body.Close()
		// The partial answer is kept: reopening shows the detractor follow-up (in English: no zh text).
		status, page = get(t, link)
		if status != 200 || !strings.Contains(page, "哪里出了问题") || strings.Contains(page, "public review") || !strings.Contains(page, "Rude staff") {
			t.Fatalf("step 2: %d\n%s", status, page)
		}
		if status, _ := postForm(t, link, url.Values{"a_wrong": {"late", "nonsense"}}); status != 422 {
			t.Errorf("invalid choice: %d", status)
		}
		if status, _ := postForm(t, link, url.Values{"a_wrong": {"late", "rude"}}); status != 200 {
			t.Fatalf("step 2 submit: %d", status)
		}
		r = e.do("GET", fmt.Sprintf("/api/v1/surveys/%d/responses", id), nil)
		item := r.JSON["items"].([]any)[0].(map[string]any)
		if item["survey_version"].(float64) != 1 || len(item["answers"].(map[string]any)["wrong"].(map[string]any)["choice"].([]any)) != 2 {
			t.Errorf("response: %s", r.Raw)
		}
		if v1 := e.do("GET", fmt.Sprintf("/api/v1/surveys/%d?version=1", id), nil); !strings.Contains(string(v1.Raw), "How satisfied") {
			t.Errorf("version 1 lost: %s", v1.Raw)
		}
		fb := e.do("GET", fmt.Sprintf("/api/v1/feedback/%d", int64(item["feedback_item_id"].(float64))), nil)
		if fb.JSON["csat"].(float64) != 2 || fb.JSON["csat_scale"].(float64) != 5 || fb.JSON["channel"] != "web" {
			t.Errorf("feedback: %s", fb.Raw)
		}
	})
}
