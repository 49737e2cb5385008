package importer

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"
)

// xlsxReader streams one sheet's rows. Cells are read raw (not formatted):
// scores stay "9" rather than "9.00", dates stay serial numbers that
// parseTime reads exactly, whatever the cell's display format.
type xlsxReader struct {
	f    *excelize.File
	rows *excelize.Rows
	n    int
}

func newXLSXSource(r io.Reader, opt Options) (source, error) {
	f, err := excelize.OpenReader(r)
	if err != nil {
		return nil, fmt.Errorf("read xlsx: %w", err)
	}
	sheets := f.GetSheetList()
	sheet := opt.Sheet
	switch {
	case sheet == "" && len(sheets) > 0:
		sheet = sheets[0]
	case !slices.Contains(sheets, sheet):
		f.Close()
		return nil, fmt.Errorf("xlsx: no sheet %q (sheets: %s)", sheet, strings.Join(sheets, ", "))
	}
	rows, err := f.Rows(sheet)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("xlsx sheet %q: %w", sheet, err)
	}
	total := -1
	if dim, err := f.GetSheetDimension(sheet); err == nil {
		if _, last, ok := strings.Cut(dim, ":"); ok {
			if _, n, err := excelize.CellNameToCoordinates(last); err == nil {
				total = n
			}
		}
	}
	xr := &xlsxReader{f: f, rows: rows}
	tb, err := newTabular(xr, opt, true, total)
	if err != nil {
		xr.close()
		return nil, err
	}
	return tb, nil
}

func (x *xlsxReader) read() (int, []string, error) {
	if !x.rows.Next() {
		if err := x.rows.Error(); err != nil {
			return 0, nil, err
		}
		return 0, nil, io.EOF
	}
	x.n++ // Next visits every row number, empty ones included
	cells, err := x.rows.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		return x.n, nil, &badRow{line: x.n, reason: err.Error()}
	}
	return x.n, cells, nil
}

func (x *xlsxReader) close() error {
	x.rows.Close()
	return x.f.Close()
}
