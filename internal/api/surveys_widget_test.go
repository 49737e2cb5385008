package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"vox/internal/store"
	"vox/internal/testutil"
)

func TestSurveyWidget(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newSurveyEnv(t, db)
		id := e.createSurvey(npsSurvey)
		r := e.do("POST", fmt.Sprintf("/api/v1/surveys/%d/widgets", id), `{"allowed_origins":["https://shop.example"]}`)
		if r.Status != 201 {
			t.Fatalf("widget: %d %s", r.Status, r.Raw)
		}
		key := r.JSON["site_key"].(string)
		if s := r.JSON["snippet"].(string); !strings.Contains(s, "<noscript>") || !strings.Contains(s, key) {
			t.Errorf("snippet %q", s)
		}
		if n := e.web.WidgetScriptGzipSize(); n > 10*1024 {
			t.Errorf("widget script is %d bytes gzipped", n)
		}
		send := func(origin string, form url.Values) (int, http.Header) {
			req, _ := http.NewRequest("POST", e.srv.URL+"/widget/v1/submit", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if origin != "" {
				req.Header.Set("Origin", origin)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return resp.StatusCode, resp.Header
		}
		form := url.Values{"k": {key}, "n": {"nonce-000000001"}, "score": {"8"}, "text": {"Nice shop"}}
		if code, h := send("https://evil.example", form); code != 403 || h.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("foreign origin: %d %q", code, h.Get("Access-Control-Allow-Origin"))
		}
		if code, _ := send("", form); code != 403 {
			t.Errorf("no origin: %d", code)
		}
		bot := url.Values{"k": {key}, "n": {"nonce-000000002"}, "score": {"10"}, "website": {"http://spam"}}
		if code, _ := send("https://shop.example", bot); code != 204 {
			t.Errorf("honeypot: %d", code)
		}
		if code, h := send("https://shop.example", form); code != 204 || h.Get("Access-Control-Allow-Origin") != "https://shop.example" {
			t.Errorf("allowed origin: %d %q", code, h.Get("Access-Control-Allow-Origin"))
		}
		if code, _ := send("https://shop.example", form); code != 204 { // double post of the same prompt
			t.Errorf("double post: %d", code)
		}
		if n, _ := db.CountSurveyResponses(context.Background(), e.ws.ID, id); n != 1 {
			t.Errorf("%d responses, want 1 (honeypot and double post dropped)", n)
		}
		// Out of range is refused; then the rate limit (6 per minute in this env) trips.
		bad := url.Values{"k": {key}, "n": {"nonce-000000003"}, "score": {"11"}}
		if code, _ := send("https://shop.example", bad); code != 422 {
			t.Errorf("out of range: %d", code)
		}
		if code, _ := send("https://shop.example", bad); code != 429 {
			t.Errorf("rate limit: %d", code)
		}
		// Config for the allowed origin, and the no-JS fallback page.
		req, _ := http.NewRequest("GET", e.srv.URL+"/widget/v1/config?k="+key, nil)
		req.Header.Set("Origin", "https://shop.example")
		resp, _ := http.DefaultClient.Do(req)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), "recommend") {
			t.Errorf("config: %d %s", resp.StatusCode, body)
		}
		status, page := get(t, e.srv.URL+"/widget/v1/page?k="+key)
		if status != 200 || !strings.Contains(page, `name="a_q1"`) || !strings.Contains(page, `name="n"`) {
			t.Errorf("no-JS page: %d", status)
		}
		st := e.do("GET", fmt.Sprintf("/api/v1/surveys/%d/responses", id), nil)
		if items := st.JSON["items"].([]any); items[0].(map[string]any)["channel"] != "widget" {
			t.Errorf("responses %s", st.Raw)
		}
	})
}
