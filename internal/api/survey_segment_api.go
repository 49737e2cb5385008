package api

import (
	"errors"
	"net/http"

	"vox/internal/survey"
)

// postInvitationsSegment invites a segment of the workspace's customers:
// {"channel","segment","region","wave","delay_seconds"}. For email, SMS and
// Telegram the send runs in the background (survey.QueueSegment): the
// answer is the send with its progress, 202 when it was started, 200 when
// the same wave of this segment was asked for before (nothing new starts);
// GET …/segment-sends shows how far it got. For link the one-time URLs are
// the point, so the segment is walked at once and they are in the answer
// (200). Re-sending in the same wave queues nobody twice.
func (a *API) postInvitationsSegment(w http.ResponseWriter, r *http.Request, ws int64) error {
	id, err := a.surveyPathID(r)
	if err != nil {
		return err
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var req survey.SegmentRequest
	if err := decodeStrict(body, &req, ""); err != nil {
		return err
	}
	if req.Channel != survey.ChannelLink {
		send, created, err := a.surveys.QueueSegment(r.Context(), ws, id, req)
		if err := segmentErr(err); err != nil {
			return err
		}
		status := http.StatusOK
		if created {
			status = http.StatusAccepted
		}
		writeJSON(w, status, send)
		return nil
	}
	res, err := a.surveys.InviteSegment(r.Context(), ws, id, req)
	if err := segmentErr(err); err != nil {
		return err
	}
	if res.Invalid == nil {
		res.Invalid = []survey.CustomerError{}
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// segmentErr maps the errors of a segment request.
func segmentErr(err error) error {
	var ie *survey.InviteError
	if errors.As(err, &ie) {
		// The request as a whole is wrong (a customer's stored address never
		// is: those are counted in "invalid"), so it is a 400 like malformed JSON.
		return errBadRequest("invalid", ie.Field, ie.Field+" "+ie.Message)
	}
	if err != nil {
		return surveyErr(err)
	}
	return nil
}

// listSegmentSends shows a survey's segment sends and their progress,
// newest first.
func (a *API) listSegmentSends(w http.ResponseWriter, r *http.Request, ws int64) error {
	id, err := a.surveyPathID(r)
	if err != nil {
		return err
	}
	if _, err := a.db.SurveyAt(r.Context(), ws, id, 0); err != nil {
		return err
	}
	sends, err := a.db.SegmentSends(r.Context(), ws, id, 100)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": sends})
	return nil
}
