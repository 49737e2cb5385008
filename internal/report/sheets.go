package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"vox/internal/export"
)

// formatCell renders a value for CSV: numbers in plain machine form (a dot,
// no thousands separator) so any spreadsheet or script reads them back;
// text neutralised against formula injection.
func formatCell(v any, k Kind) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return export.NeutralizeFormula(x)
	case int:
		return strconv.Itoa(x)
	case float64:
		switch k {
		case Ratio:
			return strconv.FormatFloat(x, 'f', 4, 64)
		case Money:
			return strconv.FormatFloat(x, 'f', 2, 64)
		case Integer:
			return strconv.FormatFloat(x, 'f', 0, 64)
		}
		return strconv.FormatFloat(x, 'f', 1, 64)
	}
	return export.NeutralizeFormula(fmt.Sprint(v))
}

// WriteCSV writes every table one after another: a title line, a header
// line, the rows and an empty line. Excel opens UTF-8 CSV correctly only
// with a byte-order mark, so one is written first.
func WriteCSV(w io.Writer, d *Data) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	for _, t := range d.Tables() {
		if err := cw.Write([]string{label(d.Lang, t.Key)}); err != nil {
			return err
		}
		head := make([]string, len(t.Columns))
		for i, c := range t.Columns {
			head[i] = c.title(d.Lang)
		}
		if err := cw.Write(head); err != nil {
			return err
		}
		for _, row := range t.Rows {
			rec := make([]string, len(t.Columns))
			for i, c := range t.Columns {
				rec[i] = formatCell(row[i], c.Kind)
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
		if err := cw.Write(nil); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// numberFormats are excelize's built-in number formats per kind: the
// numbers stay numbers, so a manager can chart and sum them.
var numberFormats = map[Kind]string{
	Integer: "#,##0",
	Decimal: "0.0",
	Percent: "0.0",
	Money:   "#,##0.00",
	Ratio:   "0.000",
}

// sheetName makes a valid, unique sheet name (≤ 31 characters, none of
// : \ / ? * [ ]).
func sheetName(title string, used map[string]bool) string {
	clean := []rune{}
	for _, r := range title {
		switch r {
		case ':', '\\', '/', '?', '*', '[', ']':
			r = ' '
		}
		clean = append(clean, r)
	}
	if len(clean) > 28 {
		clean = clean[:28]
	}
	name := string(clean)
	for i := 2; used[name]; i++ {
		name = string(clean) + " " + strconv.Itoa(i)
	}
	used[name] = true
	return name
}

// WriteXLSX writes one sheet per table, with a header row and native
// number formats; text cells are neutralised against formula injection.
func WriteXLSX(w io.Writer, d *Data) error {
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	styles := map[Kind]int{}
	for k, code := range numberFormats {
		code := code
		id, err := f.NewStyle(&excelize.Style{CustomNumFmt: &code})
		if err != nil {
			return err
		}
		styles[k] = id
	}
	used := map[string]bool{}
	first := true
	for _, t := range d.Tables() {
		name := sheetName(label(d.Lang, t.Key), used)
		if first {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return err
			}
			first = false
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		for i, c := range t.Columns {
			cell, _ := excelize.CoordinatesToCellName(i+1, 1)
			if err := f.SetCellStr(name, cell, c.title(d.Lang)); err != nil {
				return err
			}
			col, _ := excelize.ColumnNumberToName(i + 1)
			width := float64(max(10, min(40, utf8.RuneCountInString(c.title(d.Lang))+4)))
			if err := f.SetColWidth(name, col, col, width); err != nil {
				return err
			}
		}
		if len(t.Columns) > 0 {
			last, _ := excelize.CoordinatesToCellName(len(t.Columns), 1)
			if err := f.SetCellStyle(name, "A1", last, bold); err != nil {
				return err
			}
		}
		for r, row := range t.Rows {
			for i, c := range t.Columns {
				cell, _ := excelize.CoordinatesToCellName(i+1, r+2)
				var err error
				switch x := row[i].(type) {
				case nil:
					continue
				case string:
					// SetCellStr never makes a formula; the apostrophe also
					// guards readers that re-interpret text on export.
					err = f.SetCellStr(name, cell, export.NeutralizeFormula(x))
				case int:
					err = f.SetCellInt(name, cell, int64(x))
				case float64:
					err = f.SetCellFloat(name, cell, x, -1, 64)
				default:
					err = f.SetCellStr(name, cell, export.NeutralizeFormula(fmt.Sprint(x)))
				}
				if err != nil {
					return err
				}
				if st, ok := styles[c.Kind]; ok {
					if err := f.SetCellStyle(name, cell, cell, st); err != nil {
						return err
					}
				}
			}
		}
	}
	return f.Write(w)
}
