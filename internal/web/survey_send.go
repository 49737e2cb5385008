package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"vox/internal/survey"
)

// maxContactListBytes caps an uploaded contact list: about 50,000 rows,
// which one request queues in seconds; longer lists go in parts or by API.
const maxContactListBytes = 2 << 20

// surveySend invites a contact list: a CSV file (or text pasted in the
// form) on one channel. Valid rows are queued with their send jobs in one
// transaction; invalid ones are reported by line and queue nothing. When
// the form names a segment instead of a list, the segment's customers are
// invited (surveySendSegment); naming both is refused.
func (s *Server) surveySend(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	svc := s.opt.Surveys
	if svc == nil {
		s.surveysOff(w, r, rc)
		return nil
	}
	id, err := surveyID(r)
	if err != nil {
		return err
	}
	if _, err := svc.Survey(r.Context(), rc.Workspace.ID, id, 0); err != nil {
		return err
	}
	channel, wave := r.PostFormValue("channel"), strings.TrimSpace(r.PostFormValue("wave"))
	segment, region := strings.TrimSpace(r.PostFormValue("segment")), strings.TrimSpace(r.PostFormValue("region"))
	fail := func(status int, key string, line int, detail string) error {
		return s.showSurvey(w, r, rc, status, func(d *surveyData) {
			d.SendError, d.SendLine, d.SendDetail, d.Channel, d.Wave = key, line, detail, channel, wave
			d.Segment, d.Region = segment, region
		})
	}
	if !slices.Contains(survey.InvitationChannels, channel) {
		return fail(http.StatusUnprocessableEntity, "surveys.send.err.channel", 0, "")
	}
	if len(wave) > 100 {
		return fail(http.StatusUnprocessableEntity, "surveys.send.err.wave", 0, "")
	}
	text := r.PostFormValue("contacts_text")
	if file, _, err := r.FormFile("contacts"); err == nil {
		defer file.Close()
		raw, err := io.ReadAll(file)
		if err != nil {
			return fmt.Errorf("read contact list: %w", err)
		}
		if strings.TrimSpace(string(raw)) != "" {
			text = string(raw)
		}
	}
	if segment != "" {
		if strings.TrimSpace(text) != "" {
			return fail(http.StatusUnprocessableEntity, "surveys.segment.err.both", 0, "")
		}
		return s.surveySendSegment(w, r, rc, id, survey.SegmentRequest{Channel: channel, Segment: segment, Region: region, Wave: wave}, fail)
	}
	if strings.TrimSpace(text) == "" {
		return fail(http.StatusUnprocessableEntity, "surveys.send.err.no_list", 0, "")
	}
	rows, err := survey.ParseContactList(strings.NewReader(text), channel, wave)
	var le *survey.ListError
	if errors.As(err, &le) {
		return fail(http.StatusUnprocessableEntity, "surveys.send.err.list", le.Line, le.Message)
	}
	if err != nil {
		return err
	}
	res, err := svc.InviteList(r.Context(), rc.Workspace.ID, id, rows)
	if errors.Is(err, survey.ErrSurveyNotLive) {
		return fail(http.StatusConflict, "surveys.send.err.not_live", 0, "")
	}
	if err != nil {
		return err
	}
	if len(res.Links) > surveyLinksShown {
		res.Links = res.Links[:surveyLinksShown]
	}
	return s.showSurvey(w, r, rc, http.StatusOK, func(d *surveyData) { d.Send, d.Channel, d.Wave = &res, channel, wave })
}

// surveyWidget makes a widget site key for the survey, allowed on the
// origins given one per line.
func (s *Server) surveyWidget(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	svc := s.opt.Surveys
	if svc == nil {
		s.surveysOff(w, r, rc)
		return nil
	}
	id, err := surveyID(r)
	if err != nil {
		return err
	}
	if _, err := svc.Survey(r.Context(), rc.Workspace.ID, id, 0); err != nil {
		return err
	}
	raw := r.PostFormValue("origins")
	var origins []string
	for _, o := range strings.FieldsFunc(raw, func(c rune) bool { return c == '\n' || c == '\r' || c == ',' || c == ' ' }) {
		origins = append(origins, o)
	}
	_, err = svc.CreateWidget(r.Context(), rc.Workspace.ID, id, origins)
	var de *survey.DefinitionError
	if errors.As(err, &de) {
		return s.showSurvey(w, r, rc, http.StatusUnprocessableEntity, func(d *surveyData) { d.WidgetErr, d.Origins = "surveys.widget.err", raw })
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/surveys/"+strconv.FormatInt(id, 10)+"#widgets", http.StatusSeeOther)
	return nil
}
