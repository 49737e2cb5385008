package survey

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"vox/internal/ingest"
	"vox/internal/store"
)

// Channels of invitations. A link is handed to the caller; the others are
// sent by a Sender.
const (
	ChannelLink     = "link"
	ChannelEmail    = "email"
	ChannelSMS      = "sms"
	ChannelTelegram = "telegram"
	ChannelWidget   = "widget"
)

// InvitationChannels are the channels an invitation can be made for.
var InvitationChannels = []string{ChannelLink, ChannelEmail, ChannelSMS, ChannelTelegram}

// Job kinds the worker must handle (see Service.Register).
const (
	JobSend   = "survey.send"
	JobRemind = "survey.remind"
)

// Sender hands one invitation to a channel and returns the provider's id
// for it. An error wrapping ErrRejected is permanent (bad address, bounce):
// the invitation is marked failed rather than retried.
type Sender interface {
	Send(ctx context.Context, m Message) (providerID string, err error)
}

// ErrRejected marks a permanent refusal by a channel.
var ErrRejected = errors.New("rejected by the channel")

// ScaleLink is one value of the first question as a one-click link (email)
// or button (Telegram callback data).
type ScaleLink struct {
	Value int
	URL   string
	Data  string
}

// Message is an invitation ready for a channel, in the respondent's
// language. Adapters format it their way (MIME, SMS text, inline keyboard).
type Message struct {
	WorkspaceID  int64
	InvitationID int64
	Channel      string
	To           string // email address, phone number or Telegram chat id
	Lang         string
	Subject      string
	Intro        string
	Question     string      // the first question
	Scale        []ScaleLink // its values, when it is a score
	LowLabel     string
	HighLabel    string
	URL          string // the survey page
	OptOutURL    string // one-click opt-out (List-Unsubscribe, SMS "STOP" link)
	ReceiptURL   string // where the provider posts delivery receipts
	Reminder     bool
	// Ref is stable across retries of the same send: adapters pass it as
	// Message-ID or idempotency key so a provider can drop a repeat.
	Ref      string
	Strings  UI
	Settings Settings // the workspace's accounts (SMS, Telegram, email from)
}

// Service runs surveys: definitions, invitations, answers and sending.
type Service struct {
	DB      *store.DB
	Ingest  *ingest.Service
	Signer  *Signer
	BaseURL string // public URL prefix of the hosted pages, e.g. https://vox.example.com
	Senders map[string]Sender
	Log     *slog.Logger
	Now     func() time.Time
	// Notify, when set, wakes the job worker after enqueueing.
	Notify func()

	defs definitionCache
}

// New returns a service and registers its feedback hook on db, which stores
// a response in the same transaction as its feedback item. Call it once
// while wiring.
func New(db *store.DB, ing *ingest.Service, signer *Signer, baseURL string) *Service {
	s := &Service{DB: db, Ingest: ing, Signer: signer, BaseURL: strings.TrimRight(baseURL, "/"), Senders: map[string]Sender{}}
	db.AddFeedbackHook(s.storeResponse)
	return s
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

func (s *Service) notify() {
	if s.Notify != nil {
		s.Notify()
	}
}

// InvitationURL returns the one-time link of an invitation.
func (s *Service) InvitationURL(inv store.Invitation) string {
	return s.BaseURL + "/s/" + s.InvitationToken(inv)
}

// InvitationToken signs an invitation's binding.
func (s *Service) InvitationToken(inv store.Invitation) string {
	return s.Signer.sign(invitationBinding(inv))
}

func invitationBinding(inv store.Invitation) binding {
	var cust int64
	if inv.CustomerID != nil {
		cust = *inv.CustomerID
	}
	return binding{kind: tokenInvitation, ws: inv.WorkspaceID, id: inv.ID, survey: inv.SurveyID, customer: cust,
		channel: inv.Channel, expires: inv.ExpiresAt.UnixMilli()}
}

// SurveyLink returns the anonymous, reusable link of a survey.
func (s *Service) SurveyLink(ws, surveyID int64) string {
	return s.BaseURL + "/s/" + s.Signer.sign(binding{kind: tokenSurvey, ws: ws, id: surveyID, survey: surveyID, channel: ChannelLink})
}
