package analytics

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
)

// ModelFingerprint identifies the Analyzer's sentiment model: equal weights
// and lexicon give an equal fingerprint. A stored Adjustment records the
// fingerprint it was fitted on, because its deltas are corrections of that
// model's buckets and mean nothing to another one. It hashes every weight
// (a few milliseconds), so callers compute it once.
func (a *Analyzer) ModelFingerprint() string {
	h := fnv.New64a()
	var buf [4]byte
	binary.LittleEndian.PutUint32(buf[:], a.m.bits)
	h.Write(buf[:])
	b := make([]byte, 0, 4096)
	for _, w := range a.m.w {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(w))
		if len(b) == cap(b) {
			h.Write(b)
			b = b[:0]
		}
	}
	h.Write(b)
	h.Write([]byte(a.m.lexText))
	if a.m.neutral != [3]float32{} {
		for _, x := range a.m.neutral {
			h.Write(binary.LittleEndian.AppendUint32(nil, math.Float32bits(x)))
		}
	}
	return fmt.Sprintf("m%d-%016x", a.m.bits, h.Sum64())
}

// Compatible reports whether adj was fitted on a model with this
// Analyzer's bucket layout, i.e. whether WithAdjustment can apply it.
func (a *Analyzer) Compatible(adj *Adjustment) bool {
	return adj != nil && adj.Version == 1 && adj.Bits == a.m.bits && len(adj.Weights) == len(adj.Buckets)
}
