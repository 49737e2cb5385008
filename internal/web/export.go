package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"vox/internal/export"
)

// exportMaxRows caps one download: it is a report, not a backup
// (`vox export` writes a whole workspace).
const exportMaxRows = 10000

// feedbackExport downloads the explorer's selection as CSV or XLSX. The
// file is built in memory first so that a failure is a clean error page, not
// half a download.
func (s *Server) feedbackExport(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	q := r.URL.Query()
	format := q.Get("format")
	if format != "csv" && format != "xlsx" {
		return errBadRequest
	}
	loc := workspaceLocation(rc.Workspace)
	f, err := feedbackFilter(q, loc)
	if err != nil {
		return err
	}
	_, ok, err := s.scopeToEmployee(r.Context(), rc, &f)
	if err != nil {
		return err
	}
	if !ok {
		return errForbidden
	}
	var buf bytes.Buffer
	ew, err := export.NewWriter(format, &buf, loc)
	if err != nil {
		return err
	}
	n := 0
	truncated, err := export.Walk(r.Context(), s.db, rc.Workspace.ID, f, exportMaxRows, func(rows []export.Row) error {
		n += len(rows)
		return ew.Write(rows)
	})
	if err != nil {
		return err
	}
	if err := ew.Close(); err != nil {
		return err
	}
	ctype := "text/csv; charset=utf-8"
	if format == "xlsx" {
		ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="vox-feedback-%s.%s"`, time.Now().In(loc).Format("20060102-1504"), format))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Vox-Export-Rows", strconv.Itoa(n))
	if truncated {
		h.Set("X-Vox-Export-Truncated", "true")
	}
	_, _ = w.Write(buf.Bytes())
	return nil
}
