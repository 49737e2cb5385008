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
	"net/textproto"
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

// ErrRejected means the SMTP server refused the message or a recipient
// for good (a 5xx reply): sending it again cannot help.
var ErrRejected = errors.New("rejected by the mail server")

// send runs the SMTP dialogue for the message that build renders; any
// refused recipient fails the whole message.
func (m *Mailer) send(ctx context.Context, to []string, build func(from *mail.Address, rcpts []string) []byte) error {
	_, err := m.deliver(ctx, "", to, false, build)
	return err
}

// deliver runs the SMTP dialogue. from overrides the mailer's sender when
// not empty. With skipRejected, recipients the server refuses for good are
// left out and returned, and the message goes to the others (refused by
// all: ErrRejected). 5xx replies are wrapped in ErrRejected.
func (m *Mailer) deliver(ctx context.Context, from string, to []string, skipRejected bool, build func(from *mail.Address, rcpts []string) []byte) ([]string, error) {
	if len(to) == 0 {
		return nil, fmt.Errorf("%w: no recipients", ErrBadAddress)
	}
	if from == "" {
		from = m.From
	}
	sender, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("mailer from %q: %w", from, err)
	}
	var rcpts []string
	for _, t := range to {
		a, err := mail.ParseAddress(t)
		if err != nil {
			return nil, fmt.Errorf("%w: %q", ErrBadAddress, t)
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
		return nil, fmt.Errorf("smtp dial: %w", err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	host, _, _ := net.SplitHostPort(m.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("smtp: %w", err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: host, InsecureSkipVerify: m.InsecureSkipVerify}); err != nil {
			return nil, fmt.Errorf("smtp starttls: %w", err)
		}
	}
	if m.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", m.Username, m.Password, host)); err != nil {
			return nil, fmt.Errorf("smtp auth: %w", err)
		}
	}
	if err := c.Mail(sender.Address); err != nil {
		return nil, smtpError("smtp mail from", err)
	}
	var accepted, rejected []string
	for _, r := range rcpts {
		err := c.Rcpt(r)
		switch {
		case err == nil:
			accepted = append(accepted, r)
		case skipRejected && permanentReply(err):
			rejected = append(rejected, r)
		default:
			return nil, smtpError("smtp rcpt "+r, err)
		}
	}
	if len(accepted) == 0 {
		return rejected, fmt.Errorf("%w: every recipient refused (%s)", ErrRejected, strings.Join(rejected, ", "))
	}
	w, err := c.Data()
	if err != nil {
		return nil, smtpError("smtp data", err)
	}
	if _, err := w.Write(build(sender, accepted)); err != nil {
		return nil, fmt.Errorf("smtp write: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, smtpError("smtp data end", err)
	}
	return rejected, c.Quit()
}

// permanentReply reports whether err is a 5xx SMTP reply.
func permanentReply(err error) bool {
	var te *textproto.Error
	return errors.As(err, &te) && te.Code >= 500
}

// smtpError wraps err with what failed, marking 5xx replies ErrRejected.
func smtpError(what string, err error) error {
	if permanentReply(err) {
		return fmt.Errorf("%s: %w: %w", what, ErrRejected, err)
	}
	return fmt.Errorf("%s: %w", what, err)
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
