package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"vox/internal/alert"
	"vox/internal/auth"
	"vox/internal/store"
)

// settingsRoutes lists the settings pages: the index, rules, webhooks,
// survey channels, topics, sentiment adaptation and currencies. Users, API keys and the audit log are
// another page family, only linked from the index.
func (s *Server) settingsRoutes() []route {
	p := []auth.Permission{auth.ManageSettings}
	return []route{
		{method: "GET", path: "/settings", perms: p, handle: s.settingsIndex},
		{method: "GET", path: "/settings/rules", perms: p, handle: s.rulesPage},
		{method: "POST", path: "/settings/rules", perms: p, handle: s.ruleCreate},
		{method: "GET", path: "/settings/rules/new", perms: p, handle: s.ruleNew},
		{method: "GET", path: "/settings/rules/{id}", perms: p, handle: s.ruleEdit},
		{method: "POST", path: "/settings/rules/{id}", perms: p, handle: s.ruleUpdate},
		{method: "POST", path: "/settings/rules/{id}/enabled", perms: p, handle: s.ruleSetEnabled},
		{method: "POST", path: "/settings/rules/{id}/delete", perms: p, handle: s.ruleDelete},
		{method: "POST", path: "/settings/rules/{id}/test", perms: p, handle: s.ruleTest},
		{method: "GET", path: "/settings/webhooks", perms: p, handle: s.webhooksPage},
		{method: "POST", path: "/settings/webhooks", perms: p, replayTo: "/settings/webhooks", handle: s.webhookCreate},
		{method: "GET", path: "/settings/webhooks/{id}", perms: p, handle: s.webhookPage},
		{method: "POST", path: "/settings/webhooks/{id}/rotate", perms: p, replayTo: "/settings/webhooks/{id}", handle: s.webhookRotate},
		{method: "POST", path: "/settings/webhooks/{id}/test", perms: p, handle: s.webhookTest},
		{method: "POST", path: "/settings/webhooks/{id}/enabled", perms: p, handle: s.webhookSetEnabled},
		{method: "POST", path: "/settings/webhooks/{id}/delete", perms: p, handle: s.webhookDelete},
		{method: "POST", path: "/settings/webhooks/{id}/deliveries/{job}/retry", perms: p, handle: s.webhookRetry},
		{method: "GET", path: "/settings/channels", perms: p, handle: s.channelsPage},
		{method: "POST", path: "/settings/channels", perms: p, handle: s.channelsSave},
		{method: "GET", path: "/settings/topics", perms: p, handle: s.topicsPage},
		{method: "GET", path: "/settings/adaptation", perms: p, handle: s.adaptationPage},
		{method: "GET", path: "/settings/currency", perms: p, handle: s.currencyPage},
		{method: "POST", path: "/settings/currency", perms: p, handle: s.currencySave},
	}
}

// settingsIndexData is the settings index: one card per section, with a
// figure where one is cheap to know.
type settingsIndexData struct {
	Rules, RulesEnabled    int
	Webhooks, WebhooksDown int
	HasAlerts, HasSurveys  bool
	Users, APIKeys, Audit  bool // links to the account pages the role may open
	Privacy                bool // link to the retention settings (GDPR)
}

func (s *Server) settingsIndex(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	d := settingsIndexData{HasAlerts: s.opt.Alerts != nil, HasSurveys: s.opt.Surveys != nil,
		Users: rc.Can(auth.ManageUsers), APIKeys: rc.Can(auth.ManageAPIKeys), Audit: rc.Can(auth.ViewAudit),
		Privacy: rc.Can(auth.ManagePrivacy)}
	rules, err := s.db.Rules(ctx, rc.Workspace.ID)
	if err != nil {
		return err
	}
	d.Rules = len(rules)
	for _, ru := range rules {
		if ru.Enabled {
			d.RulesEnabled++
		}
	}
	eps, err := s.db.Webhooks(ctx, rc.Workspace.ID)
	if err != nil {
		return err
	}
	d.Webhooks = len(eps)
	for _, ep := range eps {
		if ep.Disabled || ep.FailingSince != nil {
			d.WebhooksDown++
		}
	}
	s.render(w, r, rc, http.StatusOK, "settings", "settings", rc.L.T("settings.title"), d)
	return nil
}

// settingsUnavailableData names the service a settings page lacks.
type settingsUnavailableData struct {
	Section string // message key of the section's title
}

// unavailable answers 503 for a settings page whose service is not
// configured in this process (a UI served without the acting part).
func (s *Server) unavailable(w http.ResponseWriter, r *http.Request, rc *reqCtx, section string) error {
	s.render(w, r, rc, http.StatusServiceUnavailable, "settings_unavailable", "settings", rc.L.T("settings.unavailable.title"),
		settingsUnavailableData{Section: section})
	return nil
}

// flashKeys maps the ?done= value a redirect after a POST carries to the
// message it shows; anything else shows nothing.
var flashKeys = map[string]string{
	"created":   "settings.flash.created",
	"saved":     "settings.flash.saved",
	"deleted":   "settings.flash.deleted",
	"enabled":   "settings.flash.enabled",
	"disabled":  "settings.flash.disabled",
	"test_sent": "settings.flash.test_sent",
	"retried":   "settings.flash.retried",
}

func flashOf(r *http.Request) string { return flashKeys[r.URL.Query().Get("done")] }

// pathInt64 reads a positive id from the path; anything else is not found.
func pathInt64(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, store.ErrNotFound
	}
	return id, nil
}

// formError is a validation problem shown next to a form field: a message
// of the catalog and, when the service said more, its (English) detail.
type formError struct {
	Key    string
	Detail string
}

// fieldErrorKeys maps the last segment of a service's field path to the
// localized message shown for it.
var fieldErrorKeys = map[string]string{
	"name": "settings.err.name", "match": "settings.err.match", "conditions": "settings.err.conditions",
	"field": "settings.err.field", "op": "settings.err.op", "value": "settings.err.value", "actions": "settings.err.actions",
	"to": "settings.err.to", "chat_id": "settings.err.chat_id", "url": "settings.err.url", "sla_hours": "settings.err.sla_hours",
	"owner": "settings.err.owner", "team": "settings.err.team", "employee_id": "settings.err.employee_id",
	"tags": "settings.err.tags", "events": "settings.err.events", "throttle_days": "settings.err.throttle_days",
	"quiet_hours": "settings.err.quiet_hours", "telegram.keywords": "settings.err.keywords",
}

func newFormError(field, detail string) formError {
	last := field
	if i := strings.LastIndexByte(field, '.'); i >= 0 && fieldErrorKeys[field] == "" {
		last = field[i+1:]
	}
	key := fieldErrorKeys[last]
	if key == "" {
		key = "settings.err.invalid"
	}
	return formError{Key: key, Detail: detail}
}

// asFieldError unwraps a service validation error.
func asFieldError(err error) (*alert.FieldError, bool) {
	var fe *alert.FieldError
	ok := errors.As(err, &fe)
	return fe, ok
}
