package alert

import (
	"context"
	"fmt"
	"strings"
	"time"

	"vox/internal/store"
)

// PraiseMaxAge is how old an item may be and still be told to the employee
// as it arrives: praise is news, so an import of last year's answers does
// not flood anyone (the digest covers the period instead).
const PraiseMaxAge = 72 * time.Hour

// NotificationPraise and NotificationDigest are the kinds of in-app
// notifications.
const (
	NotificationPraise = "praise"
	NotificationDigest = "digest"
)

// queuePraise tells the users linked to the employees that new items
// praise (store.IsPraise): an in-app notification, and an email and a
// Telegram message as jobs when configured. It runs in the feedback
// transaction, so praise commits with its item; the dedupe key
// praise:<item>:<user> keeps a re-evaluated item from praising twice.
func (s *Service) queuePraise(ctx context.Context, o *outbox, items []store.FeedbackItem) error {
	now := s.now()
	var praised []*store.FeedbackItem
	var employees []int64
	seen := map[int64]bool{}
	for i := range items {
		it := &items[i]
		if it.EmployeeID == nil || now.Sub(it.OccurredAt) > PraiseMaxAge || !store.IsPraise(it) {
			continue
		}
		praised = append(praised, it)
		if !seen[*it.EmployeeID] {
			seen[*it.EmployeeID] = true
			employees = append(employees, *it.EmployeeID)
		}
	}
	if len(praised) == 0 {
		return nil
	}
	recipients, err := o.tx.PraiseRecipients(ctx, o.ws, employees)
	if err != nil || len(recipients) == 0 {
		return err
	}
	for _, it := range praised {
		for _, r := range recipients[*it.EmployeeID] {
			subject, body := s.praiseText(r, it)
			key := fmt.Sprintf("praise:%d:%d", it.ID, r.UserID)
			itemID := it.ID
			created, err := o.tx.AddUserNotification(ctx, o.ws, store.UserNotification{UserID: r.UserID, Kind: NotificationPraise,
				Title: subject, Body: body, FeedbackID: &itemID, DedupeKey: key, CreatedAt: now,
				Details: map[string]any{"employee_id": r.EmployeeID, "nps": it.NPS, "csat": it.CSAT, "channel": it.Channel}})
			if err != nil {
				return err
			}
			if !created {
				continue
			}
			if s.opt.Mailer != nil && r.Email != "" {
				o.add(KindEmail, emailPayload{To: []string{r.Email}, Subject: subject, Body: body}, now, key)
			}
			if s.opt.Telegram != nil && r.TelegramChatID != "" {
				o.add(KindTelegram, telegramPayload{ChatID: r.TelegramChatID, Text: subject + "\n\n" + body}, now, key)
			}
		}
	}
	return nil
}

// praiseText renders praise as plain text in the recipient's language; the
// customer's words are quoted as they are (email and Telegram messages are
// plain text, so they cannot carry markup).
func (s *Service) praiseText(r store.PraiseRecipient, it *store.FeedbackItem) (string, string) {
	name := r.EmployeeName
	if name == "" {
		name = r.Name
	}
	var b strings.Builder
	b.WriteString(tr(r.Lang, "praise.intro", name) + "\n")
	switch {
	case it.NPS != nil:
		fmt.Fprintf(&b, "%s: NPS %d/10\n", tr(r.Lang, "praise.score"), *it.NPS)
	case it.CSAT != nil:
		scale := 5
		if it.CSATScale != nil {
			scale = *it.CSATScale
		}
		fmt.Fprintf(&b, "%s: CSAT %d/%d\n", tr(r.Lang, "praise.score"), *it.CSAT, scale)
	}
	b.WriteString(tr(r.Lang, "praise.channel") + ": " + it.Channel + "\n")
	if t := strings.TrimSpace(it.Text); t != "" {
		b.WriteString("\n«" + t + "»\n")
	}
	if s.opt.BaseURL != "" {
		fmt.Fprintf(&b, "\n%s/feedback/%d\n", s.opt.BaseURL, it.ID)
	}
	return tr(r.Lang, "praise.subject", name), b.String()
}
