package alert

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"time"

	"vox/internal/metrics"
	"vox/internal/store"
)

// Groupings of case statistics.
const (
	StatsByTeam  = "team"
	StatsByOwner = "owner"
)

// DurationSummary is a metrics.DurationStats in seconds, the unit the API
// speaks.
type DurationSummary struct {
	N             int     `json:"n"`
	MeanSeconds   float64 `json:"mean_seconds"`
	MedianSeconds float64 `json:"median_seconds"`
	P90Seconds    float64 `json:"p90_seconds"`
}

func summarize(st metrics.DurationStats) DurationSummary {
	return DurationSummary{N: st.N, MeanSeconds: st.Mean.Seconds(), MedianSeconds: st.Median.Seconds(), P90Seconds: st.P90.Seconds()}
}

// CaseStatsGroup is how fast one group of cases (a team, an owner, or all)
// was acted on, answered and resolved.
type CaseStatsGroup struct {
	Key      string `json:"key"`  // team name or owner employee id; "" for none
	Name     string `json:"name"` // team or owner name
	Cases    int    `json:"cases"`
	Open     int    `json:"open"`
	Resolved int    `json:"resolved"`
	// TimeToAction is first action − creation over the cases acted on.
	TimeToAction DurationSummary `json:"time_to_action"`
	// ActedWithin24h is the % of decided cases acted on within 24 h (a case
	// not acted on is decided once 24 h have passed); PendingAction counts
	// the undecided ones.
	ActedWithin24h metrics.Estimate `json:"acted_within_24h"`
	PendingAction  int              `json:"pending_action"`
	// ActedWithinSLA is the % of decided cases first acted on by their due
	// time; ResolvedWithinSLA the % resolved by it (decided: resolved, or
	// open past due).
	ActedWithinSLA    metrics.Estimate `json:"acted_within_sla"`
	ResolvedWithinSLA metrics.Estimate `json:"resolved_within_sla"`
	// FRT is the first reply to the customer − creation; ART is resolution −
	// creation over resolved cases.
	FRT DurationSummary `json:"frt"`
	ART DurationSummary `json:"art"`
}

// CaseStats answers GET /cases/stats.
type CaseStats struct {
	From    time.Time        `json:"from"`
	To      time.Time        `json:"to"`
	By      string           `json:"by,omitempty"`
	Overall CaseStatsGroup   `json:"overall"`
	Groups  []CaseStatsGroup `json:"groups"`
}

// CaseStats computes the statistics of the cases created in [from, to),
// overall and, when by is "team" or "owner", per group (largest first).
func (s *Service) CaseStats(ctx context.Context, ws int64, from, to time.Time, by string) (CaseStats, error) {
	if by != "" && by != StatsByTeam && by != StatsByOwner {
		return CaseStats{}, fieldErr("by", "must be team or owner")
	}
	if !from.Before(to) {
		return CaseStats{}, fieldErr("to", "must be after from")
	}
	rows, err := s.db.CaseTimings(ctx, ws, from, to)
	if err != nil {
		return CaseStats{}, err
	}
	now := s.now()
	out := CaseStats{From: from, To: to, By: by, Overall: caseGroupStats(rows, now), Groups: []CaseStatsGroup{}}
	if by == "" {
		return out, nil
	}
	groups := map[string][]store.CaseTiming{}
	names := map[string]string{}
	for _, r := range rows {
		key, name := r.Team, r.Team
		if by == StatsByOwner {
			key, name = "", r.OwnerName
			if r.OwnerID != nil {
				key = strconv.FormatInt(*r.OwnerID, 10)
			}
		}
		groups[key] = append(groups[key], r)
		names[key] = name
	}
	for key, rs := range groups {
		g := caseGroupStats(rs, now)
		g.Key, g.Name = key, names[key]
		out.Groups = append(out.Groups, g)
	}
	slices.SortFunc(out.Groups, func(a, b CaseStatsGroup) int {
		return cmp.Or(cmp.Compare(b.Cases, a.Cases), cmp.Compare(a.Key, b.Key))
	})
	return out, nil
}

// CaseSLA is CaseStats' overall group without its durations (time to
// action, FRT and ART are left empty): the counts and SLA shares of the
// cases created in [from, to), counted by the database at now truncated to
// the millisecond. At 1M items CaseStats read 11k cases and every case's
// events for FRT, which the overview's cases card does not show.
func (s *Service) CaseSLA(ctx context.Context, ws int64, from, to time.Time) (CaseStatsGroup, error) {
	if !from.Before(to) {
		return CaseStatsGroup{}, fieldErr("to", "must be after from")
	}
	c, err := s.db.CaseSLACounts(ctx, ws, from, to, s.now())
	if err != nil {
		return CaseStatsGroup{}, err
	}
	return CaseStatsGroup{Cases: c.Cases, Open: c.Open, Resolved: c.Resolved,
		ActedWithin24h: share(c.Acted24h, c.Decided24h), PendingAction: c.Pending24h,
		ActedWithinSLA: share(c.ActedInSLA, c.DecidedActSLA), ResolvedWithinSLA: share(c.ResolvedInSLA, c.DecidedResolve)}, nil
}

func caseGroupStats(rows []store.CaseTiming, now time.Time) CaseStatsGroup {
	g := CaseStatsGroup{Cases: len(rows)}
	times := make([]metrics.CaseTimes, 0, len(rows))
	var frt, art []time.Duration
	actedSLA, decidedActSLA, resolvedSLA, decidedResSLA := 0, 0, 0, 0
	for _, r := range rows {
		ct := metrics.CaseTimes{Created: r.CreatedAt}
		if r.FirstActionAt != nil {
			ct.FirstAction = *r.FirstActionAt
		}
		times = append(times, ct)
		switch {
		case r.FirstActionAt != nil:
			decidedActSLA++
			if !r.FirstActionAt.After(r.DueAt) {
				actedSLA++
			}
		case now.After(r.DueAt):
			decidedActSLA++
		}
		if r.FirstReplyAt != nil {
			frt = append(frt, max(r.FirstReplyAt.Sub(r.CreatedAt), 0))
		}
		if r.Status == store.CaseResolved && r.ResolvedAt != nil {
			g.Resolved++
			art = append(art, max(r.ResolvedAt.Sub(r.CreatedAt), 0))
			decidedResSLA++
			if !r.ResolvedAt.After(r.DueAt) {
				resolvedSLA++
			}
		} else {
			g.Open++
			if now.After(r.DueAt) {
				decidedResSLA++
			}
		}
	}
	act := metrics.TimeToAction(times, metrics.DefaultActionTarget, now)
	g.TimeToAction = summarize(act.TimeToAction)
	g.ActedWithin24h, g.PendingAction = act.Within, act.Pending
	g.ActedWithinSLA = share(actedSLA, decidedActSLA)
	g.ResolvedWithinSLA = share(resolvedSLA, decidedResSLA)
	g.FRT, g.ART = summarize(metrics.Durations(frt)), summarize(metrics.Durations(art))
	return g
}

// share is k of n in percent with its Wilson interval (0 of 0: 0, 0..100).
func share(k, n int) metrics.Estimate {
	if n <= 0 {
		return metrics.Estimate{CIHigh: 100}
	}
	lo, hi := metrics.Wilson(k, n)
	return metrics.Estimate{Value: 100 * float64(k) / float64(n), CILow: 100 * lo, CIHigh: 100 * hi, N: n}
}
