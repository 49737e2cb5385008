package alert

import (
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
	"time"
)

// digestView is what the digest templates read: the digest with its words
// already in the reader's language.
type digestView struct {
	D        Digest
	Lang     string
	BaseURL  string
	Title    string
	CaseHead string
	Praise   string
}

// T returns the text of key in the reader's language.
func (v digestView) T(key string, args ...any) string { return tr(v.Lang, key, args...) }

func (v digestView) Due(t time.Time) string {
	loc := v.D.loc
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2006-01-02 15:04")
}

func (v digestView) Score(k DigestKPI, value float64, n int) string {
	if n == 0 {
		return v.T("digest.kpi.none")
	}
	return fmt.Sprintf("%.1f (n=%d)", value, n)
}

func (v digestView) Change(k DigestKPI) string {
	if k.N == 0 || k.PreviousN == 0 {
		return ""
	}
	s := fmt.Sprintf("%+.1f", k.Change)
	if k.Significant {
		s += ", " + v.T("digest.kpi.sig")
	}
	return s
}

func (v digestView) KPIScope(k DigestKPI) string {
	if k.Scope == "you" {
		return v.T("digest.kpi.you")
	}
	return v.T("digest.kpi.ws")
}

func (v digestView) Quote(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 280 {
		s = string(r[:277]) + "..."
	}
	return s
}

const digestText = `{{.T "digest.hello" .D.User.Name}}
{{.T "digest.period"}}: {{.D.From}}{{if ne .D.From .D.To}} – {{.D.To}}{{end}} ({{.D.Workspace}})
{{if .CaseHead}}
== {{.CaseHead}} ==
{{if .D.Cases.Open}}{{.T "digest.cases.count" .D.Cases.Open .D.Cases.Overdue}}
{{range .D.Cases.Items}}- #{{.ID}} {{.Title}} [{{$.T (print "sla." .SLAState)}}, {{$.T "digest.due"}} {{$.Due .DueAt}}]{{if $.BaseURL}} {{$.BaseURL}}/cases/{{.ID}}{{end}}
{{end}}{{else}}{{.T "digest.cases.none"}}
{{end}}{{end}}
== {{.T "digest.kpi"}} ==
{{range .D.KPIs}}- {{$.KPIScope .}} {{if eq .Metric "nps"}}NPS{{else}}CSAT{{end}}: {{$.Score . .Value .N}}; {{$.T "digest.kpi.prev"}} {{$.Score . .Previous .PreviousN}}{{with $.Change .}}; {{.}}{{end}}
{{end}}
== {{.Praise}} ==
{{if .D.Praise.Total}}{{.T "digest.praise.count" .D.Praise.Total}}
{{range .D.Praise.Items}}- {{.EmployeeName}}{{with .NPS}} (NPS {{.}}){{end}}{{with .CSAT}} (CSAT {{.}}){{end}}{{if .Text}}: «{{$.Quote .Text}}»{{end}}
{{end}}{{else}}{{.T "digest.praise.none"}}
{{end}}
--
{{.T "digest.footer"}}
`

const digestHTML = `<!doctype html>
<html lang="{{.D.User.Lang}}"><head><meta charset="utf-8"><title>{{.Title}}</title></head>
<body style="font-family:sans-serif;color:#1f2933;max-width:640px">
<p>{{.T "digest.hello" .D.User.Name}}</p>
<p>{{.T "digest.period"}}: <b>{{.D.From}}{{if ne .D.From .D.To}} – {{.D.To}}{{end}}</b> ({{.D.Workspace}})</p>
{{if .CaseHead}}<h2>{{.CaseHead}}</h2>
{{if .D.Cases.Open}}<p>{{.T "digest.cases.count" .D.Cases.Open .D.Cases.Overdue}}</p>
<ul>{{range .D.Cases.Items}}<li>{{if $.BaseURL}}<a href="{{$.BaseURL}}/cases/{{.ID}}">#{{.ID}}</a>{{else}}#{{.ID}}{{end}} {{.Title}} — <b>{{$.T (print "sla." .SLAState)}}</b>, {{$.T "digest.due"}} {{$.Due .DueAt}}</li>
{{end}}</ul>{{else}}<p>{{.T "digest.cases.none"}}</p>{{end}}{{end}}
<h2>{{.T "digest.kpi"}}</h2>
<table cellpadding="4"><tbody>{{range .D.KPIs}}<tr><td>{{$.KPIScope .}}</td><td>{{if eq .Metric "nps"}}NPS{{else}}CSAT{{end}}</td><td><b>{{$.Score . .Value .N}}</b></td><td>{{$.T "digest.kpi.prev"}} {{$.Score . .Previous .PreviousN}}</td><td>{{$.Change .}}</td></tr>
{{end}}</tbody></table>
<h2>{{.Praise}}</h2>
{{if .D.Praise.Total}}<p>{{.T "digest.praise.count" .D.Praise.Total}}</p>
<ul>{{range .D.Praise.Items}}<li><b>{{.EmployeeName}}</b>{{with .NPS}} (NPS {{.}}){{end}}{{with .CSAT}} (CSAT {{.}}){{end}}{{if .Text}}: «{{$.Quote .Text}}»{{end}}</li>
{{end}}</ul>{{else}}<p>{{.T "digest.praise.none"}}</p>{{end}}
<hr><p style="color:#616e7c;font-size:12px">{{.T "digest.footer"}}</p>
</body></html>
`

var (
	digestTextTmpl = texttemplate.Must(texttemplate.New("digest.txt").Parse(digestText))
	digestHTMLTmpl = htmltemplate.Must(htmltemplate.New("digest.html").Parse(digestHTML))
)

// renderDigest returns the subject, the plain text and the HTML of a
// digest. Customer words and case titles are untrusted: html/template
// escapes them in the HTML; the text part is plain text.
func renderDigest(d Digest, baseURL string) (subject, text, html string, err error) {
	lang := d.User.Lang
	v := digestView{D: d, Lang: lang, BaseURL: strings.TrimSuffix(baseURL, "/")}
	if d.Frequency == "weekly" {
		subject = tr(lang, "digest.subject.week", d.Workspace, d.From, d.To)
	} else {
		subject = tr(lang, "digest.subject.daily", d.Workspace, d.From)
	}
	v.Title = subject
	switch d.Cases.Scope {
	case ScopeOwn:
		v.CaseHead = tr(lang, "digest.cases")
	case ScopeTeam:
		v.CaseHead = tr(lang, "digest.cases.team")
	case ScopeWorkspace:
		v.CaseHead = tr(lang, "digest.cases.ws")
	}
	v.Praise = tr(lang, "digest.praise")
	if d.Praise.Scope == ScopeWorkspace {
		v.Praise = tr(lang, "digest.praise.ws")
	}
	var tb, hb strings.Builder
	if err := digestTextTmpl.Execute(&tb, v); err != nil {
		return "", "", "", fmt.Errorf("digest text: %w", err)
	}
	if err := digestHTMLTmpl.Execute(&hb, v); err != nil {
		return "", "", "", fmt.Errorf("digest html: %w", err)
	}
	return subject, tb.String(), hb.String(), nil
}
