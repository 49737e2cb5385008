package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"
)

// verify is an independent implementation of the Standard Webhooks check,
// written from the specification rather than from Sign: strip whsec_,
// base64-decode the key, HMAC-SHA256 over "id.timestamp.body", base64, and
// accept when any space-separated v1 signature matches.
func verify(t *testing.T, secret string, h http.Header, body []byte) bool {
	t.Helper()
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha256.New, key)
	io.WriteString(mac, h.Get("webhook-id")+"."+h.Get("webhook-timestamp")+".")
	mac.Write(body)
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	for _, s := range strings.Split(h.Get("webhook-signature"), " ") {
		v, sig, ok := strings.Cut(s, ",")
		if ok && v == "v1" && hmac.Equal([]byte(sig), []byte(want)) {
			return true
		}
	}
	return false
}

// TestSignKnownVector checks Sign against the example published with the
// specification's reference libraries.
func TestSignKnownVector(t *testing.T) {
	got, err := Sign([]string{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
		[]byte(`{"test": 2432232314}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Fatalf("signature %s, want %s", got, want)
	}
}

func TestNewSecretShape(t *testing.T) {
	s := NewSecret()
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, "whsec_"))
	if !strings.HasPrefix(s, "whsec_") || err != nil || len(raw) < 24 || len(raw) > 64 {
		t.Fatalf("bad secret %q", s)
	}
	if NewSecret() == s {
		t.Fatal("secrets repeat")
	}
	if _, err := Sign([]string{"whsec_dG9vc2hvcnQ="}, "x", 1, nil); !errors.Is(err, ErrBadSecret) {
		t.Fatalf("short secret accepted: %v", err)
	}
}

func TestSendSignsAndRotates(t *testing.T) {
	old, cur := NewSecret(), NewSecret()
	var got http.Header
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, body = r.Header.Clone(), must(io.ReadAll(r.Body))
		w.WriteHeader(204)
	}))
	defer srv.Close()
	s := &Sender{Guard: &Guard{Allow: LoopbackOnly}}
	at := time.Unix(1_800_000_000, 0)
	status, err := s.Send(context.Background(), Message{URL: srv.URL, ID: "msg_1", Timestamp: at, Body: []byte(`{"a":1}`),
		Secrets: []string{cur, old}})
	if err != nil || status != 204 {
		t.Fatalf("send: %d %v", status, err)
	}
	if got.Get("webhook-id") != "msg_1" || got.Get("webhook-timestamp") != strconv.FormatInt(at.Unix(), 10) {
		t.Fatalf("headers %v", got)
	}
	if n := len(strings.Split(got.Get("webhook-signature"), " ")); n != 2 {
		t.Fatalf("want two signatures during rotation, got %d", n)
	}
	for _, sec := range []string{cur, old} {
		if !verify(t, sec, got, body) {
			t.Fatalf("signature does not verify with %s", sec[:10])
		}
	}
	if verify(t, NewSecret(), got, body) {
		t.Fatal("a foreign secret verified")
	}
	if verify(t, cur, got, []byte(`{"a":2}`)) {
		t.Fatal("a tampered body verified")
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestGuardAddresses(t *testing.T) {
	g := &Guard{}
	for _, c := range []struct {
		addr string
		ok   bool
	}{
		{"8.8.8.8", true}, {"2a00:1450:4001:80b::200e", true},
		{"127.0.0.1", false}, {"10.1.2.3", false}, {"172.16.0.1", false}, {"192.168.1.1", false},
		{"169.254.169.254", false}, {"100.64.0.1", false}, {"0.0.0.0", false}, {"224.0.0.1", false},
		{"::1", false}, {"fe80::1", false}, {"fd00::1", false}, {"::", false}, {"::ffff:127.0.0.1", false},
		{"::ffff:169.254.169.254", false}, {"64:ff9b::a9fe:a9fe", false},
	} {
		err := g.CheckAddr(netip.MustParseAddr(c.addr))
		if (err == nil) != c.ok {
			t.Errorf("%s: err=%v, want ok=%v", c.addr, err, c.ok)
		}
	}
	allowed := &Guard{Allow: must(ParseAllow("10.0.0.0/8, ::1"))}
	if allowed.CheckAddr(netip.MustParseAddr("10.9.9.9")) != nil || allowed.CheckAddr(netip.MustParseAddr("::1")) != nil {
		t.Fatal("allow-list ignored")
	}
	if allowed.CheckAddr(netip.MustParseAddr("127.0.0.1")) == nil {
		t.Fatal("allow-list too wide")
	}
}

func TestBadURLsRefused(t *testing.T) {
	g := &Guard{}
	for _, u := range []string{"ftp://example.com/x", "http://127.0.0.1/hook", "http://[::1]:8080/", "http://169.254.169.254/latest/meta-data",
		"http://localhost:9000/", "http://user:pw@example.com/", "https:///nohost", "http://10.0.0.1/", "http://[::ffff:10.0.0.1]/"} {
		if _, err := g.CheckURL(u); err == nil {
			t.Errorf("%s accepted", u)
		}
	}
	if _, err := g.CheckURL("https://hooks.example.com/vox"); err != nil {
		t.Errorf("public URL refused: %v", err)
	}
}

// TestSendRefusesPrivateAtDialTime checks the connection-time guard: a
// hostname (which CheckURL cannot judge) resolving to loopback is refused
// when dialled, and so is a redirect to a private address.
func TestSendRefusesPrivateAtDialTime(t *testing.T) {
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer srv.Close()
	g := &Guard{}
	_, port, _ := strings.Cut(strings.TrimPrefix(srv.URL, "http://"), ":")
	if _, err := g.Dialer(time.Second).DialContext(context.Background(), "tcp", "localhost:"+port); !errors.Is(err, ErrForbiddenAddress) {
		t.Fatalf("dial localhost: %v", err)
	}
	s := &Sender{Guard: g}
	_, err := s.Send(context.Background(), Message{URL: srv.URL, ID: "m", Timestamp: time.Now(), Body: []byte("{}"), Secrets: []string{NewSecret()}})
	if !IsForbidden(err) || hits != 0 {
		t.Fatalf("loopback receiver reached: %v hits=%d", err, hits)
	}

	// A public-looking receiver (allowed here) redirecting to the metadata
	// address: the redirect is not followed, and the answer is a failure.
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://169.254.169.254/latest/meta-data", http.StatusFound)
	}))
	defer redirect.Close()
	s = &Sender{Guard: &Guard{Allow: LoopbackOnly}}
	_, err = s.Send(context.Background(), Message{URL: redirect.URL, ID: "m", Timestamp: time.Now(), Body: []byte("{}"), Secrets: []string{NewSecret()}})
	var se *StatusError
	if !errors.As(err, &se) || se.Status != http.StatusFound {
		t.Fatalf("redirect: %v", err)
	}
}

func TestSlowReceiverTimesOut(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	s := &Sender{Guard: &Guard{Allow: LoopbackOnly}, Timeout: 150 * time.Millisecond}
	start := time.Now()
	_, err := s.Send(context.Background(), Message{URL: srv.URL, ID: "m", Timestamp: time.Now(), Body: []byte("{}"), Secrets: []string{NewSecret()}})
	if err == nil {
		t.Fatal("slow receiver did not time out")
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Fatalf("timeout took %v", el)
	}
}

func TestStatusClassification(t *testing.T) {
	for _, c := range []struct {
		status          int
		gone, throttled bool
	}{{410, true, false}, {429, false, true}, {502, false, true}, {504, false, true}, {500, false, false}, {404, false, false}} {
		e := &StatusError{Status: c.status}
		if e.Gone() != c.gone || e.Throttled() != c.throttled {
			t.Errorf("%d: gone=%v throttled=%v", c.status, e.Gone(), e.Throttled())
		}
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if d := ParseRetryAfter("120", now); d != 2*time.Minute {
		t.Errorf("seconds: %v", d)
	}
	if d := ParseRetryAfter(now.Add(time.Hour).Format(http.TimeFormat), now); d != time.Hour {
		t.Errorf("date: %v", d)
	}
	if d := ParseRetryAfter("999999999", now); d != 24*time.Hour {
		t.Errorf("cap: %v", d)
	}
}
