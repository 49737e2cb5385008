package survey

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"vox/internal/ingest"
	"vox/internal/store"
)

// Page states a respondent can find a link in.
var (
	ErrExpired  = errors.New("survey link expired")
	ErrAnswered = errors.New("already answered")
	ErrClosed   = errors.New("survey closed")
)

// Session is one respondent's view of a survey: the verified invitation (or
// none for an anonymous link), the survey version it refers to and the
// partial answers kept so far.
type Session struct {
	WorkspaceID int64
	Token       string
	Invitation  *store.Invitation
	Survey      Survey
	Answers     Answers
	Lang        string
	Channel     string // feedback channel of the answer
	DraftKey    string
}

// Open verifies a token and loads what the page needs. It returns
// ErrBadToken for anything forged or unknown (one answer for both, so ids
// cannot be probed), ErrExpired, ErrAnswered or ErrClosed.
func (s *Service) Open(ctx context.Context, token string) (*Session, error) {
	p, err := parseToken(token)
	if err != nil {
		return nil, ErrBadToken
	}
	sess := &Session{WorkspaceID: p.ws, Token: token}
	switch p.kind {
	case tokenInvitation:
		inv, err := s.DB.Invitation(ctx, p.ws, p.id)
		if errors.Is(err, store.ErrNotFound) {
			return nil, ErrBadToken
		}
		if err != nil {
			return nil, err
		}
		if !s.Signer.verify(p, invitationBinding(inv)) {
			return nil, ErrBadToken
		}
		sess.Invitation = &inv
		sess.Channel = feedbackChannel(inv.Channel)
		sess.DraftKey = "inv:" + strconv.FormatInt(inv.ID, 10)
		if sess.Survey, err = s.Survey(ctx, p.ws, inv.SurveyID, inv.SurveyVersion); err != nil {
			return nil, err
		}
		if inv.AnsweredAt != nil {
			return sess, ErrAnswered
		}
		if !s.now().Before(inv.ExpiresAt) {
			return sess, ErrExpired
		}
	case tokenSurvey:
		if !s.Signer.verify(p, binding{kind: tokenSurvey, ws: p.ws, id: p.id, survey: p.id, channel: ChannelLink}) {
			return nil, ErrBadToken
		}
		sv, err := s.Survey(ctx, p.ws, p.id, 0)
		if errors.Is(err, store.ErrNotFound) {
			return nil, ErrBadToken
		}
		if err != nil {
			return nil, err
		}
		sess.Survey, sess.Channel = sv, "web"
	}
	if sess.Survey.Status != "live" {
		return sess, ErrClosed
	}
	return sess, nil
}

// MarkOpened records the first visit of an invitation's page.
func (s *Service) MarkOpened(ctx context.Context, sess *Session) {
	if sess.Invitation != nil && sess.Invitation.OpenedAt == nil {
		if err := s.DB.MarkInvitationOpened(ctx, sess.WorkspaceID, sess.Invitation.ID, s.now()); err != nil {
			s.log().Warn("mark invitation opened", "err", err)
		}
	}
}

// LoadDraft fills the session's partial answers.
func (s *Service) LoadDraft(ctx context.Context, sess *Session) error {
	sess.Answers = Answers{}
	if sess.DraftKey == "" {
		return nil
	}
	raw, err := s.DB.Draft(ctx, sess.WorkspaceID, sess.DraftKey)
	if err != nil {
		return err
	}
	return json.Unmarshal([]byte(raw), &sess.Answers)
}

func feedbackChannel(invChannel string) string {
	switch invChannel {
	case ChannelEmail, ChannelSMS, ChannelTelegram, ChannelWidget:
		return invChannel
	}
	return "web"
}

// Result is what a submitted page led to.
type Result struct {
	Problems []Problem // the page is shown again with these
	Done     bool      // the response is stored
}

// Submit accepts the answers of the current step. When questions remain
// the partial answers are kept (a draft) and the next step is due; when the
// survey is complete the response is stored exactly once, together with
// its feedback item, and a repeat returns ErrAnswered. nonce identifies an
// anonymous submission so a double click stores one answer.
func (s *Service) Submit(ctx context.Context, sess *Session, values map[string][]string, nonce string) (Result, error) {
	if sess.Answers == nil {
		if err := s.LoadDraft(ctx, sess); err != nil {
			return Result{}, err
		}
	}
	step := NextStep(&sess.Survey.Definition, sess.Answers)
	if probs := Accept(step, values, sess.Answers); probs != nil {
		return Result{Problems: probs}, nil
	}
	if !Complete(&sess.Survey.Definition, sess.Answers) {
		if sess.DraftKey == "" { // anonymous: keep the partial answers in the nonce's draft
			if nonce == "" {
				return Result{}, errors.New("anonymous multi-step answer without a nonce")
			}
			sess.DraftKey = "anon:" + nonce
		}
		raw, _ := json.Marshal(sess.Answers)
		return Result{}, s.DB.PutDraft(ctx, sess.WorkspaceID, sess.Survey.ID, sess.DraftKey, string(raw))
	}
	return Result{Done: true}, s.finish(ctx, sess, nonce)
}

// pendingResponse travels in the context of Ingest to the feedback hook,
// which is the only writer of survey responses: an API client cannot forge
// one by posting feedback.
type pendingResponse struct {
	externalID string
	resp       store.SurveyResponse
	draftKey   string
	stored     bool
}

type pendingKey struct{}

// storeResponse is the store's feedback hook: it inserts the pending
// response in the transaction of its feedback item, or fails that
// transaction when the invitation is already answered.
func (s *Service) storeResponse(ctx context.Context, tx *store.Tx, ws int64, items []store.FeedbackItem) error {
	p, _ := ctx.Value(pendingKey{}).(*pendingResponse)
	if p == nil {
		return nil
	}
	for _, it := range items {
		if it.ExternalID != p.externalID {
			continue
		}
		r := p.resp
		r.FeedbackItemID, r.CustomerID = it.ID, it.CustomerID
		ok, err := tx.InsertSurveyResponse(ctx, ws, r, p.draftKey)
		if err != nil {
			return err
		}
		if !ok {
			return ErrAnswered
		}
		p.stored = true
	}
	return nil
}

// finish stores the complete answer as a feedback item plus a response.
func (s *Service) finish(ctx context.Context, sess *Session, nonce string) error {
	sv := &sess.Survey
	item := ingest.Item{Kind: "survey_response", Channel: sess.Channel, Lang: sess.Lang, Touchpoint: sv.Touchpoint,
		Stage: sv.Stage, SurveyID: &sv.ID, Source: "survey:" + sv.Name}
	resp := store.SurveyResponse{SurveyID: sv.ID, SurveyVersion: sv.Version, Channel: sess.Channel, Lang: sess.Lang}
	switch {
	case sess.Invitation != nil:
		item.ExternalID = "survey-invitation:" + strconv.FormatInt(sess.Invitation.ID, 10)
		item.CustomerID = sess.Invitation.CustomerID
		resp.InvitationID = &sess.Invitation.ID
	case nonce != "":
		item.ExternalID = "survey-answer:" + nonce
	default:
		return errors.New("anonymous answer without a nonce")
	}
	var texts, choices []string
	for _, q := range sv.Questions {
		a, ok := sess.Answers[q.ID]
		if !ok || a.Skipped {
			continue
		}
		switch q.Type {
		case TypeNPS:
			if item.NPS == nil {
				item.NPS = a.Score
			}
		case TypeCSAT:
			if item.CSAT == nil {
				item.CSAT, item.CSATScale = a.Score, &q.Scale
			}
		case TypeCES:
			if item.CES == nil {
				item.CES = a.Score
			}
		case TypeOpen:
			texts = append(texts, a.Text)
		case TypeSingle, TypeMulti:
			var labels []string
			for _, c := range a.Choice {
				for _, o := range q.Options {
					if o.ID == c {
						labels = append(labels, o.Text.In(sess.Lang, sv.DefaultLang()))
					}
				}
			}
			choices = append(choices, q.Text.In(sess.Lang, sv.DefaultLang())+": "+strings.Join(labels, ", "))
		}
	}
	item.Text = strings.Join(texts, "\n\n")
	if item.Text == "" && item.NPS == nil && item.CSAT == nil && item.CES == nil {
		item.Text = strings.Join(choices, "\n") // a choice-only survey still says something
	}
	answers, _ := json.Marshal(sess.Answers)
	resp.Answers = string(answers)
	item.Metadata = map[string]any{"survey_version": sv.Version, "answers": json.RawMessage(answers)}
	if sess.Invitation != nil {
		item.Metadata["invitation_id"] = sess.Invitation.ID
	}
	p := &pendingResponse{externalID: item.ExternalID, resp: resp, draftKey: sess.DraftKey}
	// Concurrent answers share one write transaction (group commit); each
	// still stands or falls alone.
	res, err := s.Ingest.IngestGrouped(context.WithValue(ctx, pendingKey{}, p), sess.WorkspaceID, []ingest.Item{item})
	if errors.Is(err, ErrAnswered) || (err == nil && len(res.Duplicates) == 1 && res.Duplicates[0]) {
		return ErrAnswered
	}
	if err != nil {
		return fmt.Errorf("store survey answer: %w", err)
	}
	if !p.stored {
		return errors.New("survey response not stored: survey.New must register its feedback hook on this database")
	}
	return nil
}

// OptOut records an opt-out from an invitation's link. It works on
// answered and expired links too: opting out must always be possible.
func (s *Service) OptOut(ctx context.Context, token string) error {
	sess, err := s.Open(ctx, token)
	if sess == nil {
		return err
	}
	inv := sess.Invitation
	if inv == nil || inv.CustomerID == nil {
		return ErrBadToken
	}
	return s.DB.OptOut(ctx, sess.WorkspaceID, *inv.CustomerID, inv.Channel)
}

// Receipt records a provider's delivery receipt for an invitation.
func (s *Service) Receipt(ctx context.Context, token string, delivered bool, detail string) error {
	sess, err := s.Open(ctx, token)
	if sess == nil {
		return err
	}
	if sess.Invitation == nil {
		return ErrBadToken
	}
	if delivered {
		return s.DB.MarkInvitationDelivered(ctx, sess.WorkspaceID, sess.Invitation.ID, s.now())
	}
	return s.DB.MarkInvitationFailed(ctx, sess.WorkspaceID, sess.Invitation.ID, "provider: "+detail, s.now())
}

// Stats is a survey's response funnel.
type Stats struct {
	Total     store.RateRow   `json:"total"`
	Channels  []store.RateRow `json:"by_channel"`
	Waves     []store.RateRow `json:"by_wave"`
	Responses int             `json:"responses"` // including anonymous answers
}

// Stats returns the response rates of a survey per channel and wave.
func (s *Service) Stats(ctx context.Context, ws, surveyID int64) (Stats, error) {
	if _, err := s.DB.SurveyAt(ctx, ws, surveyID, 0); err != nil {
		return Stats{}, err
	}
	rows, err := s.DB.ResponseRates(ctx, ws, surveyID)
	if err != nil {
		return Stats{}, err
	}
	st := Stats{Channels: []store.RateRow{}, Waves: []store.RateRow{}}
	byCh, byWave := map[string]int{}, map[string]int{}
	for _, r := range rows {
		add(&st.Total, r)
		i, ok := byCh[r.Channel]
		if !ok {
			i = len(st.Channels)
			byCh[r.Channel] = i
			st.Channels = append(st.Channels, store.RateRow{Channel: r.Channel})
		}
		add(&st.Channels[i], r)
		j, ok := byWave[r.Wave]
		if !ok {
			j = len(st.Waves)
			byWave[r.Wave] = j
			st.Waves = append(st.Waves, store.RateRow{Wave: r.Wave})
		}
		add(&st.Waves[j], r)
	}
	st.Responses, err = s.DB.CountSurveyResponses(ctx, ws, surveyID)
	return st, err
}

func add(dst *store.RateRow, r store.RateRow) {
	dst.Invited += r.Invited
	dst.Sent += r.Sent
	dst.Delivered += r.Delivered
	dst.Opened += r.Opened
	dst.Answered += r.Answered
	dst.Failed += r.Failed
	dst.Skipped += r.Skipped
}
