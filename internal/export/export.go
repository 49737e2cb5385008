// Package export writes feedback items out of Vox: the explorer's CSV/XLSX
// download and `vox export` (CSV, XLSX or JSONL of a whole workspace) share
// its columns, its formula neutralisation and its paging through the store.
package export

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"vox/internal/store"
)

// Columns are the header of every tabular export, in order.
var Columns = []string{"id", "occurred_at", "kind", "channel", "lang", "sentiment", "sentiment_score",
	"nps", "csat", "csat_scale", "ces", "topics", "touchpoint", "stage", "region", "segment", "customer_id",
	"customer_name", "author", "url", "text"}

// Row is one exported item with its customer's display name.
type Row struct {
	Item         store.FeedbackItem
	CustomerName string
}

// NeutralizeFormula makes a spreadsheet cell inert: a text starting with
// = + - @, a tab, CR or NUL gets a leading apostrophe, so that a survey
// answer such as "=HYPERLINK(...)" stays text in the reader's spreadsheet
// (a LimeSurvey CVE ran such formulas). Only text cells pass through here;
// numbers Vox computed are written as numbers.
func NeutralizeFormula(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r', 0:
		return "'" + s
	}
	return s
}

// Record is a row as cells in Columns order: numbers stay numbers (nil when
// absent), text is neutralised, times are in loc.
func Record(r Row, loc *time.Location) []any {
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
	text := func(v string) any { return NeutralizeFormula(v) }
	return []any{it.ID, it.OccurredAt.In(loc).Format(time.RFC3339), text(it.Kind), text(it.Channel), text(it.Lang),
		text(it.Sentiment), score, num(it.NPS), num(it.CSAT), num(it.CSATScale), num(it.CES),
		text(strings.Join(it.Topics, "; ")), text(it.Touchpoint), text(it.Stage), text(it.Region), text(it.Segment),
		cust, text(r.CustomerName), text(it.Author), text(it.URL), text(it.Text)}
}

// CellString is a cell of Record as CSV text.
func CellString(v any) string {
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

// pageSize is how many items one store read returns.
const pageSize = 1000

// Walk pages through the workspace's items matching f, newest first, and
// hands each page to fn with customer names resolved. It stops after max
// rows (0: no limit) and reports whether more matched.
func Walk(ctx context.Context, db *store.DB, workspaceID int64, f store.FeedbackFilter, max int, fn func([]Row) error) (truncated bool, err error) {
	f.Cursor, f.Limit = "", pageSize
	seen := 0
	for {
		page, err := db.ListFeedback(ctx, workspaceID, f)
		if err != nil {
			return false, fmt.Errorf("export: %w", err)
		}
		items := page.Items
		if max > 0 && seen+len(items) > max {
			items, truncated = items[:max-seen], true
		}
		rows, err := withNames(ctx, db, workspaceID, items)
		if err != nil {
			return false, err
		}
		if err := fn(rows); err != nil {
			return false, err
		}
		seen += len(rows)
		if truncated {
			return true, nil
		}
		if page.NextCursor == "" {
			return false, nil
		}
		if max > 0 && seen == max {
			return true, nil
		}
		f.Cursor = page.NextCursor
	}
}

func withNames(ctx context.Context, db *store.DB, workspaceID int64, items []store.FeedbackItem) ([]Row, error) {
	var ids []int64
	for _, it := range items {
		if it.CustomerID != nil {
			ids = append(ids, *it.CustomerID)
		}
	}
	names, err := db.CustomerNames(ctx, workspaceID, ids)
	if err != nil {
		return nil, fmt.Errorf("export: customer names: %w", err)
	}
	rows := make([]Row, len(items))
	for i, it := range items {
		rows[i] = Row{Item: it}
		if it.CustomerID != nil {
			rows[i].CustomerName = names[*it.CustomerID]
		}
	}
	return rows, nil
}
