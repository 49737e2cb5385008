package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"

	"vox/internal/store"
	"vox/internal/survey"
)

// SetSurveys enables the survey endpoints.
func (a *API) SetSurveys(s *survey.Service) { a.surveys = s }

func (a *API) surveyRoutes() []route {
	return []route{
		{method: "POST", path: "/api/v1/surveys", handle: a.postSurvey},
		{method: "GET", path: "/api/v1/surveys", handle: a.listSurveys},
		{method: "GET", path: "/api/v1/surveys/{id}", handle: a.getSurvey},
		{method: "PUT", path: "/api/v1/surveys/{id}", handle: a.putSurvey},
		{method: "POST", path: "/api/v1/surveys/{id}/invitations", handle: a.postInvitation},
		{method: "POST", path: "/api/v1/surveys/{id}/invitations/csv", handle: a.postInvitationsCSV},
		{method: "POST", path: "/api/v1/surveys/{id}/invitations/segment", handle: a.postInvitationsSegment},
		{method: "GET", path: "/api/v1/surveys/{id}/segment-sends", handle: a.listSegmentSends},
		{method: "GET", path: "/api/v1/surveys/{id}/invitations", handle: a.listInvitations},
		{method: "GET", path: "/api/v1/surveys/{id}/responses", handle: a.listSurveyResponses},
		{method: "GET", path: "/api/v1/surveys/{id}/stats", handle: a.surveyStats},
		{method: "GET", path: "/api/v1/surveys/{id}/link", handle: a.surveyLink},
		{method: "POST", path: "/api/v1/surveys/{id}/widgets", handle: a.postWidget},
		{method: "GET", path: "/api/v1/survey-settings", handle: a.getSurveySettings},
		{method: "PUT", path: "/api/v1/survey-settings", handle: a.putSurveySettings},
	}
}

var errSurveysOff = &apiError{Status: http.StatusServiceUnavailable, Code: "surveys_disabled",
	Message: "surveys are not configured on this server (set the survey token secret)"}

// surveyErr maps the survey package's errors to API errors.
func surveyErr(err error) error {
	var de *survey.DefinitionError
	var ie *survey.InviteError
	switch {
	case errors.As(err, &de):
		return &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid", Field: de.Field, Message: de.Field + " " + de.Message}
	case errors.As(err, &ie):
		return &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid", Field: ie.Field, Message: ie.Field + " " + ie.Message,
			Details: map[string]int{"index": ie.Index}}
	case errors.Is(err, survey.ErrSurveyNotLive):
		return &apiError{Status: http.StatusConflict, Code: "survey_not_live", Message: "the survey is not live: set status to live first"}
	}
	return err
}

func (a *API) readSurveyInput(r *http.Request) (survey.Input, error) {
	var in survey.Input
	body, err := readBody(r)
	if err != nil {
		return in, err
	}
	if err := decodeStrict(body, &in, ""); err != nil {
		return in, err
	}
	return in, nil
}

func (a *API) postSurvey(w http.ResponseWriter, r *http.Request, ws int64) error {
	if a.surveys == nil {
		return errSurveysOff
	}
	in, err := a.readSurveyInput(r)
	if err != nil {
		return err
	}
	id, err := a.surveys.CreateSurvey(r.Context(), ws, in)
	if err != nil {
		return surveyErr(err)
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": id, "version": 1})
	return nil
}

func (a *API) listSurveys(w http.ResponseWriter, r *http.Request, ws int64) error {
	if a.surveys == nil {
		return errSurveysOff
	}
	list, err := a.surveys.Surveys(r.Context(), ws)
	if err != nil {
		return err
	}
	if list == nil {
		list = []survey.Survey{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": list})
	return nil
}

func (a *API) getSurvey(w http.ResponseWriter, r *http.Request, ws int64) error {
	id, err := a.surveyPathID(r)
	if err != nil {
		return err
	}
	version := 0
	if v := r.URL.Query().Get("version"); v != "" {
		if version, err = strconv.Atoi(v); err != nil || version < 1 {
			return errBadRequest("invalid", "version", "must be a positive version number")
		}
	}
	sv, err := a.surveys.Survey(r.Context(), ws, id, version)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sv)
	return nil
}

// surveyPathID is the survey id of a survey route, or errSurveysOff when
// this server runs without the survey service.
func (a *API) surveyPathID(r *http.Request) (int64, error) {
	if a.surveys == nil {
		return 0, errSurveysOff
	}
	return pathID(r)
}

func (a *API) putSurvey(w http.ResponseWriter, r *http.Request, ws int64) error {
	id, err := a.surveyPathID(r)
	if err != nil {
		return err
	}
	in, err := a.readSurveyInput(r)
	if err != nil {
		return err
	}
	version, err := a.surveys.UpdateSurvey(r.Context(), ws, id, in)
	if err != nil {
		return surveyErr(err)
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "version": version})
	return nil
}

// invitationView is an invitation with its one-time link.
type invitationView struct {
	store.Invitation
	URL     string `json:"url,omitempty"`
	Created bool   `json:"created"`
}

func (a *API) postInvitation(w http.ResponseWriter, r *http.Request, ws int64) error {
	id, err := a.surveyPathID(r)
	if err != nil {
		return err
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var req survey.InviteRequest
	if err := decodeStrict(body, &req, ""); err != nil {
		return err
	}
	out, err := a.surveys.Invite(r.Context(), ws, id, []survey.InviteRequest{req})
	if err != nil {
		return surveyErr(err)
	}
	status := http.StatusCreated
	if !out[0].Created {
		status = http.StatusOK
	}
	writeJSON(w, status, invitationView{Invitation: out[0].Invitation, URL: out[0].URL, Created: out[0].Created})
	return nil
}

// MaxCSVRows bounds one list upload.
const MaxCSVRows = survey.MaxListRows

// postInvitationsCSV invites a list: a CSV read by survey.ParseContactList
// (the web form's reader too: a header naming any of email, phone,
// telegram_id, external_id, name, lang, timezone; commas or semicolons).
// The query gives channel, wave and delay_seconds. Each row's dedupe key is
// wave + address, so re-uploading a list sends nothing twice. Unlike the
// web form, which skips bad rows, the API refuses the whole list at the
// first invalid row (422, its line in the message), so that a client
// never half-sends a list.
func (a *API) postInvitationsCSV(w http.ResponseWriter, r *http.Request, ws int64) error {
	id, err := a.surveyPathID(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	channel, wave := q.Get("channel"), q.Get("wave")
	delay := 0
	if v := q.Get("delay_seconds"); v != "" {
		if delay, err = strconv.Atoi(v); err != nil {
			return errBadRequest("invalid", "delay_seconds", "must be a number")
		}
	}
	body := &readErr{r: r.Body}
	rows, err := survey.ParseContactList(body, channel, wave)
	var mbe *http.MaxBytesError
	if errors.As(body.err, &mbe) {
		return body.err
	}
	var le *survey.ListError
	if errors.As(err, &le) {
		return errBadRequest("invalid_csv", "", le.Error())
	}
	if err != nil {
		return err
	}
	reqs := make([]survey.InviteRequest, len(rows))
	for i, row := range rows {
		reqs[i] = row.Request
		reqs[i].DelaySeconds = delay
	}
	out, err := a.surveys.Invite(r.Context(), ws, id, reqs)
	if err != nil {
		var ie *survey.InviteError
		if errors.As(err, &ie) && ie.Index >= 0 && ie.Index < len(rows) {
			return &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid", Field: ie.Field,
				Message: "line " + strconv.Itoa(rows[ie.Index].Line) + ": " + ie.Field + " " + ie.Message}
		}
		return surveyErr(err)
	}
	created := 0
	for _, o := range out {
		if o.Created {
			created++
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"rows": len(out), "created": created, "duplicates": len(out) - created})
	return nil
}

// readErr remembers the error its reader returned (a body over its size
// cap), which a parser may report only as text.
type readErr struct {
	r   io.Reader
	err error
}

func (e *readErr) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		e.err = err
	}
	return n, err
}

func (a *API) listInvitations(w http.ResponseWriter, r *http.Request, ws int64) error {
	id, err := a.surveyPathID(r)
	if err != nil {
		return err
	}
	if _, err := a.db.SurveyAt(r.Context(), ws, id, 0); err != nil {
		return err
	}
	list, err := a.db.Invitations(r.Context(), ws, id, 500)
	if err != nil {
		return err
	}
	if list == nil {
		list = []store.Invitation{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": list})
	return nil
}

// responseView is a stored response with its answers as JSON.
type responseView struct {
	store.SurveyResponse
	Answers json.RawMessage `json:"answers"`
}

func (a *API) listSurveyResponses(w http.ResponseWriter, r *http.Request, ws int64) error {
	id, err := a.surveyPathID(r)
	if err != nil {
		return err
	}
	if _, err := a.db.SurveyAt(r.Context(), ws, id, 0); err != nil {
		return err
	}
	limit := 100
	if v := r.URL.Query().Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > 1000 {
			return errBadRequest("invalid", "limit", "must be 1-1000")
		}
	}
	var before int64
	if v := r.URL.Query().Get("cursor"); v != "" {
		if before, err = strconv.ParseInt(v, 10, 64); err != nil || before <= 0 {
			return errBadRequest("invalid", "cursor", "pass next_cursor from a previous page")
		}
	}
	list, err := a.db.SurveyResponses(r.Context(), ws, id, before, limit)
	if err != nil {
		return err
	}
	items := make([]responseView, len(list))
	for i, sr := range list {
		items[i] = responseView{SurveyResponse: sr, Answers: json.RawMessage(sr.Answers)}
	}
	next := ""
	if len(list) == limit {
		next = strconv.FormatInt(list[len(list)-1].ID, 10)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "next_cursor": next})
	return nil
}

func (a *API) surveyStats(w http.ResponseWriter, r *http.Request, ws int64) error {
	id, err := a.surveyPathID(r)
	if err != nil {
		return err
	}
	st, err := a.surveys.Stats(r.Context(), ws, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

func (a *API) surveyLink(w http.ResponseWriter, r *http.Request, ws int64) error {
	id, err := a.surveyPathID(r)
	if err != nil {
		return err
	}
	if _, err := a.db.SurveyAt(r.Context(), ws, id, 0); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"url": a.surveys.SurveyLink(ws, id)})
	return nil
}

func (a *API) postWidget(w http.ResponseWriter, r *http.Request, ws int64) error {
	id, err := a.surveyPathID(r)
	if err != nil {
		return err
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var req struct {
		AllowedOrigins []string `json:"allowed_origins"`
	}
	if err := decodeStrict(body, &req, ""); err != nil {
		return err
	}
	wd, err := a.surveys.CreateWidget(r.Context(), ws, id, req.AllowedOrigins)
	if err != nil {
		return surveyErr(err)
	}
	writeJSON(w, http.StatusCreated, wd)
	return nil
}

func (a *API) getSurveySettings(w http.ResponseWriter, r *http.Request, ws int64) error {
	if a.surveys == nil {
		return errSurveysOff
	}
	s, err := a.surveys.Settings(r.Context(), ws)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.Redacted())
	return nil
}

func (a *API) putSurveySettings(w http.ResponseWriter, r *http.Request, ws int64) error {
	if a.surveys == nil {
		return errSurveysOff
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var s survey.Settings
	if err := decodeStrict(body, &s, ""); err != nil {
		return err
	}
	if err := a.surveys.PutSettings(r.Context(), ws, s); err != nil {
		return surveyErr(err)
	}
	saved, err := a.surveys.Settings(r.Context(), ws)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, saved.Redacted())
	return nil
}
