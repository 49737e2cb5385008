package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"vox/internal/auth"
	"vox/internal/store"
)

// customerListData is the customer search page's content.
type customerListData struct {
	Q         string
	Customers []store.Customer
	NextURL   string
}

const customersPerPage = 50

func (s *Server) customerList(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	q := r.URL.Query()
	f := store.CustomerFilter{Q: strings.TrimSpace(q.Get("q")), Limit: customersPerPage}
	if v := q.Get("after"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return errBadRequest
		}
		f.AfterID = id
	}
	list, err := s.db.Customers(r.Context(), rc.Workspace.ID, f)
	if err != nil {
		return err
	}
	data := customerListData{Q: f.Q, Customers: list}
	if len(list) == customersPerPage {
		next := url.Values{"after": {strconv.FormatInt(list[len(list)-1].ID, 10)}}
		if f.Q != "" {
			next.Set("q", f.Q)
		}
		data.NextURL = "/customers?" + next.Encode()
	}
	s.render(w, r, rc, http.StatusOK, "customers", "customers", rc.L.T("customers.title"), data)
	return nil
}

// customerData is the customer page's content.
type customerData struct {
	Customer     store.Customer
	Timeline     []feedbackRow
	NextURL      string
	Transactions []store.Transaction
	NPSHistory   lineChart // the customer's NPS answers over time
	NPSAnswers   []store.NPSPoint
	Channels     []store.ChannelActivity
	Revenue      []store.RevenueTotal // historical LTV per currency
	Privacy      bool                 // the role may export and erase the person (GDPR)
}

// npsHistoryMax is how many of a customer's latest NPS answers the sparkline shows.
const npsHistoryMax = 24

// npsClass names an NPS answer's group for the chart's colours.
func npsClass(score int) string {
	switch {
	case score >= 9:
		return "promoter"
	case score >= 7:
		return "passive"
	}
	return "detractor"
}

// customerPage shows one profile of the session's workspace; an id from
// another workspace is simply not found (404), never shown.
func (s *Server) customerPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return store.ErrNotFound
	}
	c, err := s.db.Customer(ctx, rc.Workspace.ID, id)
	if err != nil {
		return err
	}
	page, err := s.db.ListFeedback(ctx, rc.Workspace.ID, store.FeedbackFilter{CustomerID: id, Cursor: r.URL.Query().Get("cursor"), Limit: 50})
	if err != nil {
		return err
	}
	data := customerData{Customer: c, Privacy: rc.Can(auth.ManagePrivacy)}
	if data.Timeline, err = s.feedbackRows(ctx, rc, page.Items); err != nil {
		return err
	}
	if page.NextCursor != "" {
		data.NextURL = "/customers/" + strconv.FormatInt(id, 10) + "?" + url.Values{"cursor": {page.NextCursor}}.Encode()
	}
	if data.Transactions, err = s.db.CustomerTransactions(ctx, rc.Workspace.ID, id, 50); err != nil {
		return err
	}
	if data.Revenue, err = s.db.CustomerRevenue(ctx, rc.Workspace.ID, id); err != nil {
		return err
	}
	if data.Channels, err = s.db.CustomerChannels(ctx, rc.Workspace.ID, id); err != nil {
		return err
	}
	if data.NPSAnswers, err = s.db.CustomerNPSHistory(ctx, rc.Workspace.ID, id, npsHistoryMax); err != nil {
		return err
	}
	loc := workspaceLocation(rc.Workspace)
	pts := make([]chartPoint, len(data.NPSAnswers))
	for i, p := range data.NPSAnswers {
		pts[i] = chartPoint{Label: rc.L.DayMonth(p.At.In(loc)), Value: float64(p.Score), Class: npsClass(p.Score)}
	}
	data.NPSHistory = newLineChart(pts, 320, 100, 0, 10, 5, false, rc.L.T("customer.nps_history"), rc.L.Int)
	title := c.Name
	if title == "" {
		title = rc.L.T("customer.unnamed", c.ID)
	}
	s.render(w, r, rc, http.StatusOK, "customer", "customers", title, data)
	return nil
}
