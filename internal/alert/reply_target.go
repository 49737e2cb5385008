package alert

import (
	"context"

	"vox/internal/store"
)

// ReplyTarget is how a reply to a case's customer would travel.
type ReplyTarget struct {
	Channel     string // "email" or "telegram"
	To          string // the address or chat id
	ItemChannel string // the channel the feedback came from ("" without an item)
}

// ReplyTarget tells, before anyone writes a reply, where Reply would send
// it: the page says so, and says plainly when no channel can reach the
// customer (ErrNoReplyChannel). It makes the same choice as Reply.
func (s *Service) ReplyTarget(ctx context.Context, ws, caseID int64) (ReplyTarget, error) {
	c, err := s.db.Case(ctx, ws, caseID)
	if err != nil {
		return ReplyTarget{}, err
	}
	var t ReplyTarget
	if c.FeedbackID != nil {
		if it, err := s.db.Feedback(ctx, ws, *c.FeedbackID); err == nil {
			t.ItemChannel = it.Channel
		}
	}
	if c.CustomerID == nil {
		return t, ErrNoReplyChannel
	}
	cust, err := s.db.Customer(ctx, ws, *c.CustomerID)
	if err != nil {
		return t, ErrNoReplyChannel
	}
	identity := func(kind string) string {
		for _, idn := range cust.Identities {
			if idn.Kind == kind {
				return idn.Value
			}
		}
		return ""
	}
	switch {
	case t.ItemChannel == "telegram" && s.opt.Telegram != nil && identity(store.IdentityTelegramID) != "":
		t.Channel, t.To = "telegram", identity(store.IdentityTelegramID)
	case s.opt.Mailer != nil && identity(store.IdentityEmail) != "":
		t.Channel, t.To = "email", identity(store.IdentityEmail)
	case s.opt.Telegram != nil && identity(store.IdentityTelegramID) != "":
		t.Channel, t.To = "telegram", identity(store.IdentityTelegramID)
	default:
		return t, ErrNoReplyChannel
	}
	return t, nil
}
