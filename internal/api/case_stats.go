package api

import (
	"net/http"
	"net/url"
	"time"

	"vox/internal/alert"
	"vox/internal/store"
)

// closeLoopRoutes are the endpoints of closing the loop: case statistics,
// users' notification settings, in-app notifications and digests, and the
// business hours SLA clocks run on.
func (a *API) closeLoopRoutes() []route {
	return []route{
		{method: "GET", path: "/api/v1/cases/stats", handle: a.getCaseStats},
		{method: "GET", path: "/api/v1/users/{id}/notification-settings", handle: a.getNotifySettings},
		{method: "PUT", path: "/api/v1/users/{id}/notification-settings", handle: a.putNotifySettings},
		{method: "GET", path: "/api/v1/users/{id}/notifications", handle: a.listUserNotifications},
		{method: "GET", path: "/api/v1/users/{id}/digest", handle: a.previewDigest},
		{method: "GET", path: "/api/v1/sla/business-hours", handle: a.getBusinessHours},
		{method: "PUT", path: "/api/v1/sla/business-hours", handle: a.putBusinessHours},
		{method: "DELETE", path: "/api/v1/sla/business-hours", handle: a.deleteBusinessHours},
	}
}

// getCaseStats answers GET /api/v1/cases/stats?from&to&by: time to action,
// the shares acted on within 24 h and within the SLA, FRT and ART of the
// cases created in the period (default: the last 30 days), overall and per
// team or owner. A date (YYYY-MM-DD) is a day in the workspace's time zone;
// as to it includes that day.
func (a *API) getCaseStats(w http.ResponseWriter, r *http.Request, ws int64) error {
	q := r.URL.Query()
	if err := onlyParams(q, "from", "to", "by"); err != nil {
		return err
	}
	wsp, err := a.db.Workspace(r.Context(), ws)
	if err != nil {
		return err
	}
	loc := store.LoadLocation(wsp.Timezone)
	to, err := periodParam(q, "to", loc, true)
	if err != nil {
		return err
	}
	from, err := periodParam(q, "from", loc, false)
	if err != nil {
		return err
	}
	if to.IsZero() {
		to = time.Now()
	}
	if from.IsZero() {
		from = to.Add(-30 * 24 * time.Hour)
	}
	by := q.Get("by")
	if by != "" && by != alert.StatsByTeam && by != alert.StatsByOwner {
		return errBadRequest("invalid_parameter", "by", "must be team or owner")
	}
	if !from.Before(to) {
		return errBadRequest("invalid_parameter", "to", "must be after from")
	}
	st, err := a.alertSvc().CaseStats(r.Context(), ws, from, to, by)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// periodParam reads an RFC 3339 time or a local date; a date that ends a
// period means the end of that day.
func periodParam(q url.Values, name string, loc *time.Location, end bool) (time.Time, error) {
	v := q.Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	if d, err := store.ParseDay(v); err == nil {
		if end {
			d++
		}
		return d.Start(loc), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	return time.Time{}, errBadRequest("invalid_time", name, "must be RFC 3339 (2026-05-01T12:00:00Z) or a date (2026-05-01)")
}
