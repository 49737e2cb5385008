package web

import (
	"net/http"
	"time"

	"vox/internal/auth"
	"vox/internal/metrics"
	"vox/internal/store"
)

// overviewWindow is the period the overview's cards summarise.
const overviewWindow = 30 * 24 * time.Hour

// overviewData is the overview's content: a first look until the full
// dashboard (issue 8) replaces it.
type overviewData struct {
	Days          int
	Summary       store.FeedbackSummary
	NPS           metrics.NPSResult
	Sentiment     metrics.Estimate
	Customers     int
	ShowCustomers bool
	Recent        []feedbackRow
	OwnOnly       bool
	NoEmployee    bool
}

func (s *Server) overview(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	now := s.now()
	data := overviewData{Days: int(overviewWindow / (24 * time.Hour)), ShowCustomers: rc.Can(auth.ViewCustomers)}
	f := store.FeedbackFilter{Limit: 5}
	own, ok, err := s.scopeToEmployee(ctx, rc, &f)
	if err != nil {
		return err
	}
	data.OwnOnly, data.NoEmployee = own, !ok
	if ok {
		if data.Summary, err = s.db.SummarizeFeedback(ctx, rc.Workspace.ID, now.Add(-overviewWindow), now, f.EmployeeID); err != nil {
			return err
		}
		sm := data.Summary
		data.NPS = metrics.NPS(sm.Promoters, sm.Passives, sm.Detractors)
		data.Sentiment = metrics.SentimentIndex(sm.Positive, sm.Neutral, sm.Negative)
		page, err := s.db.ListFeedback(ctx, rc.Workspace.ID, f)
		if err != nil {
			return err
		}
		if data.Recent, err = s.feedbackRows(ctx, rc, page.Items); err != nil {
			return err
		}
	}
	if data.ShowCustomers {
		if data.Customers, err = s.db.CountCustomers(ctx, rc.Workspace.ID); err != nil {
			return err
		}
	}
	s.render(w, r, rc, http.StatusOK, "overview", "overview", rc.L.T("overview.title"), data)
	return nil
}
