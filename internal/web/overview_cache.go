package web

import (
	"context"
	"sync"
	"time"

	"vox/internal/insights"
	"vox/internal/store"
)

// Pain points are the one overview card that runs a regression (key drivers
// over the period's answers per topic set, read from a rollup): thousands of
// rows and a solve per request. Their answer changes only with new feedback,
// so it is kept per workspace, period and grouping while the workspace's
// newest item stays the same, and for at most painCacheTTL (re-analysis or
// deletion changes topics without a new item).
const (
	painCacheTTL     = 5 * time.Minute
	painCacheEntries = 256
)

// overviewState is the Server's memory for the overview (zero value ready).
type overviewState struct {
	mu   sync.Mutex
	pain map[painKey]painEntry
}

type painKey struct {
	ws       int64
	from, to store.Day
	by       string
}

type painEntry struct {
	latest int64 // the workspace's newest item id when computed
	at     time.Time
	res    insights.PainPointsResult
}

// cachedPainPoints answers insights.PainPoints from the cache when the
// workspace has had no new item since, else computes and keeps it.
func (s *Server) cachedPainPoints(ctx context.Context, ws int64, from, to store.Day, by string) (insights.PainPointsResult, error) {
	latest, err := s.db.LatestFeedbackID(ctx, ws)
	if err != nil {
		return insights.PainPointsResult{}, err
	}
	key, now := painKey{ws, from, to, by}, s.now()
	st := &s.overviewCache
	st.mu.Lock()
	e, ok := st.pain[key]
	st.mu.Unlock()
	if ok && e.latest == latest && now.Sub(e.at) < painCacheTTL && now.Sub(e.at) >= 0 {
		return e.res, nil
	}
	res, err := s.insights().PainPoints(ctx, ws, from, to, by)
	if err != nil {
		return res, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.pain == nil || len(st.pain) >= painCacheEntries {
		st.pain = map[painKey]painEntry{} // a crude bound: start over when full
	}
	st.pain[key] = painEntry{latest: latest, at: now, res: res}
	return res, nil
}
