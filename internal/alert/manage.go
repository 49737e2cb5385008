package alert

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"vox/internal/channel/webhook"
	"vox/internal/store"
)

// CreateRule validates and stores a rule.
func (s *Service) CreateRule(ctx context.Context, ws int64, spec RuleSpec) (store.Rule, error) {
	r, err := s.ruleFromSpec(spec)
	if err != nil {
		return r, err
	}
	return s.db.CreateRule(ctx, ws, r)
}

// UpdateRule validates and replaces a rule.
func (s *Service) UpdateRule(ctx context.Context, ws, id int64, spec RuleSpec) (store.Rule, error) {
	r, err := s.ruleFromSpec(spec)
	if err != nil {
		return r, err
	}
	r.ID = id
	return s.db.UpdateRule(ctx, ws, r)
}

func (s *Service) ruleFromSpec(spec RuleSpec) (store.Rule, error) {
	if _, err := Compile(spec, s.guardURL); err != nil {
		return store.Rule{}, err
	}
	if spec.Match == "" {
		spec.Match = "all"
	}
	conds, _ := json.Marshal(spec.Conditions)
	acts, _ := json.Marshal(spec.Actions)
	enabled := spec.Enabled == nil || *spec.Enabled
	return store.Rule{Name: strings.TrimSpace(spec.Name), Enabled: enabled, Match: spec.Match, Conditions: conds, Actions: acts}, nil
}

// RuleTest says how a rule would have done on past items.
type RuleTest struct {
	RuleID    int64     `json:"rule_id"`
	From      time.Time `json:"from"`
	To        time.Time `json:"to"`
	Evaluated int       `json:"evaluated"`
	Matched   int       `json:"matched"`
	Truncated bool      `json:"truncated"` // more items than MaxRuleTestItems in the period
	SampleIDs []int64   `json:"sample_item_ids"`
}

// MaxRuleTestItems bounds the items a rule test reads.
const MaxRuleTestItems = 100_000

// TestRule evaluates a stored rule against the items of [from, to): "this
// rule would have fired 37 times last week". Nothing is stored or sent.
func (s *Service) TestRule(ctx context.Context, ws, id int64, from, to time.Time) (RuleTest, error) {
	r, err := s.db.Rule(ctx, ws, id)
	if err != nil {
		return RuleTest{}, err
	}
	c, err := s.compiledRule(r)
	if err != nil {
		return RuleTest{}, err
	}
	res := RuleTest{RuleID: id, From: from, To: to, SampleIDs: []int64{}}
	f := store.FeedbackFilter{From: from, To: to, Limit: 1000}
	for {
		page, err := s.db.ListFeedback(ctx, ws, f)
		if err != nil {
			return res, err
		}
		var ids []int64
		for _, it := range page.Items {
			if it.CustomerID != nil && !slices.Contains(ids, *it.CustomerID) {
				ids = append(ids, *it.CustomerID)
			}
		}
		customers, err := s.db.RuleCustomers(ctx, ws, ids)
		if err != nil {
			return res, err
		}
		for i := range page.Items {
			res.Evaluated++
			if c.Matches(&page.Items[i], customerOf(customers, page.Items[i].CustomerID)) {
				res.Matched++
				if len(res.SampleIDs) < 20 {
					res.SampleIDs = append(res.SampleIDs, page.Items[i].ID)
				}
			}
		}
		if page.NextCursor == "" {
			return res, nil
		}
		if res.Evaluated >= MaxRuleTestItems {
			res.Truncated = true
			return res, nil
		}
		f.Cursor = page.NextCursor
	}
}

// CreateWebhook checks the URL and events and stores an endpoint with a
// fresh secret, which is returned once here and never shown again.
func (s *Service) CreateWebhook(ctx context.Context, ws int64, url string, events []string) (store.WebhookEndpoint, string, error) {
	if err := s.guardURL(url); err != nil {
		return store.WebhookEndpoint{}, "", fieldErr("url", "%v", err)
	}
	if len(events) == 0 {
		return store.WebhookEndpoint{}, "", fieldErr("events", "subscribe to at least one of %s or *", strings.Join(EventTypes, ", "))
	}
	for _, e := range events {
		if e != "*" && !slices.Contains(EventTypes, e) {
			return store.WebhookEndpoint{}, "", fieldErr("events", "unknown event %q; use %s or *", e, strings.Join(EventTypes, ", "))
		}
	}
	secret := webhook.NewSecret()
	ep, err := s.db.CreateWebhook(ctx, ws, url, events, secret)
	return ep, secret, err
}

// RotateWebhookSecret issues a new secret; the old one keeps signing (as a
// second signature) for the overlap window.
func (s *Service) RotateWebhookSecret(ctx context.Context, ws, id int64) (string, time.Time, error) {
	secret := webhook.NewSecret()
	until := s.now().Add(s.opt.SecretOverlap)
	return secret, until, s.db.RotateWebhookSecret(ctx, ws, id, secret, until)
}

// SendTestEvent queues a webhook.test event to one endpoint, delivered and
// retried like any other, and returns its message id.
func (s *Service) SendTestEvent(ctx context.Context, ws, id int64) (string, error) {
	ep, err := s.db.Webhook(ctx, ws, id)
	if err != nil {
		return "", err
	}
	body, _ := json.Marshal(Event{Type: EventTest, Timestamp: s.now().UTC(), Data: map[string]any{"endpoint_id": ep.ID,
		"message": "This is a test event from Vox."}})
	msg := newMessageID()
	err = s.inTx(ctx, ws, func(o *outbox) error {
		o.add(KindWebhook, deliveryPayload{EndpointID: ep.ID, MessageID: msg, Event: EventTest, Body: string(body)}, s.now(), "")
		return nil
	})
	return msg, err
}

// SetWebhookEnabled re-enables (clearing the failure streak) or disables an
// endpoint by hand.
func (s *Service) SetWebhookEnabled(ctx context.Context, ws, id int64, enabled bool) error {
	reason := ""
	if !enabled {
		reason = "disabled by an admin"
	}
	return s.db.SetWebhookDisabled(ctx, ws, id, !enabled, reason)
}

// DB exposes the store for read-only listings the API serves directly.
func (s *Service) DB() *store.DB { return s.db }

// Wake tells the job worker that jobs are due (e.g. after a manual retry).
func (s *Service) Wake() { s.opt.Wake() }
