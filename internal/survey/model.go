// Package survey holds Vox's surveys: the question model with skip logic and
// translations, invitations with signed one-time tokens, the rules of
// contact (throttling, quiet hours, opt-out, reminders) and distribution as
// durable jobs over channel adapters (email, SMS, Telegram) defined by the
// small Sender interface below.
package survey

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Question types.
const (
	TypeNPS    = "nps"    // 0-10
	TypeCSAT   = "csat"   // 1-5 or 1-10 (Scale)
	TypeCES    = "ces"    // 1-7
	TypeRating = "rating" // 1-Scale (default 5)
	TypeSingle = "single" // one of Options
	TypeMulti  = "multi"  // any of Options
	TypeOpen   = "open"   // free text
)

// Languages a survey page can be shown in.
var Languages = []string{"en", "ru", "zh"}

// Limits that keep one answer small.
const (
	MaxQuestions  = 50
	MaxOptions    = 30
	MaxOpenRunes  = 5000
	MaxTextLength = 1000
)

// Text is a translated string: language → text.
type Text map[string]string

// In returns the text in lang, falling back to fallback, then English, then
// any translation, so a missing translation never shows an empty question.
func (t Text) In(lang, fallback string) string {
	for _, l := range []string{lang, fallback, "en"} {
		if v := t[l]; v != "" {
			return v
		}
	}
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if t[k] != "" {
			return t[k]
		}
	}
	return ""
}

// Option is a choice of a single or multiple choice question.
type Option struct {
	ID   string `json:"id"`
	Text Text   `json:"text"`
}

// Condition shows a question only when an earlier answer meets it: this is
// both skip logic and the score-adaptive follow-up (e.g. an open question
// shown when nps ≥ 9 asks promoters for a public review).
type Condition struct {
	Question string `json:"question"`
	Op       string `json:"op"` // answered, eq, ne, lt, lte, gt, gte, in
	Value    any    `json:"value,omitempty"`
}

// Question is one question of a survey. ID is stable across versions so
// answers keep their meaning when a survey is edited.
type Question struct {
	ID       string     `json:"id"`
	Type     string     `json:"type"`
	Text     Text       `json:"text"`
	Required bool       `json:"required,omitempty"`
	Scale    int        `json:"scale,omitempty"` // csat: 5 or 10; rating: 3-10
	Options  []Option   `json:"options,omitempty"`
	ShowIf   *Condition `json:"show_if,omitempty"`
	LowLabel Text       `json:"low_label,omitempty"`
	HighLbl  Text       `json:"high_label,omitempty"`
}

// Definition is what a survey version asks.
type Definition struct {
	Languages []string   `json:"languages"`
	Title     Text       `json:"title,omitempty"`
	Intro     Text       `json:"intro,omitempty"`
	ThankYou  Text       `json:"thank_you,omitempty"`
	Questions []Question `json:"questions"`
}

// DefaultLang is the language texts fall back to.
func (d *Definition) DefaultLang() string {
	if len(d.Languages) > 0 {
		return d.Languages[0]
	}
	return "en"
}

// Range returns the bounds of a scored question and whether it is scored.
func (q *Question) Range() (lo, hi int, ok bool) {
	switch q.Type {
	case TypeNPS:
		return 0, 10, true
	case TypeCSAT:
		return 1, q.Scale, true
	case TypeCES:
		return 1, 7, true
	case TypeRating:
		return 1, q.Scale, true
	}
	return 0, 0, false
}

// DefinitionError names the field of a definition at fault.
type DefinitionError struct{ Field, Message string }

func (e *DefinitionError) Error() string { return e.Field + ": " + e.Message }

func defErr(field, format string, args ...any) *DefinitionError {
	return &DefinitionError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// Normalize checks a definition and fills in defaults (question ids, scales).
func (d *Definition) Normalize() error {
	if len(d.Languages) == 0 {
		d.Languages = []string{"en"}
	}
	for i, l := range d.Languages {
		if !slices.Contains(Languages, l) {
			return defErr(fmt.Sprintf("languages[%d]", i), "must be one of %s", strings.Join(Languages, ", "))
		}
	}
	if len(d.Questions) == 0 {
		return defErr("questions", "a survey needs at least one question")
	}
	if len(d.Questions) > MaxQuestions {
		return defErr("questions", "at most %d questions", MaxQuestions)
	}
	seen := map[string]int{}
	for i := range d.Questions {
		q := &d.Questions[i]
		f := fmt.Sprintf("questions[%d]", i)
		if q.ID == "" {
			q.ID = "q" + strconv.Itoa(i+1)
		}
		if len(q.ID) > 40 || strings.ContainsAny(q.ID, " \t\n\"'<>&") {
			return defErr(f+".id", "must be a short identifier")
		}
		if _, dup := seen[q.ID]; dup {
			return defErr(f+".id", "%q is used twice", q.ID)
		}
		seen[q.ID] = i
		if err := checkText(q.Text, f+".text", true); err != nil {
			return err
		}
		switch q.Type {
		case TypeNPS, TypeCES, TypeOpen:
			q.Scale = 0
		case TypeCSAT:
			if q.Scale == 0 {
				q.Scale = 5
			}
			if q.Scale != 5 && q.Scale != 10 {
				return defErr(f+".scale", "csat scale must be 5 or 10")
			}
		case TypeRating:
			if q.Scale == 0 {
				q.Scale = 5
			}
			if q.Scale < 3 || q.Scale > 10 {
				return defErr(f+".scale", "rating scale must be 3-10")
			}
		case TypeSingle, TypeMulti:
			if len(q.Options) < 2 || len(q.Options) > MaxOptions {
				return defErr(f+".options", "needs 2-%d options", MaxOptions)
			}
			ids := map[string]bool{}
			for j := range q.Options {
				o := &q.Options[j]
				if o.ID == "" {
					o.ID = strconv.Itoa(j + 1)
				}
				if ids[o.ID] {
					return defErr(fmt.Sprintf("%s.options[%d].id", f, j), "%q is used twice", o.ID)
				}
				ids[o.ID] = true
				if err := checkText(o.Text, fmt.Sprintf("%s.options[%d].text", f, j), true); err != nil {
					return err
				}
			}
		default:
			return defErr(f+".type", "must be one of nps, csat, ces, rating, single, multi, open")
		}
		if q.ShowIf != nil {
			c := q.ShowIf
			j, ok := seen[c.Question]
			if !ok || j >= i {
				return defErr(f+".show_if.question", "must name an earlier question")
			}
			switch c.Op {
			case "answered":
			case "eq", "ne", "lt", "lte", "gt", "gte":
				if _, ok := number(c.Value); !ok && c.Op != "eq" && c.Op != "ne" {
					return defErr(f+".show_if.value", "must be a number")
				}
				if c.Value == nil {
					return defErr(f+".show_if.value", "is required")
				}
			case "in":
				if _, ok := c.Value.([]any); !ok {
					return defErr(f+".show_if.value", "must be a list")
				}
			default:
				return defErr(f+".show_if.op", "must be one of answered, eq, ne, lt, lte, gt, gte, in")
			}
		}
	}
	for _, t := range []struct {
		f string
		t Text
	}{{"title", d.Title}, {"intro", d.Intro}, {"thank_you", d.ThankYou}} {
		if err := checkText(t.t, t.f, false); err != nil {
			return err
		}
	}
	return nil
}

func checkText(t Text, field string, required bool) error {
	if required && t.In("en", "en") == "" {
		return defErr(field, "is required (in at least one language)")
	}
	for l, v := range t {
		if !slices.Contains(Languages, l) {
			return defErr(field+"."+l, "language must be one of %s", strings.Join(Languages, ", "))
		}
		if !utf8.ValidString(v) || utf8.RuneCountInString(v) > MaxTextLength {
			return defErr(field+"."+l, "must be valid text of at most %d characters", MaxTextLength)
		}
	}
	return nil
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int:
		return float64(n), true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

// ParseDefinition decodes a stored definition.
func ParseDefinition(raw string) (Definition, error) {
	var d Definition
	if err := json.Unmarshal([]byte(raw), &d); err != nil {
		return d, fmt.Errorf("survey definition: %w", err)
	}
	return d, nil
}
