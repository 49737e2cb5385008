package importer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// cellReader yields the raw rows of a sheet-like file with their line
// numbers. An error of type *badRow rejects one row; others end the import.
type cellReader interface {
	read() (line int, cells []string, err error)
	close() error
}

// badRow is a row the file format itself could not read (a broken quote).
type badRow struct {
	line   int
	reason string
}

func (e *badRow) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.reason) }

type rawRow struct {
	line  int
	cells []string
	err   error
}

// tabular turns a cellReader into rows: it reads the header (and the extra
// header rows Qualtrics adds) and converts each data row by the mapping.
type tabular struct {
	cr      cellReader
	t       *table
	m       Mapping
	pending []rawRow
	rows    int  // data rows, -1 when unknown
	lenient bool // XLSX: rows end at their last non-empty cell, so short rows are fine
}

func newTabular(cr cellReader, opt Options, serial bool, rows int) (*tabular, error) {
	tb := &tabular{cr: cr, rows: rows, lenient: serial}
	var headers []string
	for headers == nil {
		_, cells, err := cr.read()
		if err == io.EOF {
			return nil, errors.New("the file is empty: no header row")
		}
		if err != nil {
			return nil, fmt.Errorf("header row: %w", err)
		}
		if !blank(cells) {
			headers = make([]string, len(cells))
			for i, c := range cells {
				headers[i] = strings.TrimSpace(strings.TrimPrefix(c, "\ufeff"))
			}
		}
	}
	for len(tb.pending) < 2 {
		line, cells, err := cr.read()
		if err == io.EOF {
			break
		}
		var br *badRow
		if err != nil && !errors.As(err, &br) {
			return nil, err
		}
		tb.pending = append(tb.pending, rawRow{line, cells, err})
	}
	// Qualtrics CSV/XLSX: row 2 holds question texts, row 3 {"ImportId":…}
	// per column (with the time zone of dates). Older exports have row 2 only.
	var questions, importIDs []string
	switch {
	case len(tb.pending) == 2 && hasImportID(tb.pending[1].cells):
		questions, importIDs = tb.pending[0].cells, tb.pending[1].cells
		tb.pending = nil
	case len(tb.pending) > 0 && hasImportID(tb.pending[0].cells):
		importIDs = tb.pending[0].cells
		tb.pending = tb.pending[1:]
	case exportKind(headers) == "qualtrics" && len(tb.pending) > 0 && isQuestionRow(headers, tb.pending[0].cells):
		questions = tb.pending[0].cells
		tb.pending = tb.pending[1:]
	}
	if tb.rows >= 0 { // rows counted the sheet's rows: take the header rows off
		tb.rows--
		for _, extra := range [][]string{questions, importIDs} {
			if extra != nil {
				tb.rows--
			}
		}
		tb.rows = max(0, tb.rows)
	}
	tb.m = merge(detectMapping(headers, questions), opt.Mapping)
	t, err := newTable(headers, tb.m)
	if err != nil {
		return nil, err
	}
	t.serial, t.source = serial, exportKind(headers)
	t.locs = zones(importIDs)
	tb.t = t
	return tb, nil
}

func hasImportID(cells []string) bool {
	return slices.ContainsFunc(cells, func(c string) bool {
		return strings.HasPrefix(strings.TrimSpace(c), `{"ImportId"`)
	})
}

// isQuestionRow tells Qualtrics' legacy second header row from an answer:
// its ResponseId cell reads "Response ID", never a response id "R_…".
func isQuestionRow(headers, cells []string) bool {
	i := slices.IndexFunc(headers, func(h string) bool { return compact(h) == "responseid" })
	return i >= 0 && i < len(cells) && !strings.HasPrefix(strings.TrimSpace(cells[i]), "R_")
}

// zones reads the time zones Qualtrics states for its date columns.
func zones(importIDs []string) []*time.Location {
	var locs []*time.Location
	for i, c := range importIDs {
		var id struct {
			TimeZone string `json:"timeZone"`
		}
		if json.Unmarshal([]byte(c), &id) != nil || id.TimeZone == "" {
			continue
		}
		if loc, err := time.LoadLocation(id.TimeZone); err == nil {
			if locs == nil {
				locs = make([]*time.Location, len(importIDs))
			}
			locs[i] = loc
		}
	}
	return locs
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func (tb *tabular) mapping() Mapping { return tb.m }
func (tb *tabular) total() int       { return tb.rows }
func (tb *tabular) close() error     { return tb.cr.close() }

func (tb *tabular) next() (row, error) {
	for {
		var rr rawRow
		if len(tb.pending) > 0 {
			rr, tb.pending = tb.pending[0], tb.pending[1:]
		} else {
			rr.line, rr.cells, rr.err = tb.cr.read()
		}
		var br *badRow
		switch {
		case rr.err == io.EOF:
			return row{}, io.EOF
		case errors.As(rr.err, &br):
			return row{line: br.line, err: &RowError{Reason: br.reason}}, nil
		case rr.err != nil:
			return row{}, rr.err
		case blank(rr.cells):
			continue
		}
		cells, n := rr.cells, len(tb.t.headers)
		if len(cells) != n {
			if !tb.lenient || (len(cells) > n && !blank(cells[n:])) {
				return row{line: rr.line, err: &RowError{
					Reason: fmt.Sprintf("has %d columns; the header has %d", len(cells), n)}}, nil
			}
			cells = append(cells[:min(len(cells), n):min(len(cells), n)], make([]string, max(0, n-len(cells)))...)
		}
		it, rerr := tb.t.convert(cells)
		if rerr != nil {
			return row{line: rr.line, err: rerr}, nil
		}
		if it.ExternalID == "" {
			it.ExternalID = rowID(tb.t.headers, cells)
		}
		return row{line: rr.line, item: it}, nil
	}
}
