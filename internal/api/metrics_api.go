package api

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"vox/internal/insights"
	"vox/internal/store"
)

// metricsRoutes are the analytics endpoints: metrics from rollups, the
// journey and its map, key drivers and pain points.
func (a *API) metricsRoutes() []route {
	return append([]route{
		{method: "GET", path: "/api/v1/metrics/{metric}", handle: a.getMetric},
	}, a.journeyRoutes()...)
}

func (a *API) insights() *insights.Service { return &insights.Service{DB: a.db} }

// insightsError maps the service's parameter errors to 400 with the field.
func insightsError(err error) error {
	var ie *insights.InvalidError
	if errors.As(err, &ie) {
		return errBadRequest("invalid_parameter", ie.Field, ie.Message)
	}
	return err
}

// checkParams refuses query parameters an endpoint does not know, so that a
// typo ("fitler[region]") is an error rather than an unfiltered answer.
func checkParams(v url.Values, allowed ...string) error {
	for name := range v {
		if strings.HasPrefix(name, "filter[") && strings.HasSuffix(name, "]") && contains(allowed, "filter[]") {
			continue
		}
		if !contains(allowed, name) {
			return errBadRequest("unknown_parameter", name, "unknown query parameter "+name)
		}
	}
	return nil
}

func contains(xs []string, x string) bool {
	for _, s := range xs {
		if s == x {
			return true
		}
	}
	return false
}

// dayRange reads from and to (YYYY-MM-DD, local dates of the workspace, both
// inclusive); missing ones default to the last 30 days up to today.
func (a *API) dayRange(r *http.Request, ws int64) (from, to store.Day, err error) {
	svc := a.insights()
	loc, err := svc.Location(r.Context(), ws)
	if err != nil {
		return 0, 0, err
	}
	from, to = insights.DefaultRange(svc.Today(loc))
	q := r.URL.Query()
	if s := q.Get("to"); s != "" {
		if to, err = store.ParseDay(s); err != nil {
			return 0, 0, errBadRequest("invalid_date", "to", "must be a date YYYY-MM-DD")
		}
		if q.Get("from") == "" {
			from, _ = insights.DefaultRange(to)
		}
	}
	if s := q.Get("from"); s != "" {
		if from, err = store.ParseDay(s); err != nil {
			return 0, 0, errBadRequest("invalid_date", "from", "must be a date YYYY-MM-DD")
		}
	}
	if to < from {
		return 0, 0, errBadRequest("invalid_date", "to", "is before from")
	}
	return from, to, nil
}

// getMetric answers GET /api/v1/metrics/{metric}?by=channel,week&from&to&filter[dim]=a,b.
func (a *API) getMetric(w http.ResponseWriter, r *http.Request, ws int64) error {
	v := r.URL.Query()
	if err := checkParams(v, "by", "from", "to", "filter[]"); err != nil {
		return err
	}
	q := insights.Query{Metric: r.PathValue("metric"), Filters: map[string][]string{}}
	if err := q.Validate(); err != nil && strings.HasPrefix(err.Error(), "metric:") {
		return insightsError(err)
	}
	for _, part := range strings.Split(v.Get("by"), ",") {
		part = strings.TrimSpace(part)
		switch {
		case part == "":
		case contains(insights.Grains, part):
			if q.Grain != "" {
				return errBadRequest("invalid_parameter", "by", "at most one time grain")
			}
			q.Grain = part
		default:
			q.By = append(q.By, part)
		}
	}
	for name, vals := range v {
		dim, ok := strings.CutPrefix(name, "filter[")
		if !ok {
			continue
		}
		dim = strings.TrimSuffix(dim, "]")
		for _, val := range vals {
			for _, x := range strings.Split(val, ",") {
				if x = strings.TrimSpace(x); x != "" {
					q.Filters[dim] = append(q.Filters[dim], x)
				}
			}
		}
		if _, ok := q.Filters[dim]; !ok {
			q.Filters[dim] = nil // validated (unknown names are refused) but not applied
		}
	}
	var err error
	if q.From, q.To, err = a.dayRange(r, ws); err != nil {
		return err
	}
	res, err := a.insights().Metric(r.Context(), ws, q)
	if err != nil {
		return insightsError(err)
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}
