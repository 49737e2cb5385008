package web

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"vox/internal/alert"
	"vox/internal/store"
)

// condRow is one condition slot of the editor, or one condition of a rule
// in the list, with its values as the form shows them.
type condRow struct {
	Field, Op, Value          string
	FieldErr, OpErr, ValueErr *formError
}

// ruleForm is the rule editor's state. It works without JavaScript: the
// conditions are parallel cond_field/cond_op/cond_value inputs, a blank
// slot is ignored, and "add condition" re-renders with one more slot.
type ruleForm struct {
	ID      int64 // 0 for a new rule
	Name    string
	Enabled bool
	Match   string
	Conds   []condRow

	Tag        bool
	Tags       string
	Case       bool
	SLAHours   string
	Owner      string
	Team       string
	EmployeeID string
	Email      bool
	EmailTo    string
	Telegram   bool
	ChatID     string
	Slack      bool
	SlackURL   string // only what this request typed: a stored URL holds a token and is never rendered
	SlackSet   string // the stored URL's host, shown as "set"
	Webhook    bool

	Errors map[string]formError
	// Lossy says the stored rule has actions the form cannot show one to
	// one (e.g. two Slack notifications); saving replaces them.
	Lossy bool

	slackStored string
}

// parseRuleForm reads the posted editor.
func parseRuleForm(v url.Values) ruleForm {
	f := ruleForm{Name: strings.TrimSpace(v.Get("name")), Enabled: v.Get("enabled") == "1", Match: v.Get("match"),
		Tag: v.Get("act_tag") == "1", Tags: v.Get("tags"),
		Case: v.Get("act_case") == "1", SLAHours: strings.TrimSpace(v.Get("sla_hours")), Owner: v.Get("owner"),
		Team: strings.TrimSpace(v.Get("team")), EmployeeID: strings.TrimSpace(v.Get("employee_id")),
		Email: v.Get("act_email") == "1", EmailTo: v.Get("email_to"),
		Telegram: v.Get("act_telegram") == "1", ChatID: strings.TrimSpace(v.Get("chat_id")),
		Slack: v.Get("act_slack") == "1", SlackURL: strings.TrimSpace(v.Get("slack_url")),
		Webhook: v.Get("act_webhook") == "1"}
	fields, ops, vals := v["cond_field"], v["cond_op"], v["cond_value"]
	for i := 0; i < len(fields) && i < maxConditionRows+1; i++ {
		row := condRow{Field: strings.TrimSpace(fields[i]), Op: "eq"}
		if i < len(ops) {
			row.Op = ops[i]
		}
		if i < len(vals) {
			row.Value = strings.TrimSpace(vals[i])
		}
		if row.Field == "" && row.Value == "" {
			continue // a spare slot
		}
		f.Conds = append(f.Conds, row)
	}
	return f
}

// spec builds the rule the form describes. rows maps each spec condition
// to its slot, acts names each spec action, so the service's errors can be
// shown next to the right input. ok is false when the form itself holds a
// number that does not parse (recorded in f.Errors).
func (f *ruleForm) spec() (spec alert.RuleSpec, rows []int, acts []string, ok bool) {
	f.Errors = map[string]formError{}
	enabled := f.Enabled
	spec = alert.RuleSpec{Name: f.Name, Enabled: &enabled, Match: f.Match, Conditions: []alert.Condition{}}
	for i, c := range f.Conds {
		spec.Conditions = append(spec.Conditions, alert.Condition{Field: c.Field, Op: c.Op, Value: parseCondValue(c.Field, c.Op, c.Value)})
		rows = append(rows, i)
	}
	add := func(key string, a alert.Action) {
		spec.Actions = append(spec.Actions, a)
		acts = append(acts, key)
	}
	if f.Tag {
		add("tag", alert.Action{Type: "tag", Tags: splitList(f.Tags)})
	}
	if f.Case {
		a := alert.Action{Type: "open_case", Owner: f.Owner, Team: f.Team}
		if f.SLAHours != "" {
			h, err := strconv.ParseFloat(f.SLAHours, 64)
			if err != nil {
				f.Errors["act_case"] = formError{Key: "settings.err.sla_hours"}
			}
			a.SLAHours = h
		}
		if f.EmployeeID != "" {
			id, err := strconv.ParseInt(f.EmployeeID, 10, 64)
			if err != nil {
				f.Errors["act_case"] = formError{Key: "settings.err.employee_id"}
			}
			a.EmployeeID = id
		}
		add("case", a)
	}
	if f.Email {
		add("email", alert.Action{Type: "notify", Channel: "email", To: splitList(f.EmailTo)})
	}
	if f.Telegram {
		add("telegram", alert.Action{Type: "notify", Channel: "telegram", ChatID: f.ChatID})
	}
	if f.Slack {
		u := f.SlackURL
		if u == "" {
			u = f.slackStored // blank keeps the URL already set
		}
		add("slack", alert.Action{Type: "notify", Channel: "slack", URL: u})
	}
	if f.Webhook {
		add("webhook", alert.Action{Type: "webhook"})
	}
	return spec, rows, acts, len(f.Errors) == 0
}

var (
	condPathRe   = regexp.MustCompile(`^conditions\[(\d+)\]\.(\w+)$`)
	actionPathRe = regexp.MustCompile(`^actions\[(\d+)\]\.(\w+)$`)
)

// applyError puts the service's validation error next to its input.
func (f *ruleForm) applyError(fe *alert.FieldError, rows []int, acts []string) {
	if f.Errors == nil {
		f.Errors = map[string]formError{}
	}
	if m := condPathRe.FindStringSubmatch(fe.Field); m != nil {
		if i, _ := strconv.Atoi(m[1]); i < len(rows) {
			e := newFormError(m[2], fe.Message)
			row := &f.Conds[rows[i]]
			switch m[2] {
			case "field":
				row.FieldErr = &e
			case "op":
				row.OpErr = &e
			default:
				row.ValueErr = &e
			}
			return
		}
	}
	if m := actionPathRe.FindStringSubmatch(fe.Field); m != nil {
		if i, _ := strconv.Atoi(m[1]); i < len(acts) {
			f.Errors["act_"+acts[i]] = newFormError(m[2], fe.Message)
			return
		}
	}
	f.Errors[fe.Field] = newFormError(fe.Field, fe.Message)
}

// parseCondValue turns the typed value into what alert.Compile expects for
// the operator and the field's kind: a list for in/not_in (and for
// contains with commas), a number where the field is numeric, else text.
func parseCondValue(field, op, raw string) any {
	kind, _ := alert.RuleFieldKind(field)
	scalar := func(s string) any {
		if kind == "number" || kind == "any" {
			if n, err := strconv.ParseFloat(s, 64); err == nil {
				return n
			}
		}
		if kind == "any" && (s == "true" || s == "false") {
			return s == "true"
		}
		return s
	}
	switch op {
	case "exists", "not_exists":
		return nil
	case "regex":
		return raw
	case "in", "not_in":
		list := []any{}
		for _, p := range splitList(raw) {
			list = append(list, scalar(p))
		}
		return list
	case "contains", "not_contains":
		parts := splitList(raw)
		if len(parts) == 1 {
			return parts[0]
		}
		list := []any{}
		for _, p := range parts {
			list = append(list, p)
		}
		return list
	case "lt", "lte", "gt", "gte":
		if n, err := strconv.ParseFloat(raw, 64); err == nil {
			return n
		}
		return raw
	}
	if raw == "" {
		return nil
	}
	return scalar(raw)
}

// formatCondValue shows a stored condition value in the form's syntax.
func formatCondValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case []any:
		parts := make([]string, len(x))
		for i, p := range x {
			parts[i] = formatCondValue(p)
		}
		return strings.Join(parts, ", ")
	}
	return fmt.Sprint(v)
}

// splitList splits a comma-separated list, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// ruleFormOf fills the editor from a stored rule.
func ruleFormOf(ru store.Rule) (ruleForm, error) {
	var conds []alert.Condition
	var acts []alert.Action
	if err := json.Unmarshal(ru.Conditions, &conds); err != nil {
		return ruleForm{}, fmt.Errorf("rule %d conditions: %w", ru.ID, err)
	}
	if err := json.Unmarshal(ru.Actions, &acts); err != nil {
		return ruleForm{}, fmt.Errorf("rule %d actions: %w", ru.ID, err)
	}
	f := ruleForm{ID: ru.ID, Name: ru.Name, Enabled: ru.Enabled, Match: ru.Match}
	if f.Match == "" {
		f.Match = "all"
	}
	for _, c := range conds {
		f.Conds = append(f.Conds, condRow{Field: c.Field, Op: c.Op, Value: formatCondValue(c.Value)})
	}
	setOwner := func(a alert.Action) {
		if a.Owner == "" {
			return
		}
		if f.Owner != "" {
			f.Lossy = true
			return
		}
		f.Owner, f.Team = a.Owner, a.Team
		if a.EmployeeID > 0 {
			f.EmployeeID = strconv.FormatInt(a.EmployeeID, 10)
		}
	}
	assign := false
	for _, a := range acts {
		typ := a.Type
		if typ == "notify" {
			typ = a.Channel
		}
		switch typ {
		case "tag":
			f.Lossy = f.Lossy || f.Tag
			f.Tag, f.Tags = true, strings.Join(append(splitList(f.Tags), a.Tags...), ", ")
		case "open_case":
			f.Lossy = f.Lossy || f.Case
			f.Case = true
			if a.SLAHours > 0 {
				f.SLAHours = strconv.FormatFloat(a.SLAHours, 'f', -1, 64)
			}
			setOwner(a)
		case "assign":
			assign = true
			setOwner(a)
		case "email":
			f.Lossy = f.Lossy || f.Email
			f.Email, f.EmailTo = true, strings.Join(append(splitList(f.EmailTo), a.To...), ", ")
		case "telegram":
			f.Lossy = f.Lossy || f.Telegram
			f.Telegram, f.ChatID = true, a.ChatID
		case "slack":
			f.Lossy = f.Lossy || f.Slack
			f.Slack, f.slackStored = true, a.URL
			if u, err := url.Parse(a.URL); err == nil {
				f.SlackSet = u.Host
			}
		case "webhook":
			f.Lossy = f.Lossy || f.Webhook
			f.Webhook = true
		default:
			f.Lossy = true
		}
	}
	if assign && !f.Case {
		f.Lossy = true // assigning needs a case; the form ties the owner to it
	}
	return f, nil
}

// summary lists the form's actions for the rules list.
func (f ruleForm) summary() []actionSummary {
	var out []actionSummary
	if f.Tag {
		out = append(out, actionSummary{Key: "settings.rules.act.tag", Detail: f.Tags})
	}
	if f.Case {
		sla := f.SLAHours
		if sla == "" {
			sla = "24"
		}
		out = append(out, actionSummary{Key: "settings.rules.act.case", SLA: sla})
	}
	if f.Email {
		out = append(out, actionSummary{Key: "settings.rules.act.email", Detail: f.EmailTo})
	}
	if f.Telegram {
		out = append(out, actionSummary{Key: "settings.rules.act.telegram", Detail: f.ChatID})
	}
	if f.Slack {
		out = append(out, actionSummary{Key: "settings.rules.act.slack", Detail: f.SlackSet})
	}
	if f.Webhook {
		out = append(out, actionSummary{Key: "settings.rules.act.webhook"})
	}
	return out
}
