package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"net/http"
	"path"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Languages the UI speaks, first is the fallback. Catalogs live in
// i18n/<lang>.json, plus one i18n/<feature>.<lang>.json per page family so
// that pages can grow their messages without touching each other's files;
// all are flat key → text maps merged per language, and a key defined twice
// is an error. Texts may hold fmt verbs, formatted with the locale's
// number conventions.
var languages = []string{"en", "ru", "zh"}

//go:embed i18n/*.json
var catalogFS embed.FS

// catalogs holds every language's messages.
type catalogs map[string]map[string]string

func loadCatalogs() (catalogs, error) {
	out := catalogs{}
	for _, lang := range languages {
		out[lang] = map[string]string{}
	}
	files, err := fs.Glob(catalogFS, "i18n/*.json")
	if err != nil {
		return nil, err
	}
	for _, file := range files {
		name := strings.TrimSuffix(path.Base(file), ".json")
		lang := name[strings.LastIndexByte(name, '.')+1:]
		if out[lang] == nil {
			return nil, fmt.Errorf("catalog %s: unknown language %q", file, lang)
		}
		raw, err := catalogFS.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("catalog %s: %w", file, err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, fmt.Errorf("catalog %s: %w", file, err)
		}
		for k, v := range m {
			if _, dup := out[lang][k]; dup {
				return nil, fmt.Errorf("catalog %s: key %q is defined twice", file, k)
			}
			out[lang][k] = v
		}
	}
	return out, nil
}

var langMatcher = language.NewMatcher([]language.Tag{language.English, language.Russian, language.Chinese})

// supportedLang returns lang when the UI speaks it, else "".
func supportedLang(lang string) string {
	for _, l := range languages {
		if l == lang {
			return l
		}
	}
	return ""
}

// langFromAcceptLanguage picks the best UI language for the browser's header.
func langFromAcceptLanguage(header string) string {
	tags, _, err := language.ParseAcceptLanguage(header)
	if err != nil || len(tags) == 0 {
		return languages[0]
	}
	_, idx, conf := langMatcher.Match(tags...)
	if conf == language.No {
		return languages[0]
	}
	return languages[idx]
}

// Localizer renders one language's messages, numbers and dates. Templates
// reach it as .L: {{.L.T "nav.feedback"}}, {{.L.Num .Count}}, {{.L.Date .At}}.
type Localizer struct {
	Lang    string
	msgs    map[string]string
	printer *message.Printer
	loc     *time.Location
}

func (c catalogs) localizer(lang string, loc *time.Location) *Localizer {
	if supportedLang(lang) == "" {
		lang = languages[0]
	}
	if loc == nil {
		loc = time.UTC
	}
	return &Localizer{Lang: lang, msgs: c[lang], printer: message.NewPrinter(language.MustParse(lang)), loc: loc}
}

// T returns the message for key, formatted with args. A missing key shows
// as the key itself (the catalog test keeps that from shipping).
func (l *Localizer) T(key string, args ...any) string {
	msg, ok := l.msgs[key]
	if !ok {
		return key
	}
	if len(args) == 0 {
		return msg
	}
	return l.printer.Sprintf(msg, args...)
}

// Label translates a value of a closed vocabulary (channel, kind, sentiment,
// stage…) under prefix, falling back to the raw value for values the
// catalog does not know (e.g. a channel added by an integration).
func (l *Localizer) Label(prefix, value string) string {
	if value == "" {
		return ""
	}
	if msg, ok := l.msgs[prefix+"."+value]; ok {
		return msg
	}
	return value
}

// Num formats an integer with the locale's digit grouping.
func (l *Localizer) Num(n int) string { return l.printer.Sprintf("%d", n) }

// Int formats a number rounded to an integer (chart labels).
func (l *Localizer) Int(v float64) string { return l.printer.Sprintf("%.0f", v) }

// Dec formats a number with one decimal.
func (l *Localizer) Dec(v float64) string { return l.printer.Sprintf("%.1f", v) }

// Money formats an amount with two decimals and its currency code.
func (l *Localizer) Money(v float64, currency string) string {
	return strings.TrimSpace(l.printer.Sprintf("%.2f", v) + " " + currency)
}

// Date formats a day in the workspace's time zone and the locale's layout.
func (l *Localizer) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(l.loc).Format(l.T("format.date"))
}

// DateTime formats a moment in the workspace's time zone and the locale's layout.
func (l *Localizer) DateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(l.loc).Format(l.T("format.datetime"))
}

// DayMonth formats a calendar date (a chart label) as is, without moving
// it to another time zone.
func (l *Localizer) DayMonth(t time.Time) string { return t.Format(l.T("format.day_month")) }

// Signed formats a change with one decimal and its sign (− for negatives).
func (l *Localizer) Signed(v float64) string {
	switch s := l.printer.Sprintf("%.1f", math.Abs(v)); {
	case s == l.printer.Sprintf("%.1f", 0.0):
		return "±" + s
	case v < 0:
		return "−" + s
	default:
		return "+" + s
	}
}

// Pct formats a share 0..1 as a percentage without decimals.
func (l *Localizer) Pct(v float64) string { return l.printer.Sprintf("%.0f %%", 100*v) }

// ISO renders a time as RFC 3339 for <time datetime>.
func (l *Localizer) ISO(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// langCookie remembers an anonymous visitor's language choice for a year.
const langCookie = "vox_lang"

func setLangCookie(w http.ResponseWriter, lang string, secure bool) {
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode})
}
