package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// DefaultTimeout bounds one delivery attempt; the specification suggests
// 15-30 s, and a slow receiver must not hold a worker longer.
const DefaultTimeout = 15 * time.Second

// Message is one signed delivery attempt. ID stays the same across retries
// of the same event: it is the receiver's de-duplication key.
type Message struct {
	URL       string
	ID        string
	Timestamp time.Time
	Body      []byte
	Secrets   []string // current first; a rotation's previous secret after it
}

// StatusError is a non-2xx answer.
type StatusError struct {
	Status     int
	RetryAfter time.Duration // from a Retry-After header, if any
	Body       string        // the start of the answer, for the endpoint's health page
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("receiver answered %d %s", e.Status, http.StatusText(e.Status))
}

// Gone reports whether the receiver asked never to be called again (410).
func (e *StatusError) Gone() bool { return e.Status == http.StatusGone }

// Throttled reports whether the receiver asked to slow down (429, 502, 504).
func (e *StatusError) Throttled() bool {
	return e.Status == http.StatusTooManyRequests || e.Status == http.StatusBadGateway || e.Status == http.StatusGatewayTimeout
}

// Sender posts signed messages. It is safe for concurrent use.
type Sender struct {
	Guard     *Guard        // nil: only public addresses
	Timeout   time.Duration // per attempt; 0: DefaultTimeout
	UserAgent string        // default "Vox-Webhooks/1"

	once   sync.Once
	client *http.Client
}

// Client returns the HTTP client the sender uses: no proxy (a proxy would
// connect on our behalf, past the guard), no redirects (only 2xx is
// success, and a redirect is a classic SSRF bypass), guarded dials.
func (s *Sender) Client() *http.Client {
	s.once.Do(func() {
		g := s.Guard
		if g == nil {
			g = &Guard{}
		}
		timeout := s.Timeout
		if timeout <= 0 {
			timeout = DefaultTimeout
		}
		s.client = &http.Client{
			Timeout: timeout,
			Transport: &http.Transport{
				Proxy:                 nil,
				DialContext:           g.DialContext(timeout),
				ForceAttemptHTTP2:     true,
				MaxIdleConns:          256,
				MaxIdleConnsPerHost:   32,
				IdleConnTimeout:       90 * time.Second,
				TLSHandshakeTimeout:   timeout,
				ResponseHeaderTimeout: timeout,
			},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	})
	return s.client
}

// Send signs and posts m. It returns nil for a 2xx answer, a *StatusError
// for any other answer, and the transport error (refused address, timeout,
// connection refused) otherwise.
func (s *Sender) Send(ctx context.Context, m Message) (int, error) {
	if _, err := s.guard().CheckURL(m.URL); err != nil {
		return 0, err
	}
	ts := m.Timestamp.Unix()
	sig, err := Sign(m.Secrets, m.ID, ts, m.Body)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.URL, bytes.NewReader(m.Body))
	if err != nil {
		return 0, fmt.Errorf("webhook request: %w", err)
	}
	ua := s.UserAgent
	if ua == "" {
		ua = "Vox-Webhooks/1"
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", ua)
	req.Header.Set("webhook-id", m.ID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("webhook-signature", sig)
	resp, err := s.Client().Do(req)
	if err != nil {
		return 0, fmt.Errorf("webhook post: %w", err)
	}
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // let the connection be reused
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp.StatusCode, nil
	}
	return resp.StatusCode, &StatusError{Status: resp.StatusCode, RetryAfter: ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now()),
		Body: string(head)}
}

func (s *Sender) guard() *Guard {
	if s.Guard == nil {
		return &Guard{}
	}
	return s.Guard
}

// ParseRetryAfter reads a Retry-After header (seconds or an HTTP date);
// 0 when absent or unreadable. It is capped at a day so that a receiver
// cannot park a delivery forever.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.Atoi(v); err == nil && n > 0 {
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return max(0, min(d, 24*time.Hour))
}

// IsForbidden reports whether err is an SSRF refusal: retrying cannot help
// until an admin changes the allow-list or the URL.
func IsForbidden(err error) bool { return errors.Is(err, ErrForbiddenAddress) }
