// Package email sends survey invitations over SMTP as multipart HTML + text
// mail, with the first question as one-click 0-10 links and a one-click
// List-Unsubscribe (RFC 8058).
package email

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"html/template"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"

	"vox/internal/survey"
)

// Sender is an SMTP account.
type Sender struct {
	Addr     string // host:port
	Username string // empty: no AUTH
	Password string
	From     string // default sender, e.g. "Acme <survey@acme.example>"
	// TLS: "starttls" (default: upgrade when offered, required with AUTH),
	// "tls" (implicit TLS, port 465) or "none" (tests, local relays).
	TLS       string
	TLSConfig *tls.Config
	Timeout   time.Duration // per message; 0: 30 s
	HeloName  string        // 0: "localhost"
}

// Send delivers one message. A 5xx reply to the recipient or the data is
// permanent (survey.ErrRejected); anything else is retried by the job.
func (s *Sender) Send(ctx context.Context, m survey.Message) (string, error) {
	from := s.From
	if m.Settings.EmailFrom != "" {
		from = m.Settings.EmailFrom
	}
	fromAddr, err := mail.ParseAddress(from)
	if err != nil {
		return "", fmt.Errorf("%w: sender address %q: %v", survey.ErrRejected, from, err)
	}
	to, err := mail.ParseAddress(m.To)
	if err != nil {
		return "", fmt.Errorf("%w: recipient %q: %v", survey.ErrRejected, m.To, err)
	}
	msgID := "<" + m.Ref + "@" + domainOf(fromAddr.Address) + ">"
	body, err := Compose(m, fromAddr, to, msgID, time.Now())
	if err != nil {
		return "", err
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := s.deliver(ctx, fromAddr.Address, to.Address, body); err != nil {
		return "", err
	}
	return msgID, nil
}

func (s *Sender) deliver(ctx context.Context, from, to string, body []byte) error {
	host, _, err := net.SplitHostPort(s.Addr)
	if err != nil {
		return fmt.Errorf("smtp address %q: %w", s.Addr, err)
	}
	tlsCfg := s.TLSConfig
	if tlsCfg == nil {
		tlsCfg = &tls.Config{ServerName: host}
	}
	var d net.Dialer
	var conn net.Conn
	if s.TLS == "tls" {
		conn, err = (&tls.Dialer{NetDialer: &d, Config: tlsCfg}).DialContext(ctx, "tcp", s.Addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", s.Addr)
	}
	if err != nil {
		return fmt.Errorf("smtp dial: %w", err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("smtp greeting: %w", err)
	}
	defer c.Close()
	helo := s.HeloName
	if helo == "" {
		helo = "localhost"
	}
	if err := c.Hello(helo); err != nil {
		return fmt.Errorf("smtp hello: %w", err)
	}
	if s.TLS != "tls" && s.TLS != "none" {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(tlsCfg); err != nil {
				return fmt.Errorf("smtp starttls: %w", err)
			}
		} else if s.Username != "" {
			return errors.New("smtp server offers no STARTTLS: refusing to send the password in clear")
		}
	}
	if s.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, host)); err != nil {
			return classify("smtp auth", err)
		}
	}
	if err := c.Mail(from); err != nil {
		return classify("smtp mail from", err)
	}
	if err := c.Rcpt(to); err != nil {
		return classify("smtp rcpt to", err)
	}
	w, err := c.Data()
	if err != nil {
		return classify("smtp data", err)
	}
	if _, err := w.Write(body); err != nil {
		return fmt.Errorf("smtp write: %w", err)
	}
	if err := w.Close(); err != nil {
		return classify("smtp end of data", err)
	}
	return c.Quit()
}

// classify marks 5xx replies permanent.
func classify(what string, err error) error {
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 500 {
		return fmt.Errorf("%w: %s: %v", survey.ErrRejected, what, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[i+1:]
	}
	return "vox.invalid"
}

var htmlTmpl = template.Must(template.New("mail").Parse(`<!doctype html><html lang="{{.Lang}}"><body style="font-family:system-ui,sans-serif;color:#1a1a1a;max-width:36rem">
<p>{{.Strings.Greeting}}</p>{{if .Intro}}<p>{{.Intro}}</p>{{end}}
{{if .Question}}<p style="font-weight:600">{{.Question}}</p>{{end}}
{{if .Scale}}<table role="presentation" cellspacing="0" cellpadding="0"><tr>{{range .Scale}}<td style="padding:2px"><a href="{{.URL}}" style="display:inline-block;min-width:1.9em;padding:.45em 0;text-align:center;border:1px solid #555;border-radius:4px;color:#0b57d0;text-decoration:none">{{.Value}}</a></td>{{end}}</tr></table>
{{if .LowLabel}}<p style="font-size:.85em;color:#444">{{.LowLabel}} … {{.HighLabel}}</p>{{end}}{{end}}
<p><a href="{{.URL}}" style="display:inline-block;padding:.6em 1.2em;background:#0b57d0;color:#fff;border-radius:4px;text-decoration:none">{{.Strings.TakeSurvey}}</a></p>
<p style="font-size:.8em;color:#555"><a href="{{.OptOutURL}}" style="color:#555">{{.Strings.Unsubscribe}}</a></p>
</body></html>`))

// Compose builds the RFC 5322 message of an invitation.
func Compose(m survey.Message, from, to *mail.Address, msgID string, now time.Time) ([]byte, error) {
	var text strings.Builder
	text.WriteString(m.Strings.Greeting + "\n\n")
	if m.Intro != "" {
		text.WriteString(m.Intro + "\n\n")
	}
	if m.Question != "" {
		text.WriteString(m.Question + "\n\n")
	}
	for _, s := range m.Scale {
		fmt.Fprintf(&text, "%2d: %s\n", s.Value, s.URL)
	}
	fmt.Fprintf(&text, "\n%s: %s\n\n%s: %s\n", m.Strings.TakeSurvey, m.URL, m.Strings.Unsubscribe, m.OptOutURL)
	var html bytes.Buffer
	if err := htmlTmpl.Execute(&html, m); err != nil {
		return nil, fmt.Errorf("email html: %w", err)
	}

	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	hdr := func(k, v string) { fmt.Fprintf(&buf, "%s: %s\r\n", k, v) }
	hdr("From", from.String())
	hdr("To", to.String())
	hdr("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	hdr("Date", now.Format(time.RFC1123Z))
	hdr("Message-ID", msgID)
	hdr("MIME-Version", "1.0")
	hdr("List-Unsubscribe", "<"+m.OptOutURL+">")
	hdr("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	hdr("Auto-Submitted", "auto-generated")
	hdr("Content-Type", `multipart/alternative; boundary="`+mw.Boundary()+`"`)
	buf.WriteString("\r\n")
	for _, part := range []struct{ ctype, body string }{{"text/plain; charset=utf-8", text.String()}, {"text/html; charset=utf-8", html.String()}} {
		pw, err := mw.CreatePart(map[string][]string{"Content-Type": {part.ctype}, "Content-Transfer-Encoding": {"quoted-printable"}})
		if err != nil {
			return nil, err
		}
		qp := quotedprintable.NewWriter(pw)
		if _, err := qp.Write([]byte(part.body)); err != nil {
			return nil, err
		}
		if err := qp.Close(); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
