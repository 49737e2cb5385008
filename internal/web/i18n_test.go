package web

import (
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"vox/internal/store"
)

var verbRe = regexp.MustCompile(`%(?:\[\d+\])?[-+# 0]*\d*(?:\.\d+)?[dsfvq%]`)

func verbs(msg string) string {
	v := verbRe.FindAllString(msg, -1)
	return strings.Join(v, " ")
}

// TestCatalogsComplete fails when a key is missing or empty in any
// language, or when translations disagree on their format verbs.
func TestCatalogsComplete(t *testing.T) {
	cat, err := loadCatalogs()
	if err != nil {
		t.Fatal(err)
	}
	all := map[string]bool{}
	for _, m := range cat {
		for k := range m {
			all[k] = true
		}
	}
	for _, lang := range languages {
		for k := range all {
			msg, ok := cat[lang][k]
			switch {
			case !ok:
				t.Errorf("%s.json lacks %q", lang, k)
			case strings.TrimSpace(msg) == "":
				t.Errorf("%s.json: %q is empty", lang, k)
			case verbs(msg) != verbs(cat["en"][k]):
				t.Errorf("%s.json: %q has verbs %q, en has %q", lang, k, verbs(msg), verbs(cat["en"][k]))
			}
		}
	}
}

var (
	templateKeyRe = regexp.MustCompile(`\.T "([a-z0-9_.]+)"`)
	goKeyRe       = regexp.MustCompile(`(?:L\.T\(|Error: )"([a-z0-9_.]+)"`)
)

// TestUsedKeysExist checks every key the templates and handlers name, and
// every value of the closed vocabularies they label, against the catalog.
func TestUsedKeysExist(t *testing.T) {
	cat, err := loadCatalogs()
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]string{}
	_ = fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := templateFS.ReadFile(p)
		for _, m := range templateKeyRe.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = p
		}
		return nil
	})
	goFiles, _ := fs.Glob(os.DirFS("."), "*.go")
	for _, p := range goFiles {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		b, _ := os.ReadFile(p)
		for _, m := range goKeyRe.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = p
		}
		for _, k := range []string{"login.error.invalid", "login.error.throttled", "login.error.no_workspace"} {
			used[k] = "login.go"
		}
	}
	dynamic := func(prefix string, values []string) {
		for _, v := range values {
			used[prefix+v] = "vocabulary"
		}
	}
	var navKeys []string
	for _, n := range navigation {
		navKeys = append(navKeys, n.key)
	}
	dynamic("nav.", navKeys)
	dynamic("lang.", languages)
	dynamic("role.", store.Roles)
	dynamic("channel.", store.Channels)
	dynamic("kind.", store.FeedbackKinds)
	dynamic("identity.", store.IdentityKinds)
	dynamic("sentiment.", []string{"positive", "neutral", "negative"})
	dynamic("status.", []string{"active", "churned"})
	dynamic("stage.", store.JourneyStages)
	for _, m := range overviewMetrics {
		dynamic("metric.", []string{m.name, m.name + ".def"})
	}
	for _, code := range []int{400, 403, 404, 413, 500} {
		dynamic(fmt.Sprintf("error.%d.", code), []string{"title", "text"})
	}
	var missing []string
	for k, where := range used {
		if _, ok := cat["en"][k]; !ok {
			missing = append(missing, k+" ("+where+")")
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("keys used but not in the catalog:\n%s", strings.Join(missing, "\n"))
	}
	if len(used) < 50 {
		t.Errorf("found only %d used keys: the key scanner is broken", len(used))
	}
}

func TestAcceptLanguage(t *testing.T) {
	for header, want := range map[string]string{
		"":                       "en",
		"ru-RU,ru;q=0.9":         "ru",
		"zh-CN,zh;q=0.9,en;q=.8": "zh",
		"zh-TW":                  "zh",
		"de-DE,de;q=0.9":         "en",
		"de-DE,ru;q=0.5":         "ru",
		"garbage;;;":             "en",
	} {
		if got := langFromAcceptLanguage(header); got != want {
			t.Errorf("Accept-Language %q → %q, want %q", header, got, want)
		}
	}
}
