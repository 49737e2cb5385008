// Package alert makes Vox act on feedback: rules evaluated on every new
// item inside its insert transaction, the alerts and cases they raise with
// an SLA and escalations, signed webhooks and notifications delivered from
// the durable job outbox, and spike detection on feedback volume and tone.
package alert

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"vox/internal/store"
)

// Condition tests one field of an item (or of its customer).
type Condition struct {
	Field string `json:"field"`
	Op    string `json:"op"`
	Value any    `json:"value,omitempty"`
}

// Action is what a rule does when it fires.
type Action struct {
	Type       string     `json:"type"`                  // notify, webhook, open_case, tag, assign
	Channel    string     `json:"channel,omitempty"`     // notify: email, telegram, slack, webhook
	To         StringList `json:"to,omitempty"`          // notify email: addresses, or "owner" for the case owner
	ChatID     string     `json:"chat_id,omitempty"`     // notify telegram
	URL        string     `json:"url,omitempty"`         // notify slack: incoming-webhook URL
	SLAHours   float64    `json:"sla_hours,omitempty"`   // open_case; default 24
	Tags       StringList `json:"tags,omitempty"`        // tag
	Owner      string     `json:"owner,omitempty"`       // open_case/assign: account_owner, employee_manager, round_robin, employee
	Team       string     `json:"team,omitempty"`        // round_robin: the team rotated through
	EmployeeID int64      `json:"employee_id,omitempty"` // owner "employee"
}

// StringList accepts a JSON string or an array of strings.
type StringList []string

// UnmarshalJSON implements json.Unmarshaler.
func (l *StringList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*l = StringList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("must be a string or an array of strings")
	}
	*l = many
	return nil
}

// RuleSpec is a rule as the API takes and returns it.
type RuleSpec struct {
	Name       string      `json:"name"`
	Enabled    *bool       `json:"enabled,omitempty"`
	Match      string      `json:"match"`
	Conditions []Condition `json:"conditions"`
	Actions    []Action    `json:"actions"`
}

// FieldError is a validation problem in a rule, located by a JSON path.
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// Is makes every FieldError an ErrInvalid.
func (e *FieldError) Is(target error) bool { return target == ErrInvalid }

func fieldErr(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// Value kinds of fields, deciding which operators apply.
const (
	kindNumber = "number"
	kindString = "string"
	kindList   = "list"
	kindAny    = "any" // customer attributes: whatever JSON they hold
)

// fields are the item fields rules can test.
var fields = map[string]string{
	"nps": kindNumber, "csat": kindNumber, "ces": kindNumber, "sentiment_score": kindNumber,
	"sentiment": kindString, "channel": kindString, "kind": kindString, "segment": kindString, "region": kindString,
	"lang": kindString, "touchpoint": kindString, "stage": kindString, "source": kindString, "text": kindString,
	"keyword": kindString, "topic": kindList, "tags": kindList, "negative_aspect": kindList,
	"customer.segment": kindString, "customer.region": kindString, "customer.status": kindString,
	"customer.annual_revenue": kindNumber,
}

var opsByKind = map[string][]string{
	kindNumber: {"eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in", "exists", "not_exists"},
	kindString: {"eq", "ne", "in", "not_in", "contains", "not_contains", "regex", "exists", "not_exists"},
	kindList:   {"eq", "in", "not_in", "contains", "not_contains", "exists", "not_exists"},
	kindAny:    {"eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in", "contains", "not_contains", "regex", "exists", "not_exists"},
}

func fieldKind(f string) (string, bool) {
	if k, ok := fields[f]; ok {
		return k, true
	}
	if attr, ok := strings.CutPrefix(f, "customer."); ok && attr != "" {
		return kindAny, true
	}
	return "", false
}

// Compiled is a validated rule ready to evaluate many items.
type Compiled struct {
	rule    store.Rule
	all     bool
	conds   []compiledCond
	actions []Action
	// readsCustomer: a condition reads the item's customer (a customer.*
	// field, or segment and region, which fall back to the customer's).
	readsCustomer bool
}

type compiledCond struct {
	field, op string
	kind      string
	num       float64
	isNum     bool
	boolean   *bool
	strs      []string // lower-cased
	nums      []float64
	re        *regexp.Regexp
}

// maxRegex bounds a rule's pattern; Go's RE2 engine is linear-time, so
// this is about memory, not catastrophic backtracking.
const maxRegex = 500

// Compile validates spec and prepares it for evaluation. guardURL checks
// Slack URLs (nil: no check).
func Compile(spec RuleSpec, guardURL func(string) error) (*Compiled, error) {
	c := &Compiled{}
	if strings.TrimSpace(spec.Name) == "" {
		return nil, fieldErr("name", "is required")
	}
	switch spec.Match {
	case "", "all":
		c.all = true
	case "any":
	default:
		return nil, fieldErr("match", "must be all or any")
	}
	if len(spec.Conditions) == 0 {
		return nil, fieldErr("conditions", "at least one condition is required")
	}
	if len(spec.Conditions) > 50 {
		return nil, fieldErr("conditions", "at most 50 conditions")
	}
	for i, cond := range spec.Conditions {
		cc, err := compileCond(cond)
		if err != nil {
			err.Field = fmt.Sprintf("conditions[%d].%s", i, err.Field)
			return nil, err
		}
		c.conds = append(c.conds, cc)
		c.readsCustomer = c.readsCustomer || strings.HasPrefix(cc.field, "customer.") || cc.field == "segment" || cc.field == "region"
	}
	if len(spec.Actions) == 0 {
		return nil, fieldErr("actions", "at least one action is required")
	}
	for i, a := range spec.Actions {
		if err := validateAction(&a, guardURL); err != nil {
			err.Field = fmt.Sprintf("actions[%d].%s", i, err.Field)
			return nil, err
		}
		c.actions = append(c.actions, a)
	}
	// Tags first, then the case (so notifications can reach its owner and
	// payloads can carry it), then everything that tells someone.
	order := map[string]int{"tag": 0, "open_case": 1, "assign": 2, "notify": 3, "webhook": 4}
	slices.SortStableFunc(c.actions, func(a, b Action) int { return order[a.Type] - order[b.Type] })
	return c, nil
}

func compileCond(cond Condition) (compiledCond, *FieldError) {
	cc := compiledCond{field: cond.Field, op: cond.Op}
	kind, ok := fieldKind(cond.Field)
	cc.kind = kind
	if !ok {
		names := make([]string, 0, len(fields))
		for f := range fields {
			names = append(names, f)
		}
		slices.Sort(names)
		return cc, fieldErr("field", "unknown field %q; use one of %s or customer.<attribute>", cond.Field, strings.Join(names, ", "))
	}
	if !slices.Contains(opsByKind[kind], cond.Op) {
		return cc, fieldErr("op", "operator %q does not apply to %s; use one of %s", cond.Op, cond.Field, strings.Join(opsByKind[kind], ", "))
	}
	switch cond.Op {
	case "exists", "not_exists":
		return cc, nil
	case "lt", "lte", "gt", "gte":
		n, ok := toNumber(cond.Value)
		if !ok {
			return cc, fieldErr("value", "must be a number")
		}
		cc.num, cc.isNum = n, true
	case "in", "not_in":
		list, ok := cond.Value.([]any)
		if !ok || len(list) == 0 {
			return cc, fieldErr("value", "must be a non-empty array")
		}
		for _, v := range list {
			if n, ok := toNumber(v); ok {
				cc.nums = append(cc.nums, n)
			}
			cc.strs = append(cc.strs, strings.ToLower(scalarString(v)))
		}
		if kind == kindNumber && len(cc.nums) != len(list) {
			return cc, fieldErr("value", "must be an array of numbers")
		}
	case "regex":
		s, ok := cond.Value.(string)
		if !ok || s == "" || len(s) > maxRegex {
			return cc, fieldErr("value", "must be a regular expression of 1-%d characters", maxRegex)
		}
		re, err := regexp.Compile("(?i)" + s)
		if err != nil {
			return cc, fieldErr("value", "invalid regular expression: %v", err)
		}
		cc.re = re
	case "contains", "not_contains":
		switch v := cond.Value.(type) {
		case string:
			cc.strs = []string{strings.ToLower(v)}
		case []any:
			for _, x := range v {
				s, ok := x.(string)
				if !ok {
					return cc, fieldErr("value", "must be a string or an array of strings")
				}
				cc.strs = append(cc.strs, strings.ToLower(s))
			}
		}
		if len(cc.strs) == 0 || slices.Contains(cc.strs, "") {
			return cc, fieldErr("value", "must be a non-empty string or an array of them")
		}
	default: // eq, ne
		switch v := cond.Value.(type) {
		case nil:
			return cc, fieldErr("value", "is required")
		case bool:
			cc.boolean = &v
		case []any, map[string]any:
			return cc, fieldErr("value", "must be a single value; use in for a set")
		}
		if n, ok := toNumber(cond.Value); ok {
			cc.num, cc.isNum = n, true
		} else if kind == kindNumber {
			return cc, fieldErr("value", "must be a number")
		}
		cc.strs = []string{strings.ToLower(scalarString(cond.Value))}
	}
	return cc, nil
}

var notifyChannels = []string{"email", "telegram", "slack", "webhook"}
var ownerStrategies = []string{"", "account_owner", "employee_manager", "round_robin", "employee"}

func validateAction(a *Action, guardURL func(string) error) *FieldError {
	switch a.Type {
	case "webhook":
	case "notify":
		if !slices.Contains(notifyChannels, a.Channel) {
			return fieldErr("channel", "must be one of %s", strings.Join(notifyChannels, ", "))
		}
		switch a.Channel {
		case "email":
			if len(a.To) == 0 {
				return fieldErr("to", "email notifications need recipients (addresses or \"owner\")")
			}
			for _, to := range a.To {
				if _, err := mail.ParseAddress(to); to != "owner" && err != nil {
					return fieldErr("to", "%q is not an email address", to)
				}
			}
		case "telegram":
			if strings.TrimSpace(a.ChatID) == "" {
				return fieldErr("chat_id", "is required for telegram")
			}
		case "slack":
			if a.URL == "" {
				return fieldErr("url", "is required for slack (an incoming-webhook URL)")
			}
			if guardURL != nil {
				if err := guardURL(a.URL); err != nil {
					return fieldErr("url", "%v", err)
				}
			}
		}
	case "open_case":
		if a.SLAHours < 0 || a.SLAHours > 24*90 {
			return fieldErr("sla_hours", "must be between 0 (default 24) and 2160")
		}
		fallthrough
	case "assign":
		if !slices.Contains(ownerStrategies, a.Owner) {
			return fieldErr("owner", "must be one of account_owner, employee_manager, round_robin, employee")
		}
		if a.Owner == "round_robin" && a.Team == "" {
			return fieldErr("team", "round_robin needs a team")
		}
		if a.Owner == "employee" && a.EmployeeID <= 0 {
			return fieldErr("employee_id", "owner employee needs an employee_id")
		}
		if a.Type == "assign" && a.Owner == "" {
			return fieldErr("owner", "is required")
		}
	case "tag":
		if len(a.Tags) == 0 || slices.Contains(a.Tags, "") {
			return fieldErr("tags", "must name at least one non-empty tag")
		}
	default:
		return fieldErr("type", "must be one of notify, webhook, open_case, tag, assign")
	}
	return nil
}

// Matches evaluates the rule's conditions against an item and its customer
// (nil when unknown).
func (c *Compiled) Matches(it *store.FeedbackItem, cust *store.Customer) bool {
	for _, cond := range c.conds {
		ok := cond.eval(value(cond.field, it, cust))
		if c.all && !ok {
			return false
		}
		if !c.all && ok {
			return true
		}
	}
	return c.all
}

// value extracts a field: float64, string, bool, []string or nil when the
// item does not carry it.
func value(field string, it *store.FeedbackItem, cust *store.Customer) any {
	intp := func(p *int) any {
		if p == nil {
			return nil
		}
		return float64(*p)
	}
	switch field {
	case "nps":
		return intp(it.NPS)
	case "csat":
		return intp(it.CSAT)
	case "ces":
		return intp(it.CES)
	case "sentiment_score":
		if it.SentimentScore == nil {
			return nil
		}
		return *it.SentimentScore
	case "sentiment":
		return it.Sentiment
	case "channel":
		return it.Channel
	case "kind":
		return it.Kind
	case "segment":
		if it.Segment == "" && cust != nil {
			return cust.Segment
		}
		return it.Segment
	case "region":
		if it.Region == "" && cust != nil {
			return cust.Region
		}
		return it.Region
	case "lang":
		return it.Lang
	case "touchpoint":
		return it.Touchpoint
	case "stage":
		return it.Stage
	case "source":
		return it.Source
	case "text", "keyword":
		return it.Text
	case "topic":
		return it.Topics
	case "tags":
		return it.Tags
	case "negative_aspect":
		var out []string
		for _, a := range it.Aspects {
			if a.Label == "negative" {
				out = append(out, a.Aspect)
			}
		}
		return out
	}
	if cust == nil {
		return nil
	}
	switch field {
	case "customer.segment":
		return cust.Segment
	case "customer.region":
		return cust.Region
	case "customer.status":
		return cust.Status
	case "customer.annual_revenue":
		// In the reporting currency; without a rate the amount is unknown.
		if cust.ReportingRevenue == nil {
			return nil
		}
		return *cust.ReportingRevenue
	}
	attr := strings.TrimPrefix(field, "customer.")
	v, ok := cust.Attributes[attr]
	if !ok {
		return nil
	}
	if list, ok := v.([]any); ok {
		out := make([]string, 0, len(list))
		for _, x := range list {
			out = append(out, scalarString(x))
		}
		return out
	}
	return v
}

func (cc compiledCond) eval(v any) bool {
	present := v != nil
	switch x := v.(type) {
	case string:
		present = x != ""
	case []string:
		present = len(x) > 0
	}
	switch cc.op {
	case "exists":
		return present
	case "not_exists":
		return !present
	}
	if !present {
		// A missing rating neither equals nor differs from anything: "NPS ≠ 10"
		// must not fire on a review without a score. A missing list is empty.
		return cc.kind == kindList && (cc.op == "not_in" || cc.op == "not_contains")
	}
	if list, ok := v.([]string); ok {
		switch cc.op {
		case "eq", "contains":
			return containsAny(list, cc.strs)
		case "in":
			return containsAny(list, cc.strs)
		case "not_in", "not_contains":
			return !containsAny(list, cc.strs)
		}
		return false
	}
	n, isNum := toNumber(v)
	switch cc.op {
	case "eq", "ne":
		eq := false
		switch {
		case cc.boolean != nil:
			b, ok := v.(bool)
			eq = ok && b == *cc.boolean
		case cc.isNum && isNum:
			eq = n == cc.num
		default:
			eq = strings.EqualFold(scalarString(v), cc.strs[0])
		}
		return eq == (cc.op == "eq")
	case "lt":
		return isNum && n < cc.num
	case "lte":
		return isNum && n <= cc.num
	case "gt":
		return isNum && n > cc.num
	case "gte":
		return isNum && n >= cc.num
	case "in", "not_in":
		in := false
		if isNum && len(cc.nums) > 0 {
			in = slices.Contains(cc.nums, n)
		} else {
			in = slices.Contains(cc.strs, strings.ToLower(scalarString(v)))
		}
		return in == (cc.op == "in")
	case "contains", "not_contains":
		s := strings.ToLower(scalarString(v))
		has := false
		for _, w := range cc.strs {
			if strings.Contains(s, w) {
				has = true
				break
			}
		}
		return has == (cc.op == "contains")
	case "regex":
		return cc.re.MatchString(scalarString(v))
	}
	return false
}

func containsAny(list, want []string) bool {
	for _, x := range list {
		if slices.Contains(want, strings.ToLower(x)) {
			return true
		}
	}
	return false
}

func toNumber(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, !math.IsNaN(x)
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	}
	return 0, false
}

func scalarString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}
