package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"vox/internal/auth"
	"vox/internal/store"
)

// GDPR pages: a customer's data as a JSON download, the erase confirmation,
// and the retention settings. Owners and admins only (auth.ManagePrivacy);
// every export and erase lands in the audit log.
func (s *Server) privacyRoutes() []route {
	p := []auth.Permission{auth.ManagePrivacy}
	return []route{
		{method: "GET", path: "/customers/{id}/export", perms: p, handle: s.customerExport},
		{method: "GET", path: "/customers/{id}/erase", perms: p, handle: s.customerEraseConfirm},
		{method: "POST", path: "/customers/{id}/erase", perms: p, handle: s.customerErase},
		{method: "GET", path: "/settings/privacy", perms: p, handle: s.privacySettings},
		{method: "POST", path: "/settings/privacy", perms: p, handle: s.privacySettingsSave},
	}
}

func customerPathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, store.ErrNotFound
	}
	return id, nil
}

// customerExport downloads everything the workspace holds about the person.
func (s *Server) customerExport(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := customerPathID(r)
	if err != nil {
		return err
	}
	ex, err := s.db.ExportPerson(r.Context(), rc.Workspace.ID, id, accountActor(rc))
	if err != nil {
		return err
	}
	body, err := json.MarshalIndent(ex, "", "  ")
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="customer-%d.json"`, ex.CustomerID))
	h.Set("Cache-Control", "no-store")
	_, _ = w.Write(body)
	return nil
}

// eraseData is the erase confirmation page.
type eraseData struct {
	Customer store.Customer
	Items    int  // feedback items that will go
	Wrong    bool // the confirmation did not match
	Done     *store.ErasureReport
}

func (s *Server) customerEraseConfirm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.renderErase(w, r, rc, http.StatusOK, false)
}

func (s *Server) renderErase(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, wrong bool) error {
	id, err := customerPathID(r)
	if err != nil {
		return err
	}
	c, err := s.db.Customer(r.Context(), rc.Workspace.ID, id)
	if err != nil {
		return err
	}
	d := eraseData{Customer: c, Wrong: wrong}
	if d.Items, err = s.db.CountCustomerFeedback(r.Context(), rc.Workspace.ID, id); err != nil {
		return err
	}
	s.render(w, r, rc, status, "customer_erase", "customers", rc.L.T("privacy.erase.title"), d)
	return nil
}

// customerErase erases the person once the confirmation field repeats
// their id; anything else shows the page again and erases nothing.
func (s *Server) customerErase(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := customerPathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errBadRequest
	}
	if strings.TrimSpace(r.PostForm.Get("confirm")) != strconv.FormatInt(id, 10) {
		return s.renderErase(w, r, rc, http.StatusUnprocessableEntity, true)
	}
	rep, err := s.db.ErasePerson(r.Context(), rc.Workspace.ID, id, accountActor(rc))
	if err != nil {
		return err
	}
	s.render(w, r, rc, http.StatusOK, "customer_erase", "customers", rc.L.T("privacy.erase.done_title"), eraseData{Done: &rep})
	return nil
}

// retentionRow is one survey's line on the retention form.
type retentionRow struct {
	ID   int64
	Name string
	Days string // "" inherits the workspace's setting
}

// retentionData is the retention settings page.
type retentionData struct {
	Days    string
	Surveys []retentionRow
	Error   string // a message key
	Field   string // the input at fault
	Saved   bool
}

func (s *Server) privacySettings(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	p, err := s.db.RetentionPolicyOf(r.Context(), rc.Workspace.ID)
	if err != nil {
		return err
	}
	d := retentionData{Days: strconv.Itoa(p.Days), Saved: r.URL.Query().Get("done") == "saved"}
	if d.Surveys, err = s.retentionRows(r, rc, func(id int64) string {
		if v, ok := p.Surveys[id]; ok {
			return strconv.Itoa(v)
		}
		return ""
	}); err != nil {
		return err
	}
	s.render(w, r, rc, http.StatusOK, "settings_privacy", "settings", rc.L.T("privacy.settings.title"), d)
	return nil
}

func (s *Server) retentionRows(r *http.Request, rc *reqCtx, days func(int64) string) ([]retentionRow, error) {
	list, err := s.db.Surveys(r.Context(), rc.Workspace.ID, 500)
	if err != nil {
		return nil, err
	}
	rows := make([]retentionRow, len(list))
	for i, sv := range list {
		rows[i] = retentionRow{ID: sv.ID, Name: sv.Name, Days: days(sv.ID)}
	}
	return rows, nil
}

func (s *Server) privacySettingsSave(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := r.ParseForm(); err != nil {
		return errBadRequest
	}
	v := r.PostForm
	d := retentionData{Days: strings.TrimSpace(v.Get("days"))}
	var err error
	if d.Surveys, err = s.retentionRows(r, rc, func(id int64) string {
		return strings.TrimSpace(v.Get("survey_" + strconv.FormatInt(id, 10)))
	}); err != nil {
		return err
	}
	p := store.RetentionPolicy{Surveys: map[int64]int{}}
	fail := func(field string) error {
		d.Error, d.Field = "privacy.settings.err_days", field
		s.render(w, r, rc, http.StatusUnprocessableEntity, "settings_privacy", "settings", rc.L.T("privacy.settings.title"), d)
		return nil
	}
	if d.Days == "" {
		d.Days = "0"
	}
	if p.Days, err = strconv.Atoi(d.Days); err != nil || p.Days < 0 || p.Days > store.MaxRetentionDays {
		return fail("days")
	}
	for _, row := range d.Surveys {
		if row.Days == "" {
			continue
		}
		n, err := strconv.Atoi(row.Days)
		if err != nil || n < 0 || n > store.MaxRetentionDays {
			return fail("survey_" + strconv.FormatInt(row.ID, 10))
		}
		p.Surveys[row.ID] = n
	}
	if err := s.db.SetRetentionPolicy(r.Context(), rc.Workspace.ID, p, accountActor(rc)); err != nil {
		var re *store.RetentionError
		if errors.As(err, &re) {
			return fail(strings.Replace(re.Field, "surveys.", "survey_", 1))
		}
		return err
	}
	http.Redirect(w, r, "/settings/privacy?done=saved", http.StatusSeeOther)
	return nil
}
