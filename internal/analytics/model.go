package analytics

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Classes of the sentiment model, in weight order.
const (
	classNeg = 0
	classNeu = 1
	classPos = 2
)

var classNames = [3]string{"negative", "neutral", "positive"}

const modelMagic = "VOXSENT1"

// model is a multinomial logistic regression over hashed features plus the
// lexicon the features are computed with. It is immutable after loading, so
// one copy serves all goroutines.
type model struct {
	bits uint32
	mask uint32
	w    []float32 // (1<<bits)*3, class-major within a bucket
	lex  map[uint64]lexEntry
	// lexText is the lexicon source (lang \t kind \t term \t polarity per
	// line); kept so a retrained model file is self-contained.
	lexText string
	// neutral is a per-language offset added to the neutral class score
	// (indexed by langIndex; see calibrateNeutral). It moves the band in
	// which a text is called neutral without touching pos vs neg.
	neutral [3]float32
}

// calMagic starts the optional calibration section after the lexicon.
// Readers before it stop at the lexicon and ignore it.
const calMagic = "VOXCAL1"

// logits returns the class scores of feats for a text of lang: the linear
// scores plus the language's neutral offset.
func (m *model) logits(feats []uint32, lang string) [3]float32 {
	z := m.scores(feats)
	if i := langIndex(lang); i >= 0 {
		z[classNeu] += m.neutral[i]
	}
	return z
}

func newModel(bits uint32, lexText string) (*model, error) {
	m := &model{bits: bits, mask: 1<<bits - 1, w: make([]float32, (1<<bits)*3), lexText: lexText}
	if err := m.parseLex(); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *model) parseLex() error {
	m.lex = make(map[uint64]lexEntry, 40000)
	sum := map[uint64][2]float32{}
	for ln, line := range strings.Split(m.lexText, "\n") {
		if line == "" {
			continue
		}
		p := strings.Split(line, "\t")
		if len(p) != 4 || len(p[0]) != 1 || len(p[1]) != 1 {
			return fmt.Errorf("lexicon line %d: malformed %q", ln+1, line)
		}
		pol, err := strconv.ParseFloat(p[3], 32)
		if err != nil {
			return fmt.Errorf("lexicon line %d: %w", ln+1, err)
		}
		term := []byte(p[2])
		if p[0][0] == 'r' {
			term = stemPrefix(term, ruStemRunes)
		}
		k := lexKey(p[0][0], term)
		kind := p[1][0]
		if kind != lexSentiment {
			m.lex[k] = lexEntry{kind: kind, pol: float32(pol)}
			continue
		}
		s := sum[k]
		s[0] += float32(pol)
		s[1]++
		sum[k] = s
	}
	for k, s := range sum {
		if _, ok := m.lex[k]; ok {
			continue // negators and intensifiers win over sentiment
		}
		avg := s[0] / s[1]
		if avg > -0.3 && avg < 0.3 {
			continue // ambiguous after stemming
		}
		m.lex[k] = lexEntry{kind: lexSentiment, pol: avg}
	}
	return nil
}

// scores returns the class scores for the features in sc.feats, each
// weighted 1/sqrt(n) so long and short texts live on one scale.
func (m *model) scores(feats []uint32) [3]float32 {
	var z [3]float32
	if len(feats) == 0 {
		return z
	}
	v := float32(1 / math.Sqrt(float64(len(feats))))
	w := m.w
	for _, h := range feats {
		b := (h & m.mask) * 3
		ww := w[b : b+3 : b+3]
		z[0] += ww[0]
		z[1] += ww[1]
		z[2] += ww[2]
	}
	z[0] *= v
	z[1] *= v
	z[2] *= v
	return z
}

// writeTo serialises the model: gzip of magic, bits, scale, int16 weights,
// lexicon text. Weights are quantised to int16 (error < 1e-4 of the largest
// weight), halving the file without measurable loss.
func (m *model) writeTo(w io.Writer) error {
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(zw)
	var maxAbs float32
	for _, x := range m.w {
		if a := float32(math.Abs(float64(x))); a > maxAbs {
			maxAbs = a
		}
	}
	scale := maxAbs / 32767
	if scale == 0 {
		scale = 1
	}
	bw.WriteString(modelMagic)
	binary.Write(bw, binary.LittleEndian, m.bits)
	binary.Write(bw, binary.LittleEndian, scale)
	buf := make([]byte, 2)
	for _, x := range m.w {
		q := int16(math.Round(float64(x / scale)))
		binary.LittleEndian.PutUint16(buf, uint16(q))
		bw.Write(buf)
	}
	binary.Write(bw, binary.LittleEndian, uint32(len(m.lexText)))
	bw.WriteString(m.lexText)
	if m.neutral != [3]float32{} {
		bw.WriteString(calMagic)
		for _, x := range m.neutral {
			binary.Write(bw, binary.LittleEndian, x)
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return zw.Close()
}

func readModel(data []byte) (*model, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	if len(raw) < len(modelMagic)+8 || string(raw[:len(modelMagic)]) != modelMagic {
		return nil, errors.New("model: bad magic")
	}
	p := raw[len(modelMagic):]
	bits := binary.LittleEndian.Uint32(p)
	scale := math.Float32frombits(binary.LittleEndian.Uint32(p[4:]))
	p = p[8:]
	if bits < 10 || bits > 26 {
		return nil, fmt.Errorf("model: bad bucket bits %d", bits)
	}
	n := (1 << bits) * 3
	if len(p) < n*2+4 {
		return nil, errors.New("model: truncated weights")
	}
	m := &model{bits: bits, mask: 1<<bits - 1, w: make([]float32, n)}
	for i := 0; i < n; i++ {
		m.w[i] = float32(int16(binary.LittleEndian.Uint16(p[2*i:]))) * scale
	}
	p = p[2*n:]
	ll := binary.LittleEndian.Uint32(p)
	p = p[4:]
	if uint32(len(p)) < ll {
		return nil, errors.New("model: truncated lexicon")
	}
	m.lexText = string(p[:ll])
	p = p[ll:]
	if len(p) >= len(calMagic)+12 && string(p[:len(calMagic)]) == calMagic {
		p = p[len(calMagic):]
		for i := range m.neutral {
			m.neutral[i] = math.Float32frombits(binary.LittleEndian.Uint32(p[4*i:]))
		}
	}
	if err := m.parseLex(); err != nil {
		return nil, err
	}
	return m, nil
}
