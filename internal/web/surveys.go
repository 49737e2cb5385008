package web

import (
	"context"
	"net/http"
	"strconv"

	"vox/internal/auth"
	"vox/internal/insights"
	"vox/internal/store"
	"vox/internal/survey"
)

// surveyRoutes lists the survey manager's pages: the list, the create and
// edit form, a survey's page with its answers, and its two actions (send
// to a contact list, make a widget).
func (s *Server) surveyRoutes() []route {
	perm := []auth.Permission{auth.ManageSurveys}
	return []route{
		{method: "GET", path: "/surveys", perms: perm, handle: s.surveyList},
		{method: "GET", path: "/surveys/new", perms: perm, handle: s.surveyNew},
		{method: "POST", path: "/surveys/new", perms: perm, handle: s.surveyCreate},
		{method: "GET", path: "/surveys/{id}", perms: perm, handle: s.surveyPage},
		{method: "GET", path: "/surveys/{id}/edit", perms: perm, handle: s.surveyEdit},
		{method: "POST", path: "/surveys/{id}/edit", perms: perm, handle: s.surveyUpdate},
		{method: "POST", path: "/surveys/{id}/send", perms: perm, maxBody: maxContactListBytes, handle: s.surveySend},
		{method: "POST", path: "/surveys/{id}/widgets", perms: perm, handle: s.surveyWidget},
	}
}

// surveysOff answers a survey page when the server runs without the survey
// service (no token secret configured): 503 with a message that says so.
func (s *Server) surveysOff(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	s.render(w, r, rc, http.StatusServiceUnavailable, "surveys", "surveys", rc.L.T("surveys.title"), surveyListData{Unavailable: true})
}

// scoreCell is a metric of a survey's answers: its value and sample size.
type scoreCell struct {
	Has   bool
	Value float64
	N     int
}

// surveyListRow is one survey in the list.
type surveyListRow struct {
	Survey    survey.Survey
	Kind      string
	Invited   int
	Sent      int
	Responses int
	Rate      scoreCell // answered / sent, 0..1
	NPS, CSAT scoreCell
}

// surveyListData is the surveys page.
type surveyListData struct {
	Unavailable bool
	Rows        []surveyListRow
}

// surveyKind names a survey by its first scored question (NPS, CSAT,
// CES), "custom" when it has none.
func surveyKind(d *survey.Definition) string {
	for _, q := range d.Questions {
		switch q.Type {
		case survey.TypeNPS, survey.TypeCSAT, survey.TypeCES:
			return q.Type
		}
	}
	return "custom"
}

func (s *Server) surveyList(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	svc := s.opt.Surveys
	if svc == nil {
		s.surveysOff(w, r, rc)
		return nil
	}
	ctx := r.Context()
	list, err := svc.Surveys(ctx, rc.Workspace.ID)
	if err != nil {
		return err
	}
	nps, err := s.surveyScores(ctx, rc, "nps", "")
	if err != nil {
		return err
	}
	csat, err := s.surveyScores(ctx, rc, "csat", "")
	if err != nil {
		return err
	}
	data := surveyListData{}
	for _, sv := range list {
		st, err := svc.Stats(ctx, rc.Workspace.ID, sv.ID)
		if err != nil {
			return err
		}
		key := strconv.FormatInt(sv.ID, 10)
		row := surveyListRow{Survey: sv, Kind: surveyKind(&sv.Definition), Invited: st.Total.Invited, Sent: st.Total.Sent,
			Responses: st.Responses, NPS: nps[key], CSAT: csat[key]}
		if st.Total.Sent > 0 {
			row.Rate = scoreCell{Has: true, Value: float64(st.Total.Answered) / float64(st.Total.Sent), N: st.Total.Sent}
		}
		data.Rows = append(data.Rows, row)
	}
	s.render(w, r, rc, http.StatusOK, "surveys", "surveys", rc.L.T("surveys.title"), data)
	return nil
}

// surveyScores returns a metric of survey answers over all time (the
// longest range the rollups answer), per survey id, or for one survey
// when only is set.
func (s *Server) surveyScores(ctx context.Context, rc *reqCtx, metric, only string) (map[string]scoreCell, error) {
	to := s.insights().Today(workspaceLocation(rc.Workspace))
	q := insights.Query{Metric: metric, By: []string{"survey"}, From: to - insights.MaxRangeDays + 1, To: to}
	if only != "" {
		q.Filters = map[string][]string{"survey": {only}}
	}
	res, err := s.insights().Metric(ctx, rc.Workspace.ID, q)
	if err != nil {
		return nil, err
	}
	out := map[string]scoreCell{}
	for _, g := range res.Groups {
		if g.N > 0 {
			out[g.Key["survey"]] = scoreCell{Has: true, Value: g.Value, N: g.N}
		}
	}
	return out, nil
}

// surveyID reads the {id} of the path; anything but a positive number is
// simply not found.
func surveyID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, store.ErrNotFound
	}
	return id, nil
}
