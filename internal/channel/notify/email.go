// Package notify tells people about feedback that needs them: email over
// SMTP and Telegram bot messages. Texts are plain (no HTML, no Telegram
// markup), so customer words quoted in a notification cannot inject markup.
package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"strings"
	"time"
)

// Mailer sends plain-text email through an SMTP server.
type Mailer struct {
	Addr     string // host:port of the SMTP server
	From     string // sender address, e.g. "Vox <vox@example.com>"
	Username string // optional; PLAIN auth (net/smtp allows it only over TLS or to localhost)
	Password string
	Timeout  time.Duration // per message; 0: 30 s
	// InsecureSkipVerify disables certificate checks for STARTTLS (test
	// servers with self-signed certificates only).
	InsecureSkipVerify bool
}

// ErrBadAddress means a recipient is not a valid email address; retrying
// cannot help.
var ErrBadAddress = errors.New("invalid email address")

// Send delivers one message to every recipient.
func (m *Mailer) Send(ctx context.Context, to []string, subject, body string) error {
	return m.send(ctx, to, func(from *mail.Address, rcpts []string) []byte {
		return buildMessage(from, rcpts, subject, body, time.Now())
	})
}

// send runs the SMTP dialogue for the message that build renders.
func (m *Mailer) send(ctx context.Context, to []string, build func(from *mail.Address, rcpts []string) []byte) error {
	if len(to) == 0 {
		return fmt.Errorf("%w: no recipients", ErrBadAddress)
	}
	from, err := mail.ParseAddress(m.From)
	if err != nil {
		return fmt.Errorf("mailer from %q: %w", m.From, err)
	}
	var rcpts []string
	for _, t := range to {
		a, err := mail.ParseAddress(t)
		if err != nil {
			return fmt.Errorf("%w: %q", ErrBadAddress, t)
		}
		rcpts = append(rcpts, a.Address)
	}
	timeout := m.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", m.Addr)
	if err != nil {
		return fmt.Errorf("smtp dial: %w", err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	host, _, _ := net.SplitHostPort(m.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("smtp: %w", err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: host, InsecureSkipVerify: m.InsecureSkipVerify}); err != nil {
			return fmt.Errorf("smtp starttls: %w", err)
		}
	}
	if m.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", m.Username, m.Password, host)); err != nil {
			return fmt.Errorf("smtp auth: %w", err)
		}
	}
	if err := c.Mail(from.Address); err != nil {
		return fmt.Errorf("smtp mail from: %w", err)
	}
	for _, r := range rcpts {
		if err := c.Rcpt(r); err != nil {
			return fmt.Errorf("smtp rcpt %s: %w", r, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp data: %w", err)
	}
	if _, err := w.Write(build(from, rcpts)); err != nil {
		return fmt.Errorf("smtp write: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp data end: %w", err)
	}
	return c.Quit()
}

// buildMessage renders a MIME message. The subject is stripped of line
// breaks (header injection) and Q-encoded; the body is base64 so any text,
// including lines of a lone ".", survives SMTP unchanged.
func buildMessage(from *mail.Address, to []string, subject, body string, now time.Time) []byte {
	subject = strings.Join(strings.Fields(subject), " ")
	id := make([]byte, 12)
	_, _ = rand.Read(id)
	domain := "vox.local"
	if _, d, ok := strings.Cut(from.Address, "@"); ok {
		domain = d
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\n", from.String())
	fmt.Fprintf(&b, "To: %s\r\n", strings.Join(to, ", "))
	fmt.Fprintf(&b, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", subject))
	fmt.Fprintf(&b, "Date: %s\r\n", now.Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <%s@%s>\r\n", hex.EncodeToString(id), domain)
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	enc := base64.StdEncoding.EncodeToString([]byte(body))
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n")
	return b.Bytes()
}
