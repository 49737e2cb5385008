package api

import (
	"errors"
	"net/http"
	"time"

	"vox/internal/report"
)

// SetReports sets the weekly report scheduler behind "send now"; without
// it a default one on the API's database queues the job all the same (the
// worker finds it on its next poll).
func (a *API) SetReports(s *report.Scheduler) { a.reports = s }

func (a *API) reportScheduler() *report.Scheduler {
	if a.reports != nil {
		return a.reports
	}
	return &report.Scheduler{DB: a.db, Log: a.log}
}

func (a *API) reportRoutes() []route {
	return []route{
		{method: "GET", path: "/api/v1/report-subscriptions", handle: a.listReportSubscriptions},
		{method: "POST", path: "/api/v1/report-subscriptions", handle: a.postReportSubscription},
		{method: "GET", path: "/api/v1/report-subscriptions/{id}", handle: a.getReportSubscription},
		{method: "PATCH", path: "/api/v1/report-subscriptions/{id}", handle: a.patchReportSubscription},
		{method: "DELETE", path: "/api/v1/report-subscriptions/{id}", handle: a.deleteReportSubscription},
		{method: "POST", path: "/api/v1/report-subscriptions/{id}/send", handle: a.sendReportNow},
	}
}

// reportError maps a validation error of the report package to a 400
// naming the field.
func reportError(err error) error {
	var ie *report.InvalidError
	if errors.As(err, &ie) {
		return errBadRequest("invalid", ie.Field, ie.Message)
	}
	return err
}

func (a *API) listReportSubscriptions(w http.ResponseWriter, r *http.Request, ws int64) error {
	if err := onlyParams(r.URL.Query()); err != nil {
		return err
	}
	subs, err := a.db.ReportSubscriptions(r.Context(), ws)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": subs})
	return nil
}

// postReportSubscription answers POST /api/v1/report-subscriptions:
// {"recipients":["…"],"lang":"ru","weekday":1|"monday","hour":8,"enabled":true}.
func (a *API) postReportSubscription(w http.ResponseWriter, r *http.Request, ws int64) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var in report.SubscriptionInput
	if err := decodeStrict(body, &in, ""); err != nil {
		return err
	}
	sub, err := report.NewSubscription(in)
	if err != nil {
		return reportError(err)
	}
	sub.CreatedAt = time.Now()
	if sub, err = a.db.CreateReportSubscription(r.Context(), ws, sub, apiActor(r)); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, sub)
	return nil
}

func (a *API) getReportSubscription(w http.ResponseWriter, r *http.Request, ws int64) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	sub, err := a.db.ReportSubscription(r.Context(), ws, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sub)
	return nil
}

// patchReportSubscription changes the fields given; the others stay.
func (a *API) patchReportSubscription(w http.ResponseWriter, r *http.Request, ws int64) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var in report.SubscriptionInput
	if err := decodeStrict(body, &in, ""); err != nil {
		return err
	}
	sub, err := a.db.ReportSubscription(r.Context(), ws, id)
	if err != nil {
		return err
	}
	if err := report.ApplySubscription(&sub, in); err != nil {
		return reportError(err)
	}
	sub.UpdatedAt = time.Now().UTC().Truncate(time.Millisecond)
	if err := a.db.UpdateReportSubscription(r.Context(), ws, sub, apiActor(r)); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sub)
	return nil
}

func (a *API) deleteReportSubscription(w http.ResponseWriter, r *http.Request, ws int64) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := a.db.DeleteReportSubscription(r.Context(), ws, id, apiActor(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// sendReportNow queues last full week's report of the subscription now;
// a repeat within the same minute is the same job.
func (a *API) sendReportNow(w http.ResponseWriter, r *http.Request, ws int64) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	queued, err := a.reportScheduler().SendNow(r.Context(), ws, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"queued": queued})
	return nil
}
