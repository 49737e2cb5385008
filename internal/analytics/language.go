package analytics

import (
	"unicode"
	"unicode/utf8"
)

// Language codes returned by DetectLanguage and used in Result.Lang.
const (
	LangRU    = "ru"
	LangZH    = "zh"
	LangEN    = "en"
	LangOther = "other"
)

// detectPrefix bounds the bytes DetectLanguage looks at: the script mix of
// the first few kilobytes decides the language, and it keeps the cost flat
// for megabyte inputs.
const detectPrefix = 4096

// DetectLanguage returns "ru", "zh", "en" or "other" for a short, messy text.
// It counts letters per script after skipping URLs, @mentions and e-mail-like
// tokens (which are Latin even in Russian tweets), then resolves Cyrillic
// into Russian vs Ukrainian/Belarusian and Latin into English vs other
// Latin-script languages with distinctive letters and function words. A script
// count is used rather than an n-gram model because the corpora are
// script-separable and this runs in well under a microsecond per tweet.
func DetectLanguage(text string) string {
	if len(text) > detectPrefix {
		text = truncateUTF8(text, detectPrefix)
	}
	var han, kana, hangul, cyr, ukr, lat, latExt, otherLetters int
	var en, foreign int
	i := 0
	for i < len(text) {
		c := text[i]
		if c == '@' || (c == 'h' && hasPrefixAt(text, i, "http")) || (c == 'w' && hasPrefixAt(text, i, "www.")) {
			// skip URL / mention up to whitespace
			j := i + 1
			for j < len(text) && !isSpaceByte(text[j]) {
				j++
			}
			if c == 'h' && !hasPrefixAt(text, i, "http://") && !hasPrefixAt(text, i, "https://") {
				j = i // plain word starting with "http": not a URL
			} else {
				i = j
				continue
			}
		}
		r, n := utf8.DecodeRuneInString(text[i:])
		switch {
		case r < 0x80:
			if (r|0x20) >= 'a' && (r|0x20) <= 'z' {
				// ASCII word: count letters and check function words.
				j := i
				for j < len(text) && ((text[j]|0x20) >= 'a' && (text[j]|0x20) <= 'z' || text[j] == '\'') {
					j++
				}
				lat += j - i
				w := text[i:j]
				if len(w) <= 5 {
					switch lowerASCII(w) {
					case "the", "and", "is", "to", "you", "it", "for", "my", "this", "that", "with", "was", "have", "not", "are", "be", "on", "of", "i", "a", "in", "me", "your", "we", "so", "but", "just", "thank", "thx", "can", "what", "will", "get", "do", "no":
						en++
					case "der", "die", "und", "das", "ist", "nicht", "ich", "le", "les", "est", "et", "une", "des", "du", "je", "el", "los", "las", "y", "por", "con", "muy", "il", "di", "che", "per", "sono", "uma", "não", "och", "att", "het", "een", "jest", "nie":
						foreign++
					}
				}
				i = j
				continue
			}
		case r >= 0x4E00 && r <= 0x9FFF, r >= 0x3400 && r <= 0x4DBF, r >= 0xF900 && r <= 0xFAFF:
			han++
		case r >= 0x3040 && r <= 0x30FF:
			kana++
		case r >= 0xAC00 && r <= 0xD7AF, r >= 0x1100 && r <= 0x11FF:
			hangul++
		case r >= 0x0400 && r <= 0x04FF:
			switch r {
			case 'і', 'ї', 'є', 'ґ', 'І', 'Ї', 'Є', 'Ґ', 'ў', 'Ў':
				ukr++
			}
			cyr++
		case r >= 0xC0 && r <= 0x24F:
			if unicode.IsLetter(r) {
				lat++
				latExt++
			}
		default:
			if r != utf8.RuneError && unicode.IsLetter(r) {
				otherLetters++
			}
		}
		i += n
	}
	// A Han character carries roughly a word; weight it so that a Chinese
	// sentence with a Latin brand name stays Chinese.
	hanW := han * 3
	switch {
	case kana > 0 && kana*3 >= han:
		return LangOther // Japanese uses kanji too; kana decides
	case hangul > 0 && hangul >= han && hangul >= cyr && hangul >= lat:
		return LangOther
	case hanW == 0 && cyr == 0 && lat == 0:
		return LangOther
	case otherLetters > hanW && otherLetters > cyr && otherLetters > lat:
		return LangOther
	case hanW >= cyr && hanW >= lat:
		return LangZH
	case cyr >= lat:
		if ukr > 0 && ukr*40 >= cyr {
			return LangOther
		}
		return LangRU
	default:
		if latExt*20 > lat || (foreign >= 2 && foreign > 2*en) {
			return LangOther
		}
		return LangEN
	}
}

func hasPrefixAt(s string, i int, p string) bool {
	return len(s)-i >= len(p) && s[i:i+len(p)] == p
}

func isSpaceByte(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }

// lowerASCII lowercases a short ASCII word without allocating when it is
// already lower case (the common case).
func lowerASCII(w string) string {
	for i := 0; i < len(w); i++ {
		if w[i] >= 'A' && w[i] <= 'Z' {
			var b [8]byte
			n := copy(b[:], w)
			for k := 0; k < n; k++ {
				if b[k] >= 'A' && b[k] <= 'Z' {
					b[k] += 'a' - 'A'
				}
			}
			return string(b[:n])
		}
	}
	return w
}

// truncateUTF8 cuts s to at most n bytes without splitting a rune.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
