package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"vox/internal/auth"
	"vox/internal/store"
)

// feedbackItemData is one item opened from the explorer.
type feedbackItemData struct {
	Item         store.FeedbackItem
	Customer     *store.Customer // nil without a customer or without the permission to see one
	CustomerLink bool
	Employee     string           // the name of the employee who served the customer
	Score        string           // the sentiment score, formatted
	CaseBox      *feedbackCaseBox // the item's case or the form to open one; nil without cases.work
}

// feedbackItem shows one item of the workspace. An employee opens only the
// items about their own service; anything else is not found (404), as is an
// item of another workspace.
func (s *Server) feedbackItem(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return store.ErrNotFound
	}
	it, err := s.db.Feedback(ctx, rc.Workspace.ID, id)
	if err != nil {
		return err
	}
	emp, _, ok, err := s.ownEmployee(ctx, rc)
	if err != nil {
		return err
	}
	if !ok || (emp > 0 && (it.EmployeeID == nil || *it.EmployeeID != emp)) {
		return store.ErrNotFound
	}
	data := feedbackItemData{Item: it, CustomerLink: rc.Can(auth.ViewCustomers)}
	if it.SentimentScore != nil {
		data.Score = rc.L.printer.Sprintf("%+.2f", *it.SentimentScore)
	}
	if it.CustomerID != nil && data.CustomerLink {
		c, err := s.db.Customer(ctx, rc.Workspace.ID, *it.CustomerID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err == nil {
			data.Customer = &c
		}
	}
	if it.EmployeeID != nil {
		if data.Employee, err = s.employeeName(ctx, rc.Workspace.ID, *it.EmployeeID); err != nil {
			return err
		}
	}
	if data.CaseBox, err = s.feedbackCaseBox(ctx, rc, it.ID); err != nil {
		return err
	}
	s.render(w, r, rc, http.StatusOK, "feedback_item", "feedback", rc.L.T("item.title", strconv.FormatInt(it.ID, 10)), data)
	return nil
}

// employeeName returns an employee's name ("" when unknown).
func (s *Server) employeeName(ctx context.Context, workspaceID, id int64) (string, error) {
	names, err := s.employeeNames(ctx, workspaceID)
	return names[id], err
}

// employeeNames maps the workspace's employee ids to names.
func (s *Server) employeeNames(ctx context.Context, workspaceID int64) (map[int64]string, error) {
	emps, err := s.db.Employees(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(emps))
	for _, e := range emps {
		out[e.ID] = e.Name
	}
	return out, nil
}
