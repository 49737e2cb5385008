// Package ingest turns feedback from any source (API, import, demo, surveys)
// into stored items: it validates, analyses the text and writes batches
// idempotently through the store.
package ingest

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"vox/internal/store"
)

// Limits on one item, so that a single request cannot bloat the database.
const (
	MaxTextRunes     = 20000
	MaxExternalIDLen = 200
	MaxBatch         = 1000
)

// Item is one piece of feedback as callers send it (the API's JSON shape and
// what importers produce).
type Item struct {
	ExternalID string         `json:"external_id,omitempty"`
	Kind       string         `json:"kind,omitempty"`
	Channel    string         `json:"channel,omitempty"`
	Source     string         `json:"source,omitempty"`
	Author     string         `json:"author,omitempty"`
	URL        string         `json:"url,omitempty"`
	Text       string         `json:"text,omitempty"`
	Lang       string         `json:"lang,omitempty"`
	NPS        *int           `json:"nps,omitempty"`
	CSAT       *int           `json:"csat,omitempty"`
	CSATScale  *int           `json:"csat_scale,omitempty"`
	CES        *int           `json:"ces,omitempty"`
	Touchpoint string         `json:"touchpoint,omitempty"`
	Stage      string         `json:"stage,omitempty"`
	Region     string         `json:"region,omitempty"`
	Segment    string         `json:"segment,omitempty"`
	Employee   string         `json:"employee,omitempty"` // the employee's external id
	SurveyID   *int64         `json:"survey_id,omitempty"`
	OccurredAt *time.Time     `json:"occurred_at,omitempty"`
	CustomerID *int64         `json:"customer_id,omitempty"`
	Customer   *CustomerRef   `json:"customer,omitempty"`
	Tags       []string       `json:"tags,omitempty"`
	Metadata   map[string]any `json:"metadata,omitempty"`
}

// CustomerRef identifies the customer an item is from. Any identity that is
// already known resolves to that customer's profile.
type CustomerRef struct {
	Email            string   `json:"email,omitempty"`
	Phone            string   `json:"phone,omitempty"`
	TelegramID       string   `json:"telegram_id,omitempty"`
	TelegramUsername string   `json:"telegram_username,omitempty"`
	ExternalID       string   `json:"external_id,omitempty"`
	Name             string   `json:"name,omitempty"`
	Segment          string   `json:"segment,omitempty"`
	Region           string   `json:"region,omitempty"`
	Lang             string   `json:"lang,omitempty"`
	Timezone         string   `json:"timezone,omitempty"`
	AnnualRevenue    *float64 `json:"annual_revenue,omitempty"`
	// AnnualRevenueCurrency is the ISO 4217 code of AnnualRevenue; empty
	// means the workspace's reporting currency.
	AnnualRevenueCurrency string         `json:"annual_revenue_currency,omitempty"`
	Attributes            map[string]any `json:"attributes,omitempty"`
}

// Input converts the reference to the store's form.
func (c CustomerRef) Input() store.CustomerInput {
	in := store.CustomerInput{Name: c.Name, Segment: c.Segment, Region: c.Region, Lang: c.Lang,
		Timezone: c.Timezone, AnnualRevenue: c.AnnualRevenue, RevenueCurrency: c.AnnualRevenueCurrency, Attributes: c.Attributes}
	for _, p := range []struct{ kind, v string }{{store.IdentityEmail, c.Email}, {store.IdentityPhone, c.Phone},
		{store.IdentityTelegramID, c.TelegramID}, {store.IdentityTelegramUsername, c.TelegramUsername},
		{store.IdentityExternalID, c.ExternalID}} {
		if strings.TrimSpace(p.v) != "" {
			in.Identities = append(in.Identities, store.Identity{Kind: p.kind, Value: p.v})
		}
	}
	return in
}

// FieldError is a validation failure of one field of one item.
type FieldError struct {
	Index   int    `json:"index"` // position in the batch, -1 for a single item
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *FieldError) Error() string { return fmt.Sprintf("%s: %s", e.Field, e.Message) }

func fieldErr(field, code, format string, args ...any) *FieldError {
	return &FieldError{Index: -1, Field: field, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Validate checks one item and fills in defaults (kind, channel, CSAT scale).
// It returns the first problem found, naming the field at fault.
func (it *Item) Validate(now time.Time) *FieldError {
	for _, f := range []struct{ name, v string }{{"text", it.Text}, {"author", it.Author}, {"source", it.Source},
		{"url", it.URL}, {"external_id", it.ExternalID}, {"touchpoint", it.Touchpoint}, {"region", it.Region},
		{"segment", it.Segment}, {"employee", it.Employee}} {
		if !utf8.ValidString(f.v) {
			return fieldErr(f.name, "invalid_utf8", "is not valid UTF-8")
		}
	}
	it.Text = strings.TrimSpace(it.Text)
	if it.Text == "" && it.NPS == nil && it.CSAT == nil && it.CES == nil {
		return fieldErr("text", "required", "an item needs a text or a rating (nps, csat or ces)")
	}
	if n := utf8.RuneCountInString(it.Text); n > MaxTextRunes {
		return fieldErr("text", "too_long", "is %d characters; the limit is %d", n, MaxTextRunes)
	}
	if len(it.ExternalID) > MaxExternalIDLen {
		return fieldErr("external_id", "too_long", "is longer than %d bytes", MaxExternalIDLen)
	}
	if it.NPS != nil && (*it.NPS < 0 || *it.NPS > 10) {
		return fieldErr("nps", "out_of_range", "must be 0-10, got %d", *it.NPS)
	}
	if it.CSATScale != nil && *it.CSATScale != 5 && *it.CSATScale != 10 {
		return fieldErr("csat_scale", "invalid", "must be 5 or 10, got %d", *it.CSATScale)
	}
	if it.CSAT != nil {
		scale := 5
		if it.CSATScale != nil {
			scale = *it.CSATScale
		} else if *it.CSAT > 5 {
			return fieldErr("csat", "out_of_range", "must be 1-5 (or 1-10 with csat_scale 10), got %d", *it.CSAT)
		}
		if *it.CSAT < 1 || *it.CSAT > scale {
			return fieldErr("csat", "out_of_range", "must be 1-%d, got %d", scale, *it.CSAT)
		}
		it.CSATScale = &scale
	} else {
		it.CSATScale = nil
	}
	if it.CES != nil && (*it.CES < 1 || *it.CES > 7) {
		return fieldErr("ces", "out_of_range", "must be 1-7, got %d", *it.CES)
	}
	if it.Kind == "" {
		it.Kind = "other"
		if it.NPS != nil || it.CSAT != nil || it.CES != nil {
			it.Kind = "survey_response"
		}
	}
	if !slices.Contains(store.FeedbackKinds, it.Kind) {
		return fieldErr("kind", "invalid", "must be one of %s", strings.Join(store.FeedbackKinds, ", "))
	}
	if it.Channel == "" {
		it.Channel = "other"
	}
	if !slices.Contains(store.Channels, it.Channel) {
		return fieldErr("channel", "invalid", "must be one of %s", strings.Join(store.Channels, ", "))
	}
	if it.Stage != "" && !slices.Contains(store.JourneyStages, it.Stage) {
		return fieldErr("stage", "invalid", "must be one of %s", strings.Join(store.JourneyStages, ", "))
	}
	if it.Lang != "" && (len(it.Lang) < 2 || len(it.Lang) > 8) {
		return fieldErr("lang", "invalid", "must be a language code such as ru, zh or en")
	}
	if it.OccurredAt != nil {
		if it.OccurredAt.After(now.Add(24 * time.Hour)) {
			return fieldErr("occurred_at", "in_future", "is more than a day in the future")
		}
		if it.OccurredAt.Year() < 1990 {
			return fieldErr("occurred_at", "out_of_range", "is before 1990")
		}
	}
	if it.Customer != nil {
		c := it.Customer
		if c.Email != "" && !strings.Contains(c.Email, "@") {
			return fieldErr("customer.email", "invalid", "is not an email address")
		}
		if c.Phone != "" {
			if d := store.NormalizeIdentity(store.IdentityPhone, c.Phone); len(d) < 5 || len(d) > 20 {
				return fieldErr("customer.phone", "invalid", "is not a phone number")
			}
		}
		for _, v := range []string{c.Email, c.Phone, c.TelegramID, c.TelegramUsername, c.ExternalID, c.Name, c.Segment, c.Region} {
			if !utf8.ValidString(v) {
				return fieldErr("customer", "invalid_utf8", "is not valid UTF-8")
			}
		}
		if r := c.AnnualRevenue; r != nil && (*r < 0 || math.IsInf(*r, 0) || math.IsNaN(*r)) {
			return fieldErr("customer.annual_revenue", "invalid", "must be an amount of 0 or more")
		}
		if c.AnnualRevenueCurrency != "" && !store.ValidCurrency(c.AnnualRevenueCurrency) {
			return fieldErr("customer.annual_revenue_currency", "invalid", "must be an ISO 4217 code: three upper-case letters such as RUB")
		}
		if c.AnnualRevenueCurrency != "" && c.AnnualRevenue == nil {
			return fieldErr("customer.annual_revenue_currency", "invalid", "is given without annual_revenue")
		}
		if len(c.Input().Identities) == 0 {
			return fieldErr("customer", "required", "needs at least one of email, phone, telegram_id, telegram_username, external_id")
		}
	}
	return nil
}
