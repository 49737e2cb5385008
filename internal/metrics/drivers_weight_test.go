package metrics

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestKeyDriversWeightedEqualsExpanded: a row with Weight w gives the same
// drivers as w copies of it (up to float rounding), which is what lets key
// drivers read grouped answers from a rollup.
func TestKeyDriversWeightedEqualsExpanded(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 3))
	topics := []string{"price", "delivery", "staff", "app", "queue", "never"}
	var grouped, expanded []DriverRow
	for range 120 {
		row := DriverRow{Outcome: float64(100 * (r.IntN(3) - 1)), Weight: 1 + r.IntN(9)}
		for _, tp := range topics[:5] {
			if r.IntN(3) == 0 {
				row.Topics = append(row.Topics, tp)
			}
		}
		grouped = append(grouped, row)
		for range row.Weight {
			expanded = append(expanded, DriverRow{Outcome: row.Outcome, Topics: row.Topics})
		}
	}
	got, want := KeyDrivers(grouped, topics), KeyDrivers(expanded, topics)
	if len(got) != len(want) || len(got) != 5 {
		t.Fatalf("%d drivers, want %d (5)", len(got), len(want))
	}
	close := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }
	for i := range got {
		g, w := got[i], want[i]
		if g.Topic != w.Topic || g.N != w.N || g.Share != w.Share || g.Significant != w.Significant ||
			!close(g.Effect, w.Effect) || !close(g.SE, w.SE) || !close(g.CILow, w.CILow) || !close(g.CIHigh, w.CIHigh) || !close(g.PValue, w.PValue) {
			t.Errorf("weighted %+v\nexpanded %+v", g, w)
		}
	}
}
