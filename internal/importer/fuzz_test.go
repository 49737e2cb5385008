package importer

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"testing"
	"time"
)

// drain reads every row of a source and validates each item, as Import
// does before ingesting: it must end, and never panic, whatever the bytes.
func drain(t *testing.T, src source, err error) {
	if err != nil {
		return
	}
	defer src.close()
	for i := 0; ; i++ {
		r, err := src.next()
		if err != nil {
			return
		}
		if i > 1<<16 {
			t.Fatal("source does not end")
		}
		if r.err == nil {
			r.item.Validate(time.Now())
			if r.item.ExternalID == "" { // re-runs could not be deduplicated
				t.Fatalf("row without an external id: %+v", r.item)
			}
		} else if r.line <= 0 {
			t.Fatalf("row error without a line: %+v", r)
		}
	}
}

func FuzzCSVRows(f *testing.F) {
	for _, name := range []string{"testdata/broken.csv", "testdata/qualtrics.csv", "testdata/limesurvey.csv"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("\ufeffДата;Комментарий;Оценка\n05.03.2024;\"a\nb\";9\n"))
	f.Add([]byte("sep=\t\nComment\tNPS\tcsat\tCES\tChannel\tStage\tTags\tTelegram\nx\t10 - yes\t5\t7\tsms\tusage\ta;b\t@anna\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		src, err := newCSVSource(bytes.NewReader(data), Options{})
		drain(t, src, err)
	})
}

func FuzzJSONLLines(f *testing.F) {
	f.Add([]byte(`{"text":"a","nps":9,"customer":{"email":"a@b"}}` + "\n" + `{"Comment":"b","Score":"x"}` + "\n{"))
	f.Add([]byte(`{"text":"a","occurred_at":"2024-01-01T00:00:00Z","tags":["x"],"metadata":{"k":[1,2]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		drain(t, newJSONLSource(bytes.NewReader(data), Options{}), nil)
	})
}

// BenchmarkImportCSV measures end-to-end import throughput on SQLite
// (analyzer off): parse, map, validate, ingest; with a customer email per row
// (identity resolution in the store) and without. Set VOX_IMPORT_BENCH_ROWS
// to change the file size (default 50,000 rows).
func BenchmarkImportCSV(b *testing.B) {
	rows := 50000
	if v := os.Getenv("VOX_IMPORT_BENCH_ROWS"); v != "" {
		fmt.Sscan(v, &rows)
	}
	for _, bc := range []struct {
		name      string
		customers bool
		batch     int
	}{{"customers/batch500", true, 500}, {"anonymous/batch500", false, 500}, {"anonymous/batch1000", false, 1000}} {
		b.Run(bc.name, func(b *testing.B) {
			data := benchCSV(rows, bc.customers)
			b.SetBytes(int64(len(data)))
			for range b.N {
				b.StopTimer()
				_, svc, ws := newWorkspace(b)
				b.StartTimer()
				start := time.Now()
				sum, err := Import(context.Background(), svc, ws, bytes.NewReader(data), Options{BatchSize: bc.batch})
				if err != nil || sum.Imported != rows {
					b.Fatalf("imported %d of %d: %v %v", sum.Imported, rows, err, sum.Errors)
				}
				b.ReportMetric(float64(rows)/time.Since(start).Seconds(), "rows/s")
			}
		})
	}
}

func benchCSV(rows int, customers bool) []byte {
	var buf bytes.Buffer
	texts := []string{"Доставка опоздала на два дня, курьер не позвонил", "Great app, but the checkout keeps crashing on Android",
		"客服回复很快，问题当天就解决了", "Цены выросли, качество то же самое", "Love the new loyalty program!"}
	buf.WriteString("Date,Comment,NPS,Email,Channel,Region\n")
	email := func(i int) string { return "" }
	if customers {
		email = func(i int) string { return fmt.Sprintf("user%d@example.com", i%5000) }
	}
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range rows {
		fmt.Fprintf(&buf, "%s,\"%s #%d\",%d,%s,%s,%s\n",
			start.Add(time.Duration(i)*time.Minute).Format("2006-01-02 15:04:05"), texts[i%len(texts)], i, i%11,
			email(i), []string{"email", "sms", "web", "telegram"}[i%4], []string{"Moscow", "Shanghai", "London"}[i%3])
	}
	return buf.Bytes()
}
