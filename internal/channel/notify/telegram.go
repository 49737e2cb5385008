package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Telegram sends bot messages through the Bot API. BaseURL is configurable
// so tests (and self-hosted Bot API servers) can stand in for Telegram.
type Telegram struct {
	Token   string
	BaseURL string       // default https://api.telegram.org
	Client  *http.Client // default: 15 s timeout
}

// TelegramError is a failed Bot API call. RetryAfter is set when Telegram
// asked to slow down; Permanent when retrying cannot help (unknown chat,
// bot blocked, bad token).
type TelegramError struct {
	Status      int
	Description string
	RetryAfter  time.Duration
}

func (e *TelegramError) Error() string {
	return fmt.Sprintf("telegram: %d %s", e.Status, e.Description)
}

// Permanent reports whether the failure will repeat on retry.
func (e *TelegramError) Permanent() bool {
	return e.Status == 400 || e.Status == 401 || e.Status == 403 || e.Status == 404
}

// SendMessage sends text (plain, no parse mode) to a user, group or channel.
func (t *Telegram) SendMessage(ctx context.Context, chatID, text string) error {
	base := strings.TrimSuffix(t.BaseURL, "/")
	if base == "" {
		base = "https://api.telegram.org"
	}
	if len([]rune(text)) > 4096 {
		text = string([]rune(text)[:4093]) + "..."
	}
	body, _ := json.Marshal(map[string]any{"chat_id": chatID, "text": text, "disable_web_page_preview": true})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/bot"+t.Token+"/sendMessage", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("telegram request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	client := t.Client
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		// The URL holds the bot token: never let it reach logs.
		return fmt.Errorf("telegram sendMessage: %s", strings.ReplaceAll(err.Error(), t.Token, "<token>"))
	}
	defer resp.Body.Close()
	var out struct {
		OK          bool   `json:"ok"`
		Description string `json:"description"`
		Parameters  struct {
			RetryAfter int `json:"retry_after"`
		} `json:"parameters"`
	}
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	_ = json.Unmarshal(raw, &out)
	if resp.StatusCode == 200 && out.OK {
		return nil
	}
	return &TelegramError{Status: resp.StatusCode, Description: out.Description, RetryAfter: time.Duration(out.Parameters.RetryAfter) * time.Second}
}
