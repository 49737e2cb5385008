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

// SendAlternative delivers one message with a plain-text and an HTML
// version of the same content (multipart/alternative): mail clients show
// the HTML, and the text stays for those that do not. The caller escapes
// whatever untrusted text the HTML holds (html/template does).
func (m *Mailer) SendAlternative(ctx context.Context, to []string, subject, text, html string) error {
	return m.send(ctx, to, func(from *mail.Address, rcpts []string) []byte {
		return buildAlternative(from, rcpts, subject, text, html, time.Now())
	})
}

func buildAlternative(from *mail.Address, to []string, subject, text, html string, now time.Time) []byte {
	subject = strings.Join(strings.Fields(subject), " ")
	id := make([]byte, 12)
	_, _ = rand.Read(id)
	boundary := make([]byte, 18)
	_, _ = rand.Read(boundary)
	b64 := base64.RawURLEncoding.EncodeToString(boundary)
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
	fmt.Fprintf(&b, "MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n", b64)
	for _, part := range []struct{ typ, body string }{{"text/plain", text}, {"text/html", html}} {
		fmt.Fprintf(&b, "--%s\r\nContent-Type: %s; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n", b64, part.typ)
		writeBase64Lines(&b, part.body)
	}
	fmt.Fprintf(&b, "--%s--\r\n", b64)
	return b.Bytes()
}

// writeBase64Lines writes s base64-encoded in lines of 76 characters.
func writeBase64Lines(b *bytes.Buffer, s string) {
	enc := base64.StdEncoding.EncodeToString([]byte(s))
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n")
}
