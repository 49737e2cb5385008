package report

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"time"

	"vox/internal/store"
)

// Meta describes a rendered report for a download or an email attachment.
type Meta struct {
	ContentType string
	Filename    string
}

var contentTypes = map[string]string{
	"csv":  "text/csv; charset=utf-8",
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"pdf":  "application/pdf",
}

// Filename is the suggested file name of a report: ASCII only, so that no
// Content-Disposition quoting or workspace name can go wrong.
func Filename(req Request) string {
	return fmt.Sprintf("vox-report-%d-%s-%s-%s.%s", req.WorkspaceID, req.From, req.To, req.Lang, req.Format)
}

// Render writes data in format.
func Render(w io.Writer, data *Data, format string) error {
	switch format {
	case "csv":
		return WriteCSV(w, data)
	case "xlsx":
		return WriteXLSX(w, data)
	case "pdf":
		return WritePDF(w, data)
	}
	return &InvalidError{"format", fmt.Sprintf("unknown format %q", format)}
}

// Build collects and renders a report into w; it is what `vox report` and
// the web UI's download buttons call. The report is rendered into memory
// first so that a failure midway never leaves a truncated file or a
// half-sent download with a 200 status.
func Build(ctx context.Context, db *store.DB, req Request, w io.Writer) (Meta, error) {
	data, err := Collect(ctx, db, req, time.Now())
	if err != nil {
		return Meta{}, err
	}
	var buf bytes.Buffer
	if err := Render(&buf, data, req.Format); err != nil {
		return Meta{}, err
	}
	if _, err := buf.WriteTo(w); err != nil {
		return Meta{}, err
	}
	return Meta{ContentType: contentTypes[req.Format], Filename: Filename(req)}, nil
}
