package export

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"

	"vox/internal/store"
)

// Writer writes rows in one format; Close finishes the file (an XLSX is
// only complete then).
type Writer interface {
	Write(rows []Row) error
	Close() error
}

// Formats are the names NewWriter accepts.
var Formats = []string{"csv", "xlsx", "jsonl"}

// ErrTooManyRows is returned by the XLSX writer past a sheet's row limit.
var ErrTooManyRows = errors.New("more rows than one spreadsheet sheet holds (1,048,575): export as csv or jsonl")

// NewWriter starts an export of format to w, with times in loc.
func NewWriter(format string, w io.Writer, loc *time.Location) (Writer, error) {
	switch format {
	case "csv":
		return newCSV(w, loc)
	case "xlsx":
		return newXLSX(w, loc)
	case "jsonl":
		return &jsonlWriter{enc: json.NewEncoder(w)}, nil
	}
	return nil, fmt.Errorf("unknown export format %q (want csv, xlsx or jsonl)", format)
}

type csvWriter struct {
	cw  *csv.Writer
	loc *time.Location
	rec []string
}

func newCSV(w io.Writer, loc *time.Location) (*csvWriter, error) {
	// A byte-order mark so that spreadsheet programs read UTF-8 (Cyrillic, Chinese).
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return nil, err
	}
	c := &csvWriter{cw: csv.NewWriter(w), loc: loc, rec: make([]string, len(Columns))}
	return c, c.cw.Write(Columns)
}

func (c *csvWriter) Write(rows []Row) error {
	for _, r := range rows {
		for i, v := range Record(r, c.loc) {
			c.rec[i] = CellString(v)
		}
		if err := c.cw.Write(c.rec); err != nil {
			return err
		}
	}
	c.cw.Flush()
	return c.cw.Error()
}

func (c *csvWriter) Close() error {
	c.cw.Flush()
	return c.cw.Error()
}

type xlsxWriter struct {
	out  io.Writer
	file *excelize.File
	sw   *excelize.StreamWriter
	loc  *time.Location
	next int // the next sheet row
}

// xlsxMaxRows is a sheet's row limit.
const xlsxMaxRows = 1_048_576

func newXLSX(w io.Writer, loc *time.Location) (*xlsxWriter, error) {
	f := excelize.NewFile()
	const sheet = "Feedback"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		f.Close()
		return nil, err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		f.Close()
		return nil, err
	}
	header := make([]any, len(Columns))
	for i, c := range Columns {
		header[i] = c
	}
	if err := sw.SetRow("A1", header); err != nil {
		f.Close()
		return nil, err
	}
	return &xlsxWriter{out: w, file: f, sw: sw, loc: loc, next: 2}, nil
}

func (x *xlsxWriter) Write(rows []Row) error {
	for _, r := range rows {
		if x.next > xlsxMaxRows {
			return ErrTooManyRows
		}
		cell, err := excelize.CoordinatesToCellName(1, x.next)
		if err != nil {
			return err
		}
		if err := x.sw.SetRow(cell, Record(r, x.loc)); err != nil {
			return err
		}
		x.next++
	}
	return nil
}

func (x *xlsxWriter) Close() error {
	defer x.file.Close()
	if err := x.sw.Flush(); err != nil {
		return err
	}
	_, err := x.file.WriteTo(x.out)
	return err
}

// jsonlWriter writes one item per line, every stored field (analysis,
// aspects, metadata) included: the lossless format. JSON needs no formula
// neutralisation.
type jsonlWriter struct{ enc *json.Encoder }

type jsonlRow struct {
	store.FeedbackItem
	CustomerName string `json:"customer_name,omitempty"`
}

func (j *jsonlWriter) Write(rows []Row) error {
	for _, r := range rows {
		if err := j.enc.Encode(jsonlRow{r.Item, r.CustomerName}); err != nil {
			return err
		}
	}
	return nil
}

func (j *jsonlWriter) Close() error { return nil }
