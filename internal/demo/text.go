package demo

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Special topic bodies for the story; they are stored under the real topic.
const (
	storyDeliveryIncident = "incident"
	storyIncidentMention  = "incident_mention"
	storyAppRelease       = "release"
)

// slots carries what a text may mention about its item.
type slots struct {
	city     string
	currency string
	female   bool // the author
	empName  string
	empFem   bool
}

// textMode says how much a customer wrote.
type textMode int

const (
	modeFull textMode = iota
	modeShort
	modeEmpty
)

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func bankFor(lang string) *bank {
	switch lang {
	case "ru":
		return &bankRU
	case "zh":
		return &bankZH
	}
	return &bankEN
}

// body returns one sentence about topic with the given polarity; a neutral
// answer is either lukewarm or mixed (praise for one thing, a complaint
// about another), which is what 7-8 scores usually say.
func body(r *rand.Rand, b *bank, topic, other string, pol polarity) string {
	switch topic {
	case storyDeliveryIncident:
		return pick(r, b.incidentDelivery)
	case storyIncidentMention:
		return pick(r, b.incidentMention)
	case storyAppRelease:
		return pick(r, b.appRelease)
	}
	switch pol {
	case negative:
		return pick(r, b.topics[topic][0])
	case positive:
		return pick(r, b.topics[topic][1])
	}
	if r.IntN(5) < 2 {
		return pick(r, b.neutral)
	}
	if other == topic || other == "" {
		return pick(r, b.topics[topic][1]) + b.space + pick(r, b.but) + b.space + lowerFirst(pick(r, b.topics[topic][0]))
	}
	return pick(r, b.topics[other][1]) + b.space + pick(r, b.but) + b.space + lowerFirst(pick(r, b.topics[topic][0]))
}

// compose writes a comment as a customer would: opener, what happened,
// maybe a second point, a closer, then noise.
// prefix and suffix frame the text (a ticket's greeting and request, a
// mention's address to the brand).
func compose(r *rand.Rand, b *bank, pol polarity, topic, other string, mode textMode, sl slots, prefix, suffix string) string {
	switch mode {
	case modeEmpty:
		return ""
	case modeShort:
		s := pick(r, b.short[pol])
		if r.IntN(4) == 0 {
			s += pick(r, b.emoji[pol])
		}
		return s
	}
	var parts []string
	if prefix != "" {
		parts = append(parts, prefix)
	}
	if r.IntN(10) < 3 {
		parts = append(parts, pick(r, b.openers[pol]))
	}
	main := body(r, b, topic, other, pol)
	if len(parts) > 0 && strings.ContainsAny(parts[len(parts)-1][len(parts[len(parts)-1])-1:], ":,") {
		main = lowerFirst(main)
	}
	parts = append(parts, main)
	if pol != neutral && other != "" && other != topic && r.IntN(10) < 3 {
		parts = append(parts, pick(r, b.also)+b.space+lowerFirst(body(r, b, other, "", pol)))
	}
	if r.IntN(10) < 3 {
		parts = append(parts, pick(r, b.closers[pol]))
	}
	if suffix != "" {
		parts = append(parts, suffix)
	}
	return finish(r, b, pol, strings.Join(parts, b.space), sl)
}

// finish fills the slots and adds the noise of real typing.
func finish(r *rand.Rand, b *bank, pol polarity, s string, sl slots) string {
	s = fill(r, b, s, sl)
	if b.lang == "zh" {
		if pol == negative && r.IntN(8) == 0 {
			s = strings.ReplaceAll(s, "！", "！！")
		}
		if r.IntN(10) == 0 {
			s = strings.TrimSuffix(s, "。")
		}
	} else {
		if r.IntN(25) == 0 {
			s = typo(r, s)
		}
		if pol == negative && r.IntN(12) == 0 && strings.HasSuffix(s, ".") {
			s = strings.TrimSuffix(s, ".") + "!!!"
		}
		if r.IntN(8) == 0 {
			s = strings.ToLower(s)
		}
		if r.IntN(6) == 0 {
			s = strings.TrimSuffix(s, ".")
		}
	}
	if r.IntN(6) == 0 {
		s += b.space + pick(r, b.emoji[pol])
	}
	return s
}

// fill replaces {slot} markers; unknown markers are left as they are.
func fill(r *rand.Rand, b *bank, s string, sl slots) string {
	if !strings.Contains(s, "{") {
		return s
	}
	var out strings.Builder
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			out.WriteString(s)
			return out.String()
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			out.WriteString(s)
			return out.String()
		}
		out.WriteString(s[:i])
		out.WriteString(slotValue(r, b, s[i+1:i+j], sl))
		s = s[i+j+1:]
	}
}

func slotValue(r *rand.Rand, b *bank, name string, sl slots) string {
	switch name {
	case "order":
		n := 4000000 + r.IntN(1000000)
		switch b.lang {
		case "ru":
			return fmt.Sprintf("№%d", n)
		case "zh":
			return fmt.Sprintf("%d", n)
		}
		return fmt.Sprintf("#%d", n)
	case "city":
		return sl.city
	case "n":
		n := 2 + r.IntN(5)
		if b.lang == "ru" {
			return ruCount(n, "час", "часа", "часов")
		}
		return fmt.Sprint(n)
	case "min":
		return fmt.Sprint(15 + 5*r.IntN(8))
	case "days":
		n := 2 + r.IntN(7)
		if b.lang == "ru" {
			return ruCount(n, "день", "дня", "дней")
		}
		return fmt.Sprint(n)
	case "product":
		return pick(r, b.products)
	case "sum":
		return money(r, sl.currency, b.lang)
	case "emp":
		if sl.empName != "" {
			return sl.empName
		}
		switch b.lang {
		case "ru":
			return pick(r, ruFirst).local
		case "zh":
			return pick(r, zhLast).local + pick(r, zhFirst).local
		}
		return pick(r, enFirst).local
	case "emp_end":
		if sl.empFem {
			return "а"
		}
		return ""
	case "emp_end2":
		if sl.empFem {
			return "ла"
		}
		return ""
	case "a":
		if sl.female {
			return "а"
		}
		return ""
	case "en":
		if sl.female {
			return "ьна"
		}
		return "ен"
	}
	return "{" + name + "}"
}

// ruCount puts a Russian noun in the form its number needs (1 день, 2 дня,
// 5 дней).
func ruCount(n int, one, few, many string) string {
	w := many
	switch {
	case n%100 >= 11 && n%100 <= 14:
	case n%10 == 1:
		w = one
	case n%10 >= 2 && n%10 <= 4:
		w = few
	}
	return fmt.Sprintf("%d %s", n, w)
}

// money formats a price the way a customer of that market writes it.
func money(r *rand.Rand, currency, lang string) string {
	switch currency {
	case "RUB":
		return thousands(990+100*r.IntN(150)) + " ₽"
	case "KZT":
		return thousands(5000+500*r.IntN(120)) + " ₸"
	case "CNY":
		v := 99 + 10*r.IntN(150)
		if lang == "zh" {
			return fmt.Sprintf("%d元", v)
		}
		return fmt.Sprintf("¥%d", v)
	}
	return fmt.Sprintf("$%d", 19+5*r.IntN(60))
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	if len(s) <= 3 {
		return s
	}
	return s[:len(s)-3] + " " + s[len(s)-3:]
}

// lowerFirst lower-cases the first letter so a fragment can follow a
// connector, unless the word looks like an acronym or a slot.
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || !unicode.IsUpper(r) {
		return s
	}
	if r2, _ := utf8.DecodeRuneInString(s[n:]); unicode.IsUpper(r2) {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

// typo swaps two adjacent letters inside one longer word, the most common
// slip on a phone keyboard.
func typo(r *rand.Rand, s string) string {
	words := strings.Split(s, " ")
	var long []int
	for i, w := range words {
		if utf8.RuneCountInString(w) >= 6 && !strings.ContainsAny(w, "{}#№@") {
			long = append(long, i)
		}
	}
	if len(long) == 0 {
		return s
	}
	i := long[r.IntN(len(long))]
	rs := []rune(words[i])
	k := 1 + r.IntN(len(rs)-3)
	if !unicode.IsLetter(rs[k]) || !unicode.IsLetter(rs[k+1]) {
		return s
	}
	rs[k], rs[k+1] = rs[k+1], rs[k]
	words[i] = string(rs)
	return strings.Join(words, " ")
}
