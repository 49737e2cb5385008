package importer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// csvReader reads CSV as Excel, Google Sheets and survey tools write it: with
// or without a BOM, comma, semicolon (Excel in ru/de locales) or tab, an
// optional Excel "sep=;" first line, and quoted fields spanning lines.
type csvReader struct {
	r      *csv.Reader
	offset int // lines consumed before the csv.Reader saw any ("sep=")
}

func newCSVSource(r io.Reader, opt Options) (source, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, _ := br.Peek(3); bytes.Equal(b, utf8BOM) {
		br.Discard(3)
	}
	head, _ := br.Peek(64 << 10)
	cr := &csvReader{}
	comma := sniffDelimiter(head)
	if first, _, _ := bytes.Cut(head, []byte{'\n'}); len(first) >= 5 && bytes.EqualFold(first[:4], []byte("sep=")) &&
		len(bytes.TrimRight(first, "\r")) == 5 {
		comma = rune(first[4])
		br.Discard(len(first) + 1)
		cr.offset = 1
	}
	cr.r = csv.NewReader(br)
	cr.r.Comma = comma
	cr.r.FieldsPerRecord = -1 // a wrong column count rejects the row, not the file
	cr.r.LazyQuotes = true    // `5" screen` in an unquoted field is text, not an error
	return newTabular(cr, opt, false, -1)
}

func (c *csvReader) read() (int, []string, error) {
	rec, err := c.r.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return pe.StartLine + c.offset, nil, &badRow{line: pe.StartLine + c.offset, reason: pe.Err.Error()}
		}
		return 0, nil, err
	}
	line, _ := c.r.FieldPos(0)
	return line + c.offset, rec, nil
}

func (c *csvReader) close() error { return nil }

// sniffDelimiter picks the most frequent of , ; and tab outside quotes in
// the first line; comma on a tie.
func sniffDelimiter(head []byte) rune {
	counts := map[byte]int{}
	quoted := false
	for _, b := range head {
		if b == '"' {
			quoted = !quoted
		}
		if quoted {
			continue
		}
		if b == '\n' {
			break
		}
		counts[b]++
	}
	best := byte(',')
	for _, d := range []byte{';', '\t'} {
		if counts[d] > counts[best] {
			best = d
		}
	}
	return rune(best)
}
