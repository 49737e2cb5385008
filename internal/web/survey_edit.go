package web

import (
	"net/http"
	"strconv"

	"vox/internal/store"
	"vox/internal/survey"
)

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
