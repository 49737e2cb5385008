package analytics

import (
	"bufio"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode"
)

// example is one labelled corpus row after de-duplication.
type example struct {
	Text    string            `json:"text"`
	Label   string            `json:"label"`
	Lang    string            `json:"lang"`
	Source  string            `json:"source"`
	Cat     string            `json:"category"`
	Aspects map[string]string `json:"aspects"`
	y       int
	key     string
}

// group is the domain an example belongs to for cross-domain evaluation.
// The Chinese hotel reviews appear in two sources (ChnSentiCorp and the
// 酒店 category of online_shopping_10_cats) with many shared texts, so they
// are one domain.
func (e *example) group() string {
	if e.Source == "ChnSentiCorp_htl_all" || e.Cat == "酒店" {
		return "zh:hotel"
	}
	if e.Cat != "" {
		return e.Lang + ":" + e.Cat
	}
	return e.Lang + ":" + e.Source
}

// normKey is the de-duplication key: lower-cased letters and digits only,
// so copies differing in spacing, punctuation or mentions collapse.
func normKey(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// isHeldOut puts a fixed 10% of texts (by hash of the de-duplication key, so
// all copies of a text fall on the same side) into the test split. The
// shipped model never trains on it, so `vox sentiment eval` on the corpus
// files measures held-out data.
func isHeldOut(key string) bool {
	h := fnv.New32a()
	h.Write([]byte(key))
	return h.Sum32()%10 == 0
}

func classOf(label string) int {
	for c, n := range classNames {
		if n == label {
			return c
		}
	}
	return -1
}

// loadCorpus reads JSONL files (a file or every *.jsonl in a directory),
// drops rows with unknown labels, and de-duplicates: the first copy of a text
// is kept, and texts seen with conflicting labels are dropped entirely.
func loadCorpus(path string) ([]example, dedupStats, error) {
	var files []string
	st, err := os.Stat(path)
	if err != nil {
		return nil, dedupStats{}, err
	}
	if st.IsDir() {
		files, _ = filepath.Glob(filepath.Join(path, "*.jsonl"))
		sort.Strings(files)
	} else {
		files = []string{path}
	}
	var all []example
	for _, fn := range files {
		f, err := os.Open(fn)
		if err != nil {
			return nil, dedupStats{}, err
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		ln := 0
		for sc.Scan() {
			ln++
			var e example
			if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
				f.Close()
				return nil, dedupStats{}, fmt.Errorf("%s:%d: %w", fn, ln, err)
			}
			e.y = classOf(e.Label)
			if e.y < 0 || e.Text == "" {
				continue
			}
			all = append(all, e)
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return nil, dedupStats{}, err
		}
	}
	ex, ds := dedup(all)
	return ex, ds, nil
}

type dedupStats struct{ Rows, Duplicates, Conflicting, Kept int }

func dedup(all []example) ([]example, dedupStats) {
	ds := dedupStats{Rows: len(all)}
	first := map[string]int{}
	conflict := map[string]bool{}
	for i := range all {
		all[i].key = normKey(all[i].Text)
		if all[i].key == "" {
			all[i].key = all[i].Text
		}
		if j, ok := first[all[i].key]; ok {
			ds.Duplicates++
			if all[j].y != all[i].y {
				conflict[all[i].key] = true
			}
			continue
		}
		first[all[i].key] = i
	}
	out := make([]example, 0, len(first))
	for i := range all {
		if j := first[all[i].key]; j == i {
			if conflict[all[i].key] {
				ds.Conflicting++
				continue
			}
			out = append(out, all[i])
		}
	}
	ds.Kept = len(out)
	return out, ds
}
