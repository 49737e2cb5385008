package web

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Charts are drawn on the server as SVG: no script, no CDN, readable without
// JavaScript and by screen readers (each chart has a title and a data table
// or list beside it). Builders here turn numbers into coordinates; the
// templates in charts.html draw them with CSS classes for colour.

// chartPoint is one value of a series with its 95 % interval and sample.
type chartPoint struct {
	Label         string // x-axis label (a date)
	Value, Lo, Hi float64
	N             int
	Class         string // optional CSS class of the dot
}

type chartTick struct {
	Pos   float64
	Label string
}

type chartDot struct {
	X, Y  float64
	Class string
	Title string
}

// lineChart is a series as a line with dots and, when given, its interval
// as a shaded band.
type lineChart struct {
	W, H   float64
	Left   float64 // x of the plot area, after the y labels
	YLabX  float64 // right edge of the y labels
	Bottom float64 // y of the x axis
	Line   string  // polyline points
	Band   string  // polygon points of the interval; "" without one
	Zero   float64 // y of the zero line when inside the range, else -1
	Dots   []chartDot
	YTicks []chartTick
	XTicks []chartTick
	Title  string
	Empty  bool
}

func r1(v float64) float64 { return math.Round(v*10) / 10 }

// newLineChart lays out pts in a w×h box; the y range covers every interval
// rounded out to step, clamped to the metric's domain [lo, hi].
func newLineChart(pts []chartPoint, w, h, domainLo, domainHi, step float64, band bool, title string,
	format func(float64) string) lineChart {
	c := lineChart{W: w, H: h, Left: 34, YLabX: 30, Bottom: h - 18, Zero: -1, Title: title}
	if len(pts) == 0 {
		c.Empty = true
		return c
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, p := range pts {
		a, b := p.Value, p.Value
		if band {
			a, b = p.Lo, p.Hi
		}
		lo, hi = math.Min(lo, a), math.Max(hi, b)
	}
	// Round out to whole pairs of steps, so the middle tick is a round number too.
	lo = math.Max(domainLo, math.Floor(lo/(2*step))*2*step)
	hi = math.Min(domainHi, math.Ceil(hi/(2*step))*2*step)
	if hi-lo < step {
		lo, hi = math.Max(domainLo, lo-step), math.Min(domainHi, hi+step)
	}
	top, plotW := 6.0, w-c.Left-8
	y := func(v float64) float64 {
		v = math.Max(lo, math.Min(hi, v))
		return r1(c.Bottom - (v-lo)/(hi-lo)*(c.Bottom-top))
	}
	x := func(i int) float64 {
		if len(pts) == 1 {
			return r1(c.Left + plotW/2)
		}
		return r1(c.Left + float64(i)*plotW/float64(len(pts)-1))
	}
	var upper, lower string
	for i, p := range pts {
		c.Line += fmt.Sprintf("%v,%v ", x(i), y(p.Value))
		title := p.Label + ": " + format(p.Value)
		if band {
			upper += fmt.Sprintf("%v,%v ", x(i), y(p.Hi))
			lower = fmt.Sprintf("%v,%v ", x(i), y(p.Lo)) + lower
			title += " [" + format(p.Lo) + " … " + format(p.Hi) + "]"
		}
		if p.N > 0 {
			title += fmt.Sprintf(", n = %d", p.N)
		}
		c.Dots = append(c.Dots, chartDot{X: x(i), Y: y(p.Value), Class: p.Class, Title: title})
	}
	if band {
		c.Band = upper + lower
	}
	if lo < 0 && hi > 0 {
		c.Zero = y(0)
	}
	for i := 0; i <= 2; i++ {
		v := lo + (hi-lo)*float64(i)/2
		label := format(v)
		if step >= 1 {
			label = strings.Replace(strconv.FormatFloat(math.Round(v), 'f', -1, 64), "-", "−", 1)
		}
		c.YTicks = append(c.YTicks, chartTick{Pos: y(v), Label: label})
	}
	// At most about six x labels, always the first and the last.
	every, prev := max(1, (len(pts)+5)/6), -len(pts)
	for i, p := range pts {
		last := i == len(pts)-1
		if i%every != 0 && !last {
			continue
		}
		if last && i%every != 0 && len(c.XTicks) > 1 && i-prev <= every/2 {
			c.XTicks = c.XTicks[:len(c.XTicks)-1] // keep the last label clear of its neighbour
		}
		c.XTicks = append(c.XTicks, chartTick{Pos: x(i), Label: p.Label})
		prev = i
	}
	return c
}

// barSeg is one coloured part of a stacked bar.
type barSeg struct {
	Y, H  float64
	Class string
}

type chartBar struct {
	X, W  float64
	Segs  []barSeg
	Title string
}

// barChart is stacked bars over time (mention volume by tone per day).
type barChart struct {
	W, H   float64
	Left   float64
	YLabX  float64
	Bottom float64
	Bars   []chartBar
	YTicks []chartTick
	XTicks []chartTick
	Title  string
	Empty  bool
}

// stackedBar is one bar's input: parts in stacking order with their classes.
type stackedBar struct {
	Label string
	Parts []int
	Title string
}

func newBarChart(bars []stackedBar, classes []string, w, h float64, title string, num func(int) string) barChart {
	c := barChart{W: w, H: h, Left: 34, YLabX: 30, Bottom: h - 18, Title: title}
	total := 0
	for _, b := range bars {
		s := 0
		for _, p := range b.Parts {
			s += p
		}
		total = max(total, s)
	}
	if len(bars) == 0 || total == 0 {
		c.Empty = true
		return c
	}
	top := 6.0
	scale := (c.Bottom - top) / float64(total)
	slot := (w - c.Left - 4) / float64(len(bars))
	every := max(1, (len(bars)+6)/7)
	for i, b := range bars {
		x := c.Left + float64(i)*slot
		bar := chartBar{X: r1(x + slot*0.1), W: r1(math.Max(1, slot*0.8)), Title: b.Title}
		yy := c.Bottom
		for j, p := range b.Parts {
			if p == 0 {
				continue
			}
			hh := float64(p) * scale
			yy -= hh
			bar.Segs = append(bar.Segs, barSeg{Y: r1(yy), H: r1(hh), Class: classes[j]})
		}
		c.Bars = append(c.Bars, bar)
		if i%every == 0 {
			c.XTicks = append(c.XTicks, chartTick{Pos: r1(x + slot/2), Label: b.Label})
		}
	}
	for _, v := range []int{0, total / 2, total} {
		c.YTicks = append(c.YTicks, chartTick{Pos: r1(c.Bottom - float64(v)*scale), Label: num(v)})
	}
	return c
}

// ciBar is an estimate and its interval on a fixed scale, as percentages of
// the bar's width: a compact picture for leaderboard rows.
type ciBar struct {
	Lo, Hi, W, Value, Zero float64
}

func newCIBar(value, lo, hi, domainLo, domainHi float64) ciBar {
	pos := func(v float64) float64 {
		v = math.Max(domainLo, math.Min(domainHi, v))
		return r1((v - domainLo) / (domainHi - domainLo) * 100)
	}
	b := ciBar{Lo: pos(lo), Hi: pos(hi), Value: pos(value), Zero: pos(0)}
	b.W = r1(math.Max(0.5, b.Hi-b.Lo))
	return b
}

// sharePart is one part of a shareBar, in percent of its width.
type sharePart struct {
	X, W  float64
	Class string
}

// shareBar is a whole split into parts (mentions by tone) as one bar; Title
// says the same in words for screen readers and tooltips.
type shareBar struct {
	Parts []sharePart
	Title string
	Empty bool
}

func newShareBar(counts []int, classes []string, title string) shareBar {
	b := shareBar{Title: title}
	total := 0
	for _, c := range counts {
		total += c
	}
	if total == 0 {
		b.Empty = true
		return b
	}
	x := 0.0
	for i, c := range counts {
		if c <= 0 {
			continue
		}
		w := 100 * float64(c) / float64(total)
		b.Parts = append(b.Parts, sharePart{X: r1(x), W: r1(w), Class: classes[i]})
		x += w
	}
	return b
}
