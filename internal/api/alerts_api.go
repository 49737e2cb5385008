package api

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"vox/internal/alert"
	"vox/internal/store"
)

// SetAlerts gives the API the acting service (rules, cases, webhooks).
// Without it the endpoints still work on the database, but nothing wakes
// the job worker early and webhooks reach public addresses only.
func (a *API) SetAlerts(s *alert.Service) { a.alerts = s }

func (a *API) alertSvc() *alert.Service {
	if a.alerts != nil {
		return a.alerts
	}
	return alert.New(a.db, alert.Options{Log: a.log})
}

func (a *API) alertRoutes() []route {
	return []route{
		{method: "POST", path: "/api/v1/rules", handle: a.postRule},
		{method: "GET", path: "/api/v1/rules", handle: a.listRules},
		{method: "GET", path: "/api/v1/rules/{id}", handle: a.getRule},
		{method: "PUT", path: "/api/v1/rules/{id}", handle: a.putRule},
		{method: "DELETE", path: "/api/v1/rules/{id}", handle: a.deleteRule},
		{method: "POST", path: "/api/v1/rules/{id}/test", handle: a.testRule},
		{method: "GET", path: "/api/v1/alerts", handle: a.listAlerts},
		{method: "GET", path: "/api/v1/cases", handle: a.listCases},
		{method: "GET", path: "/api/v1/cases/{id}", handle: a.getCase},
		{method: "PATCH", path: "/api/v1/cases/{id}", handle: a.patchCase},
		{method: "POST", path: "/api/v1/cases/{id}/notes", handle: a.postCaseNote},
		{method: "POST", path: "/api/v1/cases/{id}/reply", handle: a.postCaseReply},
		{method: "POST", path: "/api/v1/webhooks", handle: a.postWebhook},
		{method: "GET", path: "/api/v1/webhooks", handle: a.listWebhooks},
		{method: "GET", path: "/api/v1/webhooks/{id}", handle: a.getWebhook},
		{method: "PATCH", path: "/api/v1/webhooks/{id}", handle: a.patchWebhook},
		{method: "DELETE", path: "/api/v1/webhooks/{id}", handle: a.deleteWebhook},
		{method: "POST", path: "/api/v1/webhooks/{id}/rotate", handle: a.rotateWebhook},
		{method: "POST", path: "/api/v1/webhooks/{id}/test", handle: a.testWebhook},
		{method: "GET", path: "/api/v1/dead-letters", handle: a.listDeadLetters},
		{method: "POST", path: "/api/v1/dead-letters/{id}/retry", handle: a.retryDeadLetter},
	}
}

// alertError maps the acting service's refusals to API errors.
func alertError(err error) error {
	var fe *alert.FieldError
	switch {
	case errors.As(err, &fe):
		return &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid", Field: fe.Field, Message: fe.Field + " " + fe.Message}
	case errors.Is(err, alert.ErrNoReplyChannel):
		return &apiError{Status: http.StatusUnprocessableEntity, Code: "no_reply_channel",
			Message: "the customer has no email or Telegram identity reachable through a configured channel"}
	}
	return err
}

// ruleView is a rule as the API shows it.
type ruleView struct {
	store.Rule
	Conditions any `json:"conditions"`
	Actions    any `json:"actions"`
}

func viewRule(r store.Rule) ruleView {
	return ruleView{Rule: r, Conditions: r.Conditions, Actions: r.Actions}
}

func (a *API) decodeRule(r *http.Request) (alert.RuleSpec, error) {
	var spec alert.RuleSpec
	body, err := readBody(r)
	if err != nil {
		return spec, err
	}
	return spec, decodeStrict(body, &spec, "")
}

func (a *API) postRule(w http.ResponseWriter, r *http.Request, ws int64) error {
	spec, err := a.decodeRule(r)
	if err != nil {
		return err
	}
	rule, err := a.alertSvc().CreateRule(r.Context(), ws, spec)
	if err != nil {
		return alertError(err)
	}
	writeJSON(w, http.StatusCreated, viewRule(rule))
	return nil
}

func (a *API) putRule(w http.ResponseWriter, r *http.Request, ws int64) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	spec, err := a.decodeRule(r)
	if err != nil {
		return err
	}
	rule, err := a.alertSvc().UpdateRule(r.Context(), ws, id, spec)
	if err != nil {
		return alertError(err)
	}
	writeJSON(w, http.StatusOK, viewRule(rule))
	return nil
}

func (a *API) listRules(w http.ResponseWriter, r *http.Request, ws int64) error {
	rules, err := a.db.Rules(r.Context(), ws)
	if err != nil {
		return err
	}
	out := make([]ruleView, 0, len(rules))
	for _, rl := range rules {
		out = append(out, viewRule(rl))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out})
	return nil
}

func (a *API) getRule(w http.ResponseWriter, r *http.Request, ws int64) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	rule, err := a.db.Rule(r.Context(), ws, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewRule(rule))
	return nil
}

func (a *API) deleteRule(w http.ResponseWriter, r *http.Request, ws int64) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := a.db.DeleteRule(r.Context(), ws, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// testRule answers POST /rules/{id}/test?from&to (default: the last 7 days).
func (a *API) testRule(w http.ResponseWriter, r *http.Request, ws int64) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	from, err := parseTime(q, "from")
	if err != nil {
		return err
	}
	to, err := parseTime(q, "to")
	if err != nil {
		return err
	}
	if to.IsZero() {
		to = time.Now()
	}
	if from.IsZero() {
		from = to.Add(-7 * 24 * time.Hour)
	}
	if !from.Before(to) {
		return errBadRequest("invalid", "to", "must be after from")
	}
	res, err := a.alertSvc().TestRule(r.Context(), ws, id, from, to)
	if err != nil {
		return alertError(err)
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func queryInt(r *http.Request, name string, lo, hi int64) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, errBadRequest("invalid", name, "must be an integer in "+strconv.FormatInt(lo, 10)+".."+strconv.FormatInt(hi, 10))
	}
	return n, nil
}

func (a *API) listAlerts(w http.ResponseWriter, r *http.Request, ws int64) error {
	before, err := queryInt(r, "before_id", 1, 1<<62)
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "limit", 1, 500)
	if err != nil {
		return err
	}
	items, err := a.db.Alerts(r.Context(), ws, r.URL.Query().Get("kind"), before, int(limit))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}

func (a *API) listDeadLetters(w http.ResponseWriter, r *http.Request, ws int64) error {
	limit, err := queryInt(r, "limit", 1, 500)
	if err != nil {
		return err
	}
	if limit == 0 {
		limit = 100
	}
	items, err := a.db.Jobs(r.Context(), ws, store.JobDead, r.URL.Query().Get("kind"), int(limit))
	if err != nil {
		return err
	}
	if items == nil {
		items = []store.Job{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}

func (a *API) retryDeadLetter(w http.ResponseWriter, r *http.Request, ws int64) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := a.db.RequeueDeadJob(r.Context(), ws, id); err != nil {
		return err
	}
	if a.alerts != nil {
		a.alerts.Wake()
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"id": id, "status": store.JobPending})
	return nil
}
