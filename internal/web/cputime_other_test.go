//go:build !unix

package web

import "time"

// processCPU is not measured here: cpu-ms/op then reads 0.
func processCPU() time.Duration { return 0 }
