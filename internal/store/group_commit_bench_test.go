package store_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"vox/internal/store"
	"vox/internal/testutil"
)

// BenchmarkSingleItemWrites compares 32 concurrent writers of one item each
// (survey answers, API posts) with a transaction per write and with group
// commit, on SQLite, in the same run.
func BenchmarkSingleItemWrites(b *testing.B) {
	for _, mode := range []string{"own-tx", "grouped"} {
		b.Run(mode, func(b *testing.B) {
			db := testutil.SQLite(b)
			ctx := context.Background()
			ws, err := db.CreateWorkspace(ctx, "acme", "Acme", "UTC")
			if err != nil {
				b.Fatal(err)
			}
			insert := db.InsertFeedback
			if mode == "grouped" {
				insert = db.InsertFeedbackGrouped
			}
			var n atomic.Int64
			now := time.Now()
			b.SetParallelism(16)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					nf := item("Quick delivery and a friendly courier", now)
					nf.Item.Kind, nf.Item.NPS = "survey_response", ptr(9)
					nf.Item.ExternalID = fmt.Sprint("answer-", n.Add(1))
					if _, err := insert(ctx, ws.ID, []store.NewFeedback{nf}, nil); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
			if txs, calls := db.GroupStats(); txs > 0 {
				b.ReportMetric(float64(calls)/float64(txs), "writes/tx")
			}
		})
	}
}
