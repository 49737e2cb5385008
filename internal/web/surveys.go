package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

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
		{method: "POST", path: "/surveys/{id}/send", perms: perm, handle: s.surveySend},
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

// questionView is a question as the survey page lists it.
type questionView struct {
	N         int
	ID, Kind  string
	Text      string
	Required  bool
	Options   []string
	Condition string
}

// answerView is one answer of a response, against the version it was given for.
type answerView struct {
	Question, Value string
}

// responseView is a stored response on the survey page.
type responseView struct {
	ID         int64
	At         time.Time
	Channel    string
	Lang       string
	Version    int
	FeedbackID int64
	CustomerID *int64
	Answers    []answerView
}

// surveyData is a survey's page.
type surveyData struct {
	Survey     survey.Survey
	Kind       string
	Questions  []questionView
	Stats      survey.Stats
	Rate       scoreCell
	NPS, CSAT  scoreCell
	CES        scoreCell
	Link       string   // the anonymous link to the hosted page
	LinkLangs  []string // the survey's languages, for preview links
	Widgets    []survey.Widget
	Responses  []responseView
	Saved      bool
	Channels   []sendChannel
	Send       *survey.ListResult
	SendError  string // message key
	SendLine   int    // the line a send error is on
	SendDetail string // the reader's own message, for a broken CSV
	Wave       string
	Channel    string
	Origins    string
	WidgetErr  string // message key
	MaxUpload  int    // KB
	MaxLinks   int
}

// sendChannel is a channel of the send form; Missing marks one without a
// configured sender, whose invitations would fail.
type sendChannel struct {
	Name    string
	Missing bool
}

// surveyResponsesShown is how many recent responses the page shows.
const surveyResponsesShown = 20

// surveyLinksShown is how many one-time links the send result lists.
const surveyLinksShown = 100

func (s *Server) surveyPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.showSurvey(w, r, rc, http.StatusOK, func(d *surveyData) { d.Saved = r.URL.Query().Get("saved") != "" })
}

// showSurvey renders a survey's page; edit fills what an action adds
// (a send result, an error) before rendering.
func (s *Server) showSurvey(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, edit func(*surveyData)) error {
	svc := s.opt.Surveys
	if svc == nil {
		s.surveysOff(w, r, rc)
		return nil
	}
	ctx := r.Context()
	ws := rc.Workspace.ID
	id, err := surveyID(r)
	if err != nil {
		return err
	}
	sv, err := svc.Survey(ctx, ws, id, 0)
	if err != nil {
		return err
	}
	d := surveyData{Survey: sv, Kind: surveyKind(&sv.Definition), Questions: s.questionViews(rc, &sv.Definition),
		Link: svc.SurveyLink(ws, id), LinkLangs: sv.Languages, Channel: survey.ChannelEmail,
		MaxUpload: maxFormBytes >> 10, MaxLinks: surveyLinksShown}
	for _, c := range survey.InvitationChannels {
		d.Channels = append(d.Channels, sendChannel{Name: c, Missing: c != survey.ChannelLink && svc.Senders[c] == nil})
	}
	if d.Stats, err = svc.Stats(ctx, ws, id); err != nil {
		return err
	}
	if d.Stats.Total.Sent > 0 {
		d.Rate = scoreCell{Has: true, Value: float64(d.Stats.Total.Answered) / float64(d.Stats.Total.Sent), N: d.Stats.Total.Sent}
	}
	key := strconv.FormatInt(id, 10)
	for _, m := range []struct {
		name string
		dst  *scoreCell
	}{{"nps", &d.NPS}, {"csat", &d.CSAT}, {"ces", &d.CES}} {
		cells, err := s.surveyScores(ctx, rc, m.name, key)
		if err != nil {
			return err
		}
		*m.dst = cells[key]
	}
	if d.Widgets, err = svc.Widgets(ctx, ws, id); err != nil {
		return err
	}
	if d.Responses, err = s.responseViews(ctx, rc, sv); err != nil {
		return err
	}
	if edit != nil {
		edit(&d)
	}
	s.render(w, r, rc, status, "survey", "surveys", sv.Name, d)
	return nil
}

// questionViews lists a definition's questions in the UI's language.
func (s *Server) questionViews(rc *reqCtx, d *survey.Definition) []questionView {
	pos := map[string]int{}
	out := make([]questionView, 0, len(d.Questions))
	for i, q := range d.Questions {
		pos[q.ID] = i + 1
		qv := questionView{N: i + 1, ID: q.ID, Kind: questionFormFrom(0, q).Kind, Text: q.Text.In(rc.L.Lang, d.DefaultLang()), Required: q.Required}
		for _, o := range q.Options {
			qv.Options = append(qv.Options, o.Text.In(rc.L.Lang, d.DefaultLang()))
		}
		if c := q.ShowIf; c != nil {
			ref := strconv.Itoa(pos[c.Question])
			val := fmt.Sprint(c.Value)
			if list, ok := c.Value.([]any); ok {
				parts := make([]string, len(list))
				for j, v := range list {
					parts[j] = fmt.Sprint(v)
				}
				val = strings.Join(parts, ", ")
			}
			key := "surveys.cond." + c.Op // one message per operator
			if c.Op == "answered" {
				qv.Condition = rc.L.T(key, ref)
			} else {
				qv.Condition = rc.L.T(key, ref, val)
			}
		}
		out = append(out, qv)
	}
	return out
}

// responseViews renders the latest responses, each against the version of
// the survey it answered, so an edit never changes what an answer meant.
func (s *Server) responseViews(ctx context.Context, rc *reqCtx, cur survey.Survey) ([]responseView, error) {
	ws := rc.Workspace.ID
	list, err := s.db.SurveyResponses(ctx, ws, cur.ID, 0, surveyResponsesShown)
	if err != nil {
		return nil, err
	}
	versions := map[int]survey.Survey{cur.Version: cur}
	out := make([]responseView, 0, len(list))
	for _, resp := range list {
		sv, ok := versions[resp.SurveyVersion]
		if !ok {
			if sv, err = s.opt.Surveys.Survey(ctx, ws, cur.ID, resp.SurveyVersion); err != nil {
				return nil, fmt.Errorf("survey %d version %d: %w", cur.ID, resp.SurveyVersion, err)
			}
			versions[resp.SurveyVersion] = sv
		}
		var answers survey.Answers
		if err := json.Unmarshal([]byte(resp.Answers), &answers); err != nil {
			return nil, fmt.Errorf("response %d answers: %w", resp.ID, err)
		}
		rv := responseView{ID: resp.ID, At: resp.CreatedAt, Channel: resp.Channel, Lang: resp.Lang, Version: resp.SurveyVersion,
			FeedbackID: resp.FeedbackItemID, CustomerID: resp.CustomerID}
		lang, fb := rc.L.Lang, sv.DefaultLang()
		for _, q := range sv.Questions {
			a, ok := answers[q.ID]
			if !ok || a.Skipped {
				continue
			}
			av := answerView{Question: q.Text.In(lang, fb)}
			switch {
			case a.Score != nil:
				av.Value = strconv.Itoa(*a.Score)
			case len(a.Choice) > 0:
				labels := make([]string, 0, len(a.Choice))
				for _, c := range a.Choice {
					label := c
					if i := slices.IndexFunc(q.Options, func(o survey.Option) bool { return o.ID == c }); i >= 0 {
						label = q.Options[i].Text.In(lang, fb)
					}
					labels = append(labels, label)
				}
				av.Value = strings.Join(labels, ", ")
			default:
				av.Value = a.Text
			}
			rv.Answers = append(rv.Answers, av)
		}
		out = append(out, rv)
	}
	return out, nil
}

// surveyEditData is the create/edit page.
type surveyEditData struct {
	Form     surveyForm
	Action   string
	Kinds    []string
	Ops      []string
	Groups   []string
	Langs    []string
	Stages   []string
	Statuses []string
	Refs     []questionRef
}

// questionRef is a question a skip-logic condition can name.
type questionRef struct {
	ID    string
	Label string
}

func (s *Server) renderSurveyForm(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, f surveyForm) {
	d := surveyEditData{Form: f, Action: "/surveys/new", Kinds: surveyQuestionKinds, Ops: surveyConditionOps, Groups: followGroups,
		Langs: survey.Languages, Stages: store.JourneyStages, Statuses: survey.Statuses}
	title := rc.L.T("surveys.new")
	if f.ID > 0 {
		d.Action = "/surveys/" + strconv.FormatInt(f.ID, 10) + "/edit"
		title = rc.L.T("surveys.edit_title", f.Name)
	}
	for _, q := range f.Questions {
		label := strconv.Itoa(q.Slot) + ". " + survey.Text(q.Text).In(rc.L.Lang, f.DefaultLang)
		if len([]rune(label)) > 60 {
			label = string([]rune(label)[:59]) + "…"
		}
		d.Refs = append(d.Refs, questionRef{ID: q.ID, Label: label})
	}
	s.render(w, r, rc, status, "survey_edit", "surveys", title, d)
}

func (s *Server) surveyNew(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if s.opt.Surveys == nil {
		s.surveysOff(w, r, rc)
		return nil
	}
	s.renderSurveyForm(w, r, rc, http.StatusOK, newSurveyForm())
	return nil
}

func (s *Server) surveyEdit(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	svc := s.opt.Surveys
	if svc == nil {
		s.surveysOff(w, r, rc)
		return nil
	}
	id, err := surveyID(r)
	if err != nil {
		return err
	}
	sv, err := svc.Survey(r.Context(), rc.Workspace.ID, id, 0)
	if err != nil {
		return err
	}
	f := surveyFormFrom(sv)
	f.addSlot()
	s.renderSurveyForm(w, r, rc, http.StatusOK, f)
	return nil
}

func (s *Server) surveyCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.saveSurvey(w, r, rc, 0)
}

func (s *Server) surveyUpdate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := surveyID(r)
	if err != nil {
		return err
	}
	return s.saveSurvey(w, r, rc, id)
}

// saveSurvey creates (id 0) or edits a survey from the posted form. "Add
// question" shows the form again with one more slot and saves nothing.
// An edit goes through survey.UpdateSurvey, which makes a new version when
// the questions changed, so earlier answers keep the questions they had.
func (s *Server) saveSurvey(w http.ResponseWriter, r *http.Request, rc *reqCtx, id int64) error {
	svc := s.opt.Surveys
	if svc == nil {
		s.surveysOff(w, r, rc)
		return nil
	}
	ctx := r.Context()
	ws := rc.Workspace.ID
	var cur survey.Survey
	if id > 0 {
		var err error
		if cur, err = svc.Survey(ctx, ws, id, 0); err != nil {
			return err
		}
	}
	if err := r.ParseForm(); err != nil {
		return errBadRequest
	}
	f := parseSurveyForm(r)
	f.ID, f.Version = id, cur.Version
	if r.PostForm.Get("add") != "" {
		f.addSlot()
		s.renderSurveyForm(w, r, rc, http.StatusOK, f)
		return nil
	}
	in, refs, ok := f.input()
	if !ok {
		s.renderSurveyForm(w, r, rc, http.StatusUnprocessableEntity, f)
		return nil
	}
	var err error
	if id == 0 {
		id, err = svc.CreateSurvey(ctx, ws, in)
	} else {
		keepLabels(&in, cur)
		_, err = svc.UpdateSurvey(ctx, ws, id, in)
	}
	if f.attach(err, refs) {
		s.renderSurveyForm(w, r, rc, http.StatusUnprocessableEntity, f)
		return nil
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/surveys/"+strconv.FormatInt(id, 10)+"?saved=1", http.StatusSeeOther)
	return nil
}

// surveySend invites a contact list: a CSV file (or text pasted in the
// form) on one channel. Valid rows are queued with their send jobs in one
// transaction; invalid ones are reported by line and queue nothing.
func (s *Server) surveySend(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	svc := s.opt.Surveys
	if svc == nil {
		s.surveysOff(w, r, rc)
		return nil
	}
	id, err := surveyID(r)
	if err != nil {
		return err
	}
	if _, err := svc.Survey(r.Context(), rc.Workspace.ID, id, 0); err != nil {
		return err
	}
	channel, wave := r.PostFormValue("channel"), strings.TrimSpace(r.PostFormValue("wave"))
	fail := func(status int, key string, line int, detail string) error {
		return s.showSurvey(w, r, rc, status, func(d *surveyData) {
			d.SendError, d.SendLine, d.SendDetail, d.Channel, d.Wave = key, line, detail, channel, wave
		})
	}
	if !slices.Contains(survey.InvitationChannels, channel) {
		return fail(http.StatusUnprocessableEntity, "surveys.send.err.channel", 0, "")
	}
	if len(wave) > 100 {
		return fail(http.StatusUnprocessableEntity, "surveys.send.err.wave", 0, "")
	}
	text := r.PostFormValue("contacts_text")
	if file, _, err := r.FormFile("contacts"); err == nil {
		defer file.Close()
		raw, err := io.ReadAll(file)
		if err != nil {
			return fmt.Errorf("read contact list: %w", err)
		}
		if strings.TrimSpace(string(raw)) != "" {
			text = string(raw)
		}
	}
	if strings.TrimSpace(text) == "" {
		return fail(http.StatusUnprocessableEntity, "surveys.send.err.no_list", 0, "")
	}
	rows, err := survey.ParseContactList(strings.NewReader(text), channel, wave)
	var le *survey.ListError
	if errors.As(err, &le) {
		return fail(http.StatusUnprocessableEntity, "surveys.send.err.list", le.Line, le.Message)
	}
	if err != nil {
		return err
	}
	res, err := svc.InviteList(r.Context(), rc.Workspace.ID, id, rows)
	if errors.Is(err, survey.ErrSurveyNotLive) {
		return fail(http.StatusConflict, "surveys.send.err.not_live", 0, "")
	}
	if err != nil {
		return err
	}
	if len(res.Links) > surveyLinksShown {
		res.Links = res.Links[:surveyLinksShown]
	}
	return s.showSurvey(w, r, rc, http.StatusOK, func(d *surveyData) { d.Send, d.Channel, d.Wave = &res, channel, wave })
}

// surveyWidget makes a widget site key for the survey, allowed on the
// origins given one per line.
func (s *Server) surveyWidget(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	svc := s.opt.Surveys
	if svc == nil {
		s.surveysOff(w, r, rc)
		return nil
	}
	id, err := surveyID(r)
	if err != nil {
		return err
	}
	if _, err := svc.Survey(r.Context(), rc.Workspace.ID, id, 0); err != nil {
		return err
	}
	raw := r.PostFormValue("origins")
	var origins []string
	for _, o := range strings.FieldsFunc(raw, func(c rune) bool { return c == '\n' || c == '\r' || c == ',' || c == ' ' }) {
		origins = append(origins, o)
	}
	_, err = svc.CreateWidget(r.Context(), rc.Workspace.ID, id, origins)
	var de *survey.DefinitionError
	if errors.As(err, &de) {
		return s.showSurvey(w, r, rc, http.StatusUnprocessableEntity, func(d *surveyData) { d.WidgetErr, d.Origins = "surveys.widget.err", raw })
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/surveys/"+strconv.FormatInt(id, 10)+"#widgets", http.StatusSeeOther)
	return nil
}
