package web

import (
	"net/http"
	"net/url"

	"vox/internal/insights"
	"vox/internal/metrics"
	"vox/internal/store"
)

// mentionSamples is how many recent mentions the page quotes.
const mentionSamples = 10

// mentionChannel is one channel's mention volume and tone in the period.
type mentionChannel struct {
	Channel                     string
	Items                       int
	Positive, Neutral, Negative int
	Index                       float64 // sentiment index
	Analysed                    int
	NegShare                    float64
}

// mentionsData is the mentions page: what is said about the company
// elsewhere, by channel and day.
type mentionsData struct {
	Filter    url.Values
	From, To  string
	Days      int
	Channels  []string
	ByChannel []mentionChannel
	Total     int
	Daily     barChart
	Samples   []feedbackRow
}

func (s *Server) mentionsPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	q := r.URL.Query()
	from, to, err := s.dayRange(q, rc)
	if err != nil {
		return err
	}
	data := mentionsData{Filter: url.Values{}, From: from.String(), To: to.String(), Days: int(to - from + 1), Channels: store.Channels}
	filters := map[string][]string{"kind": {"mention"}}
	channel := q.Get("channel")
	if channel != "" {
		filters["channel"] = []string{channel}
		data.Filter.Set("channel", channel)
	}
	// One read of the rollups for the four questions (insights.Metrics).
	res, err := s.insights().Metrics(ctx, rc.Workspace.ID, []insights.Query{
		{Metric: "volume", By: []string{"channel"}, From: from, To: to, Filters: filters},
		{Metric: "sentiment", By: []string{"channel"}, From: from, To: to, Filters: filters},
		{Metric: "volume", Grain: metrics.GrainDay, From: from, To: to, Filters: filters},
		{Metric: "sentiment", Grain: metrics.GrainDay, From: from, To: to, Filters: filters}})
	if err != nil {
		return err
	}
	vol, tone, dailyVol, dailyTone := res[0], res[1], res[2], res[3]
	byCh := map[string]*mentionChannel{}
	for _, g := range vol.Groups {
		mc := &mentionChannel{Channel: g.Key["channel"], Items: g.N}
		byCh[mc.Channel] = mc
		data.Total += g.N
	}
	for _, g := range tone.Groups {
		mc := byCh[g.Key["channel"]]
		if mc == nil {
			continue
		}
		mc.Positive, mc.Neutral, mc.Negative = intOf(g.Detail["positive"]), intOf(g.Detail["neutral"]), intOf(g.Detail["negative"])
		mc.Index, mc.Analysed = g.Value, g.N
		if g.N > 0 {
			mc.NegShare = float64(mc.Negative) / float64(g.N)
		}
	}
	for _, g := range vol.Groups {
		data.ByChannel = append(data.ByChannel, *byCh[g.Key["channel"]])
	}
	// Daily volume stacked by tone; items not analysed yet are their own part.
	type dayCounts struct{ items, pos, neu, neg int }
	days := map[string]*dayCounts{}
	for _, g := range dailyVol.Groups {
		days[g.Key[metrics.GrainDay]] = &dayCounts{items: g.N}
	}
	for _, g := range dailyTone.Groups {
		if d := days[g.Key[metrics.GrainDay]]; d != nil {
			d.pos, d.neu, d.neg = intOf(g.Detail["positive"]), intOf(g.Detail["neutral"]), intOf(g.Detail["negative"])
		}
	}
	bars := make([]stackedBar, 0, data.Days)
	for d := from; d <= to; d++ {
		c := days[d.String()]
		if c == nil {
			c = &dayCounts{}
		}
		other := max(0, c.items-c.pos-c.neu-c.neg)
		label := rc.L.DayMonth(d.Date())
		bars = append(bars, stackedBar{Label: label, Parts: []int{c.neg, c.neu, c.pos, other},
			Title: rc.L.T("mentions.day_title", label, c.items, c.pos, c.neu, c.neg)})
	}
	data.Daily = newBarChart(bars, []string{"seg-negative", "seg-neutral", "seg-positive", "seg-unknown"}, 640, 160,
		rc.L.T("mentions.chart"), rc.L.Num)
	loc := workspaceLocation(rc.Workspace)
	page, err := s.db.ListFeedback(ctx, rc.Workspace.ID, store.FeedbackFilter{Kind: "mention", Channel: channel,
		From: from.Start(loc), To: (to + 1).Start(loc), Limit: mentionSamples})
	if err != nil {
		return err
	}
	if data.Samples, err = s.feedbackRows(ctx, rc, page.Items); err != nil {
		return err
	}
	s.render(w, r, rc, http.StatusOK, "mentions", "mentions", rc.L.T("mentions.title"), data)
	return nil
}
