package api

import (
	"net/http"
	"net/url"
	"strings"

	"vox/internal/insights"
	"vox/internal/store"
)

func (a *API) journeyRoutes() []route {
	return []route{
		{method: "GET", path: "/api/v1/journey", handle: a.getJourney},
		{method: "PUT", path: "/api/v1/journey", handle: a.putJourney},
		{method: "GET", path: "/api/v1/journey/map", handle: a.getJourneyMap},
		{method: "GET", path: "/api/v1/drivers", handle: a.getDrivers},
		{method: "GET", path: "/api/v1/pain-points", handle: a.getPainPoints},
	}
}

// getJourney returns the workspace's stages and touchpoints (defaults until saved).
func (a *API) getJourney(w http.ResponseWriter, r *http.Request, ws int64) error {
	if err := checkParams(r.URL.Query()); err != nil {
		return err
	}
	c, err := a.db.JourneyConfig(r.Context(), ws)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// putJourney replaces the workspace's journey configuration.
func (a *API) putJourney(w http.ResponseWriter, r *http.Request, ws int64) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var in struct {
		Stages      []store.JourneyStage      `json:"stages"`
		Touchpoints []store.JourneyTouchpoint `json:"touchpoints"`
	}
	if err := decodeStrict(body, &in, ""); err != nil {
		return err
	}
	c := store.JourneyConfig{Stages: in.Stages, Touchpoints: in.Touchpoints}
	if c.Touchpoints == nil {
		c.Touchpoints = []store.JourneyTouchpoint{}
	}
	if err := insights.ValidateJourney(c); err != nil {
		return insightsError(err)
	}
	if err := a.db.SaveJourneyConfig(r.Context(), ws, c, "api"); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// getJourneyMap answers GET /api/v1/journey/map?from&to.
func (a *API) getJourneyMap(w http.ResponseWriter, r *http.Request, ws int64) error {
	if err := checkParams(r.URL.Query(), "from", "to"); err != nil {
		return err
	}
	from, to, err := a.dayRange(r, ws)
	if err != nil {
		return err
	}
	m, err := a.insights().JourneyMap(r.Context(), ws, from, to)
	if err != nil {
		return insightsError(err)
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

// getDrivers answers GET /api/v1/drivers?from&to&filter[dim]=a,b: topic
// effects on NPS.
func (a *API) getDrivers(w http.ResponseWriter, r *http.Request, ws int64) error {
	if err := checkParams(r.URL.Query(), "from", "to", "filter[]"); err != nil {
		return err
	}
	from, to, err := a.dayRange(r, ws)
	if err != nil {
		return err
	}
	d, err := a.insights().FilteredDrivers(r.Context(), ws, from, to, queryFilters(r.URL.Query()))
	if err != nil {
		return insightsError(err)
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// getPainPoints answers GET /api/v1/pain-points?by=stage|touchpoint&from&to&filter[dim]=a,b.
func (a *API) getPainPoints(w http.ResponseWriter, r *http.Request, ws int64) error {
	if err := checkParams(r.URL.Query(), "by", "from", "to", "filter[]"); err != nil {
		return err
	}
	from, to, err := a.dayRange(r, ws)
	if err != nil {
		return err
	}
	p, err := a.insights().FilteredPainPoints(r.Context(), ws, from, to, r.URL.Query().Get("by"), queryFilters(r.URL.Query()))
	if err != nil {
		return insightsError(err)
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

// queryFilters reads filter[dim]=a,b parameters (repeatable) into the
// filters of the rollup and answer queries; the services refuse unknown
// dimensions naming filter[dim].
func queryFilters(v url.Values) map[string][]string {
	out := map[string][]string{}
	for name, vals := range v {
		dim, ok := strings.CutPrefix(name, "filter[")
		if !ok || !strings.HasSuffix(dim, "]") {
			continue
		}
		dim = strings.TrimSuffix(dim, "]")
		out[dim] = nil
		for _, val := range vals {
			for _, x := range strings.Split(val, ",") {
				if x = strings.TrimSpace(x); x != "" {
					out[dim] = append(out[dim], x)
				}
			}
		}
	}
	return out
}
