// Package slack posts notifications to Slack incoming webhooks. The webhook
// URL is supplied by a workspace admin, so it goes through the same SSRF
// guard as generic webhooks.
package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"vox/internal/channel/webhook"
)

// Client posts messages.
type Client struct {
	Sender *webhook.Sender // supplies the guarded HTTP client; nil: public addresses only
}

// Escape makes untrusted text literal in Slack's mrkdwn: Slack treats only
// &, < and > as control characters (links, mentions such as <!channel>).
func Escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// Post sends text (already escaped where it holds untrusted words) to an
// incoming-webhook URL. A non-2xx answer is a *webhook.StatusError.
func (c *Client) Post(ctx context.Context, url, text string) error {
	s := c.Sender
	if s == nil {
		s = &webhook.Sender{}
	}
	if _, err := s.Guard.CheckURL(url); err != nil {
		return err
	}
	body, _ := json.Marshal(map[string]string{"text": text})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("slack request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.Client().Do(req)
	if err != nil {
		return fmt.Errorf("slack post: %w", err)
	}
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 != 2 {
		return &webhook.StatusError{Status: resp.StatusCode, Body: string(head),
			RetryAfter: webhook.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())}
	}
	return nil
}
