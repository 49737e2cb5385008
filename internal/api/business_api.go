package api

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"vox/internal/business"
	"vox/internal/store"
)

// businessRoutes link CX to money: the churn-risk model, the customers it
// ranks, revenue at risk and churn/retention/LTV over a period.
func (a *API) businessRoutes() []route {
	return []route{
		{method: "GET", path: "/api/v1/churn/model", handle: a.getChurnModel},
		{method: "POST", path: "/api/v1/churn/model/train", handle: a.trainChurnModel},
		{method: "GET", path: "/api/v1/churn/risk", handle: a.getChurnRisk},
		{method: "GET", path: "/api/v1/revenue-at-risk", handle: a.getRevenueAtRisk},
		{method: "GET", path: "/api/v1/business/summary", handle: a.getBusinessSummary},
		{method: "GET", path: "/api/v1/business/currency", handle: a.getCurrency},
		{method: "PUT", path: "/api/v1/business/currency", handle: a.putCurrency},
	}
}

func (a *API) business() *business.Service { return &business.Service{DB: a.db} }

var errNoChurnModel = &apiError{Status: http.StatusNotFound, Code: "no_model",
	Message: "this workspace has no churn model yet: POST /api/v1/churn/model/train"}

// businessError maps the service's errors to HTTP answers.
func businessError(err error) error {
	var ie *business.InvalidError
	switch {
	case errors.As(err, &ie):
		return errBadRequest("invalid_parameter", ie.Field, ie.Message)
	case errors.Is(err, business.ErrNoModel):
		return errNoChurnModel
	case errors.Is(err, business.ErrInsufficientHistory):
		return &apiError{Status: http.StatusUnprocessableEntity, Code: "insufficient_history", Message: err.Error()}
	}
	return err
}

// onlyParams refuses query parameters an endpoint does not know, so that a
// typo ("segmnet") is an error rather than an unfiltered answer.
func onlyParams(v url.Values, allowed ...string) error {
	for name := range v {
		ok := false
		for _, a := range allowed {
			ok = ok || a == name
		}
		if !ok {
			return errBadRequest("unknown_parameter", name, "unknown query parameter "+name)
		}
	}
	return nil
}

func (a *API) getChurnModel(w http.ResponseWriter, r *http.Request, ws int64) error {
	if err := onlyParams(r.URL.Query()); err != nil {
		return err
	}
	m, err := a.business().Model(r.Context(), ws)
	if err != nil {
		return businessError(err)
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

// trainChurnModel trains synchronously: a workspace's customers fit in
// memory and the grouped queries are a few per cutoff, so the answer is the
// model itself rather than a job id to poll.
func (a *API) trainChurnModel(w http.ResponseWriter, r *http.Request, ws int64) error {
	if err := onlyParams(r.URL.Query()); err != nil {
		return err
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var opt business.TrainOptions
	if len(body) > 0 {
		if err := decodeStrict(body, &opt, ""); err != nil {
			return err
		}
	}
	m, err := a.business().Train(r.Context(), ws, opt)
	if err != nil {
		return businessError(err)
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

func (a *API) getChurnRisk(w http.ResponseWriter, r *http.Request, ws int64) error {
	q := r.URL.Query()
	if err := onlyParams(q, "segment", "limit"); err != nil {
		return err
	}
	limit := 0
	if s := q.Get("limit"); s != "" || q.Has("limit") {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > business.MaxRiskLimit {
			return errBadRequest("invalid_parameter", "limit", "must be an integer from 1 to "+strconv.Itoa(business.MaxRiskLimit))
		}
		limit = n
	}
	var segment *string
	if q.Has("segment") {
		s := q.Get("segment")
		segment = &s
	}
	list, err := a.business().Risk(r.Context(), ws, segment, limit)
	if err != nil {
		return businessError(err)
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

func (a *API) getRevenueAtRisk(w http.ResponseWriter, r *http.Request, ws int64) error {
	q := r.URL.Query()
	if err := onlyParams(q, "by"); err != nil {
		return err
	}
	by := "segment"
	if q.Has("by") {
		by = q.Get("by")
		if by == "" {
			return errBadRequest("invalid_parameter", "by", "must be segment or region")
		}
	}
	res, err := a.business().RevenueAtRisk(r.Context(), ws, by)
	if err != nil {
		return businessError(err)
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// summaryDays is the default range of a business summary: a quarter, since
// churn over a month is often too small a count to read.
const summaryDays = 90

func (a *API) getBusinessSummary(w http.ResponseWriter, r *http.Request, ws int64) error {
	q := r.URL.Query()
	if err := onlyParams(q, "from", "to", "grain", "gross_margin"); err != nil {
		return err
	}
	wsRow, err := a.db.Workspace(r.Context(), ws)
	if err != nil {
		return err
	}
	to := store.DayOf(time.Now(), store.LoadLocation(wsRow.Timezone))
	if s := q.Get("to"); s != "" {
		if to, err = store.ParseDay(s); err != nil {
			return errBadRequest("invalid_date", "to", "must be a date YYYY-MM-DD")
		}
	}
	from := to - summaryDays + 1
	if s := q.Get("from"); s != "" {
		if from, err = store.ParseDay(s); err != nil {
			return errBadRequest("invalid_date", "from", "must be a date YYYY-MM-DD")
		}
	}
	sq := business.SummaryQuery{From: from, To: to, Grain: q.Get("grain")}
	if s := q.Get("gross_margin"); s != "" {
		m, err := strconv.ParseFloat(s, 64)
		if err != nil || !(m > 0 && m <= 1) {
			return errBadRequest("invalid_parameter", "gross_margin", "must be a fraction in (0, 1]")
		}
		sq.GrossMargin = m
	}
	res, err := a.business().Summary(r.Context(), ws, sq)
	if err != nil {
		return businessError(err)
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}
