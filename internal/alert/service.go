package alert

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"vox/internal/channel/notify"
	"vox/internal/channel/slack"
	"vox/internal/channel/webhook"
	"vox/internal/jobs"
	"vox/internal/metrics"
	"vox/internal/store"
)

// Job kinds run by the worker (see Register).
const (
	KindWebhook      = "webhook.deliver"
	KindEmail        = "notify.email"
	KindTelegram     = "notify.telegram"
	KindSlack        = "notify.slack"
	KindEscalate     = "case.escalate"
	KindReply        = "case.reply"
	KindSpikeScan    = "spike.scan"
	deliveryAttempts = 10 // first try + jobs.DefaultSchedule's nine retries ≈ 3 days
)

// Event types sent to webhook endpoints.
const (
	EventFeedbackCreated = "feedback.created"
	EventResponseCreated = "response.created"
	EventCaseCreated     = "case.created"
	EventCaseUpdated     = "case.updated"
	EventCaseResolved    = "case.resolved"
	EventAlertTriggered  = "alert.triggered"
	EventSpikeDetected   = "spike.detected"
	EventTest            = "webhook.test"
)

// EventTypes lists what an endpoint may subscribe to ("*" is every type).
var EventTypes = []string{EventFeedbackCreated, EventResponseCreated, EventCaseCreated, EventCaseUpdated,
	EventCaseResolved, EventAlertTriggered, EventSpikeDetected}

// Options configure a Service; zero values pick the defaults.
type Options struct {
	Log *slog.Logger
	Now func() time.Time // fake clocks in tests
	// Webhooks sends signed events; its Guard also checks URLs when saved.
	// nil: a sender that reaches public addresses only, 15 s timeout.
	Webhooks *webhook.Sender
	Mailer   *notify.Mailer   // nil: email notifications and replies are off
	Telegram *notify.Telegram // nil: Telegram notifications and replies are off
	// Wake is called after committing new jobs outside a feedback
	// transaction (cases, escalations, test events); pass worker.Notify.
	Wake func()
	// DefaultSLA is a case's time to resolve when the rule names none; 24 h.
	DefaultSLA time.Duration
	// AutoDisableAfter disables an endpoint that has failed without a
	// success for this long; 5 days (longer than the retry schedule, so a
	// receiver down over a long weekend keeps its endpoint).
	AutoDisableAfter time.Duration
	// SecretOverlap is how long a rotated-out secret keeps signing; 24 h.
	SecretOverlap time.Duration
	// Spike tunes spike detection.
	Spike metrics.SpikeConfig
	// BaseURL prefixes links in notifications (e.g. https://vox.example.com).
	BaseURL string
}

// Service is the acting part of Vox. It is safe for concurrent use.
type Service struct {
	db  *store.DB
	opt Options
	log *slog.Logger

	slack *slack.Client
	cache sync.Map // rule id → cachedRule
}

type cachedRule struct {
	updated time.Time
	c       *Compiled
}

// New returns a Service on db.
func New(db *store.DB, opt Options) *Service {
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Webhooks == nil {
		opt.Webhooks = &webhook.Sender{}
	}
	if opt.Wake == nil {
		opt.Wake = func() {}
	}
	if opt.DefaultSLA <= 0 {
		opt.DefaultSLA = 24 * time.Hour
	}
	if opt.AutoDisableAfter <= 0 {
		opt.AutoDisableAfter = 5 * 24 * time.Hour
	}
	if opt.SecretOverlap <= 0 {
		opt.SecretOverlap = 24 * time.Hour
	}
	return &Service{db: db, opt: opt, log: opt.Log, slack: &slack.Client{Sender: opt.Webhooks}}
}

func (s *Service) now() time.Time { return s.opt.Now() }

// Register makes w run the service's jobs.
func (s *Service) Register(w *jobs.Worker) {
	w.Handle(KindWebhook, s.deliverWebhook)
	w.Handle(KindEmail, s.sendEmail)
	w.Handle(KindTelegram, s.sendTelegram)
	w.Handle(KindSlack, s.sendSlack)
	w.Handle(KindEscalate, s.escalate)
	w.Handle(KindReply, s.sendReply)
	w.Handle(KindSpikeScan, s.scanSpikesJob)
	w.Handle(KindDigest, s.sendDigest)
}

// guardURL validates a user-supplied URL against the SSRF guard.
func (s *Service) guardURL(u string) error {
	_, err := s.opt.Webhooks.Guard.CheckURL(u)
	return err
}

// compiledRule returns the compiled form of r, cached until r changes.
func (s *Service) compiledRule(r store.Rule) (*Compiled, error) {
	if v, ok := s.cache.Load(r.ID); ok {
		if cr := v.(cachedRule); cr.updated.Equal(r.UpdatedAt) {
			return cr.c, nil
		}
	}
	spec, err := specOf(r)
	if err != nil {
		return nil, err
	}
	c, err := Compile(spec, nil) // URLs were checked when saved and are checked again at send time
	if err != nil {
		return nil, err
	}
	c.rule = r
	s.cache.Store(r.ID, cachedRule{updated: r.UpdatedAt, c: c})
	return c, nil
}

func specOf(r store.Rule) (RuleSpec, error) {
	spec := RuleSpec{Name: r.Name, Match: r.Match, Enabled: &r.Enabled}
	if err := json.Unmarshal(r.Conditions, &spec.Conditions); err != nil {
		return spec, fmt.Errorf("rule %d conditions: %w", r.ID, err)
	}
	if err := json.Unmarshal(r.Actions, &spec.Actions); err != nil {
		return spec, fmt.Errorf("rule %d actions: %w", r.ID, err)
	}
	return spec, nil
}

// newMessageID returns a webhook-id: stored in the job, so every retry of
// the event carries the same id and receivers can de-duplicate.
func newMessageID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "msg_" + hex.EncodeToString(b)
}

// Event is the body of a webhook message, shaped as the Standard Webhooks
// payload recommendation: type, timestamp, data.
type Event struct {
	Type      string    `json:"type"`
	Timestamp time.Time `json:"timestamp"`
	Data      any       `json:"data"`
}

type deliveryPayload struct {
	EndpointID int64  `json:"endpoint_id"`
	MessageID  string `json:"message_id"`
	Event      string `json:"event"`
	Body       string `json:"body"`
}

// outbox gathers the jobs that one transaction causes and enqueues them
// together before it commits.
type outbox struct {
	s         *Service
	tx        *store.Tx
	ws        int64
	endpoints []store.WebhookEndpoint
	loaded    bool
	jobs      []store.NewJob
}

func (s *Service) newOutbox(tx *store.Tx, ws int64) *outbox { return &outbox{s: s, tx: tx, ws: ws} }

func (o *outbox) webhooks(ctx context.Context) ([]store.WebhookEndpoint, error) {
	if !o.loaded {
		eps, err := o.tx.ActiveWebhooks(ctx, o.ws)
		if err != nil {
			return nil, err
		}
		o.endpoints, o.loaded = eps, true
	}
	return o.endpoints, nil
}

// emit queues one delivery of the event to every endpoint subscribed to it.
func (o *outbox) emit(ctx context.Context, event string, data any) error {
	eps, err := o.webhooks(ctx)
	if err != nil {
		return err
	}
	var body []byte
	for _, ep := range eps {
		if !ep.Subscribed(event) {
			continue
		}
		if body == nil {
			if body, err = json.Marshal(Event{Type: event, Timestamp: o.s.now().UTC(), Data: data}); err != nil {
				return fmt.Errorf("event %s: %w", event, err)
			}
		}
		o.add(KindWebhook, deliveryPayload{EndpointID: ep.ID, MessageID: newMessageID(), Event: event, Body: string(body)}, o.s.now(), "")
	}
	return nil
}

func (o *outbox) add(kind string, payload any, runAt time.Time, dedupe string) {
	b, _ := json.Marshal(payload)
	o.jobs = append(o.jobs, store.NewJob{Kind: kind, Payload: string(b), RunAt: runAt, DedupeKey: dedupe, MaxAttempts: deliveryAttempts})
}

func (o *outbox) flush(ctx context.Context) error {
	if len(o.jobs) == 0 {
		return nil
	}
	_, err := o.tx.EnqueueJobs(ctx, o.ws, o.jobs)
	o.jobs = nil
	return err
}

// inTx runs fn with an outbox in a write transaction and wakes the worker
// once the jobs are committed.
func (s *Service) inTx(ctx context.Context, ws int64, fn func(o *outbox) error) error {
	queued := false
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		o := s.newOutbox(tx, ws)
		if err := fn(o); err != nil {
			return err
		}
		queued = len(o.jobs) > 0
		return o.flush(ctx)
	})
	if err == nil && queued {
		s.opt.Wake()
	}
	return err
}
