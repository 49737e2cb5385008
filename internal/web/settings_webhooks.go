package web

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"vox/internal/alert"
	"vox/internal/store"
)

// deliveriesShown is how many recent deliveries an endpoint's page lists.
const deliveriesShown = 50

// eventOption is one event checkbox of the endpoint form.
type eventOption struct {
	Name    string
	Checked bool
}

// webhookForm is the new-endpoint form as posted.
type webhookForm struct {
	URL    string
	Events []eventOption
	All    bool // "*": every event, including types added later
	Errors map[string]formError
}

// webhooksData is the endpoints list with the form that adds one.
type webhooksData struct {
	Endpoints []store.WebhookEndpoint
	Form      webhookForm
	Flash     string
}

// webhookData is one endpoint: health, secret rotation, test event and its
// recent deliveries with the dead letters to retry.
type webhookData struct {
	EP         store.WebhookEndpoint
	Deliveries []alert.Delivery
	// NewSecret is shown once, in the answer to the creation or rotation
	// that made it; no page shows a stored secret.
	NewSecret string
	Created   bool
	// PrevUntil is when the rotated-out secret stops signing (zero when it
	// no longer does).
	PrevUntil time.Time
	Flash     string
}

func newWebhookForm(url string, events []string) webhookForm {
	f := webhookForm{URL: url, All: slices.Contains(events, "*")}
	for _, e := range alert.EventTypes {
		f.Events = append(f.Events, eventOption{Name: e, Checked: slices.Contains(events, e)})
	}
	return f
}

func (s *Server) webhooksPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if s.opt.Alerts == nil {
		return s.unavailable(w, r, rc, "settings.webhooks.title")
	}
	return s.renderWebhooks(w, r, rc, http.StatusOK, newWebhookForm("", nil))
}

func (s *Server) renderWebhooks(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, f webhookForm) error {
	eps, err := s.db.Webhooks(r.Context(), rc.Workspace.ID)
	if err != nil {
		return err
	}
	s.render(w, r, rc, status, "settings_webhooks", "settings", rc.L.T("settings.webhooks.title"),
		webhooksData{Endpoints: eps, Form: f, Flash: flashOf(r)})
	return nil
}

// webhookCreate stores an endpoint and answers with its page showing the
// signing secret, the only time it is ever shown. A refused URL (private,
// loopback, not http) or no event re-renders the form with the reason.
func (s *Server) webhookCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if s.opt.Alerts == nil {
		return s.unavailable(w, r, rc, "settings.webhooks.title")
	}
	if err := r.ParseForm(); err != nil {
		return errBadRequest
	}
	u := strings.TrimSpace(r.PostForm.Get("url"))
	events := r.PostForm["events"]
	if slices.Contains(events, "*") {
		events = []string{"*"}
	}
	ep, secret, err := s.opt.Alerts.CreateWebhook(r.Context(), rc.Workspace.ID, u, events)
	if fe, ok := asFieldError(err); ok {
		f := newWebhookForm(u, events)
		f.Errors = map[string]formError{fe.Field: newFormError(fe.Field, fe.Message)}
		return s.renderWebhooks(w, r, rc, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	return s.renderWebhook(w, r, rc, http.StatusCreated, ep, secret, true)
}

func (s *Server) webhookPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if s.opt.Alerts == nil {
		return s.unavailable(w, r, rc, "settings.webhooks.title")
	}
	ep, err := s.webhookOrNotFound(r, rc)
	if err != nil {
		return err
	}
	return s.renderWebhook(w, r, rc, http.StatusOK, ep, "", false)
}

func (s *Server) renderWebhook(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, ep store.WebhookEndpoint, secret string, created bool) error {
	ds, err := s.opt.Alerts.Deliveries(r.Context(), rc.Workspace.ID, ep.ID, deliveriesShown)
	if err != nil {
		return err
	}
	d := webhookData{EP: ep, Deliveries: ds, NewSecret: secret, Created: created, Flash: flashOf(r)}
	if ep.PrevSecret != "" && ep.PrevSecretUntil != nil && s.now().Before(*ep.PrevSecretUntil) {
		d.PrevUntil = *ep.PrevSecretUntil
	}
	s.render(w, r, rc, status, "settings_webhook", "settings", rc.L.T("settings.webhook.title", ep.ID), d)
	return nil
}

// webhookRotate issues a new secret and shows it once; the old one keeps
// signing beside it for the overlap window.
func (s *Server) webhookRotate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if s.opt.Alerts == nil {
		return s.unavailable(w, r, rc, "settings.webhooks.title")
	}
	ep, err := s.webhookOrNotFound(r, rc)
	if err != nil {
		return err
	}
	secret, _, err := s.opt.Alerts.RotateWebhookSecret(r.Context(), rc.Workspace.ID, ep.ID)
	if err != nil {
		return err
	}
	if ep, err = s.db.Webhook(r.Context(), rc.Workspace.ID, ep.ID); err != nil {
		return err
	}
	return s.renderWebhook(w, r, rc, http.StatusOK, ep, secret, false)
}

func (s *Server) webhookTest(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if s.opt.Alerts == nil {
		return s.unavailable(w, r, rc, "settings.webhooks.title")
	}
	ep, err := s.webhookOrNotFound(r, rc)
	if err != nil {
		return err
	}
	if _, err := s.opt.Alerts.SendTestEvent(r.Context(), rc.Workspace.ID, ep.ID); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/settings/webhooks/%d?done=test_sent", ep.ID), http.StatusSeeOther)
	return nil
}

func (s *Server) webhookSetEnabled(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if s.opt.Alerts == nil {
		return s.unavailable(w, r, rc, "settings.webhooks.title")
	}
	ep, err := s.webhookOrNotFound(r, rc)
	if err != nil {
		return err
	}
	on := r.PostFormValue("enabled") == "1"
	if err := s.opt.Alerts.SetWebhookEnabled(r.Context(), rc.Workspace.ID, ep.ID, on); err != nil {
		return err
	}
	done := "disabled"
	if on {
		done = "enabled"
	}
	http.Redirect(w, r, fmt.Sprintf("/settings/webhooks/%d?done=%s", ep.ID, done), http.StatusSeeOther)
	return nil
}

func (s *Server) webhookDelete(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ep, err := s.webhookOrNotFound(r, rc)
	if err != nil {
		return err
	}
	if err := s.db.DeleteWebhook(r.Context(), rc.Workspace.ID, ep.ID); err != nil {
		return err
	}
	http.Redirect(w, r, "/settings/webhooks?done=deleted", http.StatusSeeOther)
	return nil
}

// webhookRetry requeues one dead delivery of the endpoint.
func (s *Server) webhookRetry(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if s.opt.Alerts == nil {
		return s.unavailable(w, r, rc, "settings.webhooks.title")
	}
	ep, err := s.webhookOrNotFound(r, rc)
	if err != nil {
		return err
	}
	job, err := pathInt64(r, "job")
	if err != nil {
		return err
	}
	if err := s.opt.Alerts.RetryDelivery(r.Context(), rc.Workspace.ID, ep.ID, job); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/settings/webhooks/%d?done=retried", ep.ID), http.StatusSeeOther)
	return nil
}

// webhookOrNotFound loads the endpoint named in the path, of this
// workspace only.
func (s *Server) webhookOrNotFound(r *http.Request, rc *reqCtx) (store.WebhookEndpoint, error) {
	id, err := pathInt64(r, "id")
	if err != nil {
		return store.WebhookEndpoint{}, err
	}
	return s.db.Webhook(r.Context(), rc.Workspace.ID, id)
}
