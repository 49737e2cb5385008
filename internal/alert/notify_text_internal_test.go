package alert

import (
	"strings"
	"testing"
)

// TestNotifyTextsComplete checks that every language has every text and the
// same format verbs, so a Russian or Chinese reader never sees a key or a
// %!d(MISSING).
func TestNotifyTextsComplete(t *testing.T) {
	for lang, texts := range notifyTexts {
		for key, en := range notifyTexts["en"] {
			got, ok := texts[key]
			if !ok {
				t.Errorf("%s lacks %s", lang, key)
				continue
			}
			for _, verb := range []string{"%s", "%d"} {
				if strings.Count(got, verb) != strings.Count(en, verb) {
					t.Errorf("%s %s: %q has other %s verbs than %q", lang, key, got, verb, en)
				}
			}
		}
		if len(texts) != len(notifyTexts["en"]) {
			t.Errorf("%s has %d texts, en %d", lang, len(texts), len(notifyTexts["en"]))
		}
	}
	if tr("de", "digest.hello", "Ana") != "Hello, Ana!" {
		t.Error("unknown language does not fall back to English")
	}
}
