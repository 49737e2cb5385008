// Package importer loads feedback from files — CSV, XLSX and JSONL, plain
// or as exported by Qualtrics and LimeSurvey — into ingest.Service. Columns
// are mapped to item fields by their headers (overridable), bad rows are
// reported by line and skipped so one typo never blocks a file, and
// re-running an import stores nothing twice.
package importer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"vox/internal/ingest"
)

// Format is the kind of file to read.
type Format string

// The formats Import reads.
const (
	CSV   Format = "csv"
	XLSX  Format = "xlsx"
	JSONL Format = "jsonl"
)

// DefaultBatchSize is how many valid rows go to ingest per transaction: big
// enough to amortise the commit, small enough that a retry is cheap.
const DefaultBatchSize = 500

// MaxErrors caps Summary.Errors so a file that is wrong throughout (say, the
// wrong delimiter) does not produce a summary as large as itself;
// Summary.Failed still counts every bad row.
const MaxErrors = 1000

// FormatOf guesses the format from a file name's extension.
func FormatOf(name string) (Format, error) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv", ".tsv", ".txt":
		return CSV, nil
	case ".xlsx", ".xlsm":
		return XLSX, nil
	case ".jsonl", ".ndjson", ".json":
		return JSONL, nil
	}
	return "", fmt.Errorf("%s: unknown file type; name the format (csv, xlsx or jsonl)", name)
}

// Options tune an import; the zero value imports a CSV with the detected
// mapping.
type Options struct {
	Format    Format  // empty: CSV for Import, from the extension for ImportFile
	Mapping   Mapping // overrides the auto-detected mapping, target by target
	Sheet     string  // XLSX sheet; empty: the first
	Now       time.Time
	BatchSize int                   // rows per ingest call; 0: DefaultBatchSize, at most ingest.MaxBatch
	Progress  func(done, total int) // rows read so far; total is -1 when unknown
}

// RowError is one rejected row: its 1-based line in CSV and JSONL files
// (the physical line where the record starts), its row number in XLSX.
type RowError struct {
	Line   int    `json:"line"`
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason"`
}

// String reads "line 7: nps: must be 0-10, got 11", the form the CLI prints.
func (e RowError) String() string {
	if e.Field == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
	}
	return fmt.Sprintf("line %d: %s: %s", e.Line, e.Field, e.Reason)
}

// Summary is what an import did. Rows = Imported + Duplicates + Failed.
type Summary struct {
	Rows       int        `json:"rows"`
	Imported   int        `json:"imported"`
	Duplicates int        `json:"duplicates"` // rows already stored (earlier run, or an identical row before)
	Failed     int        `json:"failed"`
	Errors     []RowError `json:"errors,omitempty"` // the first MaxErrors failures
	Mapping    Mapping    `json:"mapping,omitempty"`
}

func (s *Summary) fail(e RowError) {
	s.Failed++
	if len(s.Errors) < MaxErrors {
		s.Errors = append(s.Errors, e)
	}
}

// row is one data row a source read: an item to validate, or why not.
type row struct {
	line int
	item ingest.Item
	err  *RowError
}

// source reads rows until io.EOF; any other error ends the import.
type source interface {
	next() (row, error)
	mapping() Mapping
	total() int // data rows, -1 when unknown
	close() error
}

// Import reads r in opt.Format (CSV when empty) and ingests its rows into
// the workspace. The error is for the import as a whole (unreadable file,
// mapping to a missing column, database down); bad rows are in the summary.
//
// Rows without an external id get one derived from their content
// ("import:" + 24 hex digits of SHA-256 of the row), so a second run of the
// same file reports every row as a duplicate and stores nothing. Identical
// rows within a file are therefore one item, the later ones counted as
// duplicates: a survey export has no true repeats, while a file
// concatenated twice does.
func Import(ctx context.Context, svc *ingest.Service, workspaceID int64, r io.Reader, opt Options) (Summary, error) {
	return run(ctx, svc, workspaceID, r, opt, -1)
}

// ImportFile imports the file at path, taking the format from its extension
// unless opt.Format names it, and counting lines first so that progress has
// a total.
func ImportFile(ctx context.Context, svc *ingest.Service, workspaceID int64, path string, opt Options) (Summary, error) {
	if opt.Format == "" {
		f, err := FormatOf(path)
		if err != nil {
			return Summary{}, err
		}
		opt.Format = f
	}
	f, err := os.Open(path)
	if err != nil {
		return Summary{}, err
	}
	defer f.Close()
	total := -1
	if opt.Format != XLSX && opt.Progress != nil {
		if total, err = countLines(f); err != nil {
			return Summary{}, fmt.Errorf("read %s: %w", path, err)
		}
		if opt.Format == CSV {
			total-- // the header
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return Summary{}, err
		}
	}
	return run(ctx, svc, workspaceID, f, opt, total)
}

// countLines counts lines; quoted multi-line CSV fields make it an upper
// bound, which is good enough for a progress bar.
func countLines(r io.Reader) (int, error) {
	buf := make([]byte, 256<<10)
	n, last := 0, byte('\n')
	for {
		k, err := r.Read(buf)
		if k > 0 {
			n += bytes.Count(buf[:k], []byte{'\n'})
			last = buf[k-1]
		}
		if err == io.EOF {
			if last != '\n' {
				n++
			}
			return n, nil
		}
		if err != nil {
			return 0, err
		}
	}
}

func openSource(r io.Reader, opt Options) (source, error) {
	switch opt.Format {
	case CSV, "":
		return newCSVSource(r, opt)
	case XLSX:
		return newXLSXSource(r, opt)
	case JSONL:
		return newJSONLSource(r, opt), nil
	}
	return nil, fmt.Errorf("unknown format %q (csv, xlsx or jsonl)", opt.Format)
}

func run(ctx context.Context, svc *ingest.Service, workspaceID int64, r io.Reader, opt Options, total int) (Summary, error) {
	src, err := openSource(r, opt)
	if err != nil {
		return Summary{}, err
	}
	defer src.close()
	if t := src.total(); t >= 0 {
		total = t
	}
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	size := opt.BatchSize
	if size <= 0 {
		size = DefaultBatchSize
	}
	size = min(size, ingest.MaxBatch)
	sum := Summary{Mapping: src.mapping()}
	b := batcher{svc: svc, ws: workspaceID, sum: &sum}
	progress := func() {
		if opt.Progress != nil {
			opt.Progress(sum.Rows, max(total, sum.Rows))
		}
	}
	for {
		rw, err := src.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return sum, err
		}
		sum.Rows++
		if rw.err != nil {
			rw.err.Line = rw.line
			sum.fail(*rw.err)
			continue
		}
		if fe := rw.item.Validate(now); fe != nil {
			sum.fail(RowError{Line: rw.line, Field: fe.Field, Reason: fe.Message})
			continue
		}
		b.items, b.lines = append(b.items, rw.item), append(b.lines, rw.line)
		if len(b.items) >= size {
			if err := b.flush(ctx); err != nil {
				return sum, err
			}
			progress()
		}
	}
	if err := b.flush(ctx); err != nil {
		return sum, err
	}
	if opt.Progress != nil {
		opt.Progress(sum.Rows, sum.Rows)
	}
	return sum, nil
}

// batcher sends valid rows to ingest in batches.
type batcher struct {
	svc   *ingest.Service
	ws    int64
	sum   *Summary
	items []ingest.Item
	lines []int
}

// flush ingests the pending rows in one call. Should ingest refuse the
// batch (rows passed Validate, so this means a rule only the service knows,
// like an unknown customer_id), it retries row by row so that one bad row
// costs only itself.
func (b *batcher) flush(ctx context.Context) error {
	if len(b.items) == 0 {
		return nil
	}
	defer func() { b.items, b.lines = b.items[:0], b.lines[:0] }()
	res, err := b.svc.Ingest(ctx, b.ws, b.items, "")
	if err == nil {
		b.count(res.Duplicates)
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	for i := range b.items {
		res, err := b.svc.Ingest(ctx, b.ws, b.items[i:i+1], "")
		var ve *ingest.ValidationError
		switch {
		case err == nil:
			b.count(res.Duplicates)
		case errors.As(err, &ve) && len(ve.Problems) > 0:
			b.sum.fail(RowError{Line: b.lines[i], Field: ve.Problems[0].Field, Reason: ve.Problems[0].Message})
		default:
			return fmt.Errorf("line %d: %w", b.lines[i], err)
		}
	}
	return nil
}

func (b *batcher) count(dups []bool) {
	for _, d := range dups {
		if d {
			b.sum.Duplicates++
		} else {
			b.sum.Imported++
		}
	}
}
