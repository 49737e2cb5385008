package alert

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"vox/internal/channel/slack"
	"vox/internal/store"
)

// ItemData is the data of item events: the whole item and its customer.
type ItemData struct {
	Item     store.FeedbackItem `json:"item"`
	Customer *store.Customer    `json:"customer"`
}

// AlertData is the data of alert.triggered.
type AlertData struct {
	Alert    store.Alert        `json:"alert"`
	Rule     RuleRef            `json:"rule"`
	Item     store.FeedbackItem `json:"item"`
	Customer *store.Customer    `json:"customer"`
	Case     *store.Case        `json:"case"`
}

// RuleRef names the rule that fired.
type RuleRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// normalizeItem replaces nil collections with empty ones so that payloads
// have stable shapes ("topics": [] rather than null).
func normalizeItem(it store.FeedbackItem) store.FeedbackItem {
	if it.Topics == nil {
		it.Topics = []string{}
	}
	if it.Aspects == nil {
		it.Aspects = []store.Aspect{}
	}
	if it.Tags == nil {
		it.Tags = []string{}
	}
	if it.Metadata == nil {
		it.Metadata = map[string]any{}
	}
	return it
}

// OnFeedback is the store.FeedbackHook: inside the transaction that stores
// new items it queues their webhook events and evaluates every enabled rule,
// so that an item, its alerts, cases and delivery jobs commit together —
// nothing is lost if Vox dies right after answering 2xx.
func (s *Service) OnFeedback(ctx context.Context, tx *store.Tx, ws int64, items []store.FeedbackItem) error {
	if len(items) == 0 {
		return nil
	}
	o := s.newOutbox(tx, ws)
	if err := s.queuePraise(ctx, o, items); err != nil {
		return err
	}
	eps, err := o.webhooks(ctx)
	if err != nil {
		return err
	}
	rules, err := tx.EnabledRules(ctx, ws)
	if err != nil {
		return err
	}
	if len(rules) == 0 && !anySubscribed(eps, EventFeedbackCreated, EventResponseCreated) {
		return o.flush(ctx)
	}
	compiled := make([]*Compiled, 0, len(rules))
	needCustomers := anySubscribed(eps, EventFeedbackCreated, EventResponseCreated) // their payloads carry the customer
	for _, r := range rules {
		c, err := s.compiledRule(r)
		if err != nil {
			// A rule stored by an older version that no longer compiles must
			// not block ingestion; it is skipped and logged.
			s.log.Warn("skipping invalid rule", "workspace", ws, "rule", r.ID, "err", err)
			continue
		}
		compiled = append(compiled, c)
		needCustomers = needCustomers || c.readsCustomer
	}
	// The batch's customers are read once, and only when something uses
	// them: a rule's condition, an item event, or a rule that fires (its
	// case goes to the account owner, its alert names the customer). A
	// survey answer that no rule matches then costs no customer reads.
	var customers map[int64]store.Customer
	loadCustomers := func() error {
		if customers != nil {
			return nil
		}
		var ids []int64
		for _, it := range items {
			if it.CustomerID != nil && !slices.Contains(ids, *it.CustomerID) {
				ids = append(ids, *it.CustomerID)
			}
		}
		var err error
		customers, err = tx.RuleCustomers(ctx, ws, ids)
		return err
	}
	if needCustomers {
		if err := loadCustomers(); err != nil {
			return err
		}
	}
	for i := range items {
		it := normalizeItem(items[i])
		cust := customerOf(customers, it.CustomerID)
		for _, c := range compiled {
			if c.Matches(&it, cust) { // without customers loaded, no condition reads them
				if it.CustomerID != nil && customers == nil {
					if err := loadCustomers(); err != nil {
						return err
					}
					cust = customerOf(customers, it.CustomerID)
				}
				if err := s.fire(ctx, o, c, &it, cust); err != nil {
					return err
				}
			}
		}
		// Item events go out after the rules, so they carry the tags rules set.
		data := ItemData{Item: it, Customer: cust}
		if err := o.emit(ctx, EventFeedbackCreated, data); err != nil {
			return err
		}
		if it.Kind == "survey_response" {
			if err := o.emit(ctx, EventResponseCreated, data); err != nil {
				return err
			}
		}
	}
	return o.flush(ctx)
}

func anySubscribed(eps []store.WebhookEndpoint, events ...string) bool {
	for _, ep := range eps {
		for _, e := range events {
			if ep.Subscribed(e) {
				return true
			}
		}
	}
	return false
}

func customerOf(m map[int64]store.Customer, id *int64) *store.Customer {
	if id == nil {
		return nil
	}
	if c, ok := m[*id]; ok {
		return &c
	}
	return nil
}

// fire records the alert of rule c on item it and runs the rule's actions.
// The alert's dedupe key makes a second evaluation of the same item (a
// retried import of the same external id never gets here, but a manual
// re-run might) a no-op.
func (s *Service) fire(ctx context.Context, o *outbox, c *Compiled, it *store.FeedbackItem, cust *store.Customer) error {
	now := s.now()
	ruleID, itemID := c.rule.ID, it.ID
	a, created, err := o.tx.InsertAlert(ctx, store.Alert{WorkspaceID: o.ws, Kind: store.AlertRule, RuleID: &ruleID, FeedbackID: &itemID,
		Title: c.rule.Name, Details: map[string]any{"rule": c.rule.Name},
		DedupeKey: "rule:" + strconv.FormatInt(ruleID, 10) + ":item:" + strconv.FormatInt(itemID, 10), CreatedAt: now})
	if err != nil || !created {
		return err
	}
	var kase *store.Case
	for _, act := range c.actions {
		if act.Type == "notify" && act.Channel == "webhook" {
			act.Type = "webhook"
		}
		switch act.Type {
		case "tag":
			for _, t := range act.Tags {
				if !slices.Contains(it.Tags, t) {
					it.Tags = append(it.Tags, t)
				}
			}
			if err := o.tx.ApplyFeedbackTags(ctx, o.ws, it.ID, it.Tags); err != nil {
				return err
			}
		case "open_case":
			k, err := s.openCase(ctx, o, c.rule, act, it, cust, now)
			if err != nil {
				return err
			}
			kase = &k
			if err := o.tx.SetAlertCase(ctx, o.ws, a.ID, k.ID); err != nil {
				return err
			}
			a.CaseID = &k.ID
		case "assign":
			if kase == nil {
				continue // nothing to assign without a case; the alert itself has no owner
			}
			owner, team, err := s.pickOwner(ctx, o.tx, o.ws, c.rule.ID, act, it, cust)
			if err != nil {
				return err
			}
			if owner != nil {
				if err := s.assignInTx(ctx, o, kase, owner, team, "rule:"+c.rule.Name); err != nil {
					return err
				}
			}
		case "notify":
			if err := s.queueNotify(ctx, o, act, c.rule, it, cust, kase); err != nil {
				return err
			}
		case "webhook":
			if err := o.emit(ctx, EventAlertTriggered, AlertData{Alert: a, Rule: RuleRef{ID: c.rule.ID, Name: c.rule.Name},
				Item: *it, Customer: cust, Case: kase}); err != nil {
				return err
			}
		}
	}
	return nil
}

// queueNotify queues a notification to people about a rule firing.
func (s *Service) queueNotify(ctx context.Context, o *outbox, act Action, r store.Rule, it *store.FeedbackItem, cust *store.Customer, kase *store.Case) error {
	subject, body := s.alertText(r, it, cust, kase)
	switch act.Channel {
	case "email":
		if s.opt.Mailer == nil {
			s.log.Warn("email notification skipped: no SMTP server configured", "workspace", o.ws, "rule", r.ID)
			return nil
		}
		var to []string
		for _, t := range act.To {
			if t != "owner" {
				to = append(to, t)
				continue
			}
			if addr := s.ownerEmail(ctx, o.tx, o.ws, kase, cust); addr != "" {
				to = append(to, addr)
			}
		}
		if len(to) > 0 {
			o.add(KindEmail, emailPayload{To: to, Subject: subject, Body: body}, s.now(), "")
		}
	case "telegram":
		if s.opt.Telegram == nil {
			s.log.Warn("telegram notification skipped: no bot configured", "workspace", o.ws, "rule", r.ID)
			return nil
		}
		o.add(KindTelegram, telegramPayload{ChatID: act.ChatID, Text: subject + "\n\n" + body}, s.now(), "")
	case "slack":
		o.add(KindSlack, slackPayload{URL: act.URL, Text: slack.Escape(subject) + "\n" + slack.Escape(body)}, s.now(), "")
	}
	return nil
}

// ownerEmail finds who "owner" means: the case owner, else the customer's
// account owner.
func (s *Service) ownerEmail(ctx context.Context, tx *store.Tx, ws int64, kase *store.Case, cust *store.Customer) string {
	var id *int64
	if kase != nil && kase.OwnerEmployeeID != nil {
		id = kase.OwnerEmployeeID
	} else if cust != nil && cust.AccountOwnerID != nil {
		id = cust.AccountOwnerID
	}
	if id == nil {
		return ""
	}
	e, err := tx.EmployeeContact(ctx, ws, *id)
	if err != nil {
		return ""
	}
	return e.Email
}

// alertText renders a plain-text notification. Customer words are quoted
// as they are: channels render plain text (Slack's are escaped separately).
func (s *Service) alertText(r store.Rule, it *store.FeedbackItem, cust *store.Customer, kase *store.Case) (string, string) {
	subject := "Vox: " + r.Name
	body := "Rule: " + r.Name + "\n"
	if it.NPS != nil {
		body += fmt.Sprintf("NPS: %d\n", *it.NPS)
		subject += fmt.Sprintf(" (NPS %d)", *it.NPS)
	}
	if it.CSAT != nil {
		body += fmt.Sprintf("CSAT: %d\n", *it.CSAT)
	}
	if it.Sentiment != "" {
		body += "Sentiment: " + it.Sentiment + "\n"
	}
	body += "Channel: " + it.Channel + "\n"
	if cust != nil {
		name := cust.Name
		if name == "" {
			name = fmt.Sprintf("#%d", cust.ID)
		}
		body += "Customer: " + name
		if cust.Segment != "" {
			body += " (" + cust.Segment + ")"
		}
		body += "\n"
	}
	if it.Text != "" {
		body += "\n" + it.Text + "\n"
	}
	if kase != nil {
		body += fmt.Sprintf("\nCase #%d, due %s\n", kase.ID, kase.DueAt.Format("2006-01-02 15:04 MST"))
		if s.opt.BaseURL != "" {
			body += fmt.Sprintf("%s/cases/%d\n", s.opt.BaseURL, kase.ID)
		}
	} else if s.opt.BaseURL != "" {
		body += fmt.Sprintf("\n%s/feedback/%d\n", s.opt.BaseURL, it.ID)
	}
	return subject, body
}
