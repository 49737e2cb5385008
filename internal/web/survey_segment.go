package web

import (
	"context"
	"errors"
	"net/http"

	"vox/internal/store"
	"vox/internal/survey"
)

// segmentChoices are the segments and regions of the workspace's customers
// that the send form offers instead of a contact list.
func (s *Server) segmentChoices(ctx context.Context, ws int64) ([]store.SegmentCount, []string, error) {
	segments, err := s.db.CustomerSegments(ctx, ws)
	if err != nil {
		return nil, nil, err
	}
	regions, err := s.db.CustomerRegions(ctx, ws)
	if err != nil {
		return nil, nil, err
	}
	return segments, regions, nil
}

// surveySendSegment invites the customers of the segment (and region)
// chosen on the send form; fail renders the form again with an error.
// Only customers of the session's workspace are ever read.
//
// Email, SMS and Telegram sends run in the background (survey.QueueSegment):
// the page says the send started (or was asked for before in this wave) and
// its list of segment sends shows the progress on every visit. Links are
// made at once, since the one-time URLs are what the form is for.
func (s *Server) surveySendSegment(w http.ResponseWriter, r *http.Request, rc *reqCtx, id int64, req survey.SegmentRequest,
	fail func(status int, key string, line int, detail string) error) error {
	if req.Channel != survey.ChannelLink {
		send, created, err := s.opt.Surveys.QueueSegment(r.Context(), rc.Workspace.ID, id, req)
		if err := segmentFail(err, fail); err != nil {
			return err
		}
		status := http.StatusAccepted
		if !created {
			status = http.StatusOK
		}
		return s.showSurvey(w, r, rc, status, func(d *surveyData) {
			d.SegmentQueued, d.SegmentCreated = &send, created
			d.Channel, d.Wave, d.Segment, d.Region = req.Channel, req.Wave, req.Segment, req.Region
		})
	}
	res, err := s.opt.Surveys.InviteSegment(r.Context(), rc.Workspace.ID, id, req)
	if err := segmentFail(err, fail); err != nil {
		return err
	}
	if len(res.Links) > surveyLinksShown {
		res.Links = res.Links[:surveyLinksShown]
	}
	if len(res.Invalid) > surveyLinksShown {
		res.Invalid = res.Invalid[:surveyLinksShown]
	}
	return s.showSurvey(w, r, rc, http.StatusOK, func(d *surveyData) {
		d.SegmentSend, d.Channel, d.Wave, d.Segment, d.Region = &res, req.Channel, req.Wave, req.Segment, req.Region
	})
}

// segmentFail renders the form's error for a refused segment request.
func segmentFail(err error, fail func(status int, key string, line int, detail string) error) error {
	var ie *survey.InviteError
	switch {
	case errors.As(err, &ie):
		return fail(http.StatusUnprocessableEntity, "surveys.segment.err.invalid", 0, ie.Field+": "+ie.Message)
	case errors.Is(err, survey.ErrSurveyNotLive):
		return fail(http.StatusConflict, "surveys.send.err.not_live", 0, "")
	}
	return err
}
