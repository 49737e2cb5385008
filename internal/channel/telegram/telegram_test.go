package telegram_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"vox/internal/channel/telegram"
	"vox/internal/ingest"
	"vox/internal/jobs"
	"vox/internal/store"
	"vox/internal/survey"
	"vox/internal/testutil"
)

// fakeBotAPI is a local Bot API: it records calls and serves queued updates.
type fakeBotAPI struct {
	mu      sync.Mutex
	calls   []call
	updates []telegram.Update
	nextID  int64
}

type call struct {
	Token, Method string
	Params        map[string]any
}

func (f *fakeBotAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/bot")
	token, method, _ := strings.Cut(path, "/")
	var params map[string]any
	b, _ := io.ReadAll(r.Body)
	_ = json.Unmarshal(b, &params)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, call{token, method, params})
	if token != "T0KEN" {
		w.WriteHeader(401)
		fmt.Fprint(w, `{"ok":false,"error_code":401,"description":"Unauthorized"}`)
		return
	}
	var result any = true
	switch method {
	case "sendMessage":
		f.nextID++
		result = map[string]any{"message_id": f.nextID, "chat": map[string]any{"id": params["chat_id"], "type": "private"}, "date": 1}
	case "getUpdates":
		off, _ := params["offset"].(float64)
		var out []telegram.Update
		for _, u := range f.updates {
			if u.UpdateID >= int64(off) {
				out = append(out, u)
			}
		}
		result = out
		if len(out) == 0 {
			result = []telegram.Update{}
		}
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "result": result})
}

func (f *fakeBotAPI) find(method string) []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []call
	for _, c := range f.calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

func TestTelegramSurveyAndMentions(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fake := &fakeBotAPI{}
		api := httptest.NewServer(fake)
		defer api.Close()

		wsRow, _ := db.CreateWorkspace(ctx, "acme", "Acme", "UTC")
		ws := wsRow.ID
		signer, _ := survey.NewSigner([]byte("0123456789abcdef0123"))
		svc := survey.New(db, &ingest.Service{DB: db}, signer, "https://vox.test")
		client := &telegram.Client{BaseURL: api.URL}
		svc.Senders[survey.ChannelTelegram] = &telegram.Sender{Client: client}
		w := &jobs.Worker{DB: db}
		svc.Register(w)
		bot := &telegram.Bot{Client: client, Survey: svc}
		mux := http.NewServeMux()
		mux.Handle("POST /s/telegram/{ws}", bot.Webhook())
		hook := httptest.NewServer(mux)
		defer hook.Close()

		if err := svc.PutSettings(ctx, ws, survey.Settings{Telegram: survey.TelegramAccount{Token: "T0KEN",
			WebhookSecret: "s3cret", Keywords: []string{"Acme"}}}); err != nil {
			t.Fatal(err)
		}
		sid, err := svc.CreateSurvey(ctx, ws, survey.Input{Name: "NPS", Definition: survey.Definition{Questions: []survey.Question{
			{Type: survey.TypeNPS, Required: true, Text: survey.Text{"en": "Recommend us?"}},
			{Type: survey.TypeOpen, Text: survey.Text{"en": "Why?"}}}}})
		if err != nil {
			t.Fatal(err)
		}
		out, err := svc.Invite(ctx, ws, sid, []survey.InviteRequest{{Channel: survey.ChannelTelegram,
			Customer: &ingest.CustomerRef{TelegramID: "555"}}})
		if err != nil {
			t.Fatal(err)
		}
		inv := out[0].Invitation
		if _, err := w.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		sent := fake.find("sendMessage")
		if len(sent) != 1 || sent[0].Params["chat_id"] != "555" {
			t.Fatalf("sendMessage calls: %+v", sent)
		}
		kb := sent[0].Params["reply_markup"].(map[string]any)["inline_keyboard"].([]any)
		var buttons []string
		for _, row := range kb {
			for _, b := range row.([]any) {
				if d, ok := b.(map[string]any)["callback_data"].(string); ok {
					buttons = append(buttons, d)
				}
			}
		}
		if len(buttons) != 11 || buttons[9] != fmt.Sprintf("v:%d:9", inv.ID) {
			t.Fatalf("buttons %v", buttons)
		}

		post := func(secret string, u any) int {
			b, _ := json.Marshal(u)
			req, _ := http.NewRequest("POST", fmt.Sprintf("%s/s/telegram/%d", hook.URL, ws), bytes.NewReader(b))
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		press := map[string]any{"update_id": 1, "callback_query": map[string]any{"id": "cb1", "from": map[string]any{"id": 555, "first_name": "Ivan"},
			"data": fmt.Sprintf("v:%d:9", inv.ID), "message": map[string]any{"message_id": 1, "chat": map[string]any{"id": 555, "type": "private"}}}}
		if code := post("wrong", press); code != 403 {
			t.Fatalf("wrong secret: %d", code)
		}
		// Another chat pressing a forwarded button does not answer for 555.
		other := map[string]any{"update_id": 2, "callback_query": map[string]any{"id": "cb2", "from": map[string]any{"id": 777, "first_name": "X"},
			"data": fmt.Sprintf("v:%d:0", inv.ID), "message": map[string]any{"message_id": 1, "chat": map[string]any{"id": 777, "type": "private"}}}}
		if code := post("s3cret", other); code != 200 {
			t.Fatalf("other chat: %d", code)
		}
		if code := post("s3cret", press); code != 200 {
			t.Fatalf("button press: %d", code)
		}
		sent = fake.find("sendMessage")
		last := sent[len(sent)-1]
		if last.Params["text"] != "Why?" || last.Params["reply_markup"].(map[string]any)["force_reply"] != true {
			t.Fatalf("follow-up: %+v", last)
		}
		reply := map[string]any{"update_id": 3, "message": map[string]any{"message_id": 2, "from": map[string]any{"id": 555, "first_name": "Ivan"},
			"chat": map[string]any{"id": 555, "type": "private"}, "text": "Fast and friendly", "date": 1}}
		if code := post("s3cret", reply); code != 200 {
			t.Fatalf("reply: %d", code)
		}
		resps, _ := db.SurveyResponses(ctx, ws, sid, 0, 10)
		if len(resps) != 1 || resps[0].Channel != "telegram" {
			t.Fatalf("responses: %+v", resps)
		}
		it, _ := db.Feedback(ctx, ws, resps[0].FeedbackItemID)
		if it.NPS == nil || *it.NPS != 9 || it.Text != "Fast and friendly" || it.Channel != "telegram" {
			t.Errorf("feedback item: %+v", it)
		}
		// A second press after answering changes nothing.
		post("s3cret", press)
		if n, _ := db.CountSurveyResponses(ctx, ws, sid); n != 1 {
			t.Errorf("%d responses", n)
		}

		// Mentions: a group message with the keyword is stored once; others are not.
		group := func(id int64, text string) map[string]any {
			return map[string]any{"update_id": 10 + id, "message": map[string]any{"message_id": id, "from": map[string]any{"id": 900, "first_name": "Olga"},
				"chat": map[string]any{"id": -100123, "type": "supergroup", "title": "Shoppers", "username": "shoppers"}, "text": text, "date": 1}}
		}
		post("s3cret", group(1, "ACME delivery was late again"))
		post("s3cret", group(1, "ACME delivery was late again")) // redelivered
		post("s3cret", group(2, "nothing to see here"))
		before, _ := db.CountFeedback(ctx, ws)
		if before != 2 { // the survey answer + one mention
			t.Fatalf("%d feedback items, want 2", before)
		}

		// Long polling picks up a channel post.
		fake.mu.Lock()
		fake.updates = []telegram.Update{{UpdateID: 50, ChannelPost: &telegram.Message{MessageID: 7, Chat: telegram.Chat{ID: -100999, Type: "channel",
			Title: "News"}, Text: "Acme opens a new store"}}}
		fake.mu.Unlock()
		pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		done := make(chan struct{})
		go func() { _ = bot.Poll(pctx, ws, "T0KEN"); close(done) }()
		for {
			if n, _ := db.CountFeedback(ctx, ws); n == 3 {
				break
			}
			if pctx.Err() != nil {
				t.Fatal("long polling did not store the channel post")
			}
			time.Sleep(20 * time.Millisecond)
		}
		cancel()
		<-done
		page, _ := db.ListFeedback(ctx, ws, store.FeedbackFilter{Limit: 10})
		mentions := 0
		for _, it := range page.Items {
			if it.Kind == "mention" && it.Channel == "telegram" {
				mentions++
			}
		}
		if mentions != 2 {
			t.Errorf("%d mentions, want 2", mentions)
		}
	})
}

// TestSendHonoursRetryAfter: a 429 from the Bot API makes the send job wait
// at least the retry_after Telegram gave, not the default backoff.
func TestSendHonoursRetryAfter(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 120","parameters":{"retry_after":120}}`)
	}))
	defer api.Close()
	s := &telegram.Sender{Client: &telegram.Client{BaseURL: api.URL, Token: "T0KEN"}}
	_, err := s.Send(context.Background(), survey.Message{To: "42", Question: "How likely…?"})
	if err == nil {
		t.Fatal("429 was taken for a success")
	}
	if errors.Is(err, survey.ErrRejected) {
		t.Fatalf("429 rejected the invitation for good: %v", err)
	}
	if d, ok := jobs.RetryDelay(err); !ok || d != 120*time.Second {
		t.Fatalf("retry delay %v (%v), want 120s: %v", d, ok, err)
	}
}
