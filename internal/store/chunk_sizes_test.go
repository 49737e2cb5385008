package store

import "testing"

// TestChunkSizes checks that rows are cut into chunks that add up to the
// row count, from a set of at most seven sizes, none above maxChunkRows.
func TestChunkSizes(t *testing.T) {
	seen := map[int]bool{}
	for n := 0; n <= 1000; n++ {
		total := 0
		for _, size := range chunkSizes(n) {
			if size < 1 || size > maxChunkRows {
				t.Fatalf("n=%d: chunk of %d rows", n, size)
			}
			total += size
			seen[size] = true
		}
		if total != n {
			t.Fatalf("n=%d: chunks add up to %d", n, total)
		}
	}
	if len(seen) > 7 {
		t.Errorf("%d distinct chunk sizes, want ≤ 7: %v", len(seen), seen)
	}
}
