package surveyweb

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"vox/internal/survey"
)

func (h *Handler) widgetJS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Header().Set("Cross-Origin-Resource-Policy", "cross-origin")
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Vary", "Accept-Encoding")
		_, _ = w.Write(gzipped(h.widget))
		return
	}
	_, _ = w.Write(h.widget)
}

var (
	gzOnce sync.Once
	gzBody []byte
)

// gzipped compresses the (constant, embedded) widget script once.
func gzipped(b []byte) []byte {
	gzOnce.Do(func() {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(b)
		_ = zw.Close()
		gzBody = buf.Bytes()
	})
	return gzBody
}

// WidgetScriptGzipSize is the size of the widget script as served gzipped.
func (h *Handler) WidgetScriptGzipSize() int { return len(gzipped(h.widget)) }

// cors answers for allowed origins only; others get no CORS headers, so a
// browser on a foreign site cannot read the answer.
func cors(w http.ResponseWriter, origin string, allowed []string) {
	for _, o := range allowed {
		if o == strings.TrimRight(origin, "/") {
			w.Header().Set("Access-Control-Allow-Origin", o)
			w.Header().Set("Vary", "Origin")
			return
		}
	}
}

func (h *Handler) widgetConfig(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("Origin")
	sess, allowed, err := h.svc.WidgetSession(r.Context(), r.URL.Query().Get("k"), origin, origin != "")
	cors(w, origin, allowed)
	if err != nil {
		h.widgetError(w, err)
		return
	}
	lang := langOf(r, sess)
	ui := survey.Strings(lang)
	def := &sess.Survey.Definition
	step := survey.NextStep(def, survey.Answers{})
	lo, hi, ok := 0, 0, false
	if len(step) > 0 {
		lo, hi, ok = step[0].Range()
	}
	if !ok {
		http.Error(w, "this survey does not start with a score question", http.StatusUnprocessableEntity)
		return
	}
	comment := ""
	for _, q := range def.Questions {
		if q.Type == survey.TypeOpen {
			comment = q.Text.In(lang, def.DefaultLang())
			break
		}
	}
	w.Header().Set("Cache-Control", "public, max-age=300")
	writeJSON(w, http.StatusOK, map[string]any{"question": step[0].Text.In(lang, def.DefaultLang()), "lo": lo, "hi": hi,
		"comment": comment, "send": ui.Submit, "thanks": ui.ThankYou, "error": ui.TooMany})
}

func (h *Handler) widgetPreflight(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("Origin")
	_, allowed, _ := h.svc.WidgetSession(r.Context(), r.URL.Query().Get("k"), origin, false)
	cors(w, origin, allowed)
	w.Header().Set("Access-Control-Allow-Methods", "POST")
	w.WriteHeader(http.StatusNoContent)
}

// widgetSubmit takes a widget answer: form fields k (site key), n (nonce),
// score, text and the honeypot "website", which people never see and bots fill.
func (h *Handler) widgetSubmit(w http.ResponseWriter, r *http.Request) {
	if !h.limiter.allow(clientIP(r), time.Now()) {
		w.Header().Set("Retry-After", "60")
		http.Error(w, "too many requests", http.StatusTooManyRequests)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusRequestEntityTooLarge)
		return
	}
	origin := r.Header.Get("Origin")
	sess, allowed, err := h.svc.WidgetSession(r.Context(), r.PostForm.Get("k"), origin, true)
	cors(w, origin, allowed)
	if err != nil {
		h.widgetError(w, err)
		return
	}
	if r.PostForm.Get("website") != "" {
		w.WriteHeader(http.StatusNoContent) // a bot: pretend success, store nothing
		return
	}
	sess.Lang = langOf(r, sess)
	probs, err := h.svc.WidgetAnswer(r.Context(), sess, r.PostForm.Get("score"), r.PostForm.Get("text"), r.PostForm.Get("n"))
	switch {
	case errors.Is(err, survey.ErrAnswered):
		w.WriteHeader(http.StatusNoContent) // a double post: the first one counted
	case err != nil:
		h.widgetError(w, err)
	case probs != nil:
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"problems": probs})
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

func (h *Handler) widgetError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, survey.ErrOriginRefused):
		http.Error(w, "origin not allowed", http.StatusForbidden)
	case errors.Is(err, survey.ErrBadToken):
		http.Error(w, "unknown site key", http.StatusNotFound)
	case errors.Is(err, survey.ErrClosed):
		http.Error(w, "survey closed", http.StatusGone)
	default:
		h.log.Error("widget", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

// widgetPage is the no-JavaScript fallback: it sends the visitor to the
// survey's anonymous hosted page.
func (h *Handler) widgetPage(w http.ResponseWriter, r *http.Request) {
	sess, _, err := h.svc.WidgetSession(r.Context(), r.URL.Query().Get("k"), "", false)
	if err != nil {
		h.stateError(w, r, nil, err)
		return
	}
	http.Redirect(w, r, h.svc.SurveyLink(sess.WorkspaceID, sess.Survey.ID), http.StatusSeeOther)
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// limiter is a fixed-window counter per client address. It is per process:
// behind several replicas the limit is per replica, which is enough to stop
// a single abusive client.
type limiter struct {
	mu     sync.Mutex
	limit  int
	window time.Duration
	start  time.Time
	counts map[string]int
}

func newLimiter(limit int, window time.Duration) *limiter {
	return &limiter{limit: limit, window: window, counts: map[string]int{}}
}

func (l *limiter) allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.start) >= l.window {
		l.start, l.counts = now, map[string]int{}
	}
	l.counts[key]++
	return l.counts[key] <= l.limit
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = jsonEncode(w, v)
}

func jsonEncode(w http.ResponseWriter, v any) error { return json.NewEncoder(w).Encode(v) }
