package analytics

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"testing"
	"unicode/utf8"
)

// benchTexts returns 50-300 character texts from the corpora when they are
// available (the repository's shared data), else a small built-in mix.
func benchTexts(b *testing.B) []string {
	var out []string
	for _, f := range []string{"ru", "zh", "en"} {
		fh, err := os.Open("../../../shared/data/sentiment/" + f + ".jsonl")
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		n := 0
		for sc.Scan() && n < 3000 {
			var e struct{ Text string }
			if json.Unmarshal(sc.Bytes(), &e) == nil {
				if l := utf8.RuneCountInString(e.Text); l >= 50 && l <= 300 {
					out = append(out, e.Text)
					n++
				}
			}
		}
		fh.Close()
	}
	if len(out) == 0 {
		out = []string{
			"Доставка опоздала на два дня, но курьер был очень вежлив и извинился. В целом нормально.",
			"快递很慢，等了一个星期才到，但是东西质量还不错，价格也便宜，下次还会再买。",
			"@united my flight was delayed 3 hours and nobody at the gate could tell us anything. Terrible.",
		}
	}
	return out
}

func BenchmarkAnalyze(b *testing.B) {
	a := newTestAnalyzer(b)
	texts := benchTexts(b)
	var bytes int64
	for _, t := range texts {
		bytes += int64(len(t))
	}
	b.SetBytes(bytes / int64(len(texts)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a.Analyze(texts[i%len(texts)], "")
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "texts/s")
}

func BenchmarkRunAnalyze(b *testing.B) {
	a := newTestAnalyzer(b)
	texts := benchTexts(b)
	var in []byte
	for _, t := range texts {
		line, _ := json.Marshal(map[string]string{"text": t})
		in = append(append(in, line...), '\n')
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := RunAnalyze(a, bytesReader(in), io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(texts))/b.Elapsed().Seconds(), "texts/s")
}

func bytesReader(b []byte) io.Reader { return &sliceReader{b: b} }

type sliceReader struct{ b []byte }

func (r *sliceReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}
