package web

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"vox/internal/auth"
	"vox/internal/report"
	"vox/internal/store"
)

// reportRoutes lists the reports page and its download.
func (s *Server) reportRoutes() []route {
	return append([]route{
		{method: "GET", path: "/reports", perms: []auth.Permission{auth.ViewReports}, handle: s.reportsPage},
		{method: "GET", path: "/reports/download", perms: []auth.Permission{auth.ViewReports}, handle: s.reportDownload},
	}, s.weeklyRoutes()...)
}

// reportSections are the parts of a report, in the order the report shows
// them (report.Data.Tables).
var reportSections = []string{"kpis", "trend", "response_rates", "pain_points", "drivers", "journey", "business",
	"revenue_at_risk", "cases", "employees"}

// reportFormats are the download formats, the one for reading first.
var reportFormats = []string{"pdf", "xlsx", "csv"}

// reportPresets are the periods offered besides a custom one.
var reportPresets = []string{"7d", "30d", "90d", "quarter", "last_quarter"}

// reportPeriod is one preset period with a download link per format.
type reportPeriod struct {
	Key      string
	From, To string
	Days     int
	Links    map[string]string // format → download URL
}

// reportsData is the reports page's content.
type reportsData struct {
	Periods  []reportPeriod
	Period   string // chosen in the custom form
	From, To string // the custom form's dates
	Lang     string // the report's language
	Langs    []string
	LangURLs map[string]string // the page with another report language
	Formats  []string
	Sections []string
	Error    string // why the last download was refused, in words
	Weekly   weeklyData
	// Filter holds the custom form's channel, region and segment; the
	// lists are the values offered (those seen in the last 90 days).
	Filter                      url.Values
	Channels, Regions, Segments []string
}

// reportPeriodDays returns the local days [from, to] of a preset, counted
// back from today: the last 7/30/90 days, this quarter so far, or the last
// full calendar quarter.
func reportPeriodDays(key string, today store.Day) (from, to store.Day, ok bool) {
	quarterStart := func(d store.Day) store.Day {
		t := d.Date()
		return store.DayFromDate(t.Year(), (t.Month()-1)/3*3+1, 1)
	}
	switch key {
	case "7d":
		return today - 6, today, true
	case "30d":
		return today - 29, today, true
	case "90d":
		return today - 89, today, true
	case "quarter":
		return quarterStart(today), today, true
	case "last_quarter":
		end := quarterStart(today) - 1
		return quarterStart(end), end, true
	}
	return 0, 0, false
}

// reportLang is the language asked for: report_lang, else lang (which also
// switched the UI to it), else the UI's language.
func reportLang(q url.Values, rc *reqCtx) string {
	for _, p := range []string{"report_lang", "lang"} {
		if v := q.Get(p); v != "" {
			return v
		}
	}
	return rc.L.Lang
}

func (s *Server) reportsPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	q := r.URL.Query()
	lang := reportLang(q, rc)
	if !slices.Contains(report.Languages, lang) {
		lang = rc.L.Lang
	}
	return s.renderReportsWith(w, r, rc, http.StatusOK, lang, q, "", newWeeklyForm(lang))
}

// renderReports shows the page; a refused download comes back here with
// status 400, its message and the form as the user filled it.
func (s *Server) renderReports(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, lang string, q url.Values, msg string) error {
	return s.renderReportsWith(w, r, rc, status, lang, q, msg, newWeeklyForm(lang))
}

// renderReportsWith shows the page with weekly as the weekly email's add
// form (as posted, with its errors, after a refusal).
func (s *Server) renderReportsWith(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, lang string, q url.Values, msg string, weekly weeklyForm) error {
	today := s.insights().Today(workspaceLocation(rc.Workspace))
	data := reportsData{Lang: lang, Langs: report.Languages, Formats: reportFormats, Sections: reportSections,
		Period: q.Get("period"), From: q.Get("from"), To: q.Get("to"), Error: msg, LangURLs: map[string]string{}}
	switch {
	case slices.Contains(reportPresets, data.Period):
	case data.Period == "" && data.From == "" && data.To == "":
		data.Period = "30d"
	default:
		data.Period = "custom"
	}
	for _, key := range reportPresets {
		from, to, _ := reportPeriodDays(key, today)
		p := reportPeriod{Key: key, From: from.String(), To: to.String(), Days: int(to - from + 1), Links: map[string]string{}}
		for _, f := range reportFormats {
			v := url.Values{"format": {f}, "from": {p.From}, "to": {p.To}, "report_lang": {lang}}
			p.Links[f] = "/reports/download?" + v.Encode()
		}
		data.Periods = append(data.Periods, p)
	}
	if data.From == "" || data.To == "" {
		from, to, _ := reportPeriodDays("30d", today)
		data.From, data.To = from.String(), to.String()
	}
	for _, l := range report.Languages {
		data.LangURLs[l] = "/reports?" + url.Values{"report_lang": {l}}.Encode()
	}
	data.Filter, data.Channels = url.Values{}, store.Channels
	for _, dim := range report.FilterDims {
		if v := q.Get(dim); v != "" {
			data.Filter.Set(dim, v)
		}
	}
	var err error
	if data.Regions, err = s.dimValues(r.Context(), rc.Workspace.ID, "region", today-89, today, q.Get("region")); err != nil {
		return err
	}
	if data.Segments, err = s.dimValues(r.Context(), rc.Workspace.ID, "segment", today-89, today, q.Get("segment")); err != nil {
		return err
	}
	if data.Weekly, err = s.weekly(r, rc, weekly); err != nil {
		return err
	}
	s.render(w, r, rc, status, "reports", "reports", rc.L.T("reports.title"), data)
	return nil
}

// reportRequest reads a download's parameters; a refusal carries the
// catalog key of its message.
func (s *Server) reportRequest(q url.Values, rc *reqCtx) (report.Request, string) {
	req := report.Request{WorkspaceID: rc.Workspace.ID, Format: q.Get("format"), Lang: reportLang(q, rc), Filters: map[string][]string{}}
	for _, dim := range report.FilterDims {
		for _, v := range q[dim] {
			if v = strings.TrimSpace(v); v != "" {
				req.Filters[dim] = append(req.Filters[dim], v)
			}
		}
	}
	if !slices.Contains(report.Formats, req.Format) {
		return req, "reports.error.format"
	}
	if !slices.Contains(report.Languages, req.Lang) {
		return req, "reports.error.lang"
	}
	today := s.insights().Today(workspaceLocation(rc.Workspace))
	if p := q.Get("period"); p != "" && p != "custom" {
		from, to, ok := reportPeriodDays(p, today)
		if !ok {
			return req, "reports.error.period"
		}
		req.From, req.To = from, to
		return req, ""
	}
	req.From, req.To, _ = reportPeriodDays("30d", today)
	var err error
	if v := q.Get("to"); v != "" {
		if req.To, err = store.ParseDay(v); err != nil {
			return req, "reports.error.to"
		}
		if q.Get("from") == "" {
			req.From = req.To - 29
		}
	}
	if v := q.Get("from"); v != "" {
		if req.From, err = store.ParseDay(v); err != nil {
			return req, "reports.error.from"
		}
	}
	var ie *report.InvalidError
	if err := req.Validate(); errors.As(err, &ie) {
		switch ie.Field {
		case "to":
			return req, "reports.error.order"
		case "from":
			return req, "reports.error.range"
		}
		return req, "reports.error.params"
	}
	return req, ""
}

// reportDownload streams the report as an attachment. It is rendered in
// memory first (report.Build), so a failure is a clean error page rather
// than a truncated file with status 200.
func (s *Server) reportDownload(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	q := r.URL.Query()
	req, bad := s.reportRequest(q, rc)
	if bad != "" {
		lang := req.Lang
		if !slices.Contains(report.Languages, lang) {
			lang = rc.L.Lang
		}
		return s.renderReports(w, r, rc, http.StatusBadRequest, lang, q, rc.L.T(bad))
	}
	var buf bytes.Buffer
	meta, err := report.Build(r.Context(), s.db, req, &buf)
	if err != nil {
		var ie *report.InvalidError
		if errors.As(err, &ie) {
			return s.renderReports(w, r, rc, http.StatusBadRequest, req.Lang, q, rc.L.T("reports.error.params"))
		}
		return fmt.Errorf("report %s %s..%s: %w", req.Format, req.From, req.To, err)
	}
	h := w.Header()
	h.Set("Content-Type", meta.ContentType)
	h.Set("Content-Disposition", `attachment; filename="`+meta.Filename+`"`)
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("Cache-Control", "no-store")
	_, _ = buf.WriteTo(w)
	return nil
}
