package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"vox/internal/store"
)

// Analysis is what text analytics says of one text.
type Analysis struct {
	Lang    string
	Label   string
	Score   float64
	Topics  []string
	Aspects []store.Aspect
}

// Analyzer analyses texts; the analytics package provides the real one.
type Analyzer interface {
	Analyze(text, langHint string) Analysis
}

// Service validates, analyses and stores feedback.
type Service struct {
	DB       *store.DB
	Analyzer Analyzer         // nil: texts are stored unanalysed
	Now      func() time.Time // nil: time.Now
	// OnStored, when set, is told of every newly stored item (not of
	// duplicates), after the commit: rules, rollups and live pages hook here.
	OnStored func(workspaceID int64, items []store.FeedbackItem)
}

// ValidationError lists the problems of a batch; nothing of it was stored.
type ValidationError struct{ Problems []*FieldError }

func (e *ValidationError) Error() string {
	if len(e.Problems) == 0 {
		return "invalid feedback"
	}
	return fmt.Sprintf("invalid feedback: %d problem(s), first: %s", len(e.Problems), e.Problems[0].Error())
}

// ErrUnknownCustomer means customer_id names no customer of the workspace.
var ErrUnknownCustomer = errors.New("unknown customer")

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// RequestHash fingerprints a batch so an idempotency key reused for another
// body is detected.
func RequestHash(items []Item) string {
	b, _ := json.Marshal(items)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Ingest validates every item and, only if all are valid, analyses and stores
// them in one transaction. With idemKey, a retry returns the first result.
func (s *Service) Ingest(ctx context.Context, workspaceID int64, items []Item, idemKey string) (store.InsertResult, error) {
	return s.ingest(ctx, workspaceID, items, idemKey, s.DB.InsertFeedback)
}

// IngestGrouped is Ingest for a small write without an idempotency key that
// may share its transaction with concurrent ones (store.DB.GroupTx): a
// survey answer. Each call still succeeds or fails on its own.
func (s *Service) IngestGrouped(ctx context.Context, workspaceID int64, items []Item) (store.InsertResult, error) {
	return s.ingest(ctx, workspaceID, items, "", s.DB.InsertFeedbackGrouped)
}

func (s *Service) ingest(ctx context.Context, workspaceID int64, items []Item, idemKey string,
	insert func(context.Context, int64, []store.NewFeedback, *store.Idempotency) (store.InsertResult, error)) (store.InsertResult, error) {
	if len(items) == 0 {
		return store.InsertResult{}, &ValidationError{Problems: []*FieldError{fieldErr("items", "required", "no items")}}
	}
	if len(items) > MaxBatch {
		return store.InsertResult{}, &ValidationError{Problems: []*FieldError{fieldErr("items", "too_many", "at most %d items per request", MaxBatch)}}
	}
	var idem *store.Idempotency
	if idemKey != "" {
		idem = &store.Idempotency{Key: idemKey, RequestHash: RequestHash(items)}
	}
	now := s.now()
	var problems []*FieldError
	for i := range items {
		if fe := items[i].Validate(now); fe != nil {
			fe.Index = i
			problems = append(problems, fe)
		}
	}
	if len(problems) > 0 {
		return store.InsertResult{}, &ValidationError{Problems: problems}
	}
	if err := s.checkCustomers(ctx, workspaceID, items); err != nil {
		return store.InsertResult{}, err
	}
	batch, err := s.prepare(ctx, workspaceID, items, now)
	if err != nil {
		return store.InsertResult{}, err
	}
	res, err := insert(ctx, workspaceID, batch, idem)
	if err != nil {
		return res, err
	}
	if s.OnStored != nil && !res.Replayed {
		stored := make([]store.FeedbackItem, 0, len(batch))
		for i := range batch {
			if !res.Duplicates[i] {
				stored = append(stored, batch[i].Item)
			}
		}
		if len(stored) > 0 {
			s.OnStored(workspaceID, stored)
		}
	}
	return res, nil
}

func (s *Service) checkCustomers(ctx context.Context, workspaceID int64, items []Item) error {
	seen := map[int64]bool{}
	for i, it := range items {
		if it.CustomerID == nil || seen[*it.CustomerID] {
			continue
		}
		ok, err := s.DB.CustomerExists(ctx, workspaceID, *it.CustomerID)
		if err != nil {
			return err
		}
		if !ok {
			fe := fieldErr("customer_id", "not_found", "no customer %d in this workspace", *it.CustomerID)
			fe.Index = i
			return &ValidationError{Problems: []*FieldError{fe}}
		}
		seen[*it.CustomerID] = true
	}
	return nil
}

// prepare converts valid items to store rows, analysing texts on all cores
// with the workspace's analyzer.
func (s *Service) prepare(ctx context.Context, workspaceID int64, items []Item, now time.Time) ([]store.NewFeedback, error) {
	out := make([]store.NewFeedback, len(items))
	for i, it := range items {
		occurred := now
		if it.OccurredAt != nil {
			occurred = *it.OccurredAt
		}
		nf := store.NewFeedback{Item: store.FeedbackItem{
			CustomerID: it.CustomerID, Kind: it.Kind, Channel: it.Channel, Source: it.Source, Author: it.Author,
			URL: it.URL, Text: it.Text, Lang: it.Lang, NPS: it.NPS, CSAT: it.CSAT, CSATScale: it.CSATScale,
			CES: it.CES, Touchpoint: it.Touchpoint, Stage: it.Stage, Region: it.Region, Segment: it.Segment,
			SurveyID: it.SurveyID, OccurredAt: occurred.UTC().Truncate(time.Millisecond),
			ReceivedAt: now.UTC().Truncate(time.Millisecond), ExternalID: it.ExternalID, Tags: it.Tags, Metadata: it.Metadata,
		}}
		if it.Customer != nil {
			nf.Customer = it.Customer.Input()
			if nf.Item.Segment == "" {
				nf.Item.Segment = it.Customer.Segment
			}
			if nf.Item.Region == "" {
				nf.Item.Region = it.Customer.Region
			}
		}
		if it.Employee != "" {
			nf.Employee = store.EmployeeInput{ExternalID: it.Employee}
		}
		out[i] = nf
	}
	if s.Analyzer != nil {
		an := s.Analyzer
		if wa, ok := an.(WorkspaceAnalyzer); ok {
			var err error
			if an, err = wa.ForWorkspace(ctx, workspaceID); err != nil {
				return nil, err
			}
		}
		analyze(an, out)
	}
	return out, nil
}

func analyze(an Analyzer, batch []store.NewFeedback) {
	workers := min(runtime.GOMAXPROCS(0), 1+len(batch)/64)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < len(batch); i += workers {
				it := &batch[i].Item
				if it.Text == "" {
					continue
				}
				a := an.Analyze(it.Text, it.Lang)
				if it.Lang == "" {
					it.Lang = a.Lang
				}
				score := a.Score
				it.Sentiment, it.SentimentScore, it.Topics, it.Aspects = a.Label, &score, a.Topics, a.Aspects
			}
		}(w)
	}
	wg.Wait()
}
