package analytics

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// analyzeInput is one line of `vox analyze` input.
type analyzeInput struct {
	Text *string `json:"text"`
	Lang string  `json:"lang"`
}

type lineError struct {
	Error string `json:"error"`
}

// maxLineBytes caps one input line; longer lines are answered with an error
// object (their text would be cut to maxAnalyzeBytes anyway) and skipped.
const maxLineBytes = 16 << 20

// RunAnalyze implements `vox analyze`: JSONL in, one JSON line out per input
// line in the same order. A line that is not a JSON object with a string
// "text" gets {"error": ...} and the run goes on; only I/O errors stop it.
// Blank lines are answered too, so output line N always matches input line N.
func RunAnalyze(a *Analyzer, in io.Reader, out io.Writer) error {
	br := bufio.NewReaderSize(in, 64<<10)
	bw := bufio.NewWriterSize(out, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(line)+len(chunk) <= maxLineBytes+1 {
			line = append(line, chunk...)
		} else if line == nil || len(line) <= maxLineBytes {
			line = append(line[:0], '!') // marks an oversized line; never valid JSON
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("analyze: read: %w", err)
		}
		if len(line) > 0 || err == nil {
			if werr := analyzeLine(a, enc, line); werr != nil {
				return fmt.Errorf("analyze: write: %w", werr)
			}
		}
		line = line[:0]
		if err != nil {
			break
		}
	}
	return bw.Flush()
}

func analyzeLine(a *Analyzer, enc *json.Encoder, line []byte) error {
	for len(line) > 0 && (line[len(line)-1] == '\n' || line[len(line)-1] == '\r') {
		line = line[:len(line)-1]
	}
	if len(line) == 1 && line[0] == '!' {
		return enc.Encode(lineError{Error: "line too long"})
	}
	var in analyzeInput
	if err := json.Unmarshal(line, &in); err != nil {
		return enc.Encode(lineError{Error: "invalid JSON: " + err.Error()})
	}
	if in.Text == nil {
		return enc.Encode(lineError{Error: `missing "text"`})
	}
	return enc.Encode(a.Analyze(*in.Text, in.Lang))
}
