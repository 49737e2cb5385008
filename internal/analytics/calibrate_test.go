package analytics

import (
	"bytes"
	"fmt"
	"testing"
)

// TestNeutralCalibration checks the neutral offset: chosen on the
// validation split to undo a model that calls too much neutral, stored in
// the model file, read back, part of the fingerprint, and absent (zero)
// in a file written without one, which older readers also accept.
func TestNeutralCalibration(t *testing.T) {
	lex := "e\ts\tgood\t2\ne\ts\tbad\t-2\ne\tn\tnot\t0\n"
	var exs []example
	for i := 0; i < 1100; i++ {
		n := fmt.Sprint(i)
		exs = append(exs,
			example{Text: "good stuff " + n, Label: "positive", Lang: LangEN, Source: "t", y: classPos},
			example{Text: "bad stuff " + n, Label: "negative", Lang: LangEN, Source: "t", y: classNeg},
			example{Text: "the stuff arrived " + n, Label: "neutral", Lang: LangEN, Source: "t", y: classNeu})
	}
	for i := range exs {
		exs[i].key = normKey(exs[i].Text)
	}
	o := trainOptions{bits: 14, epochs: 2, calibrate: true}
	m, err := trainCalibrated(exs, lex, o)
	if err != nil {
		t.Fatal(err)
	}
	// A well separated toy: the offset stays near zero.
	if m.neutral[langIndex(LangEN)] < -0.5 || m.neutral[langIndex(LangEN)] > 0.5 || m.neutral[langIndex(LangRU)] != 0 {
		t.Fatalf("offsets %v", m.neutral)
	}
	// Push neutral up by ~10 logits (the toy's class margins are ~9):
	// calibration on the validation texts takes it back down.
	var val []example
	for _, e := range exs {
		if isValidation(e.key) {
			val = append(val, e)
		}
	}
	if len(val) < minCalibrationTexts {
		t.Fatalf("only %d validation texts", len(val))
	}
	bias := (fin(seed('B', 'e')) & m.mask) * 3
	m.w[bias+classNeu] += 33 // scaled by 1/sqrt(9..11 features)
	off := neutralOffsets(m, val)
	if off[langIndex(LangEN)] > -1 {
		t.Fatalf("offset for an over-neutral model: %v", off)
	}
	m.neutral = off
	a := newAnalyzer(m)
	if r := a.Analyze("good stuff 7", LangEN); r.Label != "positive" {
		t.Errorf("calibrated: %+v", r)
	}

	var withCal, without bytes.Buffer
	if err := m.writeTo(&withCal); err != nil {
		t.Fatal(err)
	}
	back, err := NewFromModel(withCal.Bytes())
	if err != nil || back.m.neutral != m.neutral {
		t.Fatalf("read back offsets %v, want %v (%v)", back.m.neutral, m.neutral, err)
	}
	m.neutral = [3]float32{}
	if err := m.writeTo(&without); err != nil {
		t.Fatal(err)
	}
	plain, err := NewFromModel(without.Bytes())
	if err != nil || plain.m.neutral != ([3]float32{}) {
		t.Fatalf("file without calibration: %v %v", plain.m.neutral, err)
	}
	if back.ModelFingerprint() == plain.ModelFingerprint() {
		t.Fatal("the neutral offsets are not part of the fingerprint")
	}
}
