// Package metrics holds Vox's metric definitions as pure functions: NPS, CSAT,
// CES, sentiment index, response, churn and retention rates, LTV, case timings,
// employee leaderboards, key drivers, the churn-risk model, spike detection and
// time bucketing.
//
// The definitions are part of the product (they are shown in the UI, see
// DESIGN.md "Metrics"), so every function here states exactly what it computes.
// Nothing in this package touches a database, the network or the clock: callers
// pass counts or samples in and get numbers with their sample size and 95 %
// confidence interval out, which makes the numbers testable against hand-computed
// fixtures and identical whether they come from rollups or raw items.
//
// Percent-like metrics (NPS, CSAT, rates, shares) are reported in points on a
// 0..100 (NPS and sentiment index: −100..100) scale. An empty sample (n = 0)
// yields a zero value with the widest possible interval rather than NaN, so
// results always encode to JSON; callers show n beside every number.
package metrics
