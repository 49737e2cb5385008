package api

import (
	"errors"
	"net/http"

	"vox/internal/survey"
)

// postInvitationsSegment invites a segment of the workspace's customers:
// {"channel","segment","region","wave","delay_seconds"}. It answers 202
// when invitations were queued for a channel that sends them later, 200
// when nothing new was queued or the channel is link (the one-time URLs
// are in the answer). Re-sending in the same wave queues nobody twice.
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
	res, err := a.surveys.InviteSegment(r.Context(), ws, id, req)
	var ie *survey.InviteError
	if errors.As(err, &ie) {
		// The request as a whole is wrong (a customer's stored address never
		// is: those are counted in "invalid"), so it is a 400 like malformed JSON.
		return errBadRequest("invalid", ie.Field, ie.Field+" "+ie.Message)
	}
	if err != nil {
		return surveyErr(err)
	}
	if res.Invalid == nil {
		res.Invalid = []survey.CustomerError{}
	}
	status := http.StatusOK
	if res.Queued > 0 && req.Channel != survey.ChannelLink {
		status = http.StatusAccepted
	}
	writeJSON(w, status, res)
	return nil
}
