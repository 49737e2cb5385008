package survey

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"vox/internal/store"
)

// Widget is a survey's embeddable prompt as the API shows it.
type Widget struct {
	SiteKey        string   `json:"site_key"`
	SurveyID       int64    `json:"survey_id"`
	AllowedOrigins []string `json:"allowed_origins"`
	Snippet        string   `json:"snippet"`
}

// CreateWidget makes a site key for a survey. Origins are scheme://host[:port].
func (s *Service) CreateWidget(ctx context.Context, ws, surveyID int64, origins []string) (Widget, error) {
	if len(origins) == 0 || len(origins) > 20 {
		return Widget{}, defErr("allowed_origins", "needs 1-20 origins")
	}
	for i, o := range origins {
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return Widget{}, defErr("allowed_origins["+strconv.Itoa(i)+"]", "must be an origin such as https://shop.example")
		}
		origins[i] = u.Scheme + "://" + u.Host
	}
	buf := make([]byte, 12)
	_, _ = rand.Read(buf)
	key := "pk_" + base64.RawURLEncoding.EncodeToString(buf)
	raw, _ := json.Marshal(origins)
	if err := s.DB.CreateWidget(ctx, store.Widget{SiteKey: key, WorkspaceID: ws, SurveyID: surveyID, AllowedOrigins: string(raw)}); err != nil {
		return Widget{}, err
	}
	return s.widgetView(key, surveyID, origins), nil
}

func (s *Service) widgetView(key string, surveyID int64, origins []string) Widget {
	snippet := `<script src="` + s.BaseURL + `/widget/v1.js" data-vox-key="` + key + `" async></script>` +
		`<noscript><a href="` + s.BaseURL + `/widget/v1/page?k=` + key + `">Feedback</a></noscript>`
	return Widget{SiteKey: key, SurveyID: surveyID, AllowedOrigins: origins, Snippet: snippet}
}

// ErrOriginRefused means a widget post came from a site not allowed for its key.
var ErrOriginRefused = errors.New("origin not allowed for this site key")

// WidgetSession resolves a site key and checks the request's origin
// ("" skips the check: the no-JS page on Vox's own origin).
func (s *Service) WidgetSession(ctx context.Context, siteKey, origin string, checkOrigin bool) (*Session, []string, error) {
	w, err := s.DB.WidgetBySiteKey(ctx, siteKey)
	if err != nil {
		return nil, nil, ErrBadToken
	}
	var origins []string
	_ = json.Unmarshal([]byte(w.AllowedOrigins), &origins)
	if checkOrigin && !slices.Contains(origins, strings.TrimRight(origin, "/")) {
		return nil, origins, ErrOriginRefused
	}
	sv, err := s.Survey(ctx, w.WorkspaceID, w.SurveyID, 0)
	if err != nil {
		return nil, origins, err
	}
	sess := &Session{WorkspaceID: w.WorkspaceID, Survey: sv, Channel: ChannelWidget, Answers: Answers{}}
	if sv.Status != "live" {
		return sess, origins, ErrClosed
	}
	return sess, origins, nil
}

// WidgetAnswer stores a widget's one-question answer (plus an optional
// comment given to the first open question). The nonce, made by the script
// per prompt, turns a double post into one answer.
func (s *Service) WidgetAnswer(ctx context.Context, sess *Session, score, comment, nonce string) ([]Problem, error) {
	if len(nonce) < 8 || len(nonce) > 64 {
		return []Problem{{Question: "n", Code: "required"}}, nil
	}
	def := &sess.Survey.Definition
	first := NextStep(def, Answers{})
	if len(first) == 0 {
		return nil, ErrClosed
	}
	values := map[string][]string{first[0].ID: {score}}
	step := []*Question{first[0]}
	if comment != "" {
		for i := range def.Questions {
			if q := &def.Questions[i]; q.Type == TypeOpen && q.ID != first[0].ID {
				values[q.ID] = []string{comment}
				step = append(step, q)
				break
			}
		}
	}
	first[0].Required = true
	if probs := Accept(step, values, sess.Answers); probs != nil {
		return probs, nil
	}
	return nil, s.finish(ctx, sess, "w:"+nonce)
}
