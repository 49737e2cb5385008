package demo

import (
	"math/rand/v2"
	"slices"
)

// SampleTexts returns n feedback texts in the demo's mix of languages (ru,
// en, zh), topics and tones, the same for the same seed: realistic input for
// `vox bench`, which must not measure the analyser on one repeated string.
func SampleTexts(n int, seed uint64) []string {
	r := rand.New(rand.NewPCG(seed, 0x766f78))
	langs := []string{"ru", "ru", "ru", "en", "en", "zh", "zh"}
	out := make([]string, n)
	for i := range out {
		lang := pick(r, langs)
		b := bankFor(lang)
		var topics []string
		for t := range b.topics {
			topics = append(topics, t)
		}
		slices.Sort(topics)
		reg := &mainRegions[r.IntN(len(mainRegions))]
		sl := slots{city: reg.cityName(lang), currency: reg.currency, female: r.IntN(2) == 0}
		sl.empName, sl.empFem = someName(r, lang)
		out[i] = compose(r, b, polarity(r.IntN(3)), pick(r, topics), pick(r, topics), modeFull, sl, "", "")
	}
	return out
}
