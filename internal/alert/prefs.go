package alert

import (
	"context"
	"regexp"
	"slices"
	"strings"

	"vox/internal/store"
)

// PrefsPatch changes a user's notification settings; nil fields stay.
type PrefsPatch struct {
	Digest         *string `json:"digest"`
	TelegramChatID *string `json:"telegram_chat_id"`
}

// telegramChat is a chat id (a number, negative for groups and channels) or
// a public @channel username.
var telegramChat = regexp.MustCompile(`^(-?[0-9]{1,20}|@[A-Za-z][A-Za-z0-9_]{4,31})$`)

// NotifyPrefs returns the settings of a member of the workspace.
func (s *Service) NotifyPrefs(ctx context.Context, ws, userID int64) (store.NotifyPrefs, error) {
	if _, err := s.db.Member(ctx, ws, userID); err != nil {
		return store.NotifyPrefs{}, err
	}
	return s.db.NotifyPrefs(ctx, ws, userID)
}

// SetNotifyPrefs changes the settings of a member of the workspace.
func (s *Service) SetNotifyPrefs(ctx context.Context, ws, userID int64, p PrefsPatch) (store.NotifyPrefs, error) {
	cur, err := s.NotifyPrefs(ctx, ws, userID)
	if err != nil {
		return cur, err
	}
	if p.Digest != nil {
		if !slices.Contains(store.DigestFrequencies, *p.Digest) {
			return cur, fieldErr("digest", "must be one of %s", strings.Join(store.DigestFrequencies, ", "))
		}
		cur.Digest = *p.Digest
	}
	if p.TelegramChatID != nil {
		chat := strings.TrimSpace(*p.TelegramChatID)
		if chat != "" && !telegramChat.MatchString(chat) {
			return cur, fieldErr("telegram_chat_id", "must be a Telegram chat id (e.g. 123456789) or an @channel name")
		}
		cur.TelegramChatID = chat
	}
	cur.UpdatedAt = s.now()
	if err := s.db.SetNotifyPrefs(ctx, ws, cur); err != nil {
		return cur, err
	}
	return cur, nil
}

// DigestPreview is a digest as it would be sent now.
type DigestPreview struct {
	Digest
	Subject string `json:"subject"`
	Text    string `json:"text"`
	HTML    string `json:"html"`
}

// PreviewDigest builds the user's digest of the latest due period of the
// given frequency (daily or weekly), without sending it.
func (s *Service) PreviewDigest(ctx context.Context, ws, userID int64, frequency string) (DigestPreview, error) {
	if frequency != store.DigestDaily && frequency != store.DigestWeekly {
		return DigestPreview{}, fieldErr("frequency", "must be daily or weekly")
	}
	w, err := s.db.Workspace(ctx, ws)
	if err != nil {
		return DigestPreview{}, err
	}
	p, _ := LastDigestPeriod(frequency, s.now(), store.LoadLocation(w.Timezone))
	d, err := s.BuildDigest(ctx, ws, userID, p)
	if err != nil {
		return DigestPreview{}, err
	}
	subject, text, html, err := renderDigest(d, s.opt.BaseURL)
	if err != nil {
		return DigestPreview{}, err
	}
	return DigestPreview{Digest: d, Subject: subject, Text: text, HTML: html}, nil
}
