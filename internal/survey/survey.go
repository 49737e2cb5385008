package survey

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"vox/internal/store"
)

// Options are a survey's rules of its invitations.
type Options struct {
	ExpiryDays   int `json:"expiry_days"`   // an invitation link works this long (default 30)
	ReminderDays int `json:"reminder_days"` // remind after this many days unanswered (0: never)
	MaxReminders int `json:"max_reminders"` // at most this many reminders
}

// Survey is a survey as the API shows it.
type Survey struct {
	ID         int64     `json:"id"`
	Name       string    `json:"name"`
	Status     string    `json:"status"`
	Touchpoint string    `json:"touchpoint"`
	Stage      string    `json:"stage"`
	Version    int       `json:"version"`
	Options    Options   `json:"options"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	Definition
}

// Statuses of a survey: only live surveys accept answers and invitations.
var Statuses = []string{"draft", "live", "closed"}

// Input creates or edits a survey.
type Input struct {
	Name       string  `json:"name"`
	Status     string  `json:"status"`
	Touchpoint string  `json:"touchpoint"`
	Stage      string  `json:"stage"`
	Options    Options `json:"options"`
	Definition
}

func (in *Input) normalize() (store.SurveyInput, error) {
	if in.Name == "" || len(in.Name) > 200 {
		return store.SurveyInput{}, defErr("name", "is required (at most 200 bytes)")
	}
	if in.Status == "" {
		in.Status = "live"
	}
	if !slices.Contains(Statuses, in.Status) {
		return store.SurveyInput{}, defErr("status", "must be draft, live or closed")
	}
	if in.Stage != "" && !slices.Contains(store.JourneyStages, in.Stage) {
		return store.SurveyInput{}, defErr("stage", "must be one of awareness, research, decision, usage, loyalty")
	}
	if len(in.Touchpoint) > 100 {
		return store.SurveyInput{}, defErr("touchpoint", "at most 100 bytes")
	}
	o := &in.Options
	if o.ExpiryDays == 0 {
		o.ExpiryDays = 30
	}
	if o.ExpiryDays < 1 || o.ExpiryDays > 365 || o.ReminderDays < 0 || o.ReminderDays > 60 || o.MaxReminders < 0 || o.MaxReminders > 5 {
		return store.SurveyInput{}, defErr("options", "expiry_days 1-365, reminder_days 0-60, max_reminders 0-5")
	}
	if err := in.Definition.Normalize(); err != nil {
		return store.SurveyInput{}, err
	}
	def, _ := json.Marshal(in.Definition)
	opts, _ := json.Marshal(in.Options)
	return store.SurveyInput{Name: in.Name, Status: in.Status, Touchpoint: in.Touchpoint, Stage: in.Stage,
		Settings: string(opts), Definition: string(def)}, nil
}

// CreateSurvey validates and stores a new survey.
func (s *Service) CreateSurvey(ctx context.Context, ws int64, in Input) (int64, error) {
	row, err := in.normalize()
	if err != nil {
		return 0, err
	}
	return s.DB.CreateSurvey(ctx, ws, row)
}

// UpdateSurvey edits a survey; changed questions make a new version.
func (s *Service) UpdateSurvey(ctx context.Context, ws, id int64, in Input) (int, error) {
	row, err := in.normalize()
	if err != nil {
		return 0, err
	}
	return s.DB.UpdateSurvey(ctx, ws, id, row)
}

// Survey returns a survey at a version (0: current).
func (s *Service) Survey(ctx context.Context, ws, id int64, version int) (Survey, error) {
	row, err := s.DB.SurveyAt(ctx, ws, id, version)
	if err != nil {
		return Survey{}, err
	}
	return s.defs.fromRow(row)
}

// definitionCache keeps parsed definitions by their JSON text: every page
// of a survey reads the same version, and decoding it was a tenth of a
// page's time. Keyed by the text itself, an entry can never be stale.
// Callers share the parsed value and must not modify it (nothing does:
// surveys are edited through Input, which builds a new definition).
type definitionCache struct {
	m sync.Map // definition JSON → Definition
	n atomic.Int64
}

// maxCachedDefinitions bounds the cache; it starts over when full.
const maxCachedDefinitions = 1000

func (c *definitionCache) fromRow(r store.Survey) (Survey, error) {
	if v, ok := c.m.Load(r.Definition); ok {
		return surveyFrom(r, v.(Definition))
	}
	sv, err := fromRow(r)
	if err != nil {
		return sv, err
	}
	if c.n.Add(1) > maxCachedDefinitions {
		c.m.Clear()
		c.n.Store(1)
	}
	c.m.Store(r.Definition, sv.Definition)
	return sv, nil
}

func surveyFrom(r store.Survey, def Definition) (Survey, error) {
	sv := Survey{ID: r.ID, Name: r.Name, Status: r.Status, Touchpoint: r.Touchpoint, Stage: r.Stage, Version: r.Version,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Definition: def}
	if err := json.Unmarshal([]byte(r.Settings), &sv.Options); err != nil {
		return sv, fmt.Errorf("survey %d options: %w", r.ID, err)
	}
	return sv, nil
}

// Surveys lists a workspace's surveys.
func (s *Service) Surveys(ctx context.Context, ws int64) ([]Survey, error) {
	rows, err := s.DB.Surveys(ctx, ws, 500)
	if err != nil {
		return nil, err
	}
	out := make([]Survey, 0, len(rows))
	for _, r := range rows {
		sv, err := fromRow(r)
		if err != nil {
			return nil, err
		}
		out = append(out, sv)
	}
	return out, nil
}

func fromRow(r store.Survey) (Survey, error) {
	def, err := ParseDefinition(r.Definition)
	if err != nil {
		return Survey{ID: r.ID}, err
	}
	return surveyFrom(r, def)
}
