package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"vox/internal/store"
	"vox/internal/survey"
)

// questionView is a question as the survey page lists it.
type questionView struct {
	N         int
	ID, Kind  string
	Text      string
	Required  bool
	Options   []string
	Condition string
}

// answerView is one answer of a response, against the version it was given for.
type answerView struct {
	Question, Value string
}

// responseView is a stored response on the survey page.
type responseView struct {
	ID         int64
	At         time.Time
	Channel    string
	Lang       string
	Version    int
	FeedbackID int64
	CustomerID *int64
	Answers    []answerView
}

// surveyData is a survey's page.
type surveyData struct {
	Survey     survey.Survey
	Kind       string
	Questions  []questionView
	Stats      survey.Stats
	Rate       scoreCell
	NPS, CSAT  scoreCell
	CES        scoreCell
	Link       string   // the anonymous link to the hosted page
	LinkLangs  []string // the survey's languages, for preview links
	Widgets    []survey.Widget
	Responses  []responseView
	Saved      bool
	Channels   []sendChannel
	Send       *survey.ListResult
	SendError  string // message key
	SendLine   int    // the line a send error is on
	SendDetail string // the reader's own message, for a broken CSV
	Wave       string
	Channel    string
	Origins    string
	WidgetErr  string // message key
	MaxUpload  int    // MB
	MaxLinks   int

	// The segment way of sending: the workspace's segments and regions to
	// choose from, the chosen ones, and what sending to them led to.
	Segments    []store.SegmentCount
	Regions     []string
	Segment     string
	Region      string
	SegmentSend *survey.SegmentResult
	// SegmentQueued is a background send just asked for (SegmentCreated:
	// started now, else asked for before in this wave); SegmentSends are
	// the survey's segment sends with their progress, newest first.
	SegmentQueued  *store.SegmentSend
	SegmentCreated bool
	SegmentSends   []store.SegmentSend
}

// sendChannel is a channel of the send form; Missing marks one without a
// configured sender, whose invitations would fail.
type sendChannel struct {
	Name    string
	Missing bool
}

// surveyResponsesShown is how many recent responses the page shows.
const surveyResponsesShown = 20

// surveyLinksShown is how many one-time links the send result lists.
const surveyLinksShown = 100

func (s *Server) surveyPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.showSurvey(w, r, rc, http.StatusOK, func(d *surveyData) { d.Saved = r.URL.Query().Get("saved") != "" })
}

// showSurvey renders a survey's page; edit fills what an action adds
// (a send result, an error) before rendering.
func (s *Server) showSurvey(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, edit func(*surveyData)) error {
	svc := s.opt.Surveys
	if svc == nil {
		s.surveysOff(w, r, rc)
		return nil
	}
	ctx := r.Context()
	ws := rc.Workspace.ID
	id, err := surveyID(r)
	if err != nil {
		return err
	}
	sv, err := svc.Survey(ctx, ws, id, 0)
	if err != nil {
		return err
	}
	d := surveyData{Survey: sv, Kind: surveyKind(&sv.Definition), Questions: s.questionViews(rc, &sv.Definition),
		Link: svc.SurveyLink(ws, id), LinkLangs: sv.Languages, Channel: survey.ChannelEmail,
		MaxUpload: maxContactListBytes >> 20, MaxLinks: surveyLinksShown}
	for _, c := range survey.InvitationChannels {
		d.Channels = append(d.Channels, sendChannel{Name: c, Missing: c != survey.ChannelLink && svc.Senders[c] == nil})
	}
	if d.Stats, err = svc.Stats(ctx, ws, id); err != nil {
		return err
	}
	if d.Stats.Total.Sent > 0 {
		d.Rate = scoreCell{Has: true, Value: float64(d.Stats.Total.Answered) / float64(d.Stats.Total.Sent), N: d.Stats.Total.Sent}
	}
	key := strconv.FormatInt(id, 10)
	for _, m := range []struct {
		name string
		dst  *scoreCell
	}{{"nps", &d.NPS}, {"csat", &d.CSAT}, {"ces", &d.CES}} {
		cells, err := s.surveyScores(ctx, rc, m.name, key)
		if err != nil {
			return err
		}
		*m.dst = cells[key]
	}
	if d.Widgets, err = svc.Widgets(ctx, ws, id); err != nil {
		return err
	}
	if d.Responses, err = s.responseViews(ctx, rc, sv); err != nil {
		return err
	}
	if d.Segments, d.Regions, err = s.segmentChoices(ctx, ws); err != nil {
		return err
	}
	if d.SegmentSends, err = s.db.SegmentSends(ctx, ws, id, 20); err != nil {
		return err
	}
	if edit != nil {
		edit(&d)
	}
	s.render(w, r, rc, status, "survey", "surveys", sv.Name, d)
	return nil
}

// questionViews lists a definition's questions in the UI's language.
func (s *Server) questionViews(rc *reqCtx, d *survey.Definition) []questionView {
	pos := map[string]int{}
	out := make([]questionView, 0, len(d.Questions))
	for i, q := range d.Questions {
		pos[q.ID] = i + 1
		qv := questionView{N: i + 1, ID: q.ID, Kind: questionFormFrom(0, q).Kind, Text: q.Text.In(rc.L.Lang, d.DefaultLang()), Required: q.Required}
		for _, o := range q.Options {
			qv.Options = append(qv.Options, o.Text.In(rc.L.Lang, d.DefaultLang()))
		}
		if c := q.ShowIf; c != nil {
			ref := strconv.Itoa(pos[c.Question])
			val := fmt.Sprint(c.Value)
			if list, ok := c.Value.([]any); ok {
				parts := make([]string, len(list))
				for j, v := range list {
					parts[j] = fmt.Sprint(v)
				}
				val = strings.Join(parts, ", ")
			}
			key := "surveys.cond." + c.Op // one message per operator
			if c.Op == "answered" {
				qv.Condition = rc.L.T(key, ref)
			} else {
				qv.Condition = rc.L.T(key, ref, val)
			}
		}
		out = append(out, qv)
	}
	return out
}

// responseViews renders the latest responses, each against the version of
// the survey it answered, so an edit never changes what an answer meant.
func (s *Server) responseViews(ctx context.Context, rc *reqCtx, cur survey.Survey) ([]responseView, error) {
	ws := rc.Workspace.ID
	list, err := s.db.SurveyResponses(ctx, ws, cur.ID, 0, surveyResponsesShown)
	if err != nil {
		return nil, err
	}
	versions := map[int]survey.Survey{cur.Version: cur}
	out := make([]responseView, 0, len(list))
	for _, resp := range list {
		sv, ok := versions[resp.SurveyVersion]
		if !ok {
			if sv, err = s.opt.Surveys.Survey(ctx, ws, cur.ID, resp.SurveyVersion); err != nil {
				return nil, fmt.Errorf("survey %d version %d: %w", cur.ID, resp.SurveyVersion, err)
			}
			versions[resp.SurveyVersion] = sv
		}
		var answers survey.Answers
		if err := json.Unmarshal([]byte(resp.Answers), &answers); err != nil {
			return nil, fmt.Errorf("response %d answers: %w", resp.ID, err)
		}
		rv := responseView{ID: resp.ID, At: resp.CreatedAt, Channel: resp.Channel, Lang: resp.Lang, Version: resp.SurveyVersion,
			FeedbackID: resp.FeedbackItemID, CustomerID: resp.CustomerID}
		lang, fb := rc.L.Lang, sv.DefaultLang()
		for _, q := range sv.Questions {
			a, ok := answers[q.ID]
			if !ok || a.Skipped {
				continue
			}
			av := answerView{Question: q.Text.In(lang, fb)}
			switch {
			case a.Score != nil:
				av.Value = strconv.Itoa(*a.Score)
			case len(a.Choice) > 0:
				labels := make([]string, 0, len(a.Choice))
				for _, c := range a.Choice {
					label := c
					if i := slices.IndexFunc(q.Options, func(o survey.Option) bool { return o.ID == c }); i >= 0 {
						label = q.Options[i].Text.In(lang, fb)
					}
					labels = append(labels, label)
				}
				av.Value = strings.Join(labels, ", ")
			default:
				av.Value = a.Text
			}
			rv.Answers = append(rv.Answers, av)
		}
		out = append(out, rv)
	}
	return out, nil
}
