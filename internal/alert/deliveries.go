package alert

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"vox/internal/store"
)

// Delivery is one event queued for one webhook endpoint, as its job stands:
// pending or retrying, delivered, or dead (a dead letter to retry by hand).
type Delivery struct {
	JobID       int64     `json:"job_id"`
	MessageID   string    `json:"message_id"`
	Event       string    `json:"event"`
	Status      string    `json:"status"`
	Attempts    int       `json:"attempts"`
	MaxAttempts int       `json:"max_attempts"`
	RunAt       time.Time `json:"run_at"` // the next attempt while pending
	LastError   string    `json:"last_error,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

// endpointPrefix is how every delivery payload of an endpoint begins:
// deliveryPayload marshals EndpointID first.
func endpointPrefix(id int64) string { return `{"endpoint_id":` + strconv.FormatInt(id, 10) + `,` }

// Deliveries lists the newest deliveries of one endpoint of the workspace,
// dead letters included; an endpoint of another workspace is not found.
func (s *Service) Deliveries(ctx context.Context, ws, endpointID int64, limit int) ([]Delivery, error) {
	if _, err := s.db.Webhook(ctx, ws, endpointID); err != nil {
		return nil, err
	}
	jobs, err := s.db.JobsWithPayloadPrefix(ctx, ws, KindWebhook, endpointPrefix(endpointID), limit)
	if err != nil {
		return nil, err
	}
	out := make([]Delivery, 0, len(jobs))
	for _, j := range jobs {
		var p deliveryPayload
		if err := json.Unmarshal([]byte(j.Payload), &p); err != nil || p.EndpointID != endpointID {
			continue
		}
		out = append(out, Delivery{JobID: j.ID, MessageID: p.MessageID, Event: p.Event, Status: j.Status, Attempts: j.Attempts,
			MaxAttempts: j.MaxAttempts, RunAt: j.RunAt, LastError: j.LastError, CreatedAt: j.CreatedAt})
	}
	return out, nil
}

// RetryDelivery gives a dead delivery of the endpoint a fresh set of
// attempts and wakes the worker. The message keeps its webhook-id, so a
// receiver that did get it once can tell. A job that is not a dead
// delivery of this endpoint in this workspace is not found.
func (s *Service) RetryDelivery(ctx context.Context, ws, endpointID, jobID int64) error {
	j, err := s.db.Job(ctx, ws, jobID)
	if err != nil {
		return err
	}
	var p deliveryPayload
	if j.Kind != KindWebhook || json.Unmarshal([]byte(j.Payload), &p) != nil || p.EndpointID != endpointID || j.Status != store.JobDead {
		return fmt.Errorf("dead delivery %d of endpoint %d: %w", jobID, endpointID, store.ErrNotFound)
	}
	if err := s.db.RequeueDeadJob(ctx, ws, jobID); err != nil {
		return err
	}
	s.opt.Wake()
	return nil
}
