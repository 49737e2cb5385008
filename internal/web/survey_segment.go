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
func (s *Server) surveySendSegment(w http.ResponseWriter, r *http.Request, rc *reqCtx, id int64, req survey.SegmentRequest,
	fail func(status int, key string, line int, detail string) error) error {
	res, err := s.opt.Surveys.InviteSegment(r.Context(), rc.Workspace.ID, id, req)
	var ie *survey.InviteError
	switch {
	case errors.As(err, &ie):
		return fail(http.StatusUnprocessableEntity, "surveys.segment.err.invalid", 0, ie.Field+": "+ie.Message)
	case errors.Is(err, survey.ErrSurveyNotLive):
		return fail(http.StatusConflict, "surveys.send.err.not_live", 0, "")
	case err != nil:
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
