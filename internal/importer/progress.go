package importer

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
)

// TerminalProgress returns an Options.Progress that draws a bar on w when w
// is a terminal and does nothing otherwise, so that piped or logged output
// carries the summary and no bar noise. total may be -1 (unknown: a
// spinner) and may change with later calls.
func TerminalProgress(w io.Writer, total int) func(done, total int) {
	if !isTerminal(w) {
		return func(int, int) {}
	}
	bar := progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("importing"),
		progressbar.OptionSetItsString("rows"),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
	)
	current := total
	return func(done, total int) {
		if total != current {
			current = total
			bar.ChangeMax(total)
		}
		_ = bar.Set(done)
	}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
