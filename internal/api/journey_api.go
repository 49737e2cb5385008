package api

import (
	"net/http"

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

// getDrivers answers GET /api/v1/drivers?from&to: topic effects on NPS.
func (a *API) getDrivers(w http.ResponseWriter, r *http.Request, ws int64) error {
	if err := checkParams(r.URL.Query(), "from", "to"); err != nil {
		return err
	}
	from, to, err := a.dayRange(r, ws)
	if err != nil {
		return err
	}
	d, err := a.insights().Drivers(r.Context(), ws, from, to)
	if err != nil {
		return insightsError(err)
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// getPainPoints answers GET /api/v1/pain-points?by=stage|touchpoint&from&to.
func (a *API) getPainPoints(w http.ResponseWriter, r *http.Request, ws int64) error {
	if err := checkParams(r.URL.Query(), "by", "from", "to"); err != nil {
		return err
	}
	from, to, err := a.dayRange(r, ws)
	if err != nil {
		return err
	}
	p, err := a.insights().PainPoints(r.Context(), ws, from, to, r.URL.Query().Get("by"))
	if err != nil {
		return insightsError(err)
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}
