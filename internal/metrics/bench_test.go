package metrics

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkKeyDrivers fits 30 topics on 100,000 responses, a large workspace's
// quarter.
func BenchmarkKeyDrivers(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	topics := make([]string, 30)
	for i := range topics {
		topics[i] = fmt.Sprintf("topic%d", i)
	}
	rows := make([]DriverRow, 100_000)
	for i := range rows {
		r := DriverRow{Outcome: 100 * float64(rng.IntN(3)-1)}
		for range 1 + rng.IntN(3) {
			r.Topics = append(r.Topics, topics[rng.IntN(len(topics))])
		}
		rows[i] = r
	}
	for b.Loop() {
		KeyDrivers(rows, topics)
	}
}

// BenchmarkFitLogistic fits the churn model on 50,000 customers × 4 features.
func BenchmarkFitLogistic(b *testing.B) {
	x, y := churnData(rand.New(rand.NewPCG(2, 2)), 50_000)
	for b.Loop() {
		if _, err := FitLogistic(x, y, LogisticOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
