package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"vox/internal/channel/notify"
	"vox/internal/channel/notify/notifytest"
)

func TestMailerSendsThroughRealSMTP(t *testing.T) {
	srv := notifytest.NewSMTPServer(t)
	m := &notify.Mailer{Addr: srv.Addr, From: "Vox <vox@example.com>"}
	body := "Клиент написал:\n.\n<script>alert(1)</script> 很差"
	err := m.Send(context.Background(), []string{"owner@example.com"}, "Case #7: NPS 2\r\nBcc: evil@example.com", body)
	if err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	got := msgs[0]
	if got.From != "vox@example.com" || len(got.To) != 1 || got.To[0] != "owner@example.com" {
		t.Fatalf("envelope %+v", got)
	}
	if got.Body != body {
		t.Fatalf("body %q", got.Body)
	}
	if strings.Contains(got.Raw, "\r\nBcc:") || got.Subject != "Case #7: NPS 2 Bcc: evil@example.com" {
		t.Fatalf("header injection: subject %q raw %q", got.Subject, got.Raw)
	}
	if err := m.Send(context.Background(), []string{"not an address"}, "x", "y"); !errors.Is(err, notify.ErrBadAddress) {
		t.Fatalf("bad address: %v", err)
	}
}

func TestTelegramAgainstFakeBotAPI(t *testing.T) {
	var got map[string]any
	var path string
	status := 200
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path = r.URL.Path
		_ = json.NewDecoder(r.Body).Decode(&got)
		w.WriteHeader(status)
		switch status {
		case 200:
			w.Write([]byte(`{"ok":true,"result":{}}`))
		case 429:
			w.Write([]byte(`{"ok":false,"description":"Too Many Requests","parameters":{"retry_after":7}}`))
		default:
			w.Write([]byte(`{"ok":false,"description":"Forbidden: bot was blocked by the user"}`))
		}
	}))
	defer srv.Close()
	tg := &notify.Telegram{Token: "123:ABC", BaseURL: srv.URL}
	if err := tg.SendMessage(context.Background(), "-1001", "<b>not bold</b>"); err != nil {
		t.Fatal(err)
	}
	if path != "/bot123:ABC/sendMessage" || got["chat_id"] != "-1001" || got["text"] != "<b>not bold</b>" || got["parse_mode"] != nil {
		t.Fatalf("request %s %v", path, got)
	}
	status = 429
	var te *notify.TelegramError
	if err := tg.SendMessage(context.Background(), "1", "x"); !errors.As(err, &te) || te.RetryAfter.Seconds() != 7 || te.Permanent() {
		t.Fatalf("429: %v", err)
	}
	status = 403
	if err := tg.SendMessage(context.Background(), "1", "x"); !errors.As(err, &te) || !te.Permanent() {
		t.Fatalf("403: %v", err)
	}
}
