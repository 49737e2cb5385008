package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"vox/internal/store"
)

// exportMaxRows caps one export: a download is a report, not a backup
// (`vox export` is for everything).
const exportMaxRows = 10000

// exportColumns are the header of every export, in order.
var exportColumns = []string{"id", "occurred_at", "kind", "channel", "lang", "sentiment", "sentiment_score",
	"nps", "csat", "csat_scale", "ces", "topics", "touchpoint", "stage", "region", "segment", "customer_id",
	"customer_name", "author", "url", "text"}

// neutralizeCell keeps a spreadsheet from running customer text as a
// formula: text starting with = + - @ tab, CR or NUL gets a leading '.
func neutralizeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r\x00", rune(s[0])) {
		return "'" + s
	}
	return s
}

// exportRows reads the explorer's current selection (its filters, all pages)
// up to exportMaxRows; truncated says there was more.
func (s *Server) exportRows(ctx context.Context, rc *reqCtx, f store.FeedbackFilter) (rows []feedbackRow, truncated bool, err error) {
	f.Cursor, f.Limit = "", 1000
	for {
		page, err := s.db.ListFeedback(ctx, rc.Workspace.ID, f)
		if err != nil {
			return nil, false, err
		}
		batch, err := s.feedbackRows(ctx, rc, page.Items)
		if err != nil {
			return nil, false, err
		}
		rows = append(rows, batch...)
		if len(rows) >= exportMaxRows {
			return rows[:exportMaxRows], len(rows) > exportMaxRows || page.NextCursor != "", nil
		}
		if page.NextCursor == "" {
			return rows, false, nil
		}
		f.Cursor = page.NextCursor
	}
}

// exportRecord is one row as cells: numbers stay numbers (nil when absent),
// text is neutralised.
func exportRecord(r feedbackRow, loc *time.Location) []any {
	it := r.Item
	num := func(p *int) any {
		if p == nil {
			return nil
		}
		return *p
	}
	var score, cust any
	if it.SentimentScore != nil {
		score = *it.SentimentScore
	}
	if it.CustomerID != nil {
		cust = *it.CustomerID
	}
	text := func(v string) any { return neutralizeCell(v) }
	return []any{it.ID, it.OccurredAt.In(loc).Format(time.RFC3339), text(it.Kind), text(it.Channel), text(it.Lang),
		text(it.Sentiment), score, num(it.NPS), num(it.CSAT), num(it.CSATScale), num(it.CES),
		text(strings.Join(it.Topics, "; ")), text(it.Touchpoint), text(it.Stage), text(it.Region), text(it.Segment),
		cust, text(r.CustomerName), text(it.Author), text(it.URL), text(it.Text)}
}

func cellString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// feedbackExport downloads the explorer's selection as CSV or XLSX.
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
	rows, truncated, err := s.exportRows(r.Context(), rc, f)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	ctype := "text/csv; charset=utf-8"
	if format == "csv" {
		buf.WriteString("\ufeff") // so spreadsheet programs read UTF-8 (Cyrillic, Chinese)
		cw := csv.NewWriter(&buf)
		_ = cw.Write(exportColumns)
		rec := make([]string, len(exportColumns))
		for _, row := range rows {
			for i, v := range exportRecord(row, loc) {
				rec[i] = cellString(v)
			}
			_ = cw.Write(rec)
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
	} else {
		ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		if err := writeXLSX(&buf, rows, loc); err != nil {
			return err
		}
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="vox-feedback-%s.%s"`, time.Now().In(loc).Format("20060102-1504"), format))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Vox-Export-Rows", strconv.Itoa(len(rows)))
	if truncated {
		h.Set("X-Vox-Export-Truncated", "true")
	}
	_, _ = w.Write(buf.Bytes())
	return nil
}

func writeXLSX(buf *bytes.Buffer, rows []feedbackRow, loc *time.Location) error {
	x := excelize.NewFile()
	defer x.Close()
	const sheet = "Feedback"
	if err := x.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := x.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	header := make([]any, len(exportColumns))
	for i, c := range exportColumns {
		header[i] = c
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, exportRecord(row, loc)); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = x.WriteTo(buf)
	return err
}
