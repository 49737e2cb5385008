package api

import (
	"net/http"
	"time"

	"vox/internal/store"
)

// postWebhook answers POST /api/v1/webhooks {"url","events"} with the
// endpoint and its secret, shown this once.
func (a *API) postWebhook(w http.ResponseWriter, r *http.Request, ws int64) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var p struct {
		URL    string   `json:"url"`
		Events []string `json:"events"`
	}
	if err := decodeStrict(body, &p, ""); err != nil {
		return err
	}
	ep, secret, err := a.alertSvc().CreateWebhook(r.Context(), ws, p.URL, p.Events)
	if err != nil {
		return alertError(err)
	}
	writeJSON(w, http.StatusCreated, struct {
		store.WebhookEndpoint
		Secret string `json:"secret"`
	}{ep, secret})
	return nil
}

func (a *API) listWebhooks(w http.ResponseWriter, r *http.Request, ws int64) error {
	eps, err := a.db.Webhooks(r.Context(), ws)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": eps})
	return nil
}

func (a *API) getWebhook(w http.ResponseWriter, r *http.Request, ws int64) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ep, err := a.db.Webhook(r.Context(), ws, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ep)
	return nil
}

// patchWebhook answers PATCH /api/v1/webhooks/{id} {"disabled": bool}:
// re-enabling after an auto-disable clears the failure streak.
func (a *API) patchWebhook(w http.ResponseWriter, r *http.Request, ws int64) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var p struct {
		Disabled *bool `json:"disabled"`
	}
	if err := decodeStrict(body, &p, ""); err != nil {
		return err
	}
	if p.Disabled == nil {
		return &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid", Field: "disabled", Message: "disabled is required"}
	}
	if err := a.alertSvc().SetWebhookEnabled(r.Context(), ws, id, !*p.Disabled); err != nil {
		return err
	}
	return a.getWebhook(w, r, ws)
}

func (a *API) deleteWebhook(w http.ResponseWriter, r *http.Request, ws int64) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := a.db.DeleteWebhook(r.Context(), ws, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// rotateWebhook issues a new secret; messages are signed with both secrets
// until previous_secret_valid_until.
func (a *API) rotateWebhook(w http.ResponseWriter, r *http.Request, ws int64) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	secret, until, err := a.alertSvc().RotateWebhookSecret(r.Context(), ws, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "secret": secret, "previous_secret_valid_until": until.UTC().Format(time.RFC3339)})
	return nil
}

func (a *API) testWebhook(w http.ResponseWriter, r *http.Request, ws int64) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	msg, err := a.alertSvc().SendTestEvent(r.Context(), ws, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"id": id, "message_id": msg})
	return nil
}
