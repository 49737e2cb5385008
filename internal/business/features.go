// Package business links customer experience to money: a churn-risk model
// per workspace trained on the workspace's own history, revenue at risk, and
// churn, retention and LTV per period and segment.
//
// It sits between the API (and reports) and the store, and keeps the metric
// definitions in internal/metrics: this package only decides which customers
// and which times go into them.
package business

import (
	"context"
	"math"
	"time"

	"vox/internal/store"
)

// Feature windows, as of a cutoff date.
const (
	recentWindow           = 90 * 24 * time.Hour  // item and negative counts, purchase frequency
	trendWindow            = 180 * 24 * time.Hour // sentiment mean and slope
	historyWindow          = 365 * 24 * time.Hour // NPS mean, detractor answers, last bad experience, spend
	neutralNPS             = 7.0                  // imputed when a customer never answered NPS
	maxDays                = 365.0                // cap of "days since" features
	slopeDaysPerUnit       = 30.0                 // sentiment slope is reported per 30 days
	minSlopeSpreadDays     = 7.0                  // standard deviation of the items' days below which there is no slope
	badExperienceDecayDays = 30.0
)

// FeatureNames are the churn model's inputs in vector order; the API shows
// each coefficient under its name. Tenure is deliberately absent: it grows
// with the cutoff date itself, so a model trained on older cutoffs would
// learn the calendar rather than the customer.
var FeatureNames = []string{
	"last_nps",               // the last 0-10 answer (7 when none)
	"no_nps",                 // 1 if the customer never answered NPS
	"mean_nps_365d",          // mean NPS answer of the last 365 days (7 when none)
	"detractor_answers_365d", // NPS answers 0-6 in the last 365 days
	"sentiment_mean_180d",    // mean sentiment score (−1..1) of the last 180 days
	"sentiment_trend_30d",    // least-squares slope of sentiment per 30 days
	"negative_items_90d",     // negative feedback items in the last 90 days
	"feedback_items_90d",     // all feedback items in the last 90 days
	"recent_bad_experience",  // exp(−days since the last negative item or detractor answer / 30); 0 when none
	"open_cases",             // cases open at the cutoff
	"days_since_purchase",    // recency (capped at 365; days since first seen when never bought)
	"purchases_90d",          // frequency
	"log_spend_365d",         // monetary: log(1 + spend of the last 365 days)
}

// featureSource holds everything needed to compute the features of every
// customer as of one cutoff; one set of grouped queries per cutoff.
type featureSource struct {
	at        time.Time
	feedback  map[int64]*store.FeedbackSignals
	purchases map[int64]store.PurchaseStats
	cases     map[int64]int
}

func loadFeatures(ctx context.Context, db *store.DB, workspaceID int64, at time.Time) (*featureSource, error) {
	fb, err := db.FeedbackSignalsAsOf(ctx, workspaceID, at, store.SignalWindows{Recent: recentWindow, Trend: trendWindow, History: historyWindow})
	if err != nil {
		return nil, err
	}
	pu, err := db.PurchaseStatsAsOf(ctx, workspaceID, at, recentWindow, historyWindow)
	if err != nil {
		return nil, err
	}
	cs, err := db.OpenCasesAsOf(ctx, workspaceID, at)
	if err != nil {
		return nil, err
	}
	return &featureSource{at: at, feedback: fb, purchases: pu, cases: cs}, nil
}

// daysSince is the whole days from t to the cutoff, capped at maxDays.
func (s *featureSource) daysSince(t time.Time) float64 {
	return math.Min(math.Max(0, s.at.Sub(t).Hours()/24), maxDays)
}

// vector computes one customer's features as of the source's cutoff.
func (s *featureSource) vector(c *store.BusinessCustomer) []float64 {
	x := make([]float64, len(FeatureNames))
	x[0], x[1], x[2] = neutralNPS, 1, neutralNPS
	if f := s.feedback[c.ID]; f != nil {
		if f.LastNPS != nil {
			x[0], x[1] = float64(*f.LastNPS), 0
		}
		if f.NPSCount > 0 {
			x[2] = float64(f.NPSSum) / float64(f.NPSCount)
		}
		x[3] = float64(f.Detractors)
		if f.SentimentN > 0 {
			x[4] = f.SumSentiment / float64(f.SentimentN)
		}
		x[5] = slope(f) * slopeDaysPerUnit
		x[6] = float64(f.Negative)
		x[7] = float64(f.Items)
		if !f.LastNegativeAt.IsZero() {
			// A decay rather than days: the risk after a bad experience
			// fades over weeks, and a linear model needs a linear input.
			x[8] = math.Exp(-s.daysSince(f.LastNegativeAt) / badExperienceDecayDays)
		}
	}
	x[9] = float64(s.cases[c.ID])
	x[10] = s.daysSince(c.FirstSeen)
	if p, ok := s.purchases[c.ID]; ok {
		x[10] = s.daysSince(p.LastAt)
		x[11] = float64(p.RecentCount)
		x[12] = math.Log1p(math.Max(0, p.RecentAmount))
	}
	return x
}

// slope is the least-squares slope of sentiment over days from the sums the
// store returns, bounded to what a −1..1 score can do in a month. It is 0
// with fewer than two scored items or items less than a week apart: two
// texts an hour apart gave slopes of ±1000 per 30 days, an outlier that a
// linear model then weighs more than every real signal.
func slope(f *store.FeedbackSignals) float64 {
	n := float64(f.SentimentN)
	if f.SentimentN < 2 {
		return 0
	}
	den := n*f.SumXX - f.SumX*f.SumX // n² × the variance of the days
	if den < minSlopeSpreadDays*minSlopeSpreadDays*n*n {
		return 0
	}
	perDay := (n*f.SumXY - f.SumX*f.SumSentiment) / den
	bound := 2 / slopeDaysPerUnit
	return math.Max(-bound, math.Min(bound, perDay))
}

// activeAt reports whether the customer was a customer at t: seen before it
// and not churned at or before it.
func activeAt(c *store.BusinessCustomer, t time.Time) bool {
	if !c.FirstSeen.Before(t) {
		return false
	}
	if c.ChurnedAt != nil && !c.ChurnedAt.After(t) {
		return false
	}
	// A status of churned without an event has no date: such a customer
	// cannot be placed in time and is left out rather than guessed.
	return c.ChurnedAt != nil || c.Status != "churned"
}

// churnedWithin reports whether the customer churned in (t, t+h].
func churnedWithin(c *store.BusinessCustomer, t time.Time, h time.Duration) bool {
	return c.ChurnedAt != nil && c.ChurnedAt.After(t) && !c.ChurnedAt.After(t.Add(h))
}
