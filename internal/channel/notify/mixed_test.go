package notify_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"
	"time"

	"vox/internal/channel/email/emailtest"
	"vox/internal/channel/notify"
)

// part is one decoded leaf of a MIME message.
type part struct {
	Type, Disposition, Filename string
	Body                        []byte
}

// mimeParts walks a multipart message down to its leaves.
func mimeParts(t *testing.T, ctype string, body io.Reader) []part {
	t.Helper()
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(mt, "multipart/") {
		b, _ := io.ReadAll(body)
		return []part{{Type: mt, Body: b}}
	}
	var out []part
	r := multipart.NewReader(body, params["boundary"])
	for {
		p, err := r.NextRawPart()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		pt := p.Header.Get("Content-Type")
		if strings.HasPrefix(pt, "multipart/") {
			out = append(out, mimeParts(t, pt, p)...)
			continue
		}
		raw, _ := io.ReadAll(p)
		if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "base64") {
			if raw, err = base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(raw)), "")); err != nil {
				t.Fatal(err)
			}
		}
		mt, _, _ := mime.ParseMediaType(pt)
		disp, dp, _ := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
		out = append(out, part{Type: mt, Disposition: disp, Filename: dp["filename"], Body: raw})
	}
}

func TestSendMailWithAttachment(t *testing.T) {
	srv := emailtest.Start(t)
	srv.Reject["gone@example.com"] = true
	m := &notify.Mailer{Addr: srv.Addr, From: "Vox <vox@example.com>"}
	pdf := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte{0, 1, 2, 255}, 100)...)
	rejected, err := m.SendMail(context.Background(), notify.Mail{
		From:    "Acme CX <cx@acme.example>",
		To:      []string{"boss@example.com", "gone@example.com"},
		Subject: "Отчёт\r\nBcc: evil@example.com",
		Text:    "NPS 42", HTML: "<p>NPS 42</p>",
		Attachments: []notify.Attachment{{Filename: "vox-report.pdf", ContentType: "application/pdf", Data: pdf}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rejected) != 1 || rejected[0] != "gone@example.com" {
		t.Fatalf("rejected %v", rejected)
	}
	got := srv.Wait(1, 5*time.Second)
	if len(got) != 1 || got[0].From != "cx@acme.example" || len(got[0].To) != 1 || got[0].To[0] != "boss@example.com" {
		t.Fatalf("envelope %+v", got)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(got[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	if subj, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); subj != "Отчёт Bcc: evil@example.com" || msg.Header.Get("Bcc") != "" {
		t.Fatalf("subject %q", subj)
	}
	parts := mimeParts(t, msg.Header.Get("Content-Type"), msg.Body)
	if len(parts) != 3 || parts[0].Type != "text/plain" || string(parts[0].Body) != "NPS 42" ||
		parts[1].Type != "text/html" || parts[2].Type != "application/pdf" || parts[2].Disposition != "attachment" ||
		parts[2].Filename != "vox-report.pdf" || !bytes.Equal(parts[2].Body, pdf) {
		t.Fatalf("parts %+v", parts)
	}

	// Every recipient refused: a permanent failure.
	_, err = m.SendMail(context.Background(), notify.Mail{To: []string{"gone@example.com"}, Subject: "x", Text: "x", HTML: "x"})
	if !errors.Is(err, notify.ErrRejected) {
		t.Fatalf("all refused: %v", err)
	}
	if _, err := m.SendMail(context.Background(), notify.Mail{To: []string{"not an address"}}); !errors.Is(err, notify.ErrBadAddress) {
		t.Fatalf("bad address: %v", err)
	}
}
