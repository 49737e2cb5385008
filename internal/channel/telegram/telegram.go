// Package telegram is Vox's Telegram bot: it sends survey invitations with
// inline 0-10 buttons, asks the open question and stores the reply, and
// stores messages that mention the brand in chats the bot is a member of.
// It speaks the Bot API over HTTPS at a configurable base URL, by long
// polling or by webhook.
package telegram

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"vox/internal/jobs"
	"vox/internal/survey"
)

// Client calls the Bot API.
type Client struct {
	BaseURL string // default https://api.telegram.org
	Token   string // default bot token; a workspace's own token wins
	HTTP    *http.Client
}

// APIError is an error answer of the Bot API.
type APIError struct {
	Code        int    `json:"error_code"`
	Description string `json:"description"`
	RetryAfter  int
}

func (e *APIError) Error() string { return fmt.Sprintf("telegram: %d %s", e.Code, e.Description) }

func (c *Client) call(ctx context.Context, token, method string, params, result any) error {
	if token == "" {
		token = c.Token
	}
	if token == "" {
		return fmt.Errorf("%w: no Telegram bot token configured", survey.ErrRejected)
	}
	base := c.BaseURL
	if base == "" {
		base = "https://api.telegram.org"
	}
	body, _ := json.Marshal(params)
	req, err := http.NewRequestWithContext(ctx, "POST", strings.TrimRight(base, "/")+"/bot"+token+"/"+method, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 60 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("telegram %s: %w", method, errors.Unwrap(err)) // the URL holds the token: keep it out of logs
	}
	defer resp.Body.Close()
	var env struct {
		OK          bool            `json:"ok"`
		Result      json.RawMessage `json:"result"`
		ErrorCode   int             `json:"error_code"`
		Description string          `json:"description"`
		Parameters  struct {
			RetryAfter int `json:"retry_after"`
		} `json:"parameters"`
	}
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err := json.Unmarshal(raw, &env); err != nil {
		return fmt.Errorf("telegram %s: HTTP %d, undecodable answer", method, resp.StatusCode)
	}
	if !env.OK {
		return &APIError{Code: env.ErrorCode, Description: env.Description, RetryAfter: env.Parameters.RetryAfter}
	}
	if result != nil {
		return json.Unmarshal(env.Result, result)
	}
	return nil
}

// Update is the part of a Bot API update the bot reads.
type Update struct {
	UpdateID      int64          `json:"update_id"`
	Message       *Message       `json:"message,omitempty"`
	ChannelPost   *Message       `json:"channel_post,omitempty"`
	CallbackQuery *CallbackQuery `json:"callback_query,omitempty"`
}

// Message is a chat message.
type Message struct {
	MessageID int64  `json:"message_id"`
	From      *User  `json:"from,omitempty"`
	Chat      Chat   `json:"chat"`
	Text      string `json:"text,omitempty"`
	Caption   string `json:"caption,omitempty"`
	Date      int64  `json:"date"`
}

// User is a Telegram user.
type User struct {
	ID        int64  `json:"id"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name,omitempty"`
	Username  string `json:"username,omitempty"`
}

// Chat is a private chat, group or channel.
type Chat struct {
	ID       int64  `json:"id"`
	Type     string `json:"type"`
	Title    string `json:"title,omitempty"`
	Username string `json:"username,omitempty"`
}

// CallbackQuery is a press of an inline button.
type CallbackQuery struct {
	ID      string   `json:"id"`
	From    User     `json:"from"`
	Message *Message `json:"message,omitempty"`
	Data    string   `json:"data"`
}

type button struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data,omitempty"`
	URL          string `json:"url,omitempty"`
}

// Sender sends invitations as bot messages (implements survey.Sender).
type Sender struct{ Client *Client }

// Send posts the first question with inline score buttons and a button
// that opens the hosted page.
func (s *Sender) Send(ctx context.Context, m survey.Message) (string, error) {
	text := m.Question
	if m.Intro != "" {
		text = m.Intro + "\n\n" + text
	}
	if text == "" {
		text = m.Strings.TakeSurvey
	}
	var rows [][]button
	var row []button
	for i, sc := range m.Scale {
		row = append(row, button{Text: strconv.Itoa(sc.Value), CallbackData: sc.Data})
		if len(row) == 6 || i == len(m.Scale)-1 { // 0-5 and 6-10 fit a phone's width
			rows = append(rows, row)
			row = nil
		}
	}
	if strings.HasPrefix(m.URL, "https://") { // Telegram refuses http:// button links
		rows = append(rows, []button{{Text: m.Strings.TakeSurvey, URL: m.URL}})
	}
	var sent Message
	err := s.Client.call(ctx, m.Settings.Telegram.Token, "sendMessage", map[string]any{"chat_id": m.To, "text": text,
		"reply_markup": map[string]any{"inline_keyboard": rows}}, &sent)
	var ae *APIError
	if errors.As(err, &ae) {
		switch {
		case ae.Code == 429:
			// The job runs again no sooner than Telegram asked.
			return "", jobs.RetryAfter(fmt.Errorf("telegram rate limit, retry after %d s: %w", ae.RetryAfter, err),
				time.Duration(ae.RetryAfter)*time.Second)
		case ae.Code == 400 || ae.Code == 403: // chat not found, bot blocked by the user
			return "", fmt.Errorf("%w: %v", survey.ErrRejected, err)
		}
	}
	if err != nil {
		return "", err
	}
	return strconv.FormatInt(sent.MessageID, 10), nil
}

// Bot answers updates for the workspaces' bots.
type Bot struct {
	Client *Client
	Survey *survey.Service
	Log    *slog.Logger
}

func (b *Bot) log() *slog.Logger {
	if b.Log != nil {
		return b.Log
	}
	return slog.Default()
}

// HandleUpdate processes one update of workspace ws.
func (b *Bot) HandleUpdate(ctx context.Context, ws int64, u Update) error {
	settings, err := b.Survey.Settings(ctx, ws)
	if err != nil {
		return err
	}
	token := settings.Telegram.Token
	switch {
	case u.CallbackQuery != nil:
		return b.callback(ctx, ws, token, u.CallbackQuery)
	case u.Message != nil && u.Message.Chat.Type == "private":
		return b.private(ctx, ws, token, u.Message)
	case u.Message != nil:
		return b.mention(ctx, ws, settings, u.Message)
	case u.ChannelPost != nil:
		return b.mention(ctx, ws, settings, u.ChannelPost)
	}
	return nil
}

func (b *Bot) reply(ctx context.Context, token string, chatID int64, r survey.ChatReply) error {
	params := map[string]any{"chat_id": chatID, "text": r.Text}
	switch {
	case r.ForceText:
		params["reply_markup"] = map[string]any{"force_reply": true}
	case r.Link != "" && strings.HasPrefix(r.Link, "https://"):
		params["reply_markup"] = map[string]any{"inline_keyboard": [][]button{{{Text: r.Text, URL: r.Link}}}}
	case r.Link != "":
		params["text"] = r.Text + "\n" + r.Link
	}
	return b.Client.call(ctx, token, "sendMessage", params, nil)
}

func (b *Bot) callback(ctx context.Context, ws int64, token string, q *CallbackQuery) error {
	parts := strings.Split(q.Data, ":")
	ack := map[string]any{"callback_query_id": q.ID}
	if len(parts) != 3 || parts[0] != "v" || q.Message == nil {
		return b.Client.call(ctx, token, "answerCallbackQuery", ack, nil)
	}
	inv, err1 := strconv.ParseInt(parts[1], 10, 64)
	score, err2 := strconv.Atoi(parts[2])
	if err1 != nil || err2 != nil {
		return b.Client.call(ctx, token, "answerCallbackQuery", ack, nil)
	}
	chat := strconv.FormatInt(q.Message.Chat.ID, 10)
	r, err := b.Survey.ChatScore(ctx, ws, inv, chat, score)
	switch {
	case errors.Is(err, survey.ErrAnswered):
		ack["text"] = survey.Strings("").Already
		return b.Client.call(ctx, token, "answerCallbackQuery", ack, nil)
	case errors.Is(err, survey.ErrExpired), errors.Is(err, survey.ErrClosed), errors.Is(err, survey.ErrWrongChat):
		ack["text"] = survey.Strings("").Expired
		return b.Client.call(ctx, token, "answerCallbackQuery", ack, nil)
	case err != nil:
		return err
	}
	if err := b.Client.call(ctx, token, "answerCallbackQuery", ack, nil); err != nil {
		return err
	}
	// Drop the buttons so the score cannot be pressed again.
	_ = b.Client.call(ctx, token, "editMessageReplyMarkup", map[string]any{"chat_id": q.Message.Chat.ID,
		"message_id": q.Message.MessageID, "reply_markup": map[string]any{"inline_keyboard": [][]button{}}}, nil)
	return b.reply(ctx, token, q.Message.Chat.ID, r)
}

func (b *Bot) private(ctx context.Context, ws int64, token string, m *Message) error {
	chat := strconv.FormatInt(m.Chat.ID, 10)
	text := strings.TrimSpace(m.Text)
	if text == "/stop" {
		if err := b.Survey.ChatOptOut(ctx, ws, chat); err != nil {
			return err
		}
		return b.Client.call(ctx, token, "sendMessage", map[string]any{"chat_id": m.Chat.ID, "text": survey.Strings("").OptOutDone}, nil)
	}
	if text == "" || strings.HasPrefix(text, "/") {
		return nil
	}
	r, handled, err := b.Survey.ChatText(ctx, ws, chat, text)
	if err != nil || !handled {
		return err
	}
	return b.reply(ctx, token, m.Chat.ID, r)
}

func (b *Bot) mention(ctx context.Context, ws int64, s survey.Settings, m *Message) error {
	text := m.Text
	if text == "" {
		text = m.Caption
	}
	if !survey.MatchesKeywords(text, s.Telegram.Keywords) {
		return nil
	}
	mt := survey.Mention{ExternalID: fmt.Sprintf("tg:%d:%d", m.Chat.ID, m.MessageID), Text: text, Source: m.Chat.Title}
	if m.Chat.Username != "" {
		mt.URL = fmt.Sprintf("https://t.me/%s/%d", m.Chat.Username, m.MessageID)
	}
	if m.From != nil {
		mt.Author = strings.TrimSpace(m.From.FirstName + " " + m.From.LastName)
		mt.AuthorID = strconv.FormatInt(m.From.ID, 10)
	}
	return b.Survey.IngestMention(ctx, ws, "telegram", mt)
}

// Poll runs long polling for one workspace's bot until ctx ends. Use it
// when Vox is not reachable from Telegram; otherwise prefer the webhook.
func (b *Bot) Poll(ctx context.Context, ws int64, token string) error {
	var offset int64
	for ctx.Err() == nil {
		var updates []Update
		err := b.Client.call(ctx, token, "getUpdates", map[string]any{"offset": offset, "timeout": 25,
			"allowed_updates": []string{"message", "channel_post", "callback_query"}}, &updates)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			b.log().Warn("telegram getUpdates", "workspace", ws, "err", err)
			select {
			case <-ctx.Done():
			case <-time.After(5 * time.Second):
			}
			continue
		}
		for _, u := range updates {
			if err := b.HandleUpdate(ctx, ws, u); err != nil {
				b.log().Error("telegram update", "workspace", ws, "update", u.UpdateID, "err", err)
			}
			offset = u.UpdateID + 1
		}
	}
	return nil
}

// Webhook serves POST /s/telegram/{ws}: Telegram posts updates there with
// the workspace's secret in X-Telegram-Bot-Api-Secret-Token (set it with
// setWebhook's secret_token).
func (b *Bot) Webhook() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := strconv.ParseInt(r.PathValue("ws"), 10, 64)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		s, err := b.Survey.Settings(r.Context(), ws)
		got := r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
		if err != nil || s.Telegram.WebhookSecret == "" || subtle.ConstantTimeCompare([]byte(got), []byte(s.Telegram.WebhookSecret)) != 1 {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		var u Update
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&u); err != nil {
			http.Error(w, "bad update", http.StatusBadRequest)
			return
		}
		if err := b.HandleUpdate(r.Context(), ws, u); err != nil {
			b.log().Error("telegram webhook", "workspace", ws, "err", err)
			http.Error(w, "retry", http.StatusInternalServerError) // Telegram redelivers
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}
