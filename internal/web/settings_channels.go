package web

import (
	"errors"
	"net/http"
	"net/mail"
	"net/url"
	"strconv"
	"strings"

	"vox/internal/survey"
)

// channelsForm is the workspace's contact rules and channel accounts as the
// form shows them. Secrets are never rendered: only whether one is set,
// with an empty field that replaces it and a box that clears it.
type channelsForm struct {
	ThrottleDays         string
	QuietStart, QuietEnd int
	EmailFrom            string
	SMSBaseURL           string
	SMSUser              string
	SMSSender            string
	SMSTokenSet          bool
	TelegramTokenSet     bool
	TelegramSecretSet    bool
	Keywords             string
	Errors               map[string]formError
}

// channelsData is the channels page.
type channelsData struct {
	Form  channelsForm
	Hours []int
	Flash string
}

var dayHours = func() []int {
	h := make([]int, 24)
	for i := range h {
		h[i] = i
	}
	return h
}()

func channelsFormOf(st survey.Settings) channelsForm {
	return channelsForm{ThrottleDays: strconv.Itoa(st.ThrottleDays), QuietStart: st.QuietHours.Start, QuietEnd: st.QuietHours.End,
		EmailFrom: st.EmailFrom, SMSBaseURL: st.SMS.BaseURL, SMSUser: st.SMS.User, SMSSender: st.SMS.Sender,
		SMSTokenSet: st.SMS.Token != "", TelegramTokenSet: st.Telegram.Token != "", TelegramSecretSet: st.Telegram.WebhookSecret != "",
		Keywords: strings.Join(st.Telegram.Keywords, ", ")}
}

func (s *Server) channelsPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if s.opt.Surveys == nil {
		return s.unavailable(w, r, rc, "settings.channels.title")
	}
	st, err := s.opt.Surveys.Settings(r.Context(), rc.Workspace.ID)
	if err != nil {
		return err
	}
	return s.renderChannels(w, r, rc, http.StatusOK, channelsFormOf(st))
}

func (s *Server) renderChannels(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, f channelsForm) error {
	s.render(w, r, rc, status, "settings_channels", "settings", rc.L.T("settings.channels.title"),
		channelsData{Form: f, Hours: dayHours, Flash: flashOf(r)})
	return nil
}

// channelsSave replaces the settings from the form. A secret field left
// empty keeps the stored secret; its "clear" box removes it. Invalid input
// re-renders the form with the reason and stores nothing.
func (s *Server) channelsSave(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if s.opt.Surveys == nil {
		return s.unavailable(w, r, rc, "settings.channels.title")
	}
	if err := r.ParseForm(); err != nil {
		return errBadRequest
	}
	ctx := r.Context()
	cur, err := s.opt.Surveys.Settings(ctx, rc.Workspace.ID)
	if err != nil {
		return err
	}
	v := r.PostForm
	next := cur
	f := channelsForm{ThrottleDays: strings.TrimSpace(v.Get("throttle_days")), EmailFrom: strings.TrimSpace(v.Get("email_from")),
		SMSBaseURL: strings.TrimSpace(v.Get("sms_base_url")), SMSUser: strings.TrimSpace(v.Get("sms_user")),
		SMSSender: strings.TrimSpace(v.Get("sms_sender")), Keywords: v.Get("keywords"), Errors: map[string]formError{}}
	f.QuietStart, _ = strconv.Atoi(v.Get("quiet_start"))
	f.QuietEnd, _ = strconv.Atoi(v.Get("quiet_end"))
	if f.ThrottleDays == "" {
		next.ThrottleDays = 0
	} else if n, err := strconv.Atoi(f.ThrottleDays); err != nil {
		f.Errors["throttle_days"] = formError{Key: "settings.err.throttle_days"}
	} else {
		next.ThrottleDays = n
	}
	next.QuietHours = survey.QuietHours{Start: f.QuietStart, End: f.QuietEnd}
	if f.EmailFrom != "" {
		if _, err := mail.ParseAddress(f.EmailFrom); err != nil {
			f.Errors["email_from"] = formError{Key: "settings.err.email_from", Detail: err.Error()}
		}
	}
	next.EmailFrom = f.EmailFrom
	if f.SMSBaseURL != "" {
		if u, err := url.Parse(f.SMSBaseURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
			f.Errors["sms_base_url"] = formError{Key: "settings.err.base_url"}
		}
	}
	next.SMS.BaseURL, next.SMS.User, next.SMS.Sender = f.SMSBaseURL, f.SMSUser, f.SMSSender
	secret := func(dst *string, field string) {
		switch {
		case v.Get(field+"_clear") == "1":
			*dst = ""
		case strings.TrimSpace(v.Get(field)) != "":
			*dst = strings.TrimSpace(v.Get(field))
		}
	}
	secret(&next.SMS.Token, "sms_token")
	secret(&next.Telegram.Token, "telegram_token")
	secret(&next.Telegram.WebhookSecret, "telegram_secret")
	next.Telegram.Keywords = nil
	for _, k := range strings.FieldsFunc(f.Keywords, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' }) {
		if k = strings.TrimSpace(k); k != "" {
			next.Telegram.Keywords = append(next.Telegram.Keywords, k)
		}
	}
	f.SMSTokenSet, f.TelegramTokenSet, f.TelegramSecretSet = cur.SMS.Token != "", cur.Telegram.Token != "", cur.Telegram.WebhookSecret != ""
	if len(f.Errors) == 0 {
		err = s.opt.Surveys.PutSettings(ctx, rc.Workspace.ID, next)
		var de *survey.DefinitionError
		if errors.As(err, &de) {
			f.Errors[de.Field] = newFormError(de.Field, de.Message)
		} else if err != nil {
			return err
		}
	}
	if len(f.Errors) > 0 {
		return s.renderChannels(w, r, rc, http.StatusUnprocessableEntity, f)
	}
	http.Redirect(w, r, "/settings/channels?done=saved", http.StatusSeeOther)
	return nil
}
