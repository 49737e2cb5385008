package api

import (
	"net/http"

	"vox/internal/alert"
)

// getBusinessHours answers GET /api/v1/sla/business-hours.
func (a *API) getBusinessHours(w http.ResponseWriter, r *http.Request, ws int64) error {
	if err := onlyParams(r.URL.Query()); err != nil {
		return err
	}
	v, err := a.alertSvc().BusinessHours(r.Context(), ws)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// putBusinessHours answers PUT /api/v1/sla/business-hours with
// {"days":[1,2,3,4,5],"start":"09:00","end":"18:00"}: cases opened or
// reopened from now on get due and escalation times in working time.
func (a *API) putBusinessHours(w http.ResponseWriter, r *http.Request, ws int64) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var b alert.BusinessHours
	if err := decodeStrict(body, &b, ""); err != nil {
		return err
	}
	v, err := a.alertSvc().SetBusinessHours(r.Context(), ws, &b)
	if err != nil {
		return alertError(err)
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// deleteBusinessHours answers DELETE /api/v1/sla/business-hours: SLAs run
// on the wall clock again.
func (a *API) deleteBusinessHours(w http.ResponseWriter, r *http.Request, ws int64) error {
	if _, err := a.alertSvc().SetBusinessHours(r.Context(), ws, nil); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
