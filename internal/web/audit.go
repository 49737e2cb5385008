package web

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"vox/internal/store"
)

// auditPageSize is how many entries one page of the audit log shows.
const auditPageSize = 50

// auditData is the audit log page: filters, one page of entries, links.
type auditData struct {
	Tabs                    []accountTab
	Actor, Action, From, To string
	Actions                 []string
	Entries                 []auditRow
	Filtered                bool
	NextURL, FirstURL       string
}

// auditRow is an entry with its details as sorted pairs for display.
type auditRow struct {
	store.AuditEntry
	Details []auditDetail
}

type auditDetail struct{ Key, Value string }

// auditDetails flattens an entry's details, sorted by key; values are shown
// as text (escaped by the template like everything else).
func auditDetails(m map[string]any) []auditDetail {
	out := make([]auditDetail, 0, len(m))
	for k, v := range m {
		out = append(out, auditDetail{Key: k, Value: fmt.Sprint(v)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	q := r.URL.Query()
	d := auditData{Actor: strings.TrimSpace(q.Get("actor")), Action: q.Get("action"), From: q.Get("from"), To: q.Get("to")}
	f := store.AuditFilter{Actor: d.Actor, Action: d.Action, Limit: auditPageSize}
	loc := workspaceLocation(rc.Workspace)
	if d.From != "" {
		day, err := store.ParseDay(d.From)
		if err != nil {
			return errBadRequest
		}
		f.From = day.Start(loc)
	}
	if d.To != "" {
		day, err := store.ParseDay(d.To)
		if err != nil {
			return errBadRequest
		}
		f.To = (day + 1).Start(loc)
	}
	if v := q.Get("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return errBadRequest
		}
		f.Before = n
	}
	entries, next, err := s.db.AuditEntries(ctx, rc.Workspace.ID, f)
	if err != nil {
		return err
	}
	if d.Actions, err = s.db.AuditActions(ctx, rc.Workspace.ID); err != nil {
		return err
	}
	for _, e := range entries {
		d.Entries = append(d.Entries, auditRow{AuditEntry: e, Details: auditDetails(e.Details)})
	}
	keep := url.Values{}
	for k, v := range map[string]string{"actor": d.Actor, "action": d.Action, "from": d.From, "to": d.To} {
		if v != "" {
			keep.Set(k, v)
		}
	}
	d.Filtered = len(keep) > 0
	if next > 0 {
		nq := cloneValues(keep)
		nq.Set("before", strconv.FormatInt(next, 10))
		d.NextURL = "/settings/audit?" + nq.Encode()
	}
	if f.Before > 0 {
		d.FirstURL = "/settings/audit"
		if len(keep) > 0 {
			d.FirstURL += "?" + keep.Encode()
		}
	}
	d.Tabs = accountTabs(rc, "audit")
	s.render(w, r, rc, http.StatusOK, "audit", "settings", rc.L.T("account.audit.title"), d)
	return nil
}
