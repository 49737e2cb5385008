package survey

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Answer is the answer to one question. Skipped marks an optional question
// the respondent saw and left empty, so it is not asked again.
type Answer struct {
	Score   *int     `json:"score,omitempty"`
	Choice  []string `json:"choice,omitempty"`
	Text    string   `json:"text,omitempty"`
	Skipped bool     `json:"skipped,omitempty"`
}

// Answers maps question ids to answers.
type Answers map[string]Answer

// Problem is an answer that cannot be accepted.
type Problem struct {
	Question string `json:"question"`
	Code     string `json:"code"` // required, out_of_range, invalid_choice, too_long
}

// Visible reports whether q is shown given the answers so far.
func Visible(q *Question, a Answers) bool {
	c := q.ShowIf
	if c == nil {
		return true
	}
	ans, ok := a[c.Question]
	if !ok || ans.Skipped {
		return false
	}
	if c.Op == "answered" {
		return true
	}
	var vals []string
	if ans.Score != nil {
		vals = []string{strconv.Itoa(*ans.Score)}
	} else {
		vals = ans.Choice
	}
	switch c.Op {
	case "in":
		list, _ := c.Value.([]any)
		for _, v := range list {
			if slices.Contains(vals, fmt.Sprint(v)) {
				return true
			}
		}
		return false
	case "eq":
		return slices.Contains(vals, fmt.Sprint(c.Value))
	case "ne":
		return !slices.Contains(vals, fmt.Sprint(c.Value))
	}
	if ans.Score == nil {
		return false
	}
	want, _ := number(c.Value)
	got := float64(*ans.Score)
	switch c.Op {
	case "lt":
		return got < want
	case "lte":
		return got <= want
	case "gt":
		return got > want
	case "gte":
		return got >= want
	}
	return false
}

// NextStep returns the questions to show on the next page: the unanswered
// visible questions in order, up to the first one whose visibility depends
// on an answer given on that same page. Without JavaScript, that is how
// skip logic works: the server decides after each page. Empty means done.
func NextStep(d *Definition, a Answers) []*Question {
	var step []*Question
	onPage := map[string]bool{}
	for i := range d.Questions {
		q := &d.Questions[i]
		if _, done := a[q.ID]; done {
			continue
		}
		if q.ShowIf != nil && onPage[q.ShowIf.Question] {
			break
		}
		if !Visible(q, a) {
			continue
		}
		step = append(step, q)
		onPage[q.ID] = true
	}
	return step
}

// Complete reports whether no question remains to be asked.
func Complete(d *Definition, a Answers) bool { return len(NextStep(d, a)) == 0 }

// Accept validates the raw values given for the step's questions and adds
// them to a. values maps a question id to its submitted values (several for
// a multiple choice). Nothing is added when there is a problem.
func Accept(step []*Question, values map[string][]string, a Answers) []Problem {
	var problems []Problem
	got := Answers{}
	for _, q := range step {
		var vs []string
		for _, v := range values[q.ID] {
			if v = strings.TrimSpace(v); v != "" {
				vs = append(vs, v)
			}
		}
		if len(vs) == 0 {
			if q.Required {
				problems = append(problems, Problem{q.ID, "required"})
			} else {
				got[q.ID] = Answer{Skipped: true}
			}
			continue
		}
		ans, code := parseAnswer(q, vs)
		if code != "" {
			problems = append(problems, Problem{q.ID, code})
			continue
		}
		got[q.ID] = ans
	}
	if len(problems) > 0 {
		return problems
	}
	for k, v := range got {
		a[k] = v
	}
	return nil
}

func parseAnswer(q *Question, vs []string) (Answer, string) {
	if lo, hi, ok := q.Range(); ok {
		n, err := strconv.Atoi(vs[0])
		if err != nil || n < lo || n > hi || len(vs) > 1 {
			return Answer{}, "out_of_range"
		}
		return Answer{Score: &n}, ""
	}
	switch q.Type {
	case TypeSingle, TypeMulti:
		if q.Type == TypeSingle && len(vs) > 1 {
			return Answer{}, "invalid_choice"
		}
		var out []string
		for _, v := range vs {
			if !slices.ContainsFunc(q.Options, func(o Option) bool { return o.ID == v }) {
				return Answer{}, "invalid_choice"
			}
			if !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
		return Answer{Choice: out}, ""
	case TypeOpen:
		t := strings.Join(vs, "\n")
		if !utf8.ValidString(t) {
			return Answer{}, "invalid_text"
		}
		if utf8.RuneCountInString(t) > MaxOpenRunes {
			return Answer{}, "too_long"
		}
		return Answer{Text: t}, ""
	}
	return Answer{}, "invalid"
}
