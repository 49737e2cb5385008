package surveyweb

import (
	"bytes"
	"strconv"
)

// writePage writes the hosted survey page. It is the "page" template of
// assets/page.html written out by hand: html/template spends most of a
// page's time in reflection, and this page is the one respondents load by
// the thousand. TestPageRenderMatchesTemplate checks that both produce the
// same bytes, so page.html stays the readable reference; change both.
//
// Every value is escaped as html/template escapes it in text and quoted
// attributes (see esc); the CSS is trusted (embedded) and the opt-out URL
// is built from a verified token (base64url characters only).
func writePage(b *bytes.Buffer, v *pageView) {
	b.WriteString("<!doctype html>\n<html lang=\"")
	esc(b, v.UI.Lang)
	b.WriteString(`"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` + "\n<title>")
	esc(b, v.Title)
	b.WriteString(`</title><meta name="robots" content="noindex">` + "\n<style>")
	b.WriteString(string(v.CSS))
	b.WriteString("</style></head>\n<body><main>\n")
	if v.Heading != "" {
		b.WriteString("<h1>")
		esc(b, v.Heading)
		b.WriteString("</h1>")
	}
	b.WriteByte('\n')
	if v.Detail != "" {
		b.WriteString("<p>")
		esc(b, v.Detail)
		b.WriteString("</p>")
	}
	b.WriteByte('\n')
	if len(v.Questions) > 0 {
		b.WriteString(`<form method="post" action="" novalidate>` + "\n")
		if v.Nonce != "" {
			b.WriteString(`<input type="hidden" name="n" value="`)
			esc(b, v.Nonce)
			b.WriteString(`">`)
		}
		b.WriteByte('\n')
		for i := range v.Questions {
			writeQuestion(b, v, &v.Questions[i])
		}
		b.WriteString(`<button type="submit">`)
		esc(b, v.Button)
		b.WriteString("</button>\n</form>")
	}
	b.WriteByte('\n')
	if v.OptOut != "" {
		b.WriteString(`<p class="foot"><a href="`)
		esc(b, v.OptOut)
		b.WriteString(`">`)
		esc(b, v.UI.OptOut)
		b.WriteString("</a></p>")
	}
	b.WriteString("\n</main></body></html>")
}

func writeQuestion(b *bytes.Buffer, v *pageView, q *questionView) {
	b.WriteString("<fieldset")
	if q.Error != "" {
		b.WriteString(` aria-invalid="true" aria-describedby="e-`)
		esc(b, q.ID)
		b.WriteByte('"')
	}
	b.WriteString(">\n<legend>")
	esc(b, q.Text)
	if q.Required {
		b.WriteString(` <span aria-hidden="true">*</span>`)
	}
	b.WriteString("</legend>\n")
	if q.Error != "" {
		b.WriteString(`<p class="err" id="e-`)
		esc(b, q.ID)
		b.WriteString(`" role="alert">`)
		esc(b, q.Error)
		b.WriteString("</p>")
	}
	b.WriteByte('\n')
	switch {
	case len(q.Scale) > 0:
		b.WriteString(`<div class="scale">`)
		for _, s := range q.Scale {
			b.WriteString(`<label><input type="radio" name="a_`)
			esc(b, q.ID)
			b.WriteString(`" value="`)
			b.WriteString(strconv.Itoa(s.V))
			b.WriteByte('"')
			if s.On {
				b.WriteString(" checked")
			}
			if q.Required {
				b.WriteString(" required")
			}
			b.WriteString("><span>")
			b.WriteString(strconv.Itoa(s.V))
			b.WriteString("</span></label>")
		}
		b.WriteString("</div>\n")
		if q.Low != "" {
			b.WriteString(`<p class="ends"><span>`)
			esc(b, q.Low)
			b.WriteString("</span><span>")
			esc(b, q.High)
			b.WriteString("</span></p>")
		}
		b.WriteByte('\n')
	case len(q.Options) > 0:
		kind := "radio"
		if q.Multi {
			kind = "checkbox"
		}
		for _, o := range q.Options {
			b.WriteString(`<label class="opt"><input type="` + kind + `" name="a_`)
			esc(b, q.ID)
			b.WriteString(`" value="`)
			esc(b, o.ID)
			b.WriteByte('"')
			if o.On {
				b.WriteString(" checked")
			}
			b.WriteString("> ")
			esc(b, o.Text)
			b.WriteString("</label>")
		}
		b.WriteByte('\n')
	default:
		b.WriteString(`<label class="sr" for="t-`)
		esc(b, q.ID)
		b.WriteString(`">`)
		esc(b, v.UI.YourAnswer)
		b.WriteString(`</label><textarea id="t-`)
		esc(b, q.ID)
		b.WriteString(`" name="a_`)
		esc(b, q.ID)
		b.WriteString(`" rows="4" maxlength="5000">`)
		esc(b, q.Value)
		b.WriteString("</textarea>\n")
	}
	b.WriteString("</fieldset>\n")
}

// esc writes s escaped as html/template escapes text, RCDATA and quoted
// attribute values: NUL becomes U+FFFD and " & ' + < > character
// references; everything else, invalid UTF-8 included, is copied.
func esc(b *bytes.Buffer, s string) {
	start := 0
	for i := 0; i < len(s); i++ {
		var repl string
		switch s[i] {
		case 0:
			repl = "\uFFFD"
		case '"':
			repl = "&#34;"
		case '&':
			repl = "&amp;"
		case '\'':
			repl = "&#39;"
		case '+':
			repl = "&#43;"
		case '<':
			repl = "&lt;"
		case '>':
			repl = "&gt;"
		default:
			continue
		}
		b.WriteString(s[start:i])
		b.WriteString(repl)
		start = i + 1
	}
	b.WriteString(s[start:])
}
