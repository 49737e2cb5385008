package web

import (
	"cmp"
	"context"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"vox/internal/auth"
	"vox/internal/business"
	"vox/internal/insights"
	"vox/internal/metrics"
	"vox/internal/store"
)

// The overview's cards under the headline metrics: response rates, mentions,
// cases within the SLA, top pain points and revenue at risk. Each is read by
// the same function its REST endpoint uses, so the page and the API agree,
// and each says which of the page's filters it cannot honour.

// overviewView is what the cards need to know about the request.
type overviewView struct {
	rc       *reqCtx
	from, to store.Day
	start    time.Time           // from's first instant in the workspace's zone
	end      time.Time           // the instant after to
	kept     url.Values          // the filters in the URL
	filters  map[string][]string // rollup filters, the own employee included
}

// active lists the filters set in the URL, in the form's order.
func (v *overviewView) active() []string {
	var out []string
	for _, d := range overviewDims {
		if v.kept.Get(d.param) != "" {
			out = append(out, d.param)
		}
	}
	return out
}

// notApplied names, in the UI language, the active filters a card cannot
// honour ("" when it honours them all).
func (v *overviewView) notApplied(applies ...string) string {
	var names []string
	for _, p := range v.active() {
		if !slices.Contains(applies, p) {
			names = append(names, v.rc.L.T(overviewFilterLabels[p]))
		}
	}
	return strings.Join(names, ", ")
}

// overviewFilterLabels are the catalog keys naming each filter.
var overviewFilterLabels = map[string]string{
	"channel": "filter.channel", "region": "filter.region", "segment": "filter.segment",
	"touchpoint": "filter.touchpoint", "stage": "filter.stage", "employee": "overview.filter.employee",
	"survey": "overview.filter.survey", "topic": "topics.filter", "text_lang": "filter.text_lang",
}

// rateRow is one channel's invitation funnel over the period.
type rateRow struct {
	Channel                   string
	Sent, Delivered, Answered int
	// OfSent is set when the channel sent no delivery receipts (email,
	// Telegram): the rate is then of the invitations sent.
	OfSent bool
	Rate   metrics.Estimate
	Bar    ciBar
}

// ratesCard is the response rate per channel: responses / delivered
// invitations (DESIGN.md), of those sent in the period.
type ratesCard struct {
	Rows       []rateRow
	Total      rateRow
	NotApplied string
}

func newRateRow(channel string, sent, delivered, answered int) rateRow {
	r := rateRow{Channel: channel, Sent: sent, Delivered: delivered, Answered: answered}
	base := delivered
	if base == 0 {
		base, r.OfSent = sent, true
	}
	r.Rate = metrics.ResponseRate(answered, base)
	r.Bar = newCIBar(r.Rate.Value, r.Rate.CILow, r.Rate.CIHigh, 0, 100)
	return r
}

// responseRates reads the funnel of the invitations sent in the period,
// per channel, for the survey and channel the page is filtered by.
func (s *Server) responseRates(ctx context.Context, v *overviewView) (ratesCard, error) {
	card := ratesCard{NotApplied: v.notApplied("channel", "survey")}
	survey, _ := strconv.ParseInt(v.kept.Get("survey"), 10, 64)
	funnel, err := s.db.InvitationFunnel(ctx, v.rc.Workspace.ID, v.start, v.end, survey)
	if err != nil {
		return card, err
	}
	var sent, answered, base int
	for _, f := range funnel {
		if ch := v.kept.Get("channel"); ch != "" && f.Channel != ch {
			continue
		}
		r := newRateRow(f.Channel, f.Sent, f.Delivered, f.Answered)
		card.Rows = append(card.Rows, r)
		sent, answered, base = sent+f.Sent, answered+f.Answered, base+r.Rate.N
	}
	slices.SortFunc(card.Rows, func(a, b rateRow) int { return cmp.Or(cmp.Compare(b.Sent, a.Sent), cmp.Compare(a.Channel, b.Channel)) })
	card.Total = rateRow{Sent: sent, Answered: answered, Rate: metrics.ResponseRate(answered, base)}
	card.Total.Bar = newCIBar(card.Total.Rate.Value, card.Total.Rate.CILow, card.Total.Rate.CIHigh, 0, 100)
	return card, nil
}

// mentionRow is one channel's mentions in the period.
type mentionRow struct {
	Channel                     string
	Items                       int
	Change                      *metrics.Change
	Positive, Neutral, Negative int
	Tone                        shareBar
}

// spikeRow is a spike alert raised in the period.
type spikeRow struct {
	Negative bool   // a negativity surge rather than a volume spike
	Where    string // the channel or topic, in the UI language; "" for all feedback
	At       time.Time
}

// mentionsCard is what is said elsewhere: mention volume with its change
// against the previous period, tone per channel, and spikes.
type mentionsCard struct {
	Total                       int
	Change                      *metrics.Change
	Positive, Neutral, Negative int
	Unanalysed                  int
	Index                       metrics.Estimate
	Tone                        shareBar
	Rows                        []mentionRow
	Spikes                      []spikeRow
	Link                        string
	NotApplied                  string
}

// mentionsShown is how many channels the mentions card lists.
const mentionsShown = 6

// mentionVolume reads the period's mentions from the rollups: volume in
// total and per channel (with changes) and tone per channel.
func (s *Server) mentionVolume(ctx context.Context, v *overviewView) (mentionsCard, error) {
	card := mentionsCard{NotApplied: v.notApplied("channel", "region", "segment", "touchpoint", "stage", "employee", "topic", "text_lang")}
	link := url.Values{"from": {v.from.String()}, "to": {v.to.String()}}
	if ch := v.kept.Get("channel"); ch != "" {
		link.Set("channel", ch)
	}
	card.Link = "/mentions?" + link.Encode()
	filters := map[string][]string{"kind": {"mention"}}
	for d, vs := range v.filters {
		if d != "survey" { // mentions answer no survey
			filters[d] = vs
		}
	}
	svc, ws := s.insights(), v.rc.Workspace.ID
	var res []insights.Result
	var spikes []store.Alert
	err := parallel(
		func() (err error) {
			res, err = svc.Metrics(ctx, ws, []insights.Query{
				{Metric: "volume", From: v.from, To: v.to, Filters: filters},
				{Metric: "volume", By: []string{"channel"}, From: v.from, To: v.to, Filters: filters},
				{Metric: "sentiment", By: []string{"channel"}, From: v.from, To: v.to, Filters: filters}})
			return err
		},
		func() (err error) {
			spikes, err = s.db.SpikeAlerts(ctx, ws, v.start, v.end, 20)
			return err
		})
	if err != nil {
		return card, err
	}
	total, byChannel, tone := res[0], res[1], res[2]
	if len(total.Groups) > 0 {
		card.Total, card.Change = total.Groups[0].N, total.Groups[0].Change
	}
	tones := map[string]insights.Group{}
	for _, g := range tone.Groups {
		tones[g.Key["channel"]] = g
	}
	for _, g := range byChannel.Groups {
		r := mentionRow{Channel: g.Key["channel"], Items: g.N, Change: g.Change}
		if t, ok := tones[r.Channel]; ok {
			r.Positive, r.Neutral, r.Negative = intOf(t.Detail["positive"]), intOf(t.Detail["neutral"]), intOf(t.Detail["negative"])
		}
		r.Tone = toneBar(v.rc.L, r.Items, r.Positive, r.Neutral, r.Negative)
		card.Positive, card.Neutral, card.Negative = card.Positive+r.Positive, card.Neutral+r.Neutral, card.Negative+r.Negative
		if len(card.Rows) < mentionsShown {
			card.Rows = append(card.Rows, r)
		}
	}
	// The same index the mentions API gives by channel, over all channels.
	idx := metrics.SentimentIndex(card.Positive, card.Neutral, card.Negative)
	card.Index = metrics.Estimate{Value: idx.Value, CILow: idx.CILow, CIHigh: idx.CIHigh, N: idx.N}
	card.Unanalysed = max(0, card.Total-card.Positive-card.Neutral-card.Negative)
	card.Tone = toneBar(v.rc.L, card.Total, card.Positive, card.Neutral, card.Negative)
	for _, a := range spikes {
		if sp, ok := spikeFor(v, a); ok {
			card.Spikes = append(card.Spikes, sp)
		}
	}
	card.Spikes = card.Spikes[:min(len(card.Spikes), 3)]
	return card, nil
}

// toneBar splits items into negative, neutral, positive and not analysed.
func toneBar(l *Localizer, items, pos, neu, neg int) shareBar {
	return newShareBar([]int{neg, neu, pos, max(0, items-pos-neu-neg)},
		[]string{"seg-negative", "seg-neutral", "seg-positive", "seg-unknown"},
		l.T("overview.mentions.tone_title", items, pos, neu, neg))
}

// spikeFor turns a spike alert into a row when it concerns what the page
// shows: all feedback, or the channel or topic the page is filtered by (any
// channel or topic when it is not).
func spikeFor(v *overviewView, a store.Alert) (spikeRow, bool) {
	dim, _ := a.Details["dimension"].(string)
	value, _ := a.Details["value"].(string)
	kind := ""
	if sp, ok := a.Details["spike"].(map[string]any); ok {
		kind, _ = sp["kind"].(string)
	}
	row := spikeRow{Negative: kind == metrics.SpikeNegativeShare, At: a.CreatedAt}
	switch dim {
	case "channel":
		if ch := v.kept.Get("channel"); ch != "" && ch != value {
			return row, false
		}
		row.Where = v.rc.L.Label("channel", value)
	case "topic":
		if tp := v.kept.Get("topic"); tp != "" && tp != value {
			return row, false
		}
		row.Where = v.rc.L.Topic(value)
	}
	return row, true
}

// casesCard is how the company acts: cases open now, and how the cases
// created in the period met their SLA (alert.CaseSLA: the figures of GET
// /api/v1/cases/stats but FRT, which the card does not show).
type casesCard struct {
	Available     bool // the alerting service runs in this process
	OpenNow       int
	OverdueNow    int
	Created       int
	Open          int // of those created in the period
	ResolvedInSLA metrics.Estimate
	Acted24h      metrics.Estimate
	Pending       int // not yet acted on, still within 24 h
	ResolvedBar   ciBar
	ActedBar      ciBar
	Link          bool // the viewer may work cases
	APIQuery      string
	NotApplied    string
}

func (s *Server) caseSLA(ctx context.Context, v *overviewView) (casesCard, error) {
	card := casesCard{Available: s.opt.Alerts != nil, Link: v.rc.Can(auth.WorkCases), NotApplied: v.notApplied(),
		APIQuery: url.Values{"from": {v.from.String()}, "to": {v.to.String()}}.Encode()}
	if !card.Available {
		return card, nil
	}
	ws := v.rc.Workspace.ID
	return card, parallel(
		func() error {
			o, err := s.opt.Alerts.CaseSLA(ctx, ws, v.start, v.end)
			if err != nil {
				return err
			}
			card.Created, card.Open, card.Pending = o.Cases, o.Open, o.PendingAction
			card.ResolvedInSLA, card.Acted24h = o.ResolvedWithinSLA, o.ActedWithin24h
			card.ResolvedBar = newCIBar(o.ResolvedWithinSLA.Value, o.ResolvedWithinSLA.CILow, o.ResolvedWithinSLA.CIHigh, 0, 100)
			card.ActedBar = newCIBar(o.ActedWithin24h.Value, o.ActedWithin24h.CILow, o.ActedWithin24h.CIHigh, 0, 100)
			return nil
		},
		func() error {
			counts, err := s.db.CaseInboxCounts(ctx, ws, 0, s.now())
			card.OpenNow, card.OverdueNow = counts.Active, counts.Overdue
			return err
		})
}

// painRow is a topic that pulls NPS down, with a link to its feedback.
type painRow struct {
	metrics.PainPoint
	Link string
	Bar  float64 // impact as % of the largest shown
}

// painCard lists the top pain points of the period (insights.PainPoints, as
// GET /api/v1/pain-points and the journey page).
type painCard struct {
	Points     []painRow
	Answers    int
	Truncated  bool
	Scope      string // the stage or touchpoint they are limited to, in the UI language
	NotApplied string
}

// painShown is how many pain points the overview lists.
const painShown = 5

// painPoints ranks the period's topics by negative impact × volume; with a
// stage (or else touchpoint) filter, within that stage (touchpoint).
func (s *Server) painPoints(ctx context.Context, v *overviewView) (painCard, error) {
	by := ""
	switch {
	case v.kept.Get("stage") != "":
		by = "stage"
	case v.kept.Get("touchpoint") != "":
		by = "touchpoint"
	}
	card := painCard{NotApplied: v.notApplied(by)}
	res, err := s.cachedPainPoints(ctx, v.rc.Workspace.ID, v.from, v.to, by)
	if err != nil {
		return card, err
	}
	card.Answers, card.Truncated = res.Answers, res.Truncated
	var group *insights.PainPointGroup
	for i := range res.Groups {
		if by == "" || res.Groups[i].Key[by] == v.kept.Get(by) {
			group = &res.Groups[i]
			break
		}
	}
	switch by {
	case "stage":
		card.Scope = v.rc.L.Label("stage", v.kept.Get(by))
	case "touchpoint":
		card.Scope = v.kept.Get(by)
	}
	if group == nil {
		return card, nil
	}
	if by != "" {
		card.Answers = group.NPS.N
	}
	top := group.PainPoints[:min(len(group.PainPoints), painShown)]
	for _, p := range top {
		link := url.Values{"topic": {p.Topic}, "from": {v.from.String()}, "to": {v.to.String()}}
		row := painRow{PainPoint: p, Link: "/feedback?" + link.Encode()}
		if top[0].Impact > 0 {
			row.Bar = r1(100 * p.Impact / top[0].Impact)
		}
		card.Points = append(card.Points, row)
	}
	return card, nil
}

// revenueCard is revenue at risk from the churn model (business.RevenueAtRisk,
// as GET /api/v1/revenue-at-risk), in total and per segment or region.
type revenueCard struct {
	HasModel    bool
	Total       business.RevenueGroup
	Groups      []business.RevenueGroup
	By          string // segment or region
	Selected    string // the group the page is filtered by
	Currency    string // the reporting currency of every amount
	Unconverted []business.UnconvertedCustomers
	RatesLink   bool // the viewer may set exchange rates
	AUC         *float64
	TrainedAt   time.Time
	HorizonDays int
	NotApplied  string
}

// revenueShown is how many groups the revenue card lists.
const revenueShown = 5

func (s *Server) revenueAtRisk(ctx context.Context, v *overviewView) (revenueCard, error) {
	by := "segment"
	if v.kept.Get("segment") == "" && v.kept.Get("region") != "" {
		by = "region"
	}
	card := revenueCard{By: by, Selected: v.kept.Get(by), NotApplied: v.notApplied(by)}
	svc := &business.Service{DB: s.db, Now: s.now}
	m, err := svc.Model(ctx, v.rc.Workspace.ID)
	if errors.Is(err, business.ErrNoModel) {
		return card, nil
	}
	if err != nil {
		return card, err
	}
	res, err := svc.RevenueAtRisk(ctx, v.rc.Workspace.ID, by)
	if errors.Is(err, business.ErrNoModel) {
		return card, nil
	}
	if err != nil {
		return card, err
	}
	card.HasModel, card.Total, card.AUC, card.TrainedAt, card.HorizonDays = true, res.Total, m.AUC, m.TrainedAt, res.HorizonDays
	card.Currency, card.Unconverted, card.RatesLink = res.Currency, res.Unconverted, v.rc.Can(auth.ManageSettings)
	for _, g := range res.Groups { // largest first
		if len(card.Groups) < revenueShown || g.Key == card.Selected {
			card.Groups = append(card.Groups, g)
		}
	}
	return card, nil
}
