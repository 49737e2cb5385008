package api

import (
	"net/http"
	"strconv"

	"vox/internal/alert"
)

// getNotifySettings answers GET /api/v1/users/{id}/notification-settings
// for a member of the workspace (another workspace's user is a 404).
func (a *API) getNotifySettings(w http.ResponseWriter, r *http.Request, ws int64) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := onlyParams(r.URL.Query()); err != nil {
		return err
	}
	p, err := a.alertSvc().NotifyPrefs(r.Context(), ws, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

// putNotifySettings answers PUT /api/v1/users/{id}/notification-settings:
// {"digest":"off|daily|weekly","telegram_chat_id":"…"}; fields left out stay.
func (a *API) putNotifySettings(w http.ResponseWriter, r *http.Request, ws int64) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var p alert.PrefsPatch
	if err := decodeStrict(body, &p, ""); err != nil {
		return err
	}
	prefs, err := a.alertSvc().SetNotifyPrefs(r.Context(), ws, id, p)
	if err != nil {
		return alertError(err)
	}
	writeJSON(w, http.StatusOK, prefs)
	return nil
}

// listUserNotifications answers GET /api/v1/users/{id}/notifications: the
// user's in-app notifications (praise, digests), newest first.
func (a *API) listUserNotifications(w http.ResponseWriter, r *http.Request, ws int64) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := onlyParams(r.URL.Query(), "cursor", "limit"); err != nil {
		return err
	}
	before, err := queryInt(r, "cursor", 1, 1<<62)
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "limit", 1, 500)
	if err != nil {
		return err
	}
	if limit == 0 {
		limit = 50
	}
	if _, err := a.db.Member(r.Context(), ws, id); err != nil {
		return err
	}
	items, err := a.db.UserNotifications(r.Context(), ws, id, before, int(limit))
	if err != nil {
		return err
	}
	next := ""
	if len(items) == int(limit) {
		next = strconv.FormatInt(items[len(items)-1].ID, 10)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "next_cursor": next})
	return nil
}

// previewDigest answers GET /api/v1/users/{id}/digest?frequency=daily|weekly
// (default: the user's setting, else weekly): the digest of the latest due
// period as it would be sent, without sending it.
func (a *API) previewDigest(w http.ResponseWriter, r *http.Request, ws int64) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	if err := onlyParams(q, "frequency"); err != nil {
		return err
	}
	svc := a.alertSvc()
	freq := q.Get("frequency")
	if freq == "" {
		p, err := svc.NotifyPrefs(r.Context(), ws, id)
		if err != nil {
			return err
		}
		freq = p.Digest
		if freq != "daily" {
			freq = "weekly"
		}
	}
	if freq != "daily" && freq != "weekly" {
		return errBadRequest("invalid_parameter", "frequency", "must be daily or weekly")
	}
	d, err := svc.PreviewDigest(r.Context(), ws, id, freq)
	if err != nil {
		return alertError(err)
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}
