package api

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"vox/internal/alert"
	"vox/internal/store"
)

var caseParams = []string{"status", "owner_employee_id", "customer_id", "overdue", "cursor", "limit"}

// listCases answers GET /api/v1/cases, newest first, with an id cursor.
func (a *API) listCases(w http.ResponseWriter, r *http.Request, ws int64) error {
	q := r.URL.Query()
	for k := range q {
		if !slices.Contains(caseParams, k) {
			return errBadRequest("unknown_parameter", k, "unknown query parameter; use one of "+strings.Join(caseParams, ", "))
		}
	}
	f := store.CaseFilter{Status: q.Get("status"), Overdue: q.Get("overdue") == "true"}
	if f.Status != "" && !slices.Contains(store.CaseStatuses, f.Status) {
		return errBadRequest("invalid", "status", "must be one of "+strings.Join(store.CaseStatuses, ", "))
	}
	var err error
	if f.OwnerID, err = queryInt(r, "owner_employee_id", 1, 1<<62); err != nil {
		return err
	}
	if f.CustomerID, err = queryInt(r, "customer_id", 1, 1<<62); err != nil {
		return err
	}
	if f.BeforeID, err = queryInt(r, "cursor", 1, 1<<62); err != nil {
		return err
	}
	limit, err := queryInt(r, "limit", 1, 500)
	if err != nil {
		return err
	}
	f.Limit = int(limit)
	if f.Limit == 0 {
		f.Limit = 50
	}
	items, err := a.alertSvc().ListCases(r.Context(), ws, f)
	if err != nil {
		return err
	}
	next := ""
	if len(items) == f.Limit {
		next = strconv.FormatInt(items[len(items)-1].ID, 10)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "next_cursor": next})
	return nil
}

func (a *API) getCase(w http.ResponseWriter, r *http.Request, ws int64) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c, err := a.alertSvc().Case(r.Context(), ws, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

type casePatchBody struct {
	Status          *string `json:"status"`
	OwnerEmployeeID *int64  `json:"owner_employee_id"`
	RootCause       *string `json:"root_cause"`
	Note            *string `json:"note"`
	Actor           string  `json:"actor"`
}

// patchCase answers PATCH /api/v1/cases/{id}: status (open, in_progress,
// waiting, resolved; a resolved case reopens to open or in_progress),
// owner, root cause and an optional note.
func (a *API) patchCase(w http.ResponseWriter, r *http.Request, ws int64) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var p casePatchBody
	if err := decodeStrict(body, &p, ""); err != nil {
		return err
	}
	svc := a.alertSvc()
	if _, err := svc.PatchCase(r.Context(), ws, id, alert.CasePatch{Status: p.Status, OwnerEmployeeID: p.OwnerEmployeeID,
		RootCause: p.RootCause, Note: p.Note, Actor: actorOr(p.Actor)}); err != nil {
		return alertError(err)
	}
	c, err := svc.Case(r.Context(), ws, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func actorOr(s string) string {
	if s = strings.TrimSpace(s); s != "" {
		return s
	}
	return "api"
}

func (a *API) postCaseNote(w http.ResponseWriter, r *http.Request, ws int64) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var p struct {
		Body   string `json:"body"`
		Author string `json:"author"`
	}
	if err := decodeStrict(body, &p, ""); err != nil {
		return err
	}
	if strings.TrimSpace(p.Body) == "" {
		return &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid", Field: "body", Message: "body is required"}
	}
	if _, err := a.alertSvc().PatchCase(r.Context(), ws, id, alert.CasePatch{Note: &p.Body, Actor: actorOr(p.Author)}); err != nil {
		return alertError(err)
	}
	c, err := a.alertSvc().Case(r.Context(), ws, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

// postCaseReply answers the customer through the feedback's channel; the
// send is a durable job and its outcome lands in the case history.
func (a *API) postCaseReply(w http.ResponseWriter, r *http.Request, ws int64) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var p struct {
		Text   string `json:"text"`
		Author string `json:"author"`
	}
	if err := decodeStrict(body, &p, ""); err != nil {
		return err
	}
	ev, err := a.alertSvc().Reply(r.Context(), ws, id, p.Text, actorOr(p.Author))
	if err != nil {
		return alertError(err)
	}
	writeJSON(w, http.StatusAccepted, ev)
	return nil
}
