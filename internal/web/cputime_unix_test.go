//go:build unix

package web

import (
	"syscall"
	"time"
)

// processCPU is the CPU time the test process has used so far (user and
// system): on a loaded machine a page's wall time mostly measures the
// wait for a core, its CPU time what the page costs.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
