package web

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"

	"vox/internal/auth"
	"vox/internal/store"
)

//go:embed templates
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// renderer holds one parsed template set per page: the shared layout and
// partials plus the page file, which runs {{template "layout" .}} and
// defines "content".
type renderer struct {
	pages map[string]*template.Template
}

// staticVersions maps an asset name to a content hash, appended to its URL so
// browsers can cache assets and still see a new release at once.
var staticVersions = func() map[string]string {
	out := map[string]string{}
	_ = fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		out[strings.TrimPrefix(p, "static/")] = hex.EncodeToString(sum[:4])
		return nil
	})
	return out
}()

var templateFuncs = template.FuncMap{
	"static": func(name string) string { return "/static/" + name + "?v=" + staticVersions[name] },
	// sentimentClass keeps class names to a known set whatever the data says.
	"sentimentClass": func(label string) string {
		switch label {
		case "positive", "neutral", "negative":
			return "chip-" + label
		}
		return "chip-unknown"
	},
	"customerURL": func(id any) string {
		switch v := id.(type) {
		case *int64:
			return fmt.Sprintf("/customers/%d", *v)
		default:
			return fmt.Sprintf("/customers/%d", v)
		}
	},
	"deref":   func(p *int) int { return *p },
	"deref64": func(p *int64) int64 { return *p },
	// csatScale is the item's CSAT scale, 5 when the source did not say.
	"csatScale": func(p *int) int {
		if p == nil {
			return 5
		}
		return *p
	},
	// dict builds a map so a partial can get several values.
	"dict": func(kv ...any) (map[string]any, error) {
		if len(kv)%2 != 0 {
			return nil, fmt.Errorf("dict: odd number of arguments")
		}
		m := make(map[string]any, len(kv)/2)
		for i := 0; i < len(kv); i += 2 {
			k, ok := kv[i].(string)
			if !ok {
				return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
			}
			m[k] = kv[i+1]
		}
		return m, nil
	},
}

func newRenderer() (*renderer, error) {
	base, err := template.New("base").Funcs(templateFuncs).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	files, err := fs.Glob(templateFS, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	r := &renderer{pages: map[string]*template.Template{}}
	for _, f := range files {
		t, err := template.Must(base.Clone()).ParseFS(templateFS, f)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", f, err)
		}
		r.pages[strings.TrimSuffix(path.Base(f), ".html")] = t
	}
	return r, nil
}

// view is what every page template receives; Data is the page's own.
type view struct {
	L          *Localizer
	Title      string
	Active     string
	Nav        []navItem
	User       *store.User
	Role       string
	Workspace  store.Workspace
	Workspaces []store.Workspace
	CSRF       string
	LangLinks  []langLink
	Replayed   bool // a single-use form was sent again and refused
	Data       any
}

// FormKey returns a fresh single-use key for a form whose route has
// replayTo; see claimOnceForm.
func (view) FormKey() string {
	buf := make([]byte, 18)
	if _, err := rand.Read(buf); err != nil {
		return "" // the form then works without replay protection
	}
	return base64.RawURLEncoding.EncodeToString(buf)
}

// navItem is one entry of the left navigation. Soon marks pages that are
// planned but not built: shown greyed, not linked, so nothing pretends.
type navItem struct {
	Key, Href string
	Active    bool
	Soon      bool
}

type langLink struct {
	Lang, URL string
	Current   bool
}

// navigation lists the UI's pages in order with the permission each needs.
// A page whose GET route is not registered yet shows as "soon".
var navigation = []struct {
	key, href string
	perms     []auth.Permission
}{
	{"overview", "/", []auth.Permission{auth.ViewOverview}},
	{"feedback", "/feedback", []auth.Permission{auth.ViewFeedback, auth.ViewOwnFeedback}},
	{"customers", "/customers", []auth.Permission{auth.ViewCustomers}},
	{"cases", "/cases", []auth.Permission{auth.WorkCases}},
	{"mentions", "/mentions", []auth.Permission{auth.ViewMentions}},
	{"journey", "/journey", []auth.Permission{auth.ViewJourney}},
	{"employees", "/employees", []auth.Permission{auth.ViewEmployees, auth.ViewOwnFeedback}},
	{"surveys", "/surveys", []auth.Permission{auth.ManageSurveys}},
	{"reports", "/reports", []auth.Permission{auth.ViewReports}},
	{"settings", "/settings", []auth.Permission{auth.ManageSettings}},
}

func (s *Server) navFor(rc *reqCtx, active string) []navItem {
	var out []navItem
	for _, n := range navigation {
		if canAny(rc, n.perms) {
			out = append(out, navItem{Key: n.key, Href: n.href, Active: n.key == active, Soon: !s.pagePaths[n.href]})
		}
	}
	return out
}

// langLinks returns the current URL in each language, keeping its query.
func langLinks(r *http.Request, current string) []langLink {
	out := make([]langLink, 0, len(languages))
	for _, l := range languages {
		q := r.URL.Query()
		q.Set("lang", l)
		u := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
		out = append(out, langLink{Lang: l, URL: u.String(), Current: l == current})
	}
	return out
}

// render writes page with status; the page is rendered to a buffer first so
// a template error becomes a clean 500, not half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, page, active, title string, data any) {
	v := view{L: rc.L, Title: title, Active: active, CSRF: rc.CSRF, LangLinks: langLinks(r, rc.L.Lang), Data: data,
		Replayed: r.Method == http.MethodGet && r.URL.Query().Get("replayed") == "1"}
	if rc.Session != nil {
		v.User, v.Role, v.Workspace, v.Workspaces = &rc.User, rc.Role, rc.Workspace, rc.Workspaces
		v.Nav = s.navFor(rc, active)
	}
	var buf bytes.Buffer
	t := s.pages.pages[page]
	if t == nil {
		s.log.Error("web: no such page template", "page", page)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if err := t.ExecuteTemplate(&buf, page+".html", v); err != nil {
		s.log.Error("web: render", "page", page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// errorData is the error page's content.
type errorData struct {
	Status int
}

func (s *Server) renderError(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int) {
	s.render(w, r, rc, status, "error", "", rc.L.T(fmt.Sprintf("error.%d.title", status)), errorData{Status: status})
}

// staticHandler serves the embedded assets; URLs carry a content hash, so
// they may be cached for long.
func staticHandler() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	files := http.FileServerFS(sub)
	return http.StripPrefix("/static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") || r.URL.Path == "" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=86400")
		files.ServeHTTP(w, r)
	}))
}
