package report

import (
	"encoding/json"
	"fmt"
	"net/mail"
	"slices"
	"strconv"
	"strings"

	"vox/internal/store"
)

// Limits and defaults of a weekly report order.
const (
	MaxRecipients  = 20
	DefaultWeekday = 1 // Monday: last week's report first thing in the week
	DefaultHour    = 8
)

// weekdayNames are the names a weekday may be given by (ISO numbers 1-7).
var weekdayNames = map[string]int{
	"monday": 1, "tuesday": 2, "wednesday": 3, "thursday": 4, "friday": 5, "saturday": 6, "sunday": 7,
	"mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7,
}

// ParseWeekday reads an ISO weekday: 1 (Monday) … 7 (Sunday), or an
// English day name or its three-letter abbreviation.
func ParseWeekday(s string) (int, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if n, err := strconv.Atoi(s); err == nil {
		return n, n >= 1 && n <= 7
	}
	n, ok := weekdayNames[s]
	return n, ok
}

// SubscriptionInput is a weekly report order as written by a user (API
// body, web form). On update, fields left out keep their value.
type SubscriptionInput struct {
	Recipients *[]string `json:"recipients"`
	Lang       *string   `json:"lang"`
	// Weekday is 1-7 or a day name ("monday", "mon").
	Weekday json.RawMessage `json:"weekday"`
	Hour    *int            `json:"hour"`
	Enabled *bool           `json:"enabled"`
}

// NewSubscription validates the order of a new subscription; left out are
// the defaults: English, Monday, 08:00, enabled.
func NewSubscription(in SubscriptionInput) (store.ReportSubscription, error) {
	sub := store.ReportSubscription{Lang: "en", Weekday: DefaultWeekday, Hour: DefaultHour, Enabled: true}
	if in.Recipients == nil {
		return sub, &InvalidError{"recipients", "at least one email address is required"}
	}
	return sub, ApplySubscription(&sub, in)
}

// ApplySubscription validates in and writes what it sets into sub. The
// error names the field at fault.
func ApplySubscription(sub *store.ReportSubscription, in SubscriptionInput) error {
	if in.Recipients != nil {
		rs, err := ParseRecipients(*in.Recipients)
		if err != nil {
			return err
		}
		sub.Recipients = rs
	}
	if in.Lang != nil {
		if !slices.Contains(Languages, *in.Lang) {
			return &InvalidError{"lang", fmt.Sprintf("unknown language %q; one of en, ru, zh", *in.Lang)}
		}
		sub.Lang = *in.Lang
	}
	if len(in.Weekday) > 0 && string(in.Weekday) != "null" {
		var raw any
		_ = json.Unmarshal(in.Weekday, &raw)
		s := ""
		switch v := raw.(type) {
		case string:
			s = v
		case float64:
			s = strconv.FormatFloat(v, 'f', -1, 64)
		}
		n, ok := ParseWeekday(s)
		if !ok {
			return &InvalidError{"weekday", "must be 1 (Monday) … 7 (Sunday) or a day name such as \"monday\""}
		}
		sub.Weekday = n
	}
	if in.Hour != nil {
		if *in.Hour < 0 || *in.Hour > 23 {
			return &InvalidError{"hour", "must be an hour 0-23 in the workspace's time zone"}
		}
		sub.Hour = *in.Hour
	}
	if in.Enabled != nil {
		sub.Enabled = *in.Enabled
	}
	return nil
}

// ParseRecipients checks a list of email addresses: one to MaxRecipients,
// each a valid address, duplicates dropped. A name ("Anna <a@x.org>") is
// accepted and dropped: reports go to bare addresses.
func ParseRecipients(list []string) ([]string, error) {
	var out []string
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		a, err := mail.ParseAddress(s)
		if err != nil || !strings.Contains(a.Address, "@") {
			return nil, &InvalidError{"recipients", fmt.Sprintf("%q is not an email address", s)}
		}
		if !slices.ContainsFunc(out, func(x string) bool { return strings.EqualFold(x, a.Address) }) {
			out = append(out, a.Address)
		}
	}
	switch {
	case len(out) == 0:
		return nil, &InvalidError{"recipients", "at least one email address is required"}
	case len(out) > MaxRecipients:
		return nil, &InvalidError{"recipients", fmt.Sprintf("at most %d addresses", MaxRecipients)}
	}
	return out, nil
}

// SplitRecipients splits a typed list of addresses (commas, semicolons,
// spaces or new lines between them), as a web form sends it.
func SplitRecipients(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == ';' || r == '\n' || r == '\r' || r == ' ' || r == '\t'
	})
}
