package alert

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"vox/internal/channel/notify"
	"vox/internal/channel/webhook"
	"vox/internal/jobs"
	"vox/internal/store"
)

type emailPayload struct {
	To      []string `json:"to"`
	Subject string   `json:"subject"`
	Body    string   `json:"body"`
}

type telegramPayload struct {
	ChatID string `json:"chat_id"`
	Text   string `json:"text"`
}

type slackPayload struct {
	URL  string `json:"url"`
	Text string `json:"text"`
}

func decodePayload(job store.Job, v any) error {
	if err := json.Unmarshal([]byte(job.Payload), v); err != nil {
		return jobs.Permanent(fmt.Errorf("%s job %d: bad payload: %w", job.Kind, job.ID, err))
	}
	return nil
}

// deliverWebhook sends one event to one endpoint. The message id and body
// were fixed when the event was queued, so every retry is the same message;
// only the timestamp and signature are fresh.
func (s *Service) deliverWebhook(ctx context.Context, job store.Job) error {
	var p deliveryPayload
	if err := decodePayload(job, &p); err != nil {
		return err
	}
	ep, err := s.db.Webhook(ctx, job.WorkspaceID, p.EndpointID)
	if errors.Is(err, store.ErrNotFound) {
		return nil // the endpoint was deleted: nobody to deliver to
	}
	if err != nil {
		return err
	}
	if ep.Disabled {
		// Dead, not dropped: once the endpoint is re-enabled the delivery
		// can be retried from the dead letters.
		return jobs.Permanent(fmt.Errorf("endpoint %d is disabled: %s", ep.ID, ep.DisabledReason))
	}
	now := s.now()
	status, err := s.opt.Webhooks.Send(ctx, webhook.Message{URL: ep.URL, ID: p.MessageID, Timestamp: now, Body: []byte(p.Body),
		Secrets: ep.Secrets(now)})
	if err == nil {
		if rerr := s.db.RecordWebhookSuccess(ctx, job.WorkspaceID, ep.ID, status, s.now()); rerr != nil {
			s.log.Error("record webhook success", "endpoint", ep.ID, "err", rerr)
		}
		return nil
	}
	since, rerr := s.db.RecordWebhookFailure(ctx, job.WorkspaceID, ep.ID, status, err.Error(), s.now())
	if rerr != nil {
		s.log.Error("record webhook failure", "endpoint", ep.ID, "err", rerr)
		since = now
	}
	var se *webhook.StatusError
	switch {
	case errors.As(err, &se) && se.Gone():
		s.disableEndpoint(ctx, ep, "the receiver answered 410 Gone")
		return jobs.Permanent(err)
	case webhook.IsForbidden(err):
		return jobs.Permanent(err)
	case now.Sub(since) >= s.opt.AutoDisableAfter:
		s.disableEndpoint(ctx, ep, fmt.Sprintf("failing since %s without a successful delivery", since.Format(time.RFC3339)))
		return jobs.Permanent(err)
	case errors.As(err, &se) && se.Throttled() && se.RetryAfter > 0:
		return jobs.RetryAfter(err, se.RetryAfter)
	}
	return err
}

// disableEndpoint turns an endpoint off and tells the workspace's admins:
// by email when a mailer is configured, and always as an alert in Vox.
func (s *Service) disableEndpoint(ctx context.Context, ep store.WebhookEndpoint, reason string) {
	if err := s.db.SetWebhookDisabled(ctx, ep.WorkspaceID, ep.ID, true, reason); err != nil {
		s.log.Error("disable webhook endpoint", "endpoint", ep.ID, "err", err)
		return
	}
	s.log.Warn("webhook endpoint disabled", "workspace", ep.WorkspaceID, "endpoint", ep.ID, "reason", reason)
	admins, _ := s.db.WorkspaceAdminEmails(ctx, ep.WorkspaceID)
	subject := fmt.Sprintf("Vox disabled webhook endpoint #%d", ep.ID)
	body := fmt.Sprintf("Webhook endpoint #%d (%s) was disabled: %s.\nFix the receiver, re-enable the endpoint and retry its dead letters.\n",
		ep.ID, ep.URL, reason)
	err := s.inTx(ctx, ep.WorkspaceID, func(o *outbox) error {
		epID := ep.ID
		_, _, err := o.tx.InsertAlert(ctx, store.Alert{WorkspaceID: ep.WorkspaceID, Kind: "webhook_disabled", Title: subject,
			Details:   map[string]any{"endpoint_id": epID, "url": ep.URL, "reason": reason},
			DedupeKey: "webhook_disabled:" + strconv.FormatInt(ep.ID, 10) + ":" + strconv.FormatInt(s.now().Unix(), 10), CreatedAt: s.now()})
		if err != nil {
			return err
		}
		if s.opt.Mailer != nil && len(admins) > 0 {
			o.add(KindEmail, emailPayload{To: admins, Subject: subject, Body: body}, s.now(), "")
		}
		return nil
	})
	if err != nil {
		s.log.Error("notify admins of disabled endpoint", "endpoint", ep.ID, "err", err)
	}
}

func (s *Service) sendEmail(ctx context.Context, job store.Job) error {
	var p emailPayload
	if err := decodePayload(job, &p); err != nil {
		return err
	}
	return s.deliverEmail(ctx, p)
}

func (s *Service) deliverEmail(ctx context.Context, p emailPayload) error {
	if s.opt.Mailer == nil {
		return jobs.Permanent(errors.New("no SMTP server configured"))
	}
	err := s.opt.Mailer.Send(ctx, p.To, p.Subject, p.Body)
	if errors.Is(err, notify.ErrBadAddress) {
		return jobs.Permanent(err)
	}
	return err
}

func (s *Service) sendTelegram(ctx context.Context, job store.Job) error {
	var p telegramPayload
	if err := decodePayload(job, &p); err != nil {
		return err
	}
	return s.deliverTelegram(ctx, p)
}

func (s *Service) deliverTelegram(ctx context.Context, p telegramPayload) error {
	if s.opt.Telegram == nil {
		return jobs.Permanent(errors.New("no Telegram bot configured"))
	}
	err := s.opt.Telegram.SendMessage(ctx, p.ChatID, p.Text)
	var te *notify.TelegramError
	if errors.As(err, &te) {
		if te.Permanent() {
			return jobs.Permanent(err)
		}
		if te.RetryAfter > 0 {
			return jobs.RetryAfter(err, te.RetryAfter)
		}
	}
	return err
}

func (s *Service) sendSlack(ctx context.Context, job store.Job) error {
	var p slackPayload
	if err := decodePayload(job, &p); err != nil {
		return err
	}
	err := s.slack.Post(ctx, p.URL, p.Text)
	var se *webhook.StatusError
	switch {
	case webhook.IsForbidden(err):
		return jobs.Permanent(err)
	case errors.As(err, &se) && (se.Status == 404 || se.Status == 410 || se.Status == 403):
		return jobs.Permanent(err) // Slack's answer for a removed webhook or channel
	case errors.As(err, &se) && se.Throttled() && se.RetryAfter > 0:
		return jobs.RetryAfter(err, se.RetryAfter)
	}
	return err
}
