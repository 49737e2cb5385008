package survey

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"vox/internal/ingest"
	"vox/internal/store"
)

// sessionFor opens an invitation reached through a channel that
// authenticates the respondent itself (a Telegram chat), not through a link.
func (s *Service) sessionFor(ctx context.Context, inv store.Invitation) (*Session, error) {
	sess := &Session{WorkspaceID: inv.WorkspaceID, Invitation: &inv, Channel: feedbackChannel(inv.Channel),
		DraftKey: "inv:" + strconv.FormatInt(inv.ID, 10), Token: s.InvitationToken(inv)}
	var err error
	if sess.Survey, err = s.Survey(ctx, inv.WorkspaceID, inv.SurveyID, inv.SurveyVersion); err != nil {
		return nil, err
	}
	sess.Lang = PickLang(&sess.Survey.Definition, "", inv.Lang)
	switch {
	case inv.AnsweredAt != nil:
		return sess, ErrAnswered
	case !s.now().Before(inv.ExpiresAt):
		return sess, ErrExpired
	case sess.Survey.Status != "live":
		return sess, ErrClosed
	}
	return sess, s.LoadDraft(ctx, sess)
}

// ChatReply is what a bot says next after an answer in a chat.
type ChatReply struct {
	Text      string // the next (open) question, or the thank-you
	ForceText bool   // the next message of the chat answers Text
	Done      bool
	Link      string // the rest must be answered on the hosted page
}

func (s *Service) chatNext(sess *Session) ChatReply {
	ui := Strings(sess.Lang)
	step := NextStep(&sess.Survey.Definition, sess.Answers)
	if len(step) == 0 {
		thanks := sess.Survey.ThankYou.In(sess.Lang, sess.Survey.DefaultLang())
		if thanks == "" {
			thanks = ui.ThankYou
		}
		return ChatReply{Text: thanks, Done: true}
	}
	if step[0].Type == TypeOpen {
		return ChatReply{Text: step[0].Text.In(sess.Lang, sess.Survey.DefaultLang()), ForceText: true}
	}
	return ChatReply{Text: ui.TakeSurvey, Link: s.BaseURL + "/s/" + sess.Token}
}

// ErrWrongChat means a chat answered an invitation that is not its own.
var ErrWrongChat = errors.New("invitation belongs to another chat")

// ChatScore records the score a chat gave by an inline button, and says
// what to ask next. The chat id is what Telegram vouches for.
func (s *Service) ChatScore(ctx context.Context, ws, invitationID int64, chatID string, score int) (ChatReply, error) {
	inv, err := s.DB.Invitation(ctx, ws, invitationID)
	if err != nil {
		return ChatReply{}, err
	}
	if inv.Channel != ChannelTelegram || inv.Address != chatID {
		return ChatReply{}, ErrWrongChat
	}
	sess, err := s.sessionFor(ctx, inv)
	if err != nil {
		return ChatReply{}, err
	}
	s.MarkOpened(ctx, sess)
	step := NextStep(&sess.Survey.Definition, sess.Answers)
	if len(step) == 0 {
		return s.chatNext(sess), nil
	}
	if probs := Accept(step[:1], map[string][]string{step[0].ID: {strconv.Itoa(score)}}, sess.Answers); probs != nil {
		return ChatReply{}, errors.New("score out of range")
	}
	return s.saveChat(ctx, sess)
}

// saveChat keeps partial answers or, once complete, stores the response.
func (s *Service) saveChat(ctx context.Context, sess *Session) (ChatReply, error) {
	next := s.chatNext(sess)
	if next.Done {
		return next, s.finish(ctx, sess, "")
	}
	raw, _ := json.Marshal(sess.Answers)
	return next, s.DB.PutDraft(ctx, sess.WorkspaceID, sess.Survey.ID, sess.DraftKey, string(raw))
}

// ChatText takes a free-text message of a chat: the answer to the open
// question the bot asked last. handled is false when no invitation of the
// chat waits for text.
func (s *Service) ChatText(ctx context.Context, ws int64, chatID, text string) (ChatReply, bool, error) {
	inv, err := s.DB.LatestInvitationTo(ctx, ws, ChannelTelegram, chatID)
	if errors.Is(err, store.ErrNotFound) {
		return ChatReply{}, false, nil
	}
	if err != nil {
		return ChatReply{}, false, err
	}
	sess, err := s.sessionFor(ctx, inv)
	if err != nil || len(sess.Answers) == 0 {
		return ChatReply{}, false, nil // answered, expired or not started: not ours
	}
	step := NextStep(&sess.Survey.Definition, sess.Answers)
	if len(step) == 0 || step[0].Type != TypeOpen {
		return ChatReply{}, false, nil
	}
	if probs := Accept(step[:1], map[string][]string{step[0].ID: {text}}, sess.Answers); probs != nil {
		return ChatReply{Text: Strings(sess.Lang).TooLong, ForceText: true}, true, nil
	}
	r, err := s.saveChat(ctx, sess)
	return r, true, err
}

// ChatOptOut opts the customer behind a chat out of surveys.
func (s *Service) ChatOptOut(ctx context.Context, ws int64, chatID string) error {
	inv, err := s.DB.LatestInvitationTo(ctx, ws, ChannelTelegram, chatID)
	if err != nil || inv.CustomerID == nil {
		return err
	}
	return s.DB.OptOut(ctx, ws, *inv.CustomerID, ChannelTelegram)
}

// Mention is a message seen in a chat or channel the bot is a member of.
type Mention struct {
	ExternalID string // unique per message, e.g. tg:<chat>:<message>
	Text       string
	Author     string
	AuthorID   string
	Source     string // chat title
	URL        string
}

// MatchesKeywords reports whether text mentions one of the brand keywords.
func MatchesKeywords(text string, keywords []string) bool {
	low := strings.ToLower(text)
	for _, k := range keywords {
		if k = strings.ToLower(strings.TrimSpace(k)); k != "" && strings.Contains(low, k) {
			return true
		}
	}
	return false
}

// IngestMention stores a mention as a feedback item (kind mention). A
// redelivered update is stored once (the external id).
func (s *Service) IngestMention(ctx context.Context, ws int64, channel string, m Mention) error {
	it := ingest.Item{Kind: "mention", Channel: channel, ExternalID: m.ExternalID, Text: m.Text, Author: m.Author,
		Source: m.Source, URL: m.URL}
	if m.AuthorID != "" {
		it.Customer = &ingest.CustomerRef{TelegramID: m.AuthorID}
	}
	_, err := s.Ingest.Ingest(ctx, ws, []ingest.Item{it}, "")
	return err
}
