// Package sms sends survey invitations through an HTTP SMS provider: one
// JSON POST per message with a short link to the survey, a delivery-receipt
// callback URL and the invitation's reference as idempotency key.
package sms

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"vox/internal/jobs"
	"vox/internal/survey"
)

// Client is an account at the provider. A workspace's own account
// (survey.Settings.SMS) overrides each non-empty field.
//
// The provider contract: POST {BaseURL}/messages with basic auth
// User:Token and {"from","to","text","reference","callback_url"}; a 2xx
// answer {"id":"…"}; receipts are POSTed to callback_url as
// {"status":"delivered"|"failed","error":"…"}.
type Client struct {
	BaseURL string
	User    string
	Token   string
	Sender  string
	HTTP    *http.Client
}

// Text is the SMS body: the question and the link. The link is the
// survey's short token URL (about 60 characters), so the whole message fits
// in one or two segments.
func Text(m survey.Message) string {
	q := m.Question
	if q == "" {
		q = m.Strings.TakeSurvey
	}
	return q + " " + m.URL
}

// Send posts one message. 4xx answers other than 408/429 are permanent.
func (c *Client) Send(ctx context.Context, m survey.Message) (string, error) {
	acc := m.Settings.SMS
	base, user, token, from := pick(acc.BaseURL, c.BaseURL), pick(acc.User, c.User), pick(acc.Token, c.Token), pick(acc.Sender, c.Sender)
	if base == "" {
		return "", fmt.Errorf("%w: no SMS provider configured", survey.ErrRejected)
	}
	body, _ := json.Marshal(map[string]string{"from": from, "to": m.To, "text": Text(m), "reference": m.Ref, "callback_url": m.ReceiptURL})
	req, err := http.NewRequestWithContext(ctx, "POST", strings.TrimRight(base, "/")+"/messages", bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("%w: %v", survey.ErrRejected, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", m.Ref)
	if user != "" || token != "" {
		req.SetBasicAuth(user, token)
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("sms provider: %w", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode == 429:
		return "", jobs.RetryAfter(fmt.Errorf("sms provider: rate limited"), time.Minute)
	case resp.StatusCode >= 400 && resp.StatusCode < 500 && resp.StatusCode != 408:
		return "", fmt.Errorf("%w: sms provider: HTTP %d: %s", survey.ErrRejected, resp.StatusCode, bytes.TrimSpace(raw))
	case resp.StatusCode >= 300:
		return "", fmt.Errorf("sms provider: HTTP %d", resp.StatusCode)
	}
	var out struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(raw, &out)
	return out.ID, nil
}

func pick(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
