package report

import (
	_ "embed"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode"

	"github.com/signintech/gopdf"
)

// Fonts: DejaVu Sans covers Latin and Cyrillic, Droid Sans Fallback covers
// CJK; both are TrueType with licences that allow embedding (see
// fonts/README.md). The library subsets them, so a report carries only the
// glyphs it uses.
var (
	//go:embed fonts/DejaVuSans.ttf
	fontRegular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	fontBold []byte
	//go:embed fonts/DroidSansFallbackFull.ttf
	fontCJK []byte
)

// Page geometry in points (A4 portrait).
const (
	pageW, pageH = 595.28, 841.89
	margin       = 40.0
	contentW     = pageW - 2*margin
	bottom       = pageH - margin
)

type pdfDoc struct {
	pdf  *gopdf.GoPdf
	lang string
	y    float64
	err  error
}

// isCJK reports whether r needs the CJK font.
func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) ||
		(r >= 0x3000 && r <= 0x303f) || (r >= 0xff00 && r <= 0xffef)
}

// runs splits s into pieces that one font can draw.
func runs(s string) []struct {
	text string
	cjk  bool
} {
	var out []struct {
		text string
		cjk  bool
	}
	var cur strings.Builder
	curCJK := false
	for i, r := range s {
		c := isCJK(r)
		if i > 0 && c != curCJK && cur.Len() > 0 {
			out = append(out, struct {
				text string
				cjk  bool
			}{cur.String(), curCJK})
			cur.Reset()
		}
		curCJK = c
		cur.WriteRune(r)
	}
	if cur.Len() > 0 {
		out = append(out, struct {
			text string
			cjk  bool
		}{cur.String(), curCJK})
	}
	return out
}

func (d *pdfDoc) setFont(cjk, bold bool, size float64) {
	name := "regular"
	switch {
	case cjk:
		name = "cjk"
	case bold:
		name = "bold"
	}
	if err := d.pdf.SetFont(name, "", size); err != nil && d.err == nil {
		d.err = err
	}
}

// width measures s in the mixed fonts.
func (d *pdfDoc) width(s string, size float64, bold bool) float64 {
	var w float64
	for _, r := range runs(s) {
		d.setFont(r.cjk, bold, size)
		x, err := d.pdf.MeasureTextWidth(r.text)
		if err != nil && d.err == nil {
			d.err = err
		}
		w += x
	}
	return w
}

// fit shortens s with an ellipsis until it is at most maxW wide. Customer
// strings can be arbitrarily long; a cell must not spill over the next.
func (d *pdfDoc) fit(s string, size, maxW float64, bold bool) string {
	s = cleanText(s)
	if d.width(s, size, bold) <= maxW {
		return s
	}
	rs := []rune(s)
	for len(rs) > 0 {
		rs = rs[:len(rs)-1]
		if t := string(rs) + "…"; d.width(t, size, bold) <= maxW {
			return t
		}
	}
	return ""
}

// text draws s with its baseline-top at (x, y). gopdf writes the string as
// glyph ids: nothing in s is ever interpreted as PDF syntax.
func (d *pdfDoc) text(x, y float64, s string, size float64, bold bool) {
	s = cleanText(s)
	for _, r := range runs(s) {
		d.setFont(r.cjk, bold, size)
		d.pdf.SetXY(x, y)
		if err := d.pdf.Text(r.text); err != nil && d.err == nil {
			d.err = err
		}
		w, _ := d.pdf.MeasureTextWidth(r.text)
		x += w
	}
}

// need starts a new page unless h points fit below the cursor.
func (d *pdfDoc) need(h float64) {
	if d.y+h > bottom {
		d.pdf.AddPage()
		d.y = margin
	}
}

func (d *pdfDoc) heading(key string) { d.headingIn(key, "") }

// headingIn is a section heading naming the currency of its amounts: the
// columns are too narrow to carry it.
func (d *pdfDoc) headingIn(key, currency string) {
	d.need(40)
	d.y += 10
	d.pdf.SetTextColor(20, 40, 90)
	title := label(d.lang, key)
	if currency != "" {
		title += ", " + currency
	}
	d.text(margin, d.y+12, title, 13, true)
	d.pdf.SetTextColor(0, 0, 0)
	d.y += 20
}

func (d *pdfDoc) note(s string) {
	d.need(16)
	d.pdf.SetTextColor(90, 90, 90)
	d.text(margin, d.y+10, s, 9, false)
	d.pdf.SetTextColor(0, 0, 0)
	d.y += 16
}

// paragraph draws s as notes over as many lines as it needs: lines break
// at the last space that fits, or anywhere in text without spaces (CJK).
func (d *pdfDoc) paragraph(s string) {
	rs := []rune(cleanText(s))
	for len(rs) > 0 {
		n, lastSpace := 0, -1
		for n < len(rs) && d.width(string(rs[:n+1]), 9, false) <= contentW {
			if rs[n] == ' ' {
				lastSpace = n
			}
			n++
		}
		if n < len(rs) && lastSpace > 0 {
			n = lastSpace + 1
		}
		n = max(n, 1)
		d.note(strings.TrimSpace(string(rs[:n])))
		d.y -= 4 // lines of one paragraph sit closer than separate notes
		rs = rs[n:]
	}
	d.y += 4
}

// pdfNumber formats a value for reading: one decimal, money with grouped
// thousands, counts as integers.
func pdfNumber(v any, k Kind) string {
	switch x := v.(type) {
	case nil:
		return "—"
	case string:
		return x
	case int:
		return group(strconv.Itoa(x))
	case float64:
		switch k {
		case Money:
			return group(strconv.FormatFloat(math.Round(x), 'f', 0, 64))
		case Ratio:
			return strconv.FormatFloat(x, 'f', 3, 64)
		case Integer:
			return group(strconv.FormatFloat(x, 'f', 0, 64))
		}
		return strconv.FormatFloat(x, 'f', 1, 64)
	}
	return fmt.Sprint(v)
}

// group inserts thin spaces between thousands of an integer string.
func group(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteRune(' ')
		}
		b.WriteRune(r)
	}
	if neg {
		return "−" + b.String()
	}
	return b.String()
}

// table draws a table with a shaded header; text columns get twice the
// width of number columns.
func (d *pdfDoc) table(t Table) {
	if len(t.Rows) == 0 {
		d.note(label(d.lang, "none"))
		return
	}
	const size, rowH = 8.5, 15.0
	weights := make([]float64, len(t.Columns))
	var total float64
	for i, c := range t.Columns {
		weights[i] = 1
		if c.Kind == Text {
			weights[i] = 2
		}
		total += weights[i]
	}
	widths := make([]float64, len(t.Columns))
	for i := range widths {
		widths[i] = contentW * weights[i] / total
	}
	header := func() {
		d.need(rowH * 2)
		d.pdf.SetFillColor(228, 233, 242)
		d.pdf.RectFromUpperLeftWithStyle(margin, d.y, contentW, rowH+4, "F")
		x := margin
		for i, c := range t.Columns {
			d.text(x+3, d.y+11, d.fit(label(d.lang, c.Key), size-0.5, widths[i]-6, true), size-0.5, true)
			x += widths[i]
		}
		d.y += rowH + 4
	}
	header()
	for ri, row := range t.Rows {
		if d.y+rowH > bottom {
			d.pdf.AddPage()
			d.y = margin
			header()
		}
		if ri%2 == 1 {
			d.pdf.SetFillColor(246, 247, 250)
			d.pdf.RectFromUpperLeftWithStyle(margin, d.y, contentW, rowH, "F")
		}
		x := margin
		for i, c := range t.Columns {
			s := d.fit(pdfNumber(row[i], c.Kind), size, widths[i]-6, false)
			tx := x + 3
			if c.Kind != Text {
				tx = x + widths[i] - 3 - d.width(s, size, false)
			}
			d.text(tx, d.y+11, s, size, false)
			x += widths[i]
		}
		d.y += rowH
	}
	d.y += 4
}

// kpiBoxes draws the four headline metrics with interval, n and change.
func (d *pdfDoc) kpiBoxes(data *Data) {
	const h = 86.0
	d.need(h + 10)
	w := (contentW - 3*8) / 4
	for i, k := range data.KPIs {
		x := margin + float64(i)*(w+8)
		d.pdf.SetStrokeColor(180, 190, 210)
		d.pdf.SetLineWidth(0.8)
		d.pdf.RectFromUpperLeftWithStyle(x, d.y, w, h, "D")
		d.pdf.SetTextColor(70, 70, 70)
		d.text(x+6, d.y+14, d.fit(label(d.lang, k.Metric), 8.5, w-12, false), 8.5, false)
		d.pdf.SetTextColor(0, 0, 0)
		if k.Value.N == 0 {
			d.text(x+6, d.y+38, "—", 20, true)
			d.text(x+6, d.y+56, "n = 0", 8, false)
			continue
		}
		d.text(x+6, d.y+38, strconv.FormatFloat(k.Value.Value, 'f', 1, 64), 20, true)
		d.text(x+6, d.y+52, d.fit(fmt.Sprintf("%s %.1f…%.1f", label(d.lang, "ci"), k.Value.CILow, k.Value.CIHigh), 7.5, w-12, false), 7.5, false)
		d.text(x+6, d.y+63, fmt.Sprintf("n = %d", k.Value.N), 7.5, false)
		if k.Change != nil {
			arrow, r, g := "▲", uint8(20), uint8(130)
			if k.Change.Value < 0 {
				arrow, r, g = "▼", 190, 30
			}
			if !k.Change.Significant {
				r, g = 110, 110
			}
			d.pdf.SetTextColor(r, g, 40)
			d.text(x+6, d.y+76, d.fit(fmt.Sprintf("%s %+.1f %s (p = %.3f)", arrow, k.Change.Value, label(d.lang, "vs_prev"), k.Change.PValue), 7.5, w-12, false), 7.5, false)
			d.pdf.SetTextColor(0, 0, 0)
		}
	}
	d.y += h + 8
}

// trendChart draws weekly NPS as vector lines with its 95 % band.
func (d *pdfDoc) trendChart(points []TrendPoint) {
	if len(points) == 0 {
		d.note(label(d.lang, "none"))
		return
	}
	const h = 150.0
	d.need(h + 30)
	left, top, w := margin+30, d.y+5, contentW-40
	lo, hi := 100.0, -100.0
	for _, p := range points {
		lo, hi = math.Min(lo, p.NPS.CILow), math.Max(hi, p.NPS.CIHigh)
	}
	lo, hi = math.Floor(lo/20)*20, math.Ceil(hi/20)*20
	if hi-lo < 20 {
		hi = lo + 20
	}
	yOf := func(v float64) float64 { return top + h - (v-lo)/(hi-lo)*h }
	xOf := func(i int) float64 {
		if len(points) == 1 {
			return left + w/2
		}
		return left + float64(i)*w/float64(len(points)-1)
	}
	d.pdf.SetLineWidth(0.4)
	d.pdf.SetStrokeColor(210, 210, 210)
	for v := lo; v <= hi+1e-9; v += 20 {
		d.pdf.Line(left, yOf(v), left+w, yOf(v))
		d.text(margin, yOf(v)+3, strconv.FormatFloat(v, 'f', 0, 64), 7, false)
	}
	if len(points) > 1 {
		band := make([]gopdf.Point, 0, 2*len(points))
		for i, p := range points {
			band = append(band, gopdf.Point{X: xOf(i), Y: yOf(p.NPS.CIHigh)})
		}
		for i := len(points) - 1; i >= 0; i-- {
			band = append(band, gopdf.Point{X: xOf(i), Y: yOf(points[i].NPS.CILow)})
		}
		d.pdf.SetFillColor(205, 220, 245)
		d.pdf.SetStrokeColor(205, 220, 245)
		d.pdf.Polygon(band, "F")
	}
	d.pdf.SetStrokeColor(30, 80, 170)
	d.pdf.SetLineWidth(1.6)
	for i := 1; i < len(points); i++ {
		d.pdf.Line(xOf(i-1), yOf(points[i-1].NPS.Value), xOf(i), yOf(points[i].NPS.Value))
	}
	d.pdf.SetFillColor(30, 80, 170)
	step := max(1, len(points)/8)
	for i, p := range points {
		d.pdf.RectFromUpperLeftWithStyle(xOf(i)-1.5, yOf(p.NPS.Value)-1.5, 3, 3, "F")
		if i%step == 0 {
			d.text(xOf(i)-14, top+h+11, p.Week[5:], 7, false)
		}
	}
	d.pdf.SetLineWidth(0.8)
	d.pdf.SetStrokeColor(0, 0, 0)
	d.y = top + h + 20
}

// heatColor maps an NPS from −100 (red) through 0 (amber) to 100 (green).
func heatColor(v float64) (uint8, uint8, uint8) {
	t := (math.Max(-100, math.Min(100, v)) + 100) / 200
	if t < 0.5 {
		u := t / 0.5
		return 235, uint8(110 + 110*u), 100
	}
	u := (t - 0.5) / 0.5
	return uint8(235 - 135*u), uint8(220 - 30*u), uint8(100 + 20*u)
}

// heatMap draws the journey as stages (rows) × touchpoints (columns), each
// cell coloured by NPS and showing NPS and n.
func (d *pdfDoc) heatMap(data *Data) {
	cells := data.Journey.Cells
	if len(cells) == 0 {
		d.note(label(d.lang, "none"))
		return
	}
	var stages, tps []string
	seenS, seenT := map[string]bool{}, map[string]bool{}
	for _, s := range data.Journey.Stages {
		if !seenS[s.Key] {
			seenS[s.Key] = true
			stages = append(stages, s.Key)
		}
	}
	withData := map[string]bool{}
	for _, c := range cells {
		withData[c.Touchpoint] = withData[c.Touchpoint] || c.NPS.N > 0
	}
	for _, t := range data.Journey.Touchpoints {
		if withData[t.Key] && !seenT[t.Key] {
			seenT[t.Key] = true
			tps = append(tps, t.Key)
		}
	}
	for _, c := range cells {
		if !seenS[c.Stage] {
			seenS[c.Stage] = true
			stages = append(stages, c.Stage)
		}
		if withData[c.Touchpoint] && !seenT[c.Touchpoint] {
			seenT[c.Touchpoint] = true
			tps = append(tps, c.Touchpoint)
		}
	}
	if len(tps) == 0 {
		d.note(label(d.lang, "none"))
		return
	}
	tps = tps[:min(len(tps), 10)]
	byKey := map[[2]string]int{}
	for i, c := range cells {
		byKey[[2]string{c.Stage, c.Touchpoint}] = i
	}
	const rowH, headH, labelW = 24.0, 18.0, 80.0
	cw := (contentW - labelW) / float64(len(tps))
	d.need(headH + rowH*float64(min(len(stages), 3)))
	for j, t := range tps {
		d.text(margin+labelW+float64(j)*cw+2, d.y+12, d.fit(orDash(t), 7, cw-4, true), 7, true)
	}
	d.y += headH
	for _, s := range stages {
		d.need(rowH)
		d.text(margin, d.y+15, d.fit(orDash(s), 8, labelW-4, true), 8, true)
		for j, t := range tps {
			x := margin + labelW + float64(j)*cw
			i, ok := byKey[[2]string{s, t}]
			if !ok || cells[i].NPS.N == 0 {
				d.pdf.SetFillColor(240, 240, 240)
				d.pdf.RectFromUpperLeftWithStyle(x+1, d.y+1, cw-2, rowH-2, "F")
				continue
			}
			c := cells[i]
			r, g, b := heatColor(c.NPS.Value)
			d.pdf.SetFillColor(r, g, b)
			d.pdf.RectFromUpperLeftWithStyle(x+1, d.y+1, cw-2, rowH-2, "F")
			d.text(x+4, d.y+11, strconv.FormatFloat(c.NPS.Value, 'f', 0, 64), 8, true)
			d.text(x+4, d.y+20, "n="+strconv.Itoa(c.NPS.N), 6, false)
		}
		d.y += rowH
	}
	d.y += 6
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// WritePDF renders the management report.
func WritePDF(w io.Writer, data *Data) error {
	pdf := &gopdf.GoPdf{}
	pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitPT})
	for _, f := range []struct {
		name string
		data []byte
	}{{"regular", fontRegular}, {"bold", fontBold}, {"cjk", fontCJK}} {
		if err := pdf.AddTTFFontData(f.name, f.data); err != nil {
			return fmt.Errorf("pdf font %s: %w", f.name, err)
		}
	}
	pdf.SetInfo(gopdf.PdfInfo{Title: label(data.Lang, "title") + " — " + cleanText(data.Workspace), Creator: "Vox", Producer: "Vox"})
	pdf.AddPage()
	d := &pdfDoc{pdf: pdf, lang: data.Lang, y: margin}

	d.text(margin, d.y+18, label(d.lang, "title"), 20, true)
	d.y += 28
	d.text(margin, d.y+10, d.fit(fmt.Sprintf("%s: %s · %s: %s — %s · %s: %s", label(d.lang, "workspace"), data.Workspace,
		label(d.lang, "period"), data.From, data.To, label(d.lang, "generated"), data.GeneratedAt.Format("2006-01-02 15:04 UTC")),
		9, contentW, false), 9, false)
	d.y += 18
	if line := data.filterLine(); line != "" {
		d.text(margin, d.y+10, d.fit(line, 9, contentW, true), 9, true)
		d.y += 14
		d.paragraph(label(d.lang, "filter_note"))
	}

	tables := map[string]Table{}
	for _, t := range data.Tables() {
		tables[t.Key] = t
	}
	d.heading("kpis")
	d.kpiBoxes(data)
	d.heading("trend")
	d.trendChart(data.Trend)
	d.heading("pain_points")
	d.table(tables["pain_points"])
	d.heading("drivers")
	d.table(tables["drivers"])
	d.heading("journey")
	d.heatMap(data)
	d.headingIn("revenue_at_risk", data.Currency)
	if data.RevenueAtRisk == nil {
		d.note(label(d.lang, "no_model"))
	} else {
		d.table(tables["revenue_at_risk"])
		for _, u := range data.RevenueAtRisk.Unconverted {
			d.paragraph(fmt.Sprintf(label(d.lang, "customers_unconverted"), u.Currency, u.Customers))
		}
		if data.ChurnAUC != nil {
			d.note(fmt.Sprintf("%s: %.3f", label(d.lang, "auc"), *data.ChurnAUC))
		}
	}
	d.headingIn("business", data.Currency)
	d.table(tables["business"])
	for _, u := range data.Unconverted {
		d.paragraph(fmt.Sprintf(label(d.lang, "tx_unconverted"), u.Currency, u.Transactions, u.LifetimeTransactions))
	}
	d.heading("response_rates")
	d.table(tables["response_rates"])
	d.heading("cases")
	d.table(tables["cases"])
	d.heading("employees")
	d.table(tables["employees"])
	if d.err != nil {
		return fmt.Errorf("pdf: %w", d.err)
	}
	return pdf.Write(w)
}
