package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"vox/internal/ingest"
	"vox/internal/store"
)

type batchBody struct {
	Items []ingest.Item `json:"items"`
}

// postFeedback stores one item or {"items":[…]}; see the OpenAPI document.
func (a *API) postFeedback(w http.ResponseWriter, r *http.Request, ws int64) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var probe struct {
		Items json.RawMessage `json:"items"`
	}
	_ = json.Unmarshal(body, &probe)
	batch := probe.Items != nil
	var items []ingest.Item
	if batch {
		var b batchBody
		if err := decodeStrict(body, &b, ""); err != nil {
			return err
		}
		items = b.Items
	} else {
		var it ingest.Item
		if err := decodeStrict(body, &it, ""); err != nil {
			return err
		}
		items = []ingest.Item{it}
	}
	key := r.Header.Get("Idempotency-Key")
	if len(key) > 255 {
		return errBadRequest("invalid", "Idempotency-Key", "must be at most 255 characters")
	}
	res, err := a.ingest.Ingest(r.Context(), ws, items, key)
	var ve *ingest.ValidationError
	switch {
	case errors.As(err, &ve):
		return validationError(ve, batch)
	case errors.Is(err, store.ErrIdempotencyConflict):
		return &apiError{Status: http.StatusUnprocessableEntity, Code: "idempotency_conflict", Field: "Idempotency-Key",
			Message: "this Idempotency-Key was used with a different request body"}
	case err != nil:
		return err
	}
	status := http.StatusCreated
	if res.Replayed {
		w.Header().Set("Idempotent-Replayed", "true")
		status = http.StatusOK
	}
	if a.metrics != nil && !res.Replayed {
		a.metrics.countIngested(res.Duplicates)
	}
	if batch {
		writeJSON(w, status, map[string]any{"ids": res.IDs, "duplicates": res.Duplicates})
	} else {
		writeJSON(w, status, map[string]any{"id": res.IDs[0], "duplicate": res.Duplicates[0]})
	}
	return nil
}

func validationError(ve *ingest.ValidationError, batch bool) *apiError {
	type detail struct {
		Field   string `json:"field"`
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	details := make([]detail, 0, len(ve.Problems))
	for _, p := range ve.Problems {
		field := p.Field
		if batch && p.Index >= 0 {
			field = fmt.Sprintf("items[%d].%s", p.Index, p.Field)
		}
		details = append(details, detail{Field: field, Code: p.Code, Message: p.Message})
	}
	first := details[0]
	e := &apiError{Status: http.StatusUnprocessableEntity, Code: first.Code, Field: first.Field, Message: first.Field + " " + first.Message}
	if len(details) > 1 {
		e.Details = details
	}
	return e
}

func (a *API) getFeedback(w http.ResponseWriter, r *http.Request, ws int64) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	it, err := a.db.Feedback(r.Context(), ws, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, it)
	return nil
}

// listFeedback answers GET /api/v1/feedback with filters named after fields.
func (a *API) listFeedback(w http.ResponseWriter, r *http.Request, ws int64) error {
	f, err := parseFeedbackFilter(r.URL.Query())
	if err != nil {
		return err
	}
	page, err := a.db.ListFeedback(r.Context(), ws, f)
	if errors.Is(err, store.ErrBadCursor) {
		return errBadRequest("invalid", "cursor", "unknown cursor: pass next_cursor from a previous page")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

var feedbackParams = []string{"from", "to", "channel", "kind", "segment", "region", "touchpoint", "stage", "lang",
	"sentiment", "customer_id", "employee_id", "q", "cursor", "limit"}

func parseFeedbackFilter(q url.Values) (store.FeedbackFilter, error) {
	for k := range q {
		if !slices.Contains(feedbackParams, k) {
			return store.FeedbackFilter{}, errBadRequest("unknown_parameter", k, "unknown query parameter; use one of "+strings.Join(feedbackParams, ", "))
		}
	}
	f := store.FeedbackFilter{Channel: q.Get("channel"), Kind: q.Get("kind"), Segment: q.Get("segment"),
		Region: q.Get("region"), Touchpoint: q.Get("touchpoint"), Stage: q.Get("stage"), Lang: q.Get("lang"),
		Sentiment: q.Get("sentiment"), Q: q.Get("q"), Cursor: q.Get("cursor")}
	var err error
	if f.From, err = parseTime(q, "from"); err != nil {
		return f, err
	}
	if f.To, err = parseTime(q, "to"); err != nil {
		return f, err
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return f, errBadRequest("invalid", "to", "must be after from")
	}
	enums := []struct {
		name, v string
		allowed []string
	}{{"channel", f.Channel, store.Channels}, {"kind", f.Kind, store.FeedbackKinds}, {"stage", f.Stage, store.JourneyStages},
		{"sentiment", f.Sentiment, []string{"positive", "neutral", "negative"}}}
	for _, e := range enums {
		if e.v != "" && !slices.Contains(e.allowed, e.v) {
			return f, errBadRequest("invalid", e.name, "must be one of "+strings.Join(e.allowed, ", "))
		}
	}
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"customer_id", &f.CustomerID}, {"employee_id", &f.EmployeeID}} {
		if v := q.Get(p.name); v != "" {
			if *p.dst, err = strconv.ParseInt(v, 10, 64); err != nil || *p.dst <= 0 {
				return f, errBadRequest("invalid", p.name, "must be a positive integer id")
			}
		}
	}
	if v := q.Get("limit"); v != "" {
		if f.Limit, err = strconv.Atoi(v); err != nil || f.Limit < 1 || f.Limit > 1000 {
			return f, errBadRequest("invalid", "limit", "must be 1-1000")
		}
	}
	return f, nil
}

// parseTime accepts RFC 3339 or a plain date (midnight UTC).
func parseTime(q url.Values, name string) (time.Time, error) {
	v := q.Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errBadRequest("invalid_time", name, "must be RFC 3339 (2026-05-01T12:00:00Z) or a date (2026-05-01)")
}
