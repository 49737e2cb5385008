package report

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
)

// emailKPI is one headline metric as the email states it.
type emailKPI struct {
	Name   string
	Value  string // "42.0" or "—" without answers
	Detail string // "95 % CI 38.1…45.9, n = 812"
	Change string // "▲ +3.2 vs previous (p = 0.041)"; empty without a previous period
	Down   bool
}

// emailView is what the email templates read.
type emailView struct {
	Lang, Title, Intro, Attached, Open, Footer string
	KPIHead                                    string
	KPIs                                       []emailKPI
	URL                                        string
}

func kpiLine(lang string, k KPI) emailKPI {
	e := emailKPI{Name: label(lang, k.Metric), Value: "—", Detail: "n = 0"}
	if k.Value.N == 0 {
		return e
	}
	e.Value = fmt.Sprintf("%.1f", k.Value.Value)
	e.Detail = fmt.Sprintf("%s %.1f…%.1f, n = %d", label(lang, "ci"), k.Value.CILow, k.Value.CIHigh, k.Value.N)
	if k.Change != nil {
		arrow := "▲"
		if k.Change.Value < 0 {
			arrow, e.Down = "▼", true
		}
		e.Change = fmt.Sprintf("%s %+.1f %s (p = %.3f)", arrow, k.Change.Value, label(lang, "vs_prev"), k.Change.PValue)
	}
	return e
}

const emailText = `{{.Title}}

{{.Intro}}

== {{.KPIHead}} ==
{{range .KPIs}}- {{.Name}}: {{.Value}} ({{.Detail}}){{with .Change}}; {{.}}{{end}}
{{end}}
{{.Attached}}
{{with .URL}}
{{$.Open}}: {{.}}
{{end}}
--
{{.Footer}}
`

const emailHTML = `<!doctype html><html lang="{{.Lang}}"><body style="font-family:system-ui,sans-serif;color:#1a1a1a;max-width:40rem">
<h1 style="font-size:1.3em">{{.Title}}</h1>
<p>{{.Intro}}</p>
<h2 style="font-size:1.05em">{{.KPIHead}}</h2>
<table role="presentation" cellspacing="0" cellpadding="6" style="border-collapse:collapse">
{{range .KPIs}}<tr style="border-bottom:1px solid #e3e6ec"><th scope="row" style="text-align:left;font-weight:600">{{.Name}}</th>
<td style="font-size:1.3em;font-weight:700">{{.Value}}</td><td style="color:#555;font-size:.85em">{{.Detail}}</td>
<td style="font-size:.85em;color:{{if .Down}}#b3261e{{else}}#1b7d2f{{end}}">{{.Change}}</td></tr>
{{end}}</table>
<p>{{.Attached}}</p>
{{with .URL}}<p><a href="{{.}}" style="display:inline-block;padding:.5em 1.1em;background:#0b57d0;color:#fff;border-radius:4px;text-decoration:none">{{$.Open}}</a></p>{{end}}
<p style="font-size:.8em;color:#555">{{.Footer}}</p>
</body></html>`

var (
	emailTextTmpl = texttemplate.Must(texttemplate.New("text").Parse(emailText))
	emailHTMLTmpl = htmltemplate.Must(htmltemplate.New("html").Parse(emailHTML))
)

// renderEmail writes the weekly email of a report: its subject, and a text
// and an HTML body with the headline KPIs. The workspace name is data; the
// HTML template escapes it.
func renderEmail(d *Data, baseURL string) (subject, text, html string, err error) {
	v := emailView{Lang: d.Lang, Title: label(d.Lang, "title"), KPIHead: label(d.Lang, "kpis"),
		Intro:    fmt.Sprintf(label(d.Lang, "email_intro"), d.Workspace, d.From, d.To),
		Attached: label(d.Lang, "email_attached"), Open: label(d.Lang, "email_open"),
		Footer: fmt.Sprintf(label(d.Lang, "email_footer"), d.Workspace)}
	if baseURL != "" {
		v.URL = strings.TrimRight(baseURL, "/") + "/reports"
	}
	for _, k := range d.KPIs {
		v.KPIs = append(v.KPIs, kpiLine(d.Lang, k))
	}
	var t, h bytes.Buffer
	if err := emailTextTmpl.Execute(&t, v); err != nil {
		return "", "", "", fmt.Errorf("report email text: %w", err)
	}
	if err := emailHTMLTmpl.Execute(&h, v); err != nil {
		return "", "", "", fmt.Errorf("report email html: %w", err)
	}
	subject = fmt.Sprintf("%s: %s — %s, %s", label(d.Lang, "title"), d.From, d.To, d.Workspace)
	return subject, t.String(), h.String(), nil
}
