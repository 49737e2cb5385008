// Package surveyweb serves what respondents see: the hosted survey page
// (server-rendered, no JavaScript needed, small enough for a poor mobile
// connection), opt-out and delivery-receipt links, and the embeddable widget
// with its public endpoints. Mount Handler at /s/ and /widget/.
package surveyweb

import (
	"bytes"
	"crypto/rand"
	"embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"vox/internal/survey"
)

//go:embed assets
var assets embed.FS

// MaxFormBytes caps a submitted page: 50 answers of 5,000 characters fit.
const MaxFormBytes = 1 << 20

// Handler serves the public survey endpoints.
type Handler struct {
	svc     *survey.Service
	log     *slog.Logger
	tmpl    *template.Template
	css     template.CSS
	widget  []byte
	limiter *limiter
	mux     *http.ServeMux
	// Extra routes mounted under /s/ (e.g. the Telegram webhook).
	extra map[string]http.Handler
}

// New returns the handler. widgetPerMinute limits widget posts per client
// address (0: 20).
func New(svc *survey.Service, log *slog.Logger, widgetPerMinute int) (*Handler, error) {
	if log == nil {
		log = slog.Default()
	}
	tmpl, err := template.ParseFS(assets, "assets/page.html")
	if err != nil {
		return nil, err
	}
	css, err := assets.ReadFile("assets/page.css")
	if err != nil {
		return nil, err
	}
	js, err := assets.ReadFile("assets/widget.js")
	if err != nil {
		return nil, err
	}
	if widgetPerMinute <= 0 {
		widgetPerMinute = 20
	}
	h := &Handler{svc: svc, log: log, tmpl: tmpl, css: template.CSS(css), widget: js,
		limiter: newLimiter(widgetPerMinute, time.Minute)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /s/{token}", h.page)
	mux.HandleFunc("POST /s/{token}", h.submit)
	mux.HandleFunc("GET /s/{token}/optout", h.optOut)
	mux.HandleFunc("POST /s/{token}/optout", h.optOut)
	mux.HandleFunc("POST /s/{token}/receipt", h.receipt)
	mux.HandleFunc("GET /widget/v1.js", h.widgetJS)
	mux.HandleFunc("GET /widget/v1/config", h.widgetConfig)
	mux.HandleFunc("OPTIONS /widget/v1/submit", h.widgetPreflight)
	mux.HandleFunc("POST /widget/v1/submit", h.widgetSubmit)
	mux.HandleFunc("GET /widget/v1/page", h.widgetPage)
	h.mux = mux
	return h, nil
}

// Mount adds a handler under the /s/ prefix, e.g. the Telegram webhook at
// "POST /s/telegram/{ws}".
func (h *Handler) Mount(pattern string, handler http.Handler) { h.mux.Handle(pattern, handler) }

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "no-referrer") // the token must not leak to linked sites
	h.mux.ServeHTTP(w, r)
}

type scaleView struct {
	V  int
	On bool
}

type optionView struct {
	ID, Text string
	On       bool
}

type questionView struct {
	ID, Text, Error, Low, High, Value string
	Required, Multi                   bool
	Scale                             []scaleView
	Options                           []optionView
}

type pageView struct {
	UI                     survey.UI
	CSS                    template.CSS
	Title, Heading, Detail string
	Nonce, Button          string
	OptOut                 string
	Questions              []questionView
	Done                   bool
}

func (h *Handler) render(w http.ResponseWriter, status int, name string, v any) {
	var buf bytes.Buffer
	if err := h.tmpl.ExecuteTemplate(&buf, name, v); err != nil {
		h.log.Error("render survey page", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	writeHTML(w, status, buf.Bytes())
}

// pageBufs recycles the buffers pages are written into.
var pageBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// renderPage writes the survey page (see writePage).
func (h *Handler) renderPage(w http.ResponseWriter, status int, v *pageView) {
	buf := pageBufs.Get().(*bytes.Buffer)
	buf.Reset()
	writePage(buf, v)
	writeHTML(w, status, buf.Bytes())
	if buf.Cap() <= 64<<10 {
		pageBufs.Put(buf)
	}
}

// pageHeaders are the headers of every respondent page: never cached (it
// carries a one-time token), no script, no framing.
var pageHeaders = map[string]string{
	"Content-Type":            "text/html; charset=utf-8",
	"Cache-Control":           "no-store",
	"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
}

func writeHTML(w http.ResponseWriter, status int, body []byte) {
	hd := w.Header()
	for k, v := range pageHeaders {
		hd[k] = []string{v}
	}
	hd["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// message renders a page with a heading and no form.
func (h *Handler) message(w http.ResponseWriter, status int, ui survey.UI, heading, detail, optOut string) {
	h.renderPage(w, status, &pageView{UI: ui, CSS: h.css, Title: heading, Heading: heading, Detail: detail, OptOut: optOut})
}

// stateError shows the page for a link that cannot be answered.
func (h *Handler) stateError(w http.ResponseWriter, r *http.Request, sess *survey.Session, err error) {
	ui := survey.Strings(langOf(r, sess))
	switch {
	case errors.Is(err, survey.ErrBadToken):
		h.message(w, http.StatusNotFound, ui, ui.Invalid, ui.InvalidDetail, "")
	case errors.Is(err, survey.ErrAnswered):
		h.message(w, http.StatusConflict, ui, ui.Already, ui.AlreadyDetail, "")
	case errors.Is(err, survey.ErrExpired):
		h.message(w, http.StatusGone, ui, ui.Expired, ui.ExpiredDetail, "")
	case errors.Is(err, survey.ErrClosed):
		h.message(w, http.StatusGone, ui, ui.Closed, "", "")
	default:
		h.log.Error("survey page", "path", r.URL.Path, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

func langOf(r *http.Request, sess *survey.Session) string {
	if sess == nil {
		def := survey.Definition{Languages: survey.Languages}
		return survey.PickLang(&def, r.Header.Get("Accept-Language"), r.URL.Query().Get("lang"))
	}
	if sess.Lang != "" {
		return sess.Lang
	}
	var pref string
	if sess.Invitation != nil {
		pref = sess.Invitation.Lang
	}
	sess.Lang = survey.PickLang(&sess.Survey.Definition, r.Header.Get("Accept-Language"), r.URL.Query().Get("lang"), pref)
	return sess.Lang
}

func (h *Handler) open(w http.ResponseWriter, r *http.Request) (*survey.Session, bool) {
	sess, err := h.svc.Open(r.Context(), r.PathValue("token"))
	if err != nil {
		h.stateError(w, r, sess, err)
		return nil, false
	}
	langOf(r, sess)
	return sess, true
}

func (h *Handler) page(w http.ResponseWriter, r *http.Request) {
	sess, ok := h.open(w, r)
	if !ok {
		return
	}
	nonce := r.URL.Query().Get("n")
	if sess.Invitation == nil {
		if !validNonce(nonce) {
			nonce = newNonce()
		}
		sess.DraftKey = "anon:" + nonce
	}
	if err := h.svc.LoadDraft(r.Context(), sess); err != nil {
		h.stateError(w, r, sess, err)
		return
	}
	h.svc.MarkOpened(r.Context(), sess)
	h.showStep(w, http.StatusOK, sess, r.URL.Query(), nil, nonce)
}

func (h *Handler) submit(w http.ResponseWriter, r *http.Request) {
	sess, ok := h.open(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxFormBytes)
	if err := r.ParseForm(); err != nil {
		ui := survey.Strings(sess.Lang)
		h.message(w, http.StatusRequestEntityTooLarge, ui, ui.TooLong, "", "")
		return
	}
	nonce := r.PostForm.Get("n")
	if sess.Invitation == nil {
		if !validNonce(nonce) {
			nonce = newNonce()
		}
		sess.DraftKey = "anon:" + nonce
	}
	if err := h.svc.LoadDraft(r.Context(), sess); err != nil {
		h.stateError(w, r, sess, err)
		return
	}
	values := map[string][]string{}
	for k, vs := range r.PostForm {
		if id, ok := strings.CutPrefix(k, "a_"); ok {
			values[id] = vs
		}
	}
	res, err := h.svc.Submit(r.Context(), sess, values, nonce)
	if err != nil {
		h.stateError(w, r, sess, err)
		return
	}
	if res.Problems != nil {
		h.showStep(w, http.StatusUnprocessableEntity, sess, r.PostForm, res.Problems, nonce)
		return
	}
	if !res.Done {
		next := r.URL.Path
		if sess.Invitation == nil {
			next += "?n=" + url.QueryEscape(nonce)
		}
		http.Redirect(w, r, next, http.StatusSeeOther) // post/redirect/get: a reload does not resubmit
		return
	}
	ui := survey.Strings(sess.Lang)
	thanks := sess.Survey.ThankYou.In(sess.Lang, sess.Survey.DefaultLang())
	if thanks == "" {
		thanks = ui.ThankYou
	}
	h.message(w, http.StatusOK, ui, thanks, "", "")
}

// showStep renders the questions of the session's next step. prefill holds
// submitted values (shown again with problems) or the one-click score of an
// email link.
func (h *Handler) showStep(w http.ResponseWriter, status int, sess *survey.Session, prefill url.Values, problems []survey.Problem, nonce string) {
	ui := survey.Strings(sess.Lang)
	def := &sess.Survey.Definition
	lang, fb := sess.Lang, def.DefaultLang()
	step := survey.NextStep(def, sess.Answers)
	errs := map[string]string{}
	for _, p := range problems {
		errs[p.Question] = map[string]string{"required": ui.Required, "out_of_range": ui.OutOfRange,
			"invalid_choice": ui.InvalidChoice, "too_long": ui.TooLong}[p.Code]
		if errs[p.Question] == "" {
			errs[p.Question] = ui.OutOfRange
		}
	}
	v := pageView{UI: ui, CSS: h.css, Title: def.Title.In(lang, fb), Heading: def.Title.In(lang, fb), Detail: def.Intro.In(lang, fb),
		Button: ui.Submit}
	if v.Title == "" {
		v.Title = ui.TakeSurvey
	}
	if sess.Invitation == nil {
		v.Nonce = nonce
	} else if sess.Invitation.CustomerID != nil {
		v.OptOut = "/s/" + sess.Token + "/optout"
	}
	if len(sess.Answers) > 0 { // not the first page: keep the heading short
		v.Detail = ""
	}
	for _, q := range step {
		qv := questionView{ID: q.ID, Text: q.Text.In(lang, fb), Required: q.Required, Error: errs[q.ID], Multi: q.Type == survey.TypeMulti}
		given := prefill["a_"+q.ID]
		if lo, hi, ok := q.Range(); ok {
			for n := lo; n <= hi; n++ {
				qv.Scale = append(qv.Scale, scaleView{V: n, On: len(given) > 0 && given[0] == strconv.Itoa(n)})
			}
			qv.Low, qv.High = q.LowLabel.In(lang, fb), q.HighLbl.In(lang, fb)
			if q.Type == survey.TypeNPS && qv.Low == "" {
				qv.Low, qv.High = ui.NotLikely, ui.VeryLikely
			}
		} else if len(q.Options) > 0 {
			for _, o := range q.Options {
				on := false
				for _, g := range given {
					on = on || g == o.ID
				}
				qv.Options = append(qv.Options, optionView{ID: o.ID, Text: o.Text.In(lang, fb), On: on})
			}
		} else if len(given) > 0 {
			qv.Value = given[0]
		}
		v.Questions = append(v.Questions, qv)
	}
	// A later question may still follow: say "Next" unless this is surely the end.
	probe := survey.Answers{}
	for k, a := range sess.Answers {
		probe[k] = a
	}
	onPage := map[string]bool{}
	for _, q := range step {
		probe[q.ID] = survey.Answer{Skipped: true}
		onPage[q.ID] = true
	}
	for i := range def.Questions {
		q := &def.Questions[i]
		if _, done := probe[q.ID]; done {
			continue
		}
		if (q.ShowIf != nil && onPage[q.ShowIf.Question]) || survey.Visible(q, probe) {
			v.Button = ui.Next
			break
		}
	}
	h.renderPage(w, status, &v)
}

func (h *Handler) optOut(w http.ResponseWriter, r *http.Request) {
	tok := r.PathValue("token")
	sess, err := h.svc.Open(r.Context(), tok)
	if sess == nil {
		h.stateError(w, r, nil, err)
		return
	}
	ui := survey.Strings(langOf(r, sess))
	if r.Method == http.MethodGet {
		h.render(w, http.StatusOK, "optout", map[string]any{"UI": ui, "CSS": h.css})
		return
	}
	// RFC 8058 one-click (List-Unsubscribe-Post) and the form both land here.
	if err := h.svc.OptOut(r.Context(), tok); err != nil {
		h.stateError(w, r, sess, err)
		return
	}
	h.render(w, http.StatusOK, "optout", map[string]any{"UI": ui, "CSS": h.css, "Done": true})
}

// receipt takes a provider's delivery receipt: {"status":"delivered"} or
// {"status":"failed","error":"…"}, JSON or form-encoded. The signed token in
// the URL is what authenticates it.
func (h *Handler) receipt(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	var body struct{ Status, Error string }
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			http.Error(w, "bad receipt", http.StatusBadRequest)
			return
		}
	} else {
		_ = r.ParseForm()
		body.Status, body.Error = r.PostForm.Get("status"), r.PostForm.Get("error")
	}
	var delivered bool
	switch body.Status {
	case "delivered":
		delivered = true
	case "failed", "undelivered", "rejected":
	default:
		w.WriteHeader(http.StatusNoContent) // queued, sent…: nothing to record
		return
	}
	err := h.svc.Receipt(r.Context(), r.PathValue("token"), delivered, body.Error)
	switch {
	case errors.Is(err, survey.ErrBadToken):
		http.Error(w, "unknown invitation", http.StatusNotFound)
	case err != nil && !errors.Is(err, survey.ErrAnswered) && !errors.Is(err, survey.ErrExpired) && !errors.Is(err, survey.ErrClosed):
		h.log.Error("delivery receipt", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

func validNonce(n string) bool {
	if len(n) < 16 || len(n) > 40 {
		return false
	}
	for _, c := range n {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func newNonce() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
