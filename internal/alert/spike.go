package alert

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"vox/internal/analytics"
	"vox/internal/metrics"
	"vox/internal/store"
)

// SpikeData is the data of spike.detected.
type SpikeData struct {
	Alert       store.Alert              `json:"alert"`
	Dimension   string                   `json:"dimension"` // all, channel or topic
	Value       string                   `json:"value"`
	Spike       metrics.Spike            `json:"spike"`
	WindowStart time.Time                `json:"window_start"`
	WindowEnd   time.Time                `json:"window_end"`
	Samples     []store.FeedbackItem     `json:"samples"`
	TopTerms    []analytics.EmergingTerm `json:"top_terms"`
}

// ScheduleSpikeScans queues one spike scan per workspace for the current
// minute. Replicas calling it at once queue each scan once (dedupe key).
func (s *Service) ScheduleSpikeScans(ctx context.Context) error {
	wss, err := s.db.Workspaces(ctx)
	if err != nil {
		return err
	}
	key := fmt.Sprintf("spike:%d", s.now().Unix()/60)
	for _, ws := range wss {
		if _, err := s.db.EnqueueJobs(ctx, ws.ID, []store.NewJob{{Kind: KindSpikeScan, DedupeKey: key, MaxAttempts: 1}}); err != nil {
			return err
		}
	}
	s.opt.Wake()
	return nil
}

// RunSpikeTicker schedules spike scans every period (one minute keeps the
// promise of an alert within a minute of the item that crosses the line)
// until ctx ends.
func (s *Service) RunSpikeTicker(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := s.ScheduleSpikeScans(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("schedule spike scans", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (s *Service) scanSpikesJob(ctx context.Context, job store.Job) error {
	_, err := s.ScanSpikes(ctx, job.WorkspaceID)
	return err
}

type spikeSeries struct{ total, negative []int }

// ScanSpikes compares the last window (ending now) of the workspace's
// feedback — overall, per channel and per busy topic — with the same window
// in previous weeks and with the recent negative share, and raises a
// spike.detected alert for each spike not already raised this hour.
func (s *Service) ScanSpikes(ctx context.Context, ws int64) ([]store.Alert, error) {
	cfg := s.opt.Spike
	weeks, window, minCount := cfg.Weeks, cfg.Window, cfg.MinCount
	if weeks <= 0 {
		weeks = 4
	}
	if window <= 0 {
		window = 1
	}
	if minCount <= 0 {
		minCount = 10
	}
	now := s.now()
	n := weeks*metrics.HoursPerWeek + window
	start := now.Add(-time.Duration(n) * time.Hour)
	counts, err := s.db.HourlyChannelCounts(ctx, ws, start, n)
	if err != nil {
		return nil, err
	}
	series := map[[2]string]*spikeSeries{}
	get := func(dim, v string) *spikeSeries {
		k := [2]string{dim, v}
		if series[k] == nil {
			series[k] = &spikeSeries{total: make([]int, n), negative: make([]int, n)}
		}
		return series[k]
	}
	for _, c := range counts {
		if c.Hour < 0 || c.Hour >= n {
			continue
		}
		for _, sr := range []*spikeSeries{get("all", ""), get("channel", c.Value)} {
			sr.total[c.Hour] += c.Total
			sr.negative[c.Hour] += c.Negative
		}
	}
	// Topics: only those busy enough in the window to possibly alert.
	winStart := now.Add(-time.Duration(window) * time.Hour)
	recent, err := s.db.RecentFeedbackSample(ctx, ws, "", "", winStart, now, 1000)
	if err != nil {
		return nil, err
	}
	topicCount := map[string]int{}
	for _, it := range recent {
		for _, t := range it.Topics {
			topicCount[t]++
		}
	}
	topics := make([]string, 0, len(topicCount))
	for t, c := range topicCount {
		if c >= minCount {
			topics = append(topics, t)
		}
	}
	sort.Slice(topics, func(i, j int) bool { return topicCount[topics[i]] > topicCount[topics[j]] })
	for _, t := range topics[:min(len(topics), 5)] {
		tc, err := s.db.HourlyTopicCounts(ctx, ws, t, start, n)
		if err != nil {
			return nil, err
		}
		sr := get("topic", t)
		for _, c := range tc {
			if c.Hour >= 0 && c.Hour < n {
				sr.total[c.Hour] += c.Total
				sr.negative[c.Hour] += c.Negative
			}
		}
	}
	keys := make([][2]string, 0, len(series))
	for k := range series {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i][0]+"\x00"+keys[i][1] < keys[j][0]+"\x00"+keys[j][1] })
	var raised []store.Alert
	for _, k := range keys {
		sr := series[k]
		var found []metrics.Spike
		if sp, ok := metrics.VolumeSpike(sr.total, n-1, cfg); ok {
			found = append(found, sp)
		}
		if sp, ok := metrics.NegativeShareSpike(sr.total, sr.negative, n-1, cfg); ok {
			found = append(found, sp)
		}
		for _, sp := range found {
			a, created, err := s.raiseSpike(ctx, ws, k[0], k[1], sp, winStart, now)
			if err != nil {
				return raised, err
			}
			if created {
				raised = append(raised, a)
			}
		}
	}
	return raised, nil
}

func (s *Service) raiseSpike(ctx context.Context, ws int64, dim, value string, sp metrics.Spike, from, to time.Time) (store.Alert, bool, error) {
	channel, topic := "", ""
	switch dim {
	case "channel":
		channel = value
	case "topic":
		topic = value
	}
	sample, err := s.db.RecentFeedbackSample(ctx, ws, channel, topic, from, to, 500)
	if err != nil {
		return store.Alert{}, false, err
	}
	base, err := s.db.RecentFeedbackSample(ctx, ws, channel, topic, from.Add(-24*time.Hour), from, 2000)
	if err != nil {
		return store.Alert{}, false, err
	}
	texts := func(items []store.FeedbackItem) []string {
		out := make([]string, 0, len(items))
		for _, it := range items {
			if it.Text != "" {
				out = append(out, it.Text)
			}
		}
		return out
	}
	terms := analytics.EmergingTerms(texts(sample), texts(base), analytics.EmergingOptions{MinRecent: 3, Limit: 10})
	if terms == nil {
		terms = []analytics.EmergingTerm{}
	}
	// Samples: negative ones first for a tone spike, newest first otherwise.
	if sp.Kind == metrics.SpikeNegativeShare {
		sort.SliceStable(sample, func(i, j int) bool {
			return sample[i].Sentiment == "negative" && sample[j].Sentiment != "negative"
		})
	}
	samples := make([]store.FeedbackItem, 0, 5)
	for _, it := range sample[:min(len(sample), 5)] {
		samples = append(samples, normalizeItem(it))
	}
	label := "all feedback"
	if dim != "all" {
		label = dim + " " + value
	}
	title := fmt.Sprintf("Volume spike in %s: %d items vs %.1f expected", label, sp.Count, sp.Expected)
	if sp.Kind == metrics.SpikeNegativeShare {
		title = fmt.Sprintf("Negativity surge in %s: %.0f%% negative vs %.0f%%", label, sp.Share*100, sp.BaselineShare*100)
	}
	var a store.Alert
	created := false
	err = s.inTx(ctx, ws, func(o *outbox) error {
		var err error
		a, created, err = o.tx.InsertAlert(ctx, store.Alert{WorkspaceID: ws, Kind: store.AlertSpike, Title: title, CreatedAt: s.now(),
			Details: map[string]any{"dimension": dim, "value": value, "spike": sp, "window_start": from, "window_end": to,
				"top_terms": terms},
			DedupeKey: fmt.Sprintf("spike:%s:%s:%s:%d", sp.Kind, dim, value, to.Unix()/3600)})
		if err != nil || !created {
			return err
		}
		if s.opt.Mailer != nil {
			if admins, _ := s.db.WorkspaceAdminEmails(ctx, ws); len(admins) > 0 {
				body := title + "\n\n"
				for _, it := range samples {
					body += "- " + it.Text + "\n"
				}
				o.add(KindEmail, emailPayload{To: admins, Subject: "Vox: " + title, Body: body}, s.now(), "")
			}
		}
		return o.emit(ctx, EventSpikeDetected, SpikeData{Alert: a, Dimension: dim, Value: value, Spike: sp, WindowStart: from,
			WindowEnd: to, Samples: samples, TopTerms: terms})
	})
	if created {
		s.log.Info("spike detected", slog.Int64("workspace", ws), slog.String("title", title))
	}
	return a, created, err
}
