package analytics

import (
	"unicode"
	"unicode/utf8"
)

// maxAnalyzeBytes bounds how much of a text is analysed. Customer feedback
// that matters fits in a few kilobytes; the bound keeps a 1 MB paste from
// costing more than a typical answer.
const maxAnalyzeBytes = 8192

type tokKind uint8

const (
	kWord  tokKind = iota + 1 // Latin/Cyrillic word (lower-cased)
	kHan                      // one Han character
	kNum                      // number
	kEmoji                    // pictograph; r holds the rune
	kPunct                    // punctuation; r holds the rune, n the run length
	kURL
	kUser
)

// tok is one token; s:e index the lower-cased scratch buffer, so tokens cost
// no allocation.
type tok struct {
	s, e  int32
	r     rune
	n     int16
	kind  tokKind
	join  bool // Han character directly follows another Han character
	upper bool // word was written in capitals (shouting)
}

// scratch holds the per-call buffers; it is pooled so the hot path does not
// allocate.
type scratch struct {
	buf   []byte
	toks  []tok
	feats []uint32
	marks []int32 // per token: topic match bitset index into topicHits
	hits  []topicHit
}

func (sc *scratch) word(t tok) []byte { return sc.buf[t.s:t.e] }

func isEmoji(r rune) bool {
	return (r >= 0x1F300 && r <= 0x1FAFF) || (r >= 0x2600 && r <= 0x27BF) || (r >= 0x1F000 && r <= 0x1F2FF) || r == 0x2B50 || r == 0x2B55 || r == 0x203C || r == 0x2049
}

func isHan(r rune) bool {
	return (r >= 0x4E00 && r <= 0x9FFF) || (r >= 0x3400 && r <= 0x4DBF) || (r >= 0xF900 && r <= 0xFAFF)
}

// tokenize lower-cases text into sc.buf and splits it into tokens. URLs and
// @mentions collapse into one token each; apostrophes stay inside Latin
// words so "didn't" keeps its negation; ё folds to е.
func tokenize(sc *scratch, text string) {
	if len(text) > maxAnalyzeBytes {
		text = truncateUTF8(text, maxAnalyzeBytes)
	}
	sc.buf = sc.buf[:0]
	sc.toks = sc.toks[:0]
	prevHan := false
	i := 0
	for i < len(text) {
		c := text[i]
		if c == '@' && i+1 < len(text) && isWordByte(text[i+1]) {
			j := i + 1
			for j < len(text) && isWordByte(text[j]) {
				j++
			}
			sc.toks = append(sc.toks, tok{kind: kUser})
			i = j
			prevHan = false
			continue
		}
		if (c == 'h' && (hasPrefixAt(text, i, "http://") || hasPrefixAt(text, i, "https://"))) || (c == 'w' && hasPrefixAt(text, i, "www.")) {
			j := i
			for j < len(text) && !isSpaceByte(text[j]) {
				j++
			}
			sc.toks = append(sc.toks, tok{kind: kURL})
			i = j
			prevHan = false
			continue
		}
		r, n := utf8.DecodeRuneInString(text[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			i++
			prevHan = false
			continue
		case isHan(r):
			s := int32(len(sc.buf))
			sc.buf = utf8.AppendRune(sc.buf, r)
			sc.toks = append(sc.toks, tok{s: s, e: int32(len(sc.buf)), kind: kHan, join: prevHan})
			prevHan = true
			i += n
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			s := int32(len(sc.buf))
			allUpper, letters, digits := true, 0, 0
			j := i
			for j < len(text) {
				r2, n2 := utf8.DecodeRuneInString(text[j:])
				if r2 == '\'' || r2 == '’' {
					// keep apostrophes between letters (didn't, it's)
					if j+n2 < len(text) && j > i {
						r3, _ := utf8.DecodeRuneInString(text[j+n2:])
						if unicode.IsLetter(r3) && r3 < 0x250 {
							sc.buf = append(sc.buf, '\'')
							j += n2
							continue
						}
					}
					break
				}
				if isHan(r2) || !(unicode.IsLetter(r2) || unicode.IsDigit(r2) || unicode.Is(unicode.Mn, r2)) {
					break
				}
				if unicode.IsDigit(r2) {
					digits++
				} else {
					letters++
					if !unicode.IsUpper(r2) {
						allUpper = false
					}
				}
				lr := unicode.ToLower(r2)
				if lr == 'ё' {
					lr = 'е'
				}
				sc.buf = utf8.AppendRune(sc.buf, lr)
				j += n2
			}
			k := kWord
			if letters == 0 {
				k = kNum
				sc.buf = append(sc.buf[:s], '0') // all numbers look alike
			}
			sc.toks = append(sc.toks, tok{s: s, e: int32(len(sc.buf)), kind: k, upper: allUpper && letters >= 3})
			i = j
			prevHan = false
			continue
		case isEmoji(r):
			sc.toks = append(sc.toks, tok{kind: kEmoji, r: r})
		case unicode.IsPunct(r) || unicode.IsSymbol(r):
			// collapse runs like "!!!" or "))))" into one token with a count
			if nt := len(sc.toks); nt > 0 && sc.toks[nt-1].kind == kPunct && sc.toks[nt-1].r == r && !prevHan {
				if sc.toks[nt-1].n < 100 {
					sc.toks[nt-1].n++
				}
			} else {
				sc.toks = append(sc.toks, tok{kind: kPunct, r: r, n: 1})
			}
		case r == '\n':
			sc.toks = append(sc.toks, tok{kind: kPunct, r: '\n', n: 1})
		}
		prevHan = false
		i += n
	}
}

func isWordByte(c byte) bool {
	return c == '_' || (c >= '0' && c <= '9') || (c|0x20 >= 'a' && c|0x20 <= 'z')
}

// isClauseBreak reports punctuation that ends a clause for aspect scoring and
// negation scope.
func isClauseBreak(r rune) bool {
	switch r {
	case '.', ',', ';', '!', '?', '\n', '。', '，', '；', '！', '？', '、', '…', ':', '：', '(', ')', '（', '）':
		return true
	}
	return false
}
