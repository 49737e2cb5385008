package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"mime"
	"net/mail"
	"strings"
	"time"
)

// Attachment is a file sent with a message.
type Attachment struct {
	Filename    string // ASCII; quoted in the headers
	ContentType string // e.g. application/pdf
	Data        []byte
}

// Mail is a message with a plain-text and an HTML version of its content
// and files attached (multipart/mixed around multipart/alternative).
type Mail struct {
	From        string // sender; empty: the mailer's
	To          []string
	Subject     string
	Text        string
	HTML        string // the caller escapes untrusted text (html/template does)
	Attachments []Attachment
}

// SendMail delivers m. Recipients the server refuses for good are left out
// and returned; the others still get the message. It fails with
// ErrBadAddress for an address that does not parse and with ErrRejected
// when the server refuses the sender, the content or every recipient.
func (m *Mailer) SendMail(ctx context.Context, msg Mail) (rejected []string, err error) {
	return m.deliver(ctx, msg.From, msg.To, true, func(from *mail.Address, rcpts []string) []byte {
		return buildMixed(from, rcpts, msg, time.Now())
	})
}

func buildMixed(from *mail.Address, to []string, msg Mail, now time.Time) []byte {
	subject := strings.Join(strings.Fields(msg.Subject), " ")
	id := make([]byte, 12)
	_, _ = rand.Read(id)
	domain := "vox.local"
	if _, d, ok := strings.Cut(from.Address, "@"); ok {
		domain = d
	}
	mixed, alt := boundary(), boundary()
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\n", from.String())
	fmt.Fprintf(&b, "To: %s\r\n", strings.Join(to, ", "))
	fmt.Fprintf(&b, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", subject))
	fmt.Fprintf(&b, "Date: %s\r\n", now.Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <%s@%s>\r\n", hex.EncodeToString(id), domain)
	b.WriteString("Auto-Submitted: auto-generated\r\n")
	fmt.Fprintf(&b, "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n", mixed)
	fmt.Fprintf(&b, "--%s\r\nContent-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n", mixed, alt)
	for _, part := range []struct{ typ, body string }{{"text/plain", msg.Text}, {"text/html", msg.HTML}} {
		fmt.Fprintf(&b, "--%s\r\nContent-Type: %s; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n", alt, part.typ)
		writeBase64Lines(&b, part.body)
	}
	fmt.Fprintf(&b, "--%s--\r\n", alt)
	for _, a := range msg.Attachments {
		ctype := a.ContentType
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		fmt.Fprintf(&b, "--%s\r\nContent-Type: %s\r\nContent-Disposition: %s\r\nContent-Transfer-Encoding: base64\r\n\r\n", mixed,
			mime.FormatMediaType(ctype, map[string]string{"name": a.Filename}),
			mime.FormatMediaType("attachment", map[string]string{"filename": a.Filename}))
		writeBase64Lines(&b, string(a.Data))
	}
	fmt.Fprintf(&b, "--%s--\r\n", mixed)
	return b.Bytes()
}

// boundary returns a random MIME boundary; base64url never produces the
// characters that would need quoting, and no base64 body line can hold it.
func boundary() string {
	buf := make([]byte, 18)
	_, _ = rand.Read(buf)
	return "vox-" + base64.RawURLEncoding.EncodeToString(buf)
}
