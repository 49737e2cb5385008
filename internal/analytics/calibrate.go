package analytics

import (
	"hash/fnv"
	"math"
)

// isValidation puts a second fixed 10 % of texts, chosen by another hash
// of the de-duplication key, into the validation split: training data
// (never the held-out split) set aside only to choose the calibration.
func isValidation(key string) bool {
	h := fnv.New32a()
	h.Write([]byte("val:" + key))
	return h.Sum32()%10 == 0
}

// Neutral calibration search: offsets from -neutralRange to +neutralRange
// in neutralStep; the F1 curve is averaged over ±neutralSmooth steps
// before taking its maximum, because macro-F1 on a few hundred texts is a
// jagged plateau whose exact peak is noise. Only sources with at least
// minCalibrationTexts validation texts take part: a 100-text source would
// swing the offset on its own.
const (
	neutralRange        = 2.0
	neutralStep         = 0.02
	neutralSmooth       = 5
	minCalibrationTexts = 300
)

// trainCalibrated trains on tr and calibrates the neutral class per
// language: a model fitted without the validation split picks, for each
// language whose validation texts include neutral ones, the neutral offset
// that maximises the mean 3-class macro-F1 over that language's sources;
// the model trained on all of tr gets those offsets. Class weights make
// the model's neutral band roughly right on average; the offset corrects
// what the weighting cannot, and averaging over sources keeps it from
// fitting one domain.
func trainCalibrated(tr []example, lex string, o trainOptions) (*model, error) {
	if !o.calibrate {
		return trainModel(tr, lex, o)
	}
	var fit, val []example
	neutral := false
	for _, e := range tr {
		if isValidation(e.key) {
			val = append(val, e)
			neutral = neutral || e.y == classNeu
		} else {
			fit = append(fit, e)
		}
	}
	if !neutral {
		return trainModel(tr, lex, o)
	}
	o1 := o
	o1.log = nil
	m1, err := trainModel(fit, lex, o1)
	if err != nil {
		return nil, err
	}
	offsets := neutralOffsets(m1, val)
	m, err := trainModel(tr, lex, o)
	if err != nil {
		return nil, err
	}
	m.neutral = offsets
	return m, nil
}

// neutralOffsets chooses each language's neutral offset on val (see
// trainCalibrated). Ties keep the offset closest to zero.
func neutralOffsets(m *model, val []example) [3]float32 {
	type row struct {
		z   [3]float32
		y   int
		src int
	}
	byLang := [3][]row{}
	srcIndex := map[string]int{}
	hasNeutral := map[int]bool{}
	sc := &scratch{}
	for i := range val {
		e := &val[i]
		li := langIndex(e.Lang)
		if li < 0 {
			continue
		}
		tokenize(sc, e.Text)
		sc.feats = sc.feats[:0]
		extract(sc, m.lex, e.Lang, 0, len(sc.toks))
		g := e.group()
		si, ok := srcIndex[g]
		if !ok {
			si = len(srcIndex)
			srcIndex[g] = si
		}
		if e.y == classNeu {
			hasNeutral[si] = true
		}
		byLang[li] = append(byLang[li], row{z: m.scores(sc.feats), y: e.y, src: si})
	}
	size := map[int]int{}
	for _, rows := range byLang {
		for _, r := range rows {
			size[r.src]++
		}
	}
	steps := int(math.Round(neutralRange / neutralStep))
	var out [3]float32
	for li, rows := range byLang {
		curve := make([]float64, 0, 2*steps+1)
		for k := -steps; k <= steps; k++ {
			d := float64(k) * neutralStep
			conf := map[int]*confusion{}
			for _, r := range rows {
				if !hasNeutral[r.src] || size[r.src] < minCalibrationTexts {
					continue
				}
				z := r.z
				z[classNeu] += float32(d)
				pred := classNeu
				if z[classNeg] > z[pred] {
					pred = classNeg
				}
				if z[classPos] > z[pred] {
					pred = classPos
				}
				c := conf[r.src]
				if c == nil {
					c = &confusion{}
					conf[r.src] = c
				}
				c[r.y][pred]++
			}
			if len(conf) == 0 {
				break
			}
			sum := 0.0
			for _, c := range conf {
				_, _, f1 := c.metrics()
				sum += f1
			}
			curve = append(curve, sum/float64(len(conf)))
		}
		if len(curve) == 0 {
			continue
		}
		bestF, bestD := -1.0, 0.0
		for i := range curve {
			sum, n := 0.0, 0
			for j := max(0, i-neutralSmooth); j <= min(len(curve)-1, i+neutralSmooth); j++ {
				sum += curve[j]
				n++
			}
			f, d := sum/float64(n), float64(i-steps)*neutralStep
			if f > bestF+1e-9 || (math.Abs(f-bestF) <= 1e-9 && math.Abs(d) < math.Abs(bestD)) {
				bestF, bestD = f, d
			}
		}
		out[li] = float32(math.Round(bestD/neutralStep) * neutralStep)
	}
	return out
}
