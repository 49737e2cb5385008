package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"

	"vox/internal/alert"
	"vox/internal/store"
)

// ruleWindowDays is the period of a rule's fired count and of "test
// against the last days": long enough to include a weekly pattern.
const ruleWindowDays = 7

// ruleSamples is how many matching items a rule test shows.
const ruleSamples = 5

// maxConditionRows bounds the editor's condition slots, as alert.Compile
// bounds a rule's conditions.
const maxConditionRows = 50

// maxEmployeeOptions bounds the employee suggestions of the rule editor;
// beyond it the id is typed.
const maxEmployeeOptions = 500

// ruleEditData is the rule editor page.
type ruleEditData struct {
	Form      ruleForm
	Fields    []alert.RuleField
	Ops       []string
	Owners    []string
	Employees []store.Employee
	Teams     []string
	Flash     string
	Test      *ruleTestView
	TestDays  int
}

// ruleTestView is the result of testing a rule on past items.
type ruleTestView struct {
	Result  alert.RuleTest
	Samples []feedbackRow
}

// ruleRow is one rule of the list with its firings in the window.
type ruleRow struct {
	Rule    store.Rule
	Conds   []condRow
	Actions []actionSummary
	Fired   int
	Broken  bool // the stored JSON cannot be read: shown, never fired
}

// actionSummary is one action of a rule as the list shows it.
type actionSummary struct {
	Key    string // catalog key naming the action
	Detail string // recipients, tags, chat id or URL host
	SLA    string // hours, for an opened case
}

// rulesData is the rules list.
type rulesData struct {
	Rules []ruleRow
	Days  int
	Flash string
}

func (s *Server) rulesPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if s.opt.Alerts == nil {
		return s.unavailable(w, r, rc, "settings.rules.title")
	}
	ctx := r.Context()
	rules, err := s.db.Rules(ctx, rc.Workspace.ID)
	if err != nil {
		return err
	}
	fired, err := s.db.RuleFireCounts(ctx, rc.Workspace.ID, s.now().AddDate(0, 0, -ruleWindowDays))
	if err != nil {
		return err
	}
	d := rulesData{Days: ruleWindowDays, Flash: flashOf(r)}
	for _, ru := range rules {
		row := ruleRow{Rule: ru, Fired: fired[ru.ID]}
		f, err := ruleFormOf(ru)
		if err != nil {
			row.Broken = true
		} else {
			row.Conds, row.Actions = f.Conds, f.summary()
		}
		d.Rules = append(d.Rules, row)
	}
	s.render(w, r, rc, http.StatusOK, "settings_rules", "settings", rc.L.T("settings.rules.title"), d)
	return nil
}

func (s *Server) ruleNew(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if s.opt.Alerts == nil {
		return s.unavailable(w, r, rc, "settings.rules.title")
	}
	f := ruleForm{Enabled: true, Match: "all"}
	return s.renderRule(w, r, rc, http.StatusOK, f, nil)
}

func (s *Server) ruleEdit(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if s.opt.Alerts == nil {
		return s.unavailable(w, r, rc, "settings.rules.title")
	}
	ru, err := s.ruleOrNotFound(r.Context(), rc.Workspace.ID, r)
	if err != nil {
		return err
	}
	f, err := ruleFormOf(ru)
	if err != nil {
		return err
	}
	return s.renderRule(w, r, rc, http.StatusOK, f, nil)
}

// renderRule shows the editor with one spare condition slot.
func (s *Server) renderRule(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, f ruleForm, test *ruleTestView) error {
	ctx := r.Context()
	if len(f.Conds) < maxConditionRows {
		f.Conds = append(f.Conds, condRow{Op: "eq"})
	}
	d := ruleEditData{Form: f, Fields: alert.RuleFields(), Ops: alert.RuleOperators(), Owners: alert.OwnerStrategies(),
		Flash: flashOf(r), Test: test, TestDays: ruleWindowDays}
	emps, err := s.db.Employees(ctx, rc.Workspace.ID)
	if err != nil {
		return err
	}
	for _, e := range emps {
		if e.Team != "" && !slices.Contains(d.Teams, e.Team) {
			d.Teams = append(d.Teams, e.Team)
		}
	}
	slices.Sort(d.Teams)
	if len(emps) > maxEmployeeOptions {
		emps = emps[:maxEmployeeOptions]
	}
	d.Employees = emps
	title := rc.L.T("settings.rules.new")
	if f.ID > 0 {
		title = rc.L.T("settings.rules.edit", f.Name)
	}
	s.render(w, r, rc, status, "settings_rule", "settings", title, d)
	return nil
}

func (s *Server) ruleCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.saveRule(w, r, rc, ruleForm{})
}

func (s *Server) ruleUpdate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if s.opt.Alerts == nil {
		return s.unavailable(w, r, rc, "settings.rules.title")
	}
	ru, err := s.ruleOrNotFound(r.Context(), rc.Workspace.ID, r)
	if err != nil {
		return err
	}
	old, _ := ruleFormOf(ru) // an unreadable stored rule is simply replaced
	old.ID = ru.ID
	return s.saveRule(w, r, rc, old)
}

// saveRule creates (old.ID == 0) or replaces a rule from the posted form,
// or re-renders the form: with one more condition slot when asked, with
// the errors next to their fields when the rule is invalid (nothing is
// stored then).
func (s *Server) saveRule(w http.ResponseWriter, r *http.Request, rc *reqCtx, old ruleForm) error {
	if s.opt.Alerts == nil {
		return s.unavailable(w, r, rc, "settings.rules.title")
	}
	if err := r.ParseForm(); err != nil {
		return errBadRequest
	}
	f := parseRuleForm(r.PostForm)
	f.ID, f.SlackSet, f.slackStored = old.ID, old.SlackSet, old.slackStored
	if r.PostForm.Get("do") == "add_condition" {
		// Keep as many slots as were posted; the spare one renderRule
		// adds is the new one. Nothing is stored.
		for n := len(r.PostForm["cond_field"]); len(f.Conds) < n && len(f.Conds) < maxConditionRows-1; {
			f.Conds = append(f.Conds, condRow{Op: "eq"})
		}
		return s.renderRule(w, r, rc, http.StatusOK, f, nil)
	}
	spec, rows, acts, ok := f.spec()
	if !ok {
		return s.renderRule(w, r, rc, http.StatusUnprocessableEntity, f, nil)
	}
	ctx := r.Context()
	var saved store.Rule
	var err error
	if f.ID == 0 {
		saved, err = s.opt.Alerts.CreateRule(ctx, rc.Workspace.ID, spec)
	} else {
		saved, err = s.opt.Alerts.UpdateRule(ctx, rc.Workspace.ID, f.ID, spec)
	}
	if fe, isField := asFieldError(err); isField {
		f.applyError(fe, rows, acts)
		return s.renderRule(w, r, rc, http.StatusUnprocessableEntity, f, nil)
	}
	if err != nil {
		return err
	}
	done := "saved"
	if f.ID == 0 {
		done = "created"
	}
	http.Redirect(w, r, fmt.Sprintf("/settings/rules/%d?done=%s", saved.ID, done), http.StatusSeeOther)
	return nil
}

func (s *Server) ruleSetEnabled(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ru, err := s.ruleOrNotFound(r.Context(), rc.Workspace.ID, r)
	if err != nil {
		return err
	}
	// Switching a rule on or off leaves its meaning alone, so it is not
	// validated again (a rule saved by an older version stays as it was).
	ru.Enabled = r.PostFormValue("enabled") == "1"
	if _, err := s.db.UpdateRule(r.Context(), rc.Workspace.ID, ru); err != nil {
		return err
	}
	done := "disabled"
	if ru.Enabled {
		done = "enabled"
	}
	http.Redirect(w, r, "/settings/rules?done="+done, http.StatusSeeOther)
	return nil
}

func (s *Server) ruleDelete(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ru, err := s.ruleOrNotFound(r.Context(), rc.Workspace.ID, r)
	if err != nil {
		return err
	}
	if err := s.db.DeleteRule(r.Context(), rc.Workspace.ID, ru.ID); err != nil {
		return err
	}
	http.Redirect(w, r, "/settings/rules?done=deleted", http.StatusSeeOther)
	return nil
}

// ruleTest evaluates the stored rule on the last days' items and shows the
// editor with how often it would have fired and a few of those items.
// Nothing is stored or sent.
func (s *Server) ruleTest(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if s.opt.Alerts == nil {
		return s.unavailable(w, r, rc, "settings.rules.title")
	}
	ctx := r.Context()
	ru, err := s.ruleOrNotFound(ctx, rc.Workspace.ID, r)
	if err != nil {
		return err
	}
	f, err := ruleFormOf(ru)
	if err != nil {
		return err
	}
	now := s.now()
	res, err := s.opt.Alerts.TestRule(ctx, rc.Workspace.ID, ru.ID, now.AddDate(0, 0, -ruleWindowDays), now)
	if err != nil {
		return err
	}
	view := &ruleTestView{Result: res}
	var items []store.FeedbackItem
	for _, id := range res.SampleIDs {
		if len(items) == ruleSamples {
			break
		}
		it, err := s.db.Feedback(ctx, rc.Workspace.ID, id)
		if err != nil {
			return err
		}
		items = append(items, it)
	}
	if view.Samples, err = s.feedbackRows(ctx, rc, items); err != nil {
		return err
	}
	return s.renderRule(w, r, rc, http.StatusOK, f, view)
}

// ruleOrNotFound loads the rule named in the path, of this workspace only.
func (s *Server) ruleOrNotFound(ctx context.Context, ws int64, r *http.Request) (store.Rule, error) {
	id, err := pathInt64(r, "id")
	if err != nil {
		return store.Rule{}, err
	}
	return s.db.Rule(ctx, ws, id)
}
