package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"vox/internal/auth"
	"vox/internal/report"
	"vox/internal/store"
)

// The reports page's "Weekly email" section: the workspace's orders of
// last week's PDF by email (report.Scheduler sends them), a form to add
// one, and per order enable/disable, send now and delete. Whoever may
// download reports sees the orders; a manager or above may change them.

// weeklyRoutes are the section's actions.
func (s *Server) weeklyRoutes() []route {
	manage := []auth.Permission{auth.ManageReports}
	return []route{
		{method: "POST", path: "/reports/subscriptions", perms: manage, handle: s.weeklyCreate},
		{method: "POST", path: "/reports/subscriptions/{id}/enabled", perms: manage, handle: s.weeklySetEnabled},
		{method: "POST", path: "/reports/subscriptions/{id}/send", perms: manage, handle: s.weeklySendNow},
		{method: "POST", path: "/reports/subscriptions/{id}/delete", perms: manage, handle: s.weeklyDelete},
	}
}

// weeklyForm is the add form as shown or posted.
type weeklyForm struct {
	Recipients string
	Lang       string
	Weekday    int
	Hour       int
	Errors     map[string]formError
}

// weeklyData is the section's content.
type weeklyData struct {
	Subs      []store.ReportSubscription
	CanManage bool
	EmailOff  bool // no SMTP server: orders are kept but cannot be sent
	Timezone  string
	Form      weeklyForm
	Weekdays  []int
	Hours     []int
	Flash     string // catalog key of what the last action did
}

// weeklyFlashes are the ?weekly= results of the section's actions.
var weeklyFlashes = map[string]string{
	"created": "reports.weekly.created", "enabled": "reports.weekly.enabled_done", "disabled": "reports.weekly.disabled_done",
	"queued": "reports.weekly.queued", "already": "reports.weekly.already_queued", "deleted": "reports.weekly.deleted",
}

// weeklyErrorKeys map a refused field to its message.
var weeklyErrorKeys = map[string]string{
	"recipients": "reports.weekly.err.recipients", "lang": "reports.weekly.err.lang",
	"weekday": "reports.weekly.err.weekday", "hour": "reports.weekly.err.hour",
}

func (s *Server) reportScheduler() *report.Scheduler {
	if s.opt.Reports != nil {
		return s.opt.Reports
	}
	return &report.Scheduler{DB: s.db, Log: s.log}
}

// weekly gathers the section for the page; form is the add form to show.
func (s *Server) weekly(r *http.Request, rc *reqCtx, form weeklyForm) (weeklyData, error) {
	subs, err := s.db.ReportSubscriptions(r.Context(), rc.Workspace.ID)
	if err != nil {
		return weeklyData{}, err
	}
	d := weeklyData{Subs: subs, CanManage: rc.Can(auth.ManageReports), EmailOff: s.reportScheduler().Mailer == nil,
		Timezone: workspaceLocation(rc.Workspace).String(),
		Form:     form, Weekdays: []int{1, 2, 3, 4, 5, 6, 7}, Flash: weeklyFlashes[r.URL.Query().Get("weekly")]}
	for h := range 24 {
		d.Hours = append(d.Hours, h)
	}
	return d, nil
}

func newWeeklyForm(lang string) weeklyForm {
	return weeklyForm{Lang: lang, Weekday: report.DefaultWeekday, Hour: report.DefaultHour}
}

// weeklyCreate adds an order; a refused field re-renders the page with the
// form as filled and the reason beside the field.
func (s *Server) weeklyCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := r.ParseForm(); err != nil {
		return errBadRequest
	}
	v := r.PostForm
	f := weeklyForm{Recipients: strings.TrimSpace(v.Get("recipients")), Lang: v.Get("lang"), Errors: map[string]formError{}}
	f.Weekday, _ = strconv.Atoi(v.Get("weekday"))
	f.Hour, _ = strconv.Atoi(v.Get("hour"))
	recipients := report.SplitRecipients(f.Recipients)
	in := report.SubscriptionInput{Recipients: &recipients, Lang: &f.Lang, Weekday: []byte(strconv.Quote(v.Get("weekday")))}
	if h := v.Get("hour"); h != "" {
		n, err := strconv.Atoi(h)
		if err != nil {
			n = -1
		}
		in.Hour = &n
	}
	sub, err := report.NewSubscription(in)
	var ie *report.InvalidError
	if errors.As(err, &ie) {
		f.Errors[ie.Field] = formError{Key: weeklyErrorKeys[ie.Field], Detail: ie.Message}
		if f.Errors[ie.Field].Key == "" {
			f.Errors[ie.Field] = formError{Key: "settings.err.invalid", Detail: ie.Message}
		}
		return s.renderReportsWith(w, r, rc, http.StatusUnprocessableEntity, rc.L.Lang, url.Values{}, "", f)
	}
	if err != nil {
		return err
	}
	uid := rc.User.ID
	sub.CreatedBy, sub.CreatedAt = &uid, s.now()
	if _, err := s.db.CreateReportSubscription(r.Context(), rc.Workspace.ID, sub, accountActor(rc)); err != nil {
		return err
	}
	http.Redirect(w, r, "/reports?weekly=created#weekly", http.StatusSeeOther)
	return nil
}

// weeklyOrNotFound reads the order of the path in the user's workspace.
func (s *Server) weeklyOrNotFound(r *http.Request, rc *reqCtx) (store.ReportSubscription, error) {
	id, err := pathInt64(r, "id")
	if err != nil {
		return store.ReportSubscription{}, err
	}
	return s.db.ReportSubscription(r.Context(), rc.Workspace.ID, id)
}

func (s *Server) weeklySetEnabled(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	sub, err := s.weeklyOrNotFound(r, rc)
	if err != nil {
		return err
	}
	sub.Enabled, sub.UpdatedAt = r.PostFormValue("enabled") == "1", s.now()
	if err := s.db.UpdateReportSubscription(r.Context(), rc.Workspace.ID, sub, accountActor(rc)); err != nil {
		return err
	}
	done := "disabled"
	if sub.Enabled {
		done = "enabled"
	}
	http.Redirect(w, r, "/reports?weekly="+done+"#weekly", http.StatusSeeOther)
	return nil
}

func (s *Server) weeklySendNow(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	sub, err := s.weeklyOrNotFound(r, rc)
	if err != nil {
		return err
	}
	queued, err := s.reportScheduler().SendNow(r.Context(), rc.Workspace.ID, sub.ID)
	if err != nil {
		return fmt.Errorf("send report %d now: %w", sub.ID, err)
	}
	done := "queued"
	if !queued {
		done = "already"
	}
	http.Redirect(w, r, "/reports?weekly="+done+"#weekly", http.StatusSeeOther)
	return nil
}

func (s *Server) weeklyDelete(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	sub, err := s.weeklyOrNotFound(r, rc)
	if err != nil {
		return err
	}
	if err := s.db.DeleteReportSubscription(r.Context(), rc.Workspace.ID, sub.ID, accountActor(rc)); err != nil {
		return err
	}
	http.Redirect(w, r, "/reports?weekly=deleted#weekly", http.StatusSeeOther)
	return nil
}
