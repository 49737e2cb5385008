package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"vox/internal/auth"
	"vox/internal/store"
)

// feedbackFilterParams are the query parameters of the explorer. The item
// language is text_lang because ?lang= switches the UI language everywhere.
var feedbackFilterParams = []string{"q", "channel", "kind", "text_lang", "sentiment", "segment", "region", "topic", "from", "to"}

// feedbackRow is one item as listed, with its customer's name for the link.
type feedbackRow struct {
	Item         store.FeedbackItem
	CustomerName string
	CustomerLink bool // the viewer may open the customer page
}

// feedbackData is the explorer's content.
type feedbackData struct {
	Filter     url.Values
	Channels   []string
	Kinds      []string
	Sentiments []string
	Langs      []string
	Topics     []string // the default topics, and the one in the URL if it is not one of them
	Rows       []feedbackRow
	NextURL    string
	FirstURL   string // set on later pages
	OwnOnly    bool   // the viewer sees only their own customers' feedback
	NoEmployee bool   // ...and is not linked to an employee record yet
	ExportCSV  string // download links of the current selection; "" without the permission
	ExportXLSX string
	ExportMax  int
	LiveURL    string // the SSE stream of new items for this selection
	LatestID   int64
	ReloadURL  string // this page again: the live notice's link and the no-JS fallback
}

// feedbackFilter turns the query string into a store filter; dates are days
// in the workspace's time zone, "to" inclusive.
func feedbackFilter(q url.Values, loc *time.Location) (store.FeedbackFilter, error) {
	f := store.FeedbackFilter{Q: strings.TrimSpace(q.Get("q")), Channel: q.Get("channel"), Kind: q.Get("kind"),
		Lang: q.Get("text_lang"), Sentiment: q.Get("sentiment"), Segment: q.Get("segment"), Region: q.Get("region"),
		Topic: q.Get("topic"), Cursor: q.Get("cursor"), Limit: 50}
	if v := q.Get("from"); v != "" {
		t, err := time.ParseInLocation("2006-01-02", v, loc)
		if err != nil {
			return f, errBadRequest
		}
		f.From = t
	}
	if v := q.Get("to"); v != "" {
		t, err := time.ParseInLocation("2006-01-02", v, loc)
		if err != nil {
			return f, errBadRequest
		}
		f.To = t.AddDate(0, 0, 1)
	}
	return f, nil
}

// scopeToEmployee restricts f to the employee linked to the user when the
// role may only see its own feedback. ok is false when nothing may be shown.
func (s *Server) scopeToEmployee(ctx context.Context, rc *reqCtx, f *store.FeedbackFilter) (own, ok bool, err error) {
	if rc.Can(auth.ViewFeedback) {
		return false, true, nil
	}
	id, err := s.db.EmployeeIDForUser(ctx, rc.Workspace.ID, rc.User.ID)
	if errors.Is(err, store.ErrNotFound) {
		return true, false, nil
	}
	if err != nil {
		return true, false, err
	}
	f.EmployeeID = id
	return true, true, nil
}

func (s *Server) feedbackList(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	q := r.URL.Query()
	f, err := feedbackFilter(q, workspaceLocation(rc.Workspace))
	if err != nil {
		return err
	}
	data := feedbackData{Filter: url.Values{}, Channels: store.Channels, Kinds: store.FeedbackKinds,
		Sentiments: []string{"positive", "neutral", "negative"}, Langs: languages, Topics: topicChoices(q.Get("topic"))}
	for _, p := range feedbackFilterParams {
		if v := q.Get(p); v != "" {
			data.Filter.Set(p, v)
		}
	}
	own, ok, err := s.scopeToEmployee(r.Context(), rc, &f)
	if err != nil {
		return err
	}
	data.OwnOnly, data.NoEmployee = own, !ok
	if rc.Can(auth.ExportData) {
		for _, format := range []string{"csv", "xlsx"} {
			v := cloneValues(data.Filter)
			v.Set("format", format)
			if format == "csv" {
				data.ExportCSV = "/feedback/export?" + v.Encode()
			} else {
				data.ExportXLSX = "/feedback/export?" + v.Encode()
			}
		}
		data.ExportMax = exportMaxRows
	}
	if ok {
		page, err := s.db.ListFeedback(r.Context(), rc.Workspace.ID, f)
		if err != nil {
			return err
		}
		if data.Rows, err = s.feedbackRows(r.Context(), rc, page.Items); err != nil {
			return err
		}
		if page.NextCursor != "" {
			next := cloneValues(data.Filter)
			next.Set("cursor", page.NextCursor)
			data.NextURL = "/feedback?" + next.Encode()
		}
		if f.Cursor != "" {
			data.FirstURL = "/feedback?" + data.Filter.Encode()
		} else {
			// Only the first page goes live: new items land on top of it.
			if data.LatestID, err = s.db.LatestFeedbackID(r.Context(), rc.Workspace.ID); err != nil {
				return err
			}
			data.LiveURL = "/events?after=" + strconv.FormatInt(data.LatestID, 10)
		}
		data.ReloadURL = r.URL.RequestURI()
	}
	s.render(w, r, rc, http.StatusOK, "feedback", "feedback", rc.L.T("feedback.title"), data)
	return nil
}

// feedbackRows attaches customer names to items in one query.
func (s *Server) feedbackRows(ctx context.Context, rc *reqCtx, items []store.FeedbackItem) ([]feedbackRow, error) {
	var ids []int64
	for _, it := range items {
		if it.CustomerID != nil {
			ids = append(ids, *it.CustomerID)
		}
	}
	names, err := s.db.CustomerNames(ctx, rc.Workspace.ID, ids)
	if err != nil {
		return nil, err
	}
	link := rc.Can(auth.ViewCustomers)
	rows := make([]feedbackRow, len(items))
	for i, it := range items {
		rows[i] = feedbackRow{Item: it, CustomerLink: link}
		if it.CustomerID != nil {
			rows[i].CustomerName = names[*it.CustomerID]
		}
	}
	return rows, nil
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
