package importer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"vox/internal/ingest"
)

// maxJSONLine bounds one JSONL line; an item is far smaller (20,000 runes of
// text), so a longer line is a broken file, not data.
const maxJSONLine = 4 << 20

// jsonlSource reads one JSON object per line: an ingest.Item as the API
// takes it, or a flat object (any keys) mapped like CSV columns. A line is
// an Item when all its keys are Item fields and no mapping was given.
type jsonlSource struct {
	br     *bufio.Reader
	opt    Options
	line   int
	tables map[string]*table // by key set: flat lines of one export share one
	first  Mapping
}

func newJSONLSource(r io.Reader, opt Options) *jsonlSource {
	return &jsonlSource{br: bufio.NewReaderSize(r, 64<<10), opt: opt, tables: map[string]*table{}}
}

func (s *jsonlSource) mapping() Mapping { return s.first }
func (s *jsonlSource) total() int       { return -1 }
func (s *jsonlSource) close() error     { return nil }

// itemFields are the JSON names of ingest.Item's fields.
var itemFields = sync.OnceValue(func() []string {
	var names []string
	t := reflect.TypeFor[ingest.Item]()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		names = append(names, name)
	}
	return names
})

func (s *jsonlSource) next() (row, error) {
	for {
		b, tooLong, err := s.readLine()
		if err != nil && (err != io.EOF || len(b) == 0 && !tooLong) {
			return row{}, err
		}
		s.line++
		if s.line == 1 {
			b = bytes.TrimPrefix(b, utf8BOM)
		}
		if tooLong {
			return s.bad(fmt.Sprintf("is longer than %d bytes", maxJSONLine)), nil
		}
		if b = bytes.TrimSpace(b); len(b) == 0 {
			continue
		}
		if !utf8.Valid(b) {
			return s.bad("is not valid UTF-8"), nil
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(b, &obj); err != nil {
			return s.bad("is not a JSON object: " + err.Error()), nil
		}
		keys := slices.Sorted(func(yield func(string) bool) {
			for k := range obj {
				if !yield(k) {
					return
				}
			}
		})
		if len(s.opt.Mapping) == 0 && !slices.ContainsFunc(keys, func(k string) bool { return !slices.Contains(itemFields(), k) }) {
			return s.item(b), nil
		}
		return s.flat(keys, obj)
	}
}

func (s *jsonlSource) bad(reason string) row {
	return row{line: s.line, err: &RowError{Reason: reason}}
}

// item decodes a line in the API's item shape.
func (s *jsonlSource) item(b []byte) row {
	var it ingest.Item
	if err := json.Unmarshal(b, &it); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return row{line: s.line, err: &RowError{Field: te.Field, Reason: fmt.Sprintf("is a JSON %s, want %s", te.Value, te.Type)}}
		}
		return s.bad(err.Error())
	}
	if it.ExternalID == "" {
		var v any
		d := json.NewDecoder(bytes.NewReader(b))
		d.UseNumber()
		_ = d.Decode(&v)
		canonical, _ := json.Marshal(v) // keys sorted: key order does not change the id
		it.ExternalID = contentID(canonical)
	}
	return row{line: s.line, item: it}
}

// flat maps a flat object's keys like CSV headers.
func (s *jsonlSource) flat(keys []string, obj map[string]json.RawMessage) (row, error) {
	sig := strings.Join(keys, "\x00")
	t, ok := s.tables[sig]
	if !ok {
		m := merge(DetectMapping(keys), s.opt.Mapping)
		var err error
		if t, err = newTable(keys, m); err != nil {
			if len(s.tables) == 0 {
				return row{}, err // the mapping fits not even the first line
			}
			return s.bad(err.Error()), nil
		}
		s.tables[sig] = t
		if s.first == nil {
			s.first = m
		}
	}
	cells := make([]string, len(keys))
	for i, k := range keys {
		raw := bytes.TrimSpace(obj[k])
		switch {
		case len(raw) > 0 && raw[0] == '"':
			_ = json.Unmarshal(raw, &cells[i])
		case string(raw) != "null":
			cells[i] = string(raw)
		}
	}
	it, rerr := t.convert(cells)
	if rerr != nil {
		return row{line: s.line, err: rerr}, nil
	}
	if it.ExternalID == "" {
		it.ExternalID = rowID(keys, cells)
	}
	return row{line: s.line, item: it}, nil
}

// readLine reads one line without its newline; a line over maxJSONLine is
// skipped to its end and reported as too long.
func (s *jsonlSource) readLine() ([]byte, bool, error) {
	var line []byte
	tooLong := false
	for {
		chunk, err := s.br.ReadSlice('\n')
		if !tooLong {
			if len(line)+len(chunk) > maxJSONLine {
				tooLong, line = true, nil
			} else {
				line = append(line, chunk...)
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		return bytes.TrimSuffix(line, []byte{'\n'}), tooLong, err
	}
}
