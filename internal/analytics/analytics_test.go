package analytics

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

func newTestAnalyzer(t testing.TB) *Analyzer {
	t.Helper()
	a, err := New()
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestDetectLanguage(t *testing.T) {
	cases := []struct{ text, want string }{
		{"Доставка опоздала на два дня", LangRU},
		{"@VirginAmerica спасибо за рейс! https://t.co/abc", LangRU},
		{"快递很慢，但是服务员态度很好", LangZH},
		{"这款iPhone手机真不错", LangZH},
		{"@united my flight was delayed again", LangEN},
		{"Thanks!", LangEN},
		{"Дякую, все було чудово і швидко", LangOther}, // Ukrainian
		{"Der Kundenservice ist nicht gut und die Lieferung war spät", LangOther},
		{"配達がとても遅かったです", LangOther}, // Japanese
		{"😍😍😍", LangOther},
		{"", LangOther},
		{"12345 !!!", LangOther},
	}
	for _, c := range cases {
		if got := DetectLanguage(c.text); got != c.want {
			t.Errorf("DetectLanguage(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

func TestSentimentSanity(t *testing.T) {
	a := newTestAnalyzer(t)
	cases := []struct{ text, want string }{
		{"Отличный сервис, всё очень понравилось, спасибо!", "positive"},
		{"Ужасное обслуживание, никогда больше не обращусь", "negative"},
		{"Это не хорошо, очень плохо", "negative"},
		{"房间很干净，服务很好，下次还会再来", "positive"},
		{"质量太差了，非常失望，不推荐", "negative"},
		{"Great flight, the crew was amazing, thank you!", "positive"},
		{"Worst airline ever. Lost my bag and nobody helps", "negative"},
		{"This is not good at all", "negative"},
	}
	for _, c := range cases {
		r := a.Analyze(c.text, "")
		if r.Label != c.want {
			t.Errorf("Analyze(%q) = %s %.3f, want %s", c.text, r.Label, r.Score, c.want)
		}
		if (c.want == "positive") != (r.Score > 0) {
			t.Errorf("Analyze(%q) score sign %.3f disagrees with %s", c.text, r.Score, c.want)
		}
	}
}

func TestTopicsAndAspects(t *testing.T) {
	a := newTestAnalyzer(t)
	cases := []struct {
		text    string
		aspects map[string]string
	}{
		{"Доставка ужасно опоздала, но курьер был очень вежлив и приятен", map[string]string{"delivery": "negative", "staff": "positive"}},
		{"The delivery was terribly late, but the staff were very friendly and helpful", map[string]string{"delivery": "negative", "staff": "positive"}},
		{"快递太慢了，非常失望，但是服务员态度很好", map[string]string{"delivery": "negative", "staff": "positive"}},
	}
	for _, c := range cases {
		r := a.Analyze(c.text, "")
		got := map[string]string{}
		for _, as := range r.Aspects {
			got[as.Aspect] = as.Label
		}
		for k, want := range c.aspects {
			if got[k] != want {
				t.Errorf("%q: aspect %s = %q, want %q (all: %+v)", c.text, k, got[k], want, r.Aspects)
			}
		}
		if len(r.Topics) != len(r.Aspects) {
			t.Errorf("%q: topics %v vs aspects %v", c.text, r.Topics, r.Aspects)
		}
	}
	// topics per language
	for _, c := range []struct {
		text, topic string
	}{
		{"Верните деньги, хочу оформить возврат", "returns"},
		{"Не могу войти в приложение", "website_app"},
		{"Списали деньги с карты дважды", "payment"},
		{"退款一直没有到账", "returns"},
		{"价格便宜，性价比高", "price"},
		{"房间不太干净，有异味", "cleanliness"},
		{"I was on hold with customer service for an hour", "support"},
		{"The app keeps crashing when I try to pay", "website_app"},
		{"Still waiting for my refund", "returns"},
		{"The apple pie was delicious", "food"},
	} {
		r := a.Analyze(c.text, "")
		if !contains(r.Topics, c.topic) {
			t.Errorf("%q: topics %v, want %s", c.text, r.Topics, c.topic)
		}
		if c.topic == "food" && contains(r.Topics, "website_app") {
			t.Errorf("%q: app$ must not match apple: %v", c.text, r.Topics)
		}
	}
}

func TestWorkspaceTaxonomy(t *testing.T) {
	a := newTestAnalyzer(t).WithTaxonomy(DefaultTaxonomy().With(
		Topic{Key: "parking", Terms: map[string][]string{LangRU: {"парковк"}, LangEN: {"parking", "car park"}, LangZH: {"停车"}}},
		Topic{Key: "delivery", Terms: map[string][]string{LangEN: {"drone"}}},
	))
	for _, c := range []struct{ text, topic string }{
		{"Парковка у магазина всегда забита", "parking"},
		{"The car park was full", "parking"},
		{"停车太难了", "parking"},
		{"The drone dropped my order in the pool", "delivery"},
	} {
		if r := a.Analyze(c.text, ""); !contains(r.Topics, c.topic) {
			t.Errorf("%q: topics %v, want %s", c.text, r.Topics, c.topic)
		}
	}
}

func TestRobustness(t *testing.T) {
	a := newTestAnalyzer(t)
	big := strings.Repeat("Доставка опоздала, курьер хамил. ", 40000) // ~1.3 MB
	for _, text := range []string{"", " ", "😡😡😡", "🙂", "\xff\xfe\xfd", "ok\xc3", big, "Mixed 中文 русский English 😊", strings.Repeat("好", 100000)} {
		r := a.Analyze(text, "")
		if r.Label == "" || r.Score < -1 || r.Score > 1 || r.Topics == nil || r.Aspects == nil {
			t.Errorf("Analyze(%.20q) = %+v", text, r)
		}
	}
	if r := a.Analyze("😡😡😡 🤬", ""); r.Score >= 0 {
		t.Errorf("angry emoji score %.3f, want negative", r.Score)
	}
	if r := a.Analyze("😍😍❤️", ""); r.Score <= 0 {
		t.Errorf("love emoji score %.3f, want positive", r.Score)
	}
}

func TestRunAnalyzeContract(t *testing.T) {
	a := newTestAnalyzer(t)
	in := strings.Join([]string{
		`{"text":"Доставка опоздала, но курьер был вежлив"}`,
		`not json`,
		`{"lang":"en"}`,
		``,
		`{"text":"great service","lang":"en"}`,
		`{"text": 42}`,
		`{"text":"快递很慢"}`,
	}, "\n")
	var out bytes.Buffer
	if err := RunAnalyze(a, strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 7 {
		t.Fatalf("got %d output lines, want 7:\n%s", len(lines), out.String())
	}
	wantErr := []bool{false, true, true, true, false, true, false}
	for i, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("line %d not JSON: %q", i+1, l)
		}
		_, isErr := m["error"]
		if isErr != wantErr[i] {
			t.Errorf("line %d: error=%v, want %v: %s", i+1, isErr, wantErr[i], l)
		}
		if !isErr {
			for _, k := range []string{"lang", "label", "score", "topics", "aspects"} {
				if _, ok := m[k]; !ok {
					t.Errorf("line %d: missing %s: %s", i+1, k, l)
				}
			}
		}
	}
	if !strings.Contains(lines[4], `"lang":"en"`) || !strings.Contains(lines[6], `"lang":"zh"`) {
		t.Errorf("lang not honoured/detected: %s / %s", lines[4], lines[6])
	}
}

func TestEmergingTerms(t *testing.T) {
	var base, recent []string
	for i := 0; i < 300; i++ {
		base = append(base, "Хороший магазин, быстрая доставка", "good service, fast delivery")
		recent = append(recent, "Хороший магазин, быстрая доставка", "good service, fast delivery")
	}
	for i := 0; i < 40; i++ {
		recent = append(recent, "The promo code does not work at checkout", "Промокод не работает при оплате")
	}
	got := EmergingTerms(recent, base, EmergingOptions{})
	terms := map[string]bool{}
	for _, g := range got {
		terms[g.Term] = true
		if g.PValue > 0.01 {
			t.Errorf("term %q p=%.3g above alpha", g.Term, g.PValue)
		}
	}
	for _, want := range []string{"promo", "checkout", "промо"} {
		if !terms[want] {
			t.Errorf("emerging terms %v lack %q", got, want)
		}
	}
	for _, noise := range []string{"delivery", "хорош", "service"} {
		if terms[noise] {
			t.Errorf("stable term %q reported as emerging", noise)
		}
	}
}

func TestModelRoundTripAndDeterministicTraining(t *testing.T) {
	lex := "e\ts\tgood\t2\ne\ts\tbad\t-2\ne\tn\tnot\t0\n"
	var exs []example
	for i := 0; i < 50; i++ {
		exs = append(exs,
			example{Text: "good stuff really good", Label: "positive", Lang: LangEN, Source: "t", y: classPos},
			example{Text: "bad stuff not good", Label: "negative", Lang: LangEN, Source: "t", y: classNeg},
			example{Text: "the stuff arrived today", Label: "neutral", Lang: LangEN, Source: "t", y: classNeu})
	}
	o := trainOptions{bits: 14, epochs: 3}
	var files [2][]byte
	for k := range files {
		m, err := trainModel(exs, lex, o)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := m.writeTo(&buf); err != nil {
			t.Fatal(err)
		}
		files[k] = buf.Bytes()
	}
	if !bytes.Equal(files[0], files[1]) {
		t.Fatal("training is not deterministic")
	}
	a, err := NewFromModel(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if r := a.Analyze("not good", LangEN); r.Label != "negative" {
		t.Errorf("small model: 'not good' = %+v", r)
	}
	if r := a.Analyze("good", LangEN); r.Label != "positive" {
		t.Errorf("small model: 'good' = %+v", r)
	}
}

func TestAdaptSerialisable(t *testing.T) {
	a := newTestAnalyzer(t)
	var ex []LabeledText
	// a domain where "снег" (snow, for a ski resort) is good news
	for i := 0; i < 60; i++ {
		ex = append(ex, LabeledText{Text: "Много снега на трассе", Label: LabelFromNPS(10)},
			LabeledText{Text: "Снега нет, трасса голая", Label: LabelFromNPS(2)})
	}
	adj, err := Adapt(a, ex)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(adj)
	if err != nil {
		t.Fatal(err)
	}
	var back Adjustment
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	// The round-tripped adjustment analyses exactly as the fitted one, and
	// it moves the text the workspace calls good towards positive. Binary
	// (NPS) labels move only the pos-vs-neg margin, so the label may stay
	// neutral where the base model's neutral band is wide; the score says.
	text := "Много снега на трассе"
	ad := a.WithAdjustment(&back)
	got, fitted, base := ad.Analyze(text, LangRU), a.WithAdjustment(adj).Analyze(text, LangRU), a.Analyze(text, LangRU)
	if got.Score != fitted.Score || got.Label != fitted.Label {
		t.Errorf("round-tripped adjustment: %+v, fitted %+v", got, fitted)
	}
	if got.Score < base.Score+0.3 || got.Score <= 0 || got.Label == "negative" {
		t.Errorf("adapted: %+v, base %+v", got, base)
	}
	if r := ad.Analyze("Снега нет, трасса голая", LangRU); r.Score >= 0 {
		t.Errorf("adapted negative text: %+v", r)
	}
	if _, err := Adapt(a, ex[:5]); err == nil {
		t.Error("Adapt with 5 examples should fail")
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func FuzzAnalyze(f *testing.F) {
	a := newTestAnalyzer(f)
	for _, s := range []string{"", "доставка опоздала, но курьер был вежлив", "快递很慢，但是服务员态度很好", "not bad :)", "\xff😀", "@user http://x.y #tag !!!", "а но но но"} {
		f.Add(s, "")
	}
	f.Add("text", "zh")
	f.Fuzz(func(t *testing.T, text, hint string) {
		r := a.Analyze(text, hint)
		if r.Score < -1 || r.Score > 1 || r.Label == "" || r.Lang == "" {
			t.Fatalf("bad result %+v", r)
		}
		if len(r.Topics) != len(r.Aspects) {
			t.Fatalf("topics %v aspects %v", r.Topics, r.Aspects)
		}
		if !utf8.ValidString(r.Lang + r.Label) {
			t.Fatal("invalid utf8 in result")
		}
	})
}

// TestTrainEvalCLI trains on a tiny sample through the CLI entry points and
// checks the model file is reproducible and evaluable.
func TestTrainEvalCLI(t *testing.T) {
	dir := t.TempDir()
	var files [2][]byte
	for k := range files {
		out := dir + "/m.bin.gz"
		var stdout, stderr bytes.Buffer
		if err := RunTrain([]string{"--data", "testdata/mini", "--out", out, "--bits", "16", "--all"}, &stdout, &stderr); err != nil {
			t.Fatalf("train: %v\n%s", err, stderr.String())
		}
		if !strings.Contains(stdout.String(), "duplicates 1") {
			t.Errorf("dedup not reported: %s", stdout.String())
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		files[k] = b
	}
	if !bytes.Equal(files[0], files[1]) {
		t.Fatal("RunTrain is not deterministic")
	}
	var stdout, stderr bytes.Buffer
	if err := RunEval([]string{"--data", "testdata/mini/mini.jsonl", "--model", dir + "/m.bin.gz", "--all"}, &stdout, &stderr); err != nil {
		t.Fatalf("eval: %v\n%s", err, stderr.String())
	}
	for _, want := range []string{"lang en", "lang ru", "lang zh", "macro-F1", "gold\\pred", "language detection"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("eval output lacks %q:\n%s", want, stdout.String())
		}
	}
}

func TestConcurrentAnalyze(t *testing.T) {
	a := newTestAnalyzer(t)
	texts := []string{"Доставка опоздала, но курьер был вежлив", "快递很慢，但是服务员态度很好", "great crew, late flight"}
	want := make([]Result, len(texts))
	for i, s := range texts {
		want[i] = a.Analyze(s, "")
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				k := i % len(texts)
				if got := a.Analyze(texts[k], ""); !reflect.DeepEqual(got, want[k]) {
					t.Errorf("concurrent result differs: %+v vs %+v", got, want[k])
					return
				}
			}
		}()
	}
	wg.Wait()
}
