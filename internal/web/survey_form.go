package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"vox/internal/survey"
)

// The survey form is plain HTML: a fixed number of question slots, each
// with every field of a question, and an "add question" button that posts
// the form back with one more slot. It turns into a survey.Input and goes
// through the survey package's validation, the same the API uses; that
// validation's errors are shown next to the field they name.

// surveyQuestionKinds are the question kinds the form offers: a question
// type, with CSAT split by its scale.
var surveyQuestionKinds = []string{"nps", "csat5", "csat10", "ces", "rating", "single", "multi", "open"}

// surveyConditionOps are the skip-logic operators, as the survey package names them.
var surveyConditionOps = []string{"answered", "eq", "ne", "lt", "lte", "gt", "gte", "in"}

// followGroups are the NPS groups a score-adaptive follow-up speaks to.
var followGroups = []string{"promoter", "passive", "detractor"}

// followCondition is when the follow-up of group is shown after the NPS
// question parent: promoters 9-10, passives 7-8, detractors 0-6.
func followCondition(parent, group string) *survey.Condition {
	switch group {
	case "promoter":
		return &survey.Condition{Question: parent, Op: "gte", Value: 9}
	case "passive":
		return &survey.Condition{Question: parent, Op: "in", Value: []any{7, 8}}
	}
	return &survey.Condition{Question: parent, Op: "lte", Value: 6}
}

// followID is the id of a follow-up question: stable, so edits keep it.
func followID(parent, group string) string { return parent + "-" + group }

// Slots shown: a new survey starts with two (an NPS and an open question),
// an edit shows the questions plus one blank slot.
const newSurveySlots = 2

// questionForm is one question slot as the form shows and posts it.
type questionForm struct {
	Slot      int // 1-based, names the inputs (q3.text.en)
	ID        string
	Kind      string
	Scale     string // rating only
	Required  bool
	Remove    bool
	Text      map[string]string            // language → question
	Options   map[string]string            // language → choices, one per line
	OptionIDs string                       // ids of the choices in order, comma-separated
	ShowQ     string                       // skip logic: the earlier question's id
	ShowOp    string                       // its operator
	ShowValue string                       // its value; "in" takes a comma-separated list
	Follow    map[string]map[string]string // NPS group → language → follow-up question
	Errors    map[string]string            // part (text, kind, options, show_if, follow, id) → message key
}

// blank reports whether the slot was left empty: blank slots are skipped.
func (q *questionForm) blank() bool {
	for _, v := range q.Text {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return !q.HasOptions() && !q.HasFollow()
}

// HasOptions reports whether any choice was typed (its box opens).
func (q questionForm) HasOptions() bool {
	for _, v := range q.Options {
		if strings.TrimSpace(v) != "" {
			return true
		}
	}
	return false
}

// HasFollow reports whether any follow-up was typed (its box opens).
func (q questionForm) HasFollow() bool {
	for _, m := range q.Follow {
		for _, v := range m {
			if strings.TrimSpace(v) != "" {
				return true
			}
		}
	}
	return false
}

// FollowText is the follow-up of an NPS group in a language.
func (q questionForm) FollowText(group, lang string) string { return q.Follow[group][lang] }

// surveyForm is the create/edit form of a survey.
type surveyForm struct {
	ID                                     int64 // 0 for a new survey
	Version                                int
	Name, Status, Touchpoint, Stage        string
	DefaultLang                            string
	Langs                                  []string // the survey's languages, default first
	Title, Intro, ThankYou                 map[string]string
	ExpiryDays, ReminderDays, MaxReminders string
	Questions                              []questionForm
	Errors                                 map[string]string // survey field → message key
	Problem                                string            // a validation message not tied to a field
}

// HasLang reports whether the survey is offered in lang (a checkbox).
func (f surveyForm) HasLang(lang string) bool { return slices.Contains(f.Langs, lang) }

// HasErrors reports whether any field has a message.
func (f surveyForm) HasErrors() bool {
	if len(f.Errors) > 0 || f.Problem != "" {
		return true
	}
	for _, q := range f.Questions {
		if len(q.Errors) > 0 {
			return true
		}
	}
	return false
}

func newQuestionForm(slot int, id, kind string) questionForm {
	return questionForm{Slot: slot, ID: id, Kind: kind, Text: map[string]string{}, Options: map[string]string{},
		Follow: map[string]map[string]string{}, Errors: map[string]string{}}
}

// newSurveyForm is the form of a new survey: live, in English, with an NPS
// question and an open one to fill in.
func newSurveyForm() surveyForm {
	f := surveyForm{Status: "live", DefaultLang: "en", Langs: []string{"en"}, Title: map[string]string{}, Intro: map[string]string{},
		ThankYou: map[string]string{}, ExpiryDays: "30", ReminderDays: "0", MaxReminders: "0", Errors: map[string]string{}}
	f.Questions = []questionForm{newQuestionForm(1, "q1", survey.TypeNPS), newQuestionForm(2, "q2", survey.TypeOpen)}
	f.Questions[0].Required = true
	return f
}

// addSlot appends a blank question slot with a fresh id.
func (f *surveyForm) addSlot() {
	if len(f.Questions) >= survey.MaxQuestions {
		return
	}
	used := map[string]bool{}
	for _, q := range f.Questions {
		used[q.ID] = true
		for _, g := range followGroups {
			used[followID(q.ID, g)] = true
		}
	}
	n := len(f.Questions) + 1
	for used["q"+strconv.Itoa(n)] {
		n++
	}
	f.Questions = append(f.Questions, newQuestionForm(len(f.Questions)+1, "q"+strconv.Itoa(n), survey.TypeOpen))
}

// surveyFormFrom fills the form with a stored survey. An open question that
// is the follow-up of the NPS question before it (as the form saves them)
// is shown as that question's follow-up text.
func surveyFormFrom(sv survey.Survey) surveyForm {
	f := surveyForm{ID: sv.ID, Version: sv.Version, Name: sv.Name, Status: sv.Status, Touchpoint: sv.Touchpoint, Stage: sv.Stage,
		DefaultLang: sv.DefaultLang(), Langs: slices.Clone(sv.Languages), Title: textMap(sv.Title), Intro: textMap(sv.Intro),
		ThankYou: textMap(sv.ThankYou), ExpiryDays: strconv.Itoa(sv.Options.ExpiryDays), ReminderDays: strconv.Itoa(sv.Options.ReminderDays),
		MaxReminders: strconv.Itoa(sv.Options.MaxReminders), Errors: map[string]string{}}
	for _, q := range sv.Questions {
		if n := len(f.Questions); n > 0 {
			if g := followGroupOf(&f.Questions[n-1], q); g != "" {
				f.Questions[n-1].Follow[g] = textMap(q.Text)
				continue
			}
		}
		f.Questions = append(f.Questions, questionFormFrom(len(f.Questions)+1, q))
	}
	return f
}

// followGroupOf returns the group q is a follow-up for in parent, or "".
func followGroupOf(parent *questionForm, q survey.Question) string {
	if parent.Kind != survey.TypeNPS || q.Type != survey.TypeOpen || q.Required || q.ShowIf == nil {
		return ""
	}
	for _, g := range followGroups {
		want := followCondition(parent.ID, g)
		if parent.Follow[g] == nil && q.ID == followID(parent.ID, g) && q.ShowIf.Question == want.Question &&
			q.ShowIf.Op == want.Op && fmt.Sprint(q.ShowIf.Value) == fmt.Sprint(want.Value) {
			return g
		}
	}
	return ""
}

func questionFormFrom(slot int, q survey.Question) questionForm {
	qf := newQuestionForm(slot, q.ID, q.Type)
	qf.Required, qf.Text = q.Required, textMap(q.Text)
	switch q.Type {
	case survey.TypeCSAT:
		qf.Kind = "csat5"
		if q.Scale == 10 {
			qf.Kind = "csat10"
		}
	case survey.TypeRating:
		qf.Scale = strconv.Itoa(q.Scale)
	}
	ids := make([]string, len(q.Options))
	for i, o := range q.Options {
		ids[i] = o.ID
	}
	qf.OptionIDs = strings.Join(ids, ",")
	for _, l := range survey.Languages {
		lines := make([]string, len(q.Options))
		some := false
		for i, o := range q.Options {
			lines[i] = o.Text[l]
			some = some || lines[i] != ""
		}
		if some {
			qf.Options[l] = strings.Join(lines, "\n")
		}
	}
	if c := q.ShowIf; c != nil {
		qf.ShowQ, qf.ShowOp = c.Question, c.Op
		if list, ok := c.Value.([]any); ok {
			parts := make([]string, len(list))
			for i, v := range list {
				parts[i] = fmt.Sprint(v)
			}
			qf.ShowValue = strings.Join(parts, ", ")
		} else if c.Value != nil {
			qf.ShowValue = fmt.Sprint(c.Value)
		}
	}
	return qf
}

func textMap(t survey.Text) map[string]string {
	m := make(map[string]string, len(t))
	for k, v := range t {
		m[k] = v
	}
	return m
}

// surveyText keeps the non-empty translations.
func surveyText(m map[string]string) survey.Text {
	t := survey.Text{}
	for k, v := range m {
		if v = strings.TrimSpace(v); v != "" {
			t[k] = v
		}
	}
	return t
}

// parseSurveyForm reads a posted form. It never fails: what cannot be
// understood is kept as typed, to be shown again with a message.
func parseSurveyForm(r *http.Request) surveyForm {
	v := r.PostForm
	get := func(k string) string { return strings.TrimSpace(v.Get(k)) }
	f := surveyForm{Name: get("name"), Status: get("status"), Touchpoint: get("touchpoint"), Stage: get("stage"),
		DefaultLang: get("default_lang"), Title: map[string]string{}, Intro: map[string]string{}, ThankYou: map[string]string{},
		ExpiryDays: get("expiry_days"), ReminderDays: get("reminder_days"), MaxReminders: get("max_reminders"), Errors: map[string]string{}}
	if f.DefaultLang != "" {
		f.Langs = append(f.Langs, f.DefaultLang)
	}
	for _, l := range v["lang"] {
		if l != "" && !slices.Contains(f.Langs, l) {
			f.Langs = append(f.Langs, l)
		}
	}
	for _, l := range survey.Languages {
		f.Title[l], f.Intro[l], f.ThankYou[l] = v.Get("title."+l), v.Get("intro."+l), v.Get("thank_you."+l)
	}
	slots, _ := strconv.Atoi(v.Get("slots"))
	slots = min(max(slots, 1), survey.MaxQuestions)
	for i := 1; i <= slots; i++ {
		p := "q" + strconv.Itoa(i) + "."
		q := newQuestionForm(i, get(p+"id"), get(p+"kind"))
		q.Scale, q.Required, q.Remove = get(p+"scale"), v.Get(p+"required") != "", v.Get(p+"remove") != ""
		q.OptionIDs, q.ShowQ, q.ShowOp, q.ShowValue = get(p+"option_ids"), get(p+"show_q"), get(p+"show_op"), get(p+"show_value")
		for _, l := range survey.Languages {
			q.Text[l] = v.Get(p + "text." + l)
			q.Options[l] = v.Get(p + "options." + l)
			for _, g := range followGroups {
				if t := v.Get(p + "follow." + g + "." + l); t != "" {
					if q.Follow[g] == nil {
						q.Follow[g] = map[string]string{}
					}
					q.Follow[g][l] = t
				}
			}
		}
		if q.ID == "" { // a tampered form: give the slot an id rather than lose it
			q.ID = "q" + strconv.Itoa(i)
		}
		f.Questions = append(f.Questions, q)
	}
	return f
}

// defRef ties a question of the built definition to its form slot (and to
// the follow-up group when it is one), so an error can be put beside it.
type defRef struct {
	slot  int
	group string
}

// input builds the survey the form describes. It reports false when a
// field cannot be read at all (a scale that is not a number…), with the
// message already set on the form.
func (f *surveyForm) input() (survey.Input, []defRef, bool) {
	ok := true
	num := func(s string) (int, bool) {
		if s == "" {
			return 0, true
		}
		n, err := strconv.Atoi(s)
		return n, err == nil
	}
	in := survey.Input{Name: f.Name, Status: f.Status, Touchpoint: f.Touchpoint, Stage: f.Stage,
		Definition: survey.Definition{Languages: f.Langs, Title: surveyText(f.Title), Intro: surveyText(f.Intro), ThankYou: surveyText(f.ThankYou)}}
	var ok1, ok2, ok3 bool
	in.Options.ExpiryDays, ok1 = num(f.ExpiryDays)
	in.Options.ReminderDays, ok2 = num(f.ReminderDays)
	in.Options.MaxReminders, ok3 = num(f.MaxReminders)
	if !ok1 || !ok2 || !ok3 {
		f.Errors["limits"], ok = "surveys.err.limits", false
	}
	var refs []defRef
	for si := range f.Questions {
		q := &f.Questions[si]
		if q.Remove || q.blank() {
			continue
		}
		mq := survey.Question{ID: q.ID, Type: q.Kind, Text: surveyText(q.Text), Required: q.Required}
		switch q.Kind {
		case "csat5", "csat10":
			mq.Type, mq.Scale = survey.TypeCSAT, 5
			if q.Kind == "csat10" {
				mq.Scale = 10
			}
		case survey.TypeRating:
			n, good := num(q.Scale)
			if !good {
				q.Errors["kind"], ok = "surveys.err.scale", false
			}
			mq.Scale = n
		}
		choice := mq.Type == survey.TypeSingle || mq.Type == survey.TypeMulti
		switch opts := q.options(); {
		case choice:
			mq.Options = opts
		case len(opts) > 0:
			q.Errors["options"], ok = "surveys.err.options_kind", false
		}
		if q.ShowQ != "" {
			mq.ShowIf = &survey.Condition{Question: q.ShowQ, Op: q.ShowOp, Value: conditionValue(q.ShowOp, q.ShowValue)}
		}
		refs = append(refs, defRef{slot: si})
		in.Questions = append(in.Questions, mq)
		for _, g := range followGroups {
			t := surveyText(q.Follow[g])
			if len(t) == 0 {
				continue
			}
			if mq.Type != survey.TypeNPS {
				q.Errors["follow"], ok = "surveys.err.follow_kind", false
				break
			}
			refs = append(refs, defRef{slot: si, group: g})
			in.Questions = append(in.Questions, survey.Question{ID: followID(q.ID, g), Type: survey.TypeOpen, Text: t,
				ShowIf: followCondition(q.ID, g)})
		}
	}
	return in, refs, ok
}

// options reads the choices: line n of each language's box is choice n.
// Existing choices keep their ids by position; new ones get fresh numbers.
func (q *questionForm) options() []survey.Option {
	lines := map[string][]string{}
	n := 0
	for _, l := range survey.Languages {
		ls := strings.Split(strings.ReplaceAll(q.Options[l], "\r\n", "\n"), "\n")
		for len(ls) > 0 && strings.TrimSpace(ls[len(ls)-1]) == "" {
			ls = ls[:len(ls)-1]
		}
		lines[l] = ls
		n = max(n, len(ls))
	}
	var ids []string
	if q.OptionIDs != "" {
		ids = strings.Split(q.OptionIDs, ",")
	}
	used := map[string]bool{}
	for _, id := range ids {
		used[strings.TrimSpace(id)] = true
	}
	next := 1
	var out []survey.Option
	for i := 0; i < n; i++ {
		t := survey.Text{}
		for _, l := range survey.Languages {
			if i < len(lines[l]) {
				if v := strings.TrimSpace(lines[l][i]); v != "" {
					t[l] = v
				}
			}
		}
		if len(t) == 0 {
			continue
		}
		id := ""
		if i < len(ids) {
			id = strings.TrimSpace(ids[i])
		}
		if id == "" {
			for used[strconv.Itoa(next)] {
				next++
			}
			id = strconv.Itoa(next)
			used[id] = true
		}
		out = append(out, survey.Option{ID: id, Text: t})
	}
	return out
}

// conditionValue reads a skip-logic value: nothing for "answered", a list
// for "in", else a number when it is one (a choice id otherwise).
func conditionValue(op, raw string) any {
	one := func(s string) any {
		s = strings.TrimSpace(s)
		if n, err := strconv.Atoi(s); err == nil {
			return n
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f
		}
		return s
	}
	switch {
	case op == "answered":
		return nil
	case op == "in":
		var list []any
		for _, p := range strings.Split(raw, ",") {
			if strings.TrimSpace(p) != "" {
				list = append(list, one(p))
			}
		}
		if list == nil {
			return nil
		}
		return list
	case strings.TrimSpace(raw) == "":
		return nil
	}
	return one(raw)
}

// surveyFieldErrors maps a survey field, as the survey package names it,
// to the form's field and the message shown there.
var surveyFieldErrors = map[string][2]string{
	"name":       {"name", "surveys.err.name"},
	"status":     {"status", "surveys.err.status"},
	"stage":      {"stage", "surveys.err.stage"},
	"touchpoint": {"touchpoint", "surveys.err.touchpoint"},
	"options":    {"limits", "surveys.err.limits"},
	"languages":  {"languages", "surveys.err.languages"},
	"questions":  {"questions", "surveys.err.questions"},
	"title":      {"title", "surveys.err.text_long"},
	"intro":      {"intro", "surveys.err.text_long"},
	"thank_you":  {"thank_you", "surveys.err.text_long"},
}

// questionFieldErrors does the same for the fields of a question.
var questionFieldErrors = map[string][2]string{
	"id":               {"id", "surveys.err.id"},
	"text":             {"text", "surveys.err.text"},
	"type":             {"kind", "surveys.err.type"},
	"scale":            {"kind", "surveys.err.scale"},
	"options":          {"options", "surveys.err.options"},
	"show_if.question": {"show_if", "surveys.err.show_if_question"},
	"show_if.op":       {"show_if", "surveys.err.show_if_op"},
	"show_if.value":    {"show_if", "surveys.err.show_if_value"},
	"follow":           {"follow", "surveys.err.follow"},
}

// attach puts a validation error of the survey package beside its field.
func (f *surveyForm) attach(err error, refs []defRef) bool {
	var de *survey.DefinitionError
	if !errors.As(err, &de) {
		return false
	}
	if rest, ok := strings.CutPrefix(de.Field, "questions["); ok {
		idx, tail, _ := strings.Cut(rest, "]")
		k, err := strconv.Atoi(idx)
		if err == nil && k >= 0 && k < len(refs) {
			ref := refs[k]
			q := &f.Questions[ref.slot]
			part := strings.TrimPrefix(tail, ".")
			if ref.group != "" {
				part = "follow"
			} else if strings.HasPrefix(part, "options") {
				part = "options"
			} else if !strings.HasPrefix(part, "show_if") {
				part, _, _ = strings.Cut(part, ".")
			}
			if m, ok := questionFieldErrors[part]; ok {
				q.Errors[m[0]] = m[1]
				return true
			}
		}
	}
	name := de.Field
	if i := strings.IndexAny(name, ".["); i >= 0 {
		name = name[:i]
	}
	if m, ok := surveyFieldErrors[name]; ok {
		f.Errors[m[0]] = m[1]
		return true
	}
	f.Problem = de.Error()
	return true
}

// keepLabels carries over what the form does not edit (the end labels of
// score questions, set through the API) from the current version.
func keepLabels(in *survey.Input, cur survey.Survey) {
	byID := map[string]survey.Question{}
	for _, q := range cur.Questions {
		byID[q.ID] = q
	}
	for i := range in.Questions {
		q := &in.Questions[i]
		if old, ok := byID[q.ID]; ok && old.Type == q.Type {
			q.LowLabel, q.HighLbl = old.LowLabel, old.HighLbl
		}
	}
}
