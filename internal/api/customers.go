package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"vox/internal/ingest"
	"vox/internal/store"
)

func (a *API) listCustomers(w http.ResponseWriter, r *http.Request, ws int64) error {
	q := r.URL.Query()
	f := store.CustomerFilter{Segment: q.Get("segment"), Region: q.Get("region"), Q: q.Get("q"), Limit: 50}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return errBadRequest("invalid", "limit", "must be 1-500")
		}
		f.Limit = n
	}
	if v := q.Get("cursor"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return errBadRequest("invalid", "cursor", "unknown cursor: pass next_cursor from a previous page")
		}
		f.AfterID = n
	}
	cs, err := a.db.Customers(r.Context(), ws, f)
	if err != nil {
		return err
	}
	next := ""
	if len(cs) == f.Limit {
		next = strconv.FormatInt(cs[len(cs)-1].ID, 10)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": cs, "next_cursor": next})
	return nil
}

// postCustomer resolves the identities to an existing profile or creates one.
func (a *API) postCustomer(w http.ResponseWriter, r *http.Request, ws int64) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var ref ingest.CustomerRef
	if err := decodeStrict(body, &ref, ""); err != nil {
		return err
	}
	probe := ingest.Item{Text: "-", Customer: &ref}
	if fe := probe.Validate(time.Now()); fe != nil {
		return &apiError{Status: http.StatusUnprocessableEntity, Code: fe.Code, Field: fe.Field, Message: fe.Field + " " + fe.Message}
	}
	id, err := a.db.UpsertCustomer(r.Context(), ws, ref.Input())
	if err != nil {
		return err
	}
	c, err := a.db.Customer(r.Context(), ws, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// customerProfile is the customer with their timeline of feedback.
type customerProfile struct {
	store.Customer
	Timeline     []store.FeedbackItem `json:"timeline"`
	Transactions []store.Transaction  `json:"transactions"`
}

func (a *API) getCustomer(w http.ResponseWriter, r *http.Request, ws int64) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c, err := a.db.Customer(r.Context(), ws, id)
	if err != nil {
		return err
	}
	page, err := a.db.ListFeedback(r.Context(), ws, store.FeedbackFilter{CustomerID: id, Limit: 200})
	if err != nil {
		return err
	}
	txs, err := a.db.CustomerTransactions(r.Context(), ws, id, 200)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, customerProfile{Customer: c, Timeline: page.Items, Transactions: txs})
	return nil
}

// mergeCustomer folds {"customer_id": other} into the customer in the path.
func (a *API) mergeCustomer(w http.ResponseWriter, r *http.Request, ws int64) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var in struct {
		CustomerID int64 `json:"customer_id"`
	}
	if err := decodeStrict(body, &in, ""); err != nil {
		return err
	}
	if in.CustomerID <= 0 || in.CustomerID == id {
		return &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid", Field: "customer_id",
			Message: "customer_id must name another customer of this workspace"}
	}
	if err := a.db.MergeCustomers(r.Context(), ws, id, in.CustomerID, "api"); err != nil {
		return err
	}
	c, err := a.db.Customer(r.Context(), ws, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (a *API) postTransactions(w http.ResponseWriter, r *http.Request, ws int64) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var in struct {
		Items []store.Transaction `json:"items"`
	}
	if err := decodeStrict(body, &in, ""); err != nil {
		return err
	}
	if len(in.Items) == 0 || len(in.Items) > 1000 {
		return &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid", Field: "items", Message: "send 1-1000 transactions"}
	}
	for i := range in.Items {
		t := &in.Items[i]
		field := "items[" + strconv.Itoa(i) + "]."
		t.Currency = strings.ToUpper(t.Currency)
		switch {
		case t.CustomerID <= 0:
			return &apiError{Status: http.StatusUnprocessableEntity, Code: "required", Field: field + "customer_id", Message: "is required"}
		case !store.ValidCurrency(t.Currency):
			return &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid", Field: field + "currency", Message: "must be an ISO 4217 code such as RUB"}
		case t.OccurredAt.IsZero():
			return &apiError{Status: http.StatusUnprocessableEntity, Code: "required", Field: field + "occurred_at", Message: "is required"}
		}
	}
	n, err := a.db.InsertTransactions(r.Context(), ws, in.Items)
	if errors.Is(err, store.ErrNotFound) {
		return &apiError{Status: http.StatusUnprocessableEntity, Code: "not_found", Field: "items.customer_id", Message: "a customer_id is not a customer of this workspace"}
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]int{"inserted": n, "duplicates": len(in.Items) - n})
	return nil
}

func (a *API) postChurnEvent(w http.ResponseWriter, r *http.Request, ws int64) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var in store.ChurnEvent
	if err := decodeStrict(body, &in, ""); err != nil {
		return err
	}
	if in.CustomerID <= 0 {
		return &apiError{Status: http.StatusUnprocessableEntity, Code: "required", Field: "customer_id", Message: "is required"}
	}
	if in.OccurredAt.IsZero() {
		in.OccurredAt = time.Now()
	}
	id, err := a.db.InsertChurnEvent(r.Context(), ws, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]int64{"id": id})
	return nil
}
