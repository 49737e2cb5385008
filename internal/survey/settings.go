package survey

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Settings are a workspace's rules of contact and channel accounts.
type Settings struct {
	// ThrottleDays: a customer is not sent an invitation of any survey
	// more often than once in this many days (0: no throttling).
	ThrottleDays int `json:"throttle_days"`
	// QuietHours: no invitation or reminder is sent between Start and End
	// o'clock in the customer's time zone (equal: none).
	QuietHours QuietHours `json:"quiet_hours"`
	// EmailFrom overrides the server's sender address for this workspace.
	EmailFrom string `json:"email_from,omitempty"`
	// SMS account of the workspace; empty fields use the server's.
	SMS SMSAccount `json:"sms"`
	// Telegram bot of the workspace.
	Telegram TelegramAccount `json:"telegram"`
}

// QuietHours is a daily window, in local hours 0-23, that may wrap midnight.
type QuietHours struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// SMSAccount is a workspace's credentials at the SMS provider.
type SMSAccount struct {
	BaseURL string `json:"base_url,omitempty"`
	User    string `json:"user,omitempty"`
	Token   string `json:"token,omitempty"`
	Sender  string `json:"sender,omitempty"`
}

// TelegramAccount is a workspace's bot.
type TelegramAccount struct {
	Token string `json:"token,omitempty"`
	// WebhookSecret is checked against X-Telegram-Bot-Api-Secret-Token.
	WebhookSecret string `json:"webhook_secret,omitempty"`
	// Keywords: messages in chats the bot is in that contain one of them
	// (case-insensitive) are stored as mentions.
	Keywords []string `json:"keywords,omitempty"`
}

// Redacted returns the settings with secrets masked, for the API.
func (s Settings) Redacted() Settings {
	mask := func(v string) string {
		if v == "" {
			return ""
		}
		return "********"
	}
	s.SMS.Token = mask(s.SMS.Token)
	s.Telegram.Token = mask(s.Telegram.Token)
	s.Telegram.WebhookSecret = mask(s.Telegram.WebhookSecret)
	return s
}

// Validate checks ranges.
func (s *Settings) Validate() error {
	if s.ThrottleDays < 0 || s.ThrottleDays > 365 {
		return defErr("throttle_days", "must be 0-365")
	}
	if s.QuietHours.Start < 0 || s.QuietHours.Start > 23 || s.QuietHours.End < 0 || s.QuietHours.End > 23 {
		return defErr("quiet_hours", "start and end must be hours 0-23")
	}
	if len(s.Telegram.Keywords) > 100 {
		return defErr("telegram.keywords", "at most 100 keywords")
	}
	return nil
}

// Settings reads a workspace's settings.
func (s *Service) Settings(ctx context.Context, ws int64) (Settings, error) {
	raw, err := s.DB.SurveySettings(ctx, ws)
	if err != nil {
		return Settings{}, err
	}
	var out Settings
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		return Settings{}, fmt.Errorf("survey settings: %w", err)
	}
	return out, nil
}

// PutSettings replaces a workspace's settings. Masked secrets keep their
// stored value, so a client can send back what it read.
func (s *Service) PutSettings(ctx context.Context, ws int64, in Settings) error {
	if err := in.Validate(); err != nil {
		return err
	}
	cur, err := s.Settings(ctx, ws)
	if err != nil {
		return err
	}
	keep := func(v *string, old string) {
		if *v == "********" {
			*v = old
		}
	}
	keep(&in.SMS.Token, cur.SMS.Token)
	keep(&in.Telegram.Token, cur.Telegram.Token)
	keep(&in.Telegram.WebhookSecret, cur.Telegram.WebhookSecret)
	raw, _ := json.Marshal(in)
	return s.DB.PutSurveySettings(ctx, ws, string(raw))
}

// quietUntil returns when the quiet window containing now ends, or zero if
// now is not in one.
func (q QuietHours) quietUntil(now time.Time, loc *time.Location) time.Time {
	if q.Start == q.End {
		return time.Time{}
	}
	local := now.In(loc)
	h := local.Hour()
	in := false
	if q.Start < q.End {
		in = h >= q.Start && h < q.End
	} else {
		in = h >= q.Start || h < q.End
	}
	if !in {
		return time.Time{}
	}
	end := time.Date(local.Year(), local.Month(), local.Day(), q.End, 0, 0, 0, loc)
	if !end.After(local) {
		end = end.AddDate(0, 0, 1)
	}
	return end
}

// location resolves the customer's time zone, then the workspace's.
func (s *Service) location(ctx context.Context, ws int64, customerID *int64) *time.Location {
	names := []string{}
	if customerID != nil {
		if c, err := s.DB.Customer(ctx, ws, *customerID); err == nil {
			names = append(names, c.Timezone)
		}
	}
	if w, err := s.DB.Workspace(ctx, ws); err == nil {
		names = append(names, w.Timezone)
	}
	for _, n := range names {
		if n == "" {
			continue
		}
		if loc, err := time.LoadLocation(n); err == nil {
			return loc
		}
	}
	return time.UTC
}
