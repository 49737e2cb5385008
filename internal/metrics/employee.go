package metrics

import (
	"cmp"
	"slices"
)

// DefaultMinEmployeeSample is the number of answers an employee needs before
// their score is shown and ranked.
const DefaultMinEmployeeSample = 10

// EmployeeNPSCounts are one employee's NPS answers.
type EmployeeNPSCounts struct {
	Employee                        string
	Promoters, Passives, Detractors int
}

// EmployeeCSATCounts are one employee's CSAT answers: Satisfied of N in the top
// two points.
type EmployeeCSATCounts struct {
	Employee     string
	Satisfied, N int
}

// EmployeeScore is one leaderboard row. Rank is 1-based for ranked employees
// and 0 for those below the minimum sample.
type EmployeeScore struct {
	Employee string  `json:"employee"`
	Score    float64 `json:"value"`
	CILow    float64 `json:"ci_low"`
	CIHigh   float64 `json:"ci_high"`
	N        int     `json:"n"`
	Rank     int     `json:"rank"`
}

// Leaderboard is employees ranked by the lower bound of their 95 % interval,
// and those with too few answers to be ranked (by name).
type Leaderboard struct {
	Ranked       []EmployeeScore `json:"ranked"`
	Insufficient []EmployeeScore `json:"insufficient"`
}

// RankEmployeesNPS ranks employees by the lower bound of the adjusted-Wald NPS
// interval (see NPSAdjusted), so that a lucky handful of promoters does not beat
// a long record of good scores. Employees with fewer than minSample answers
// (≤ 0 means DefaultMinEmployeeSample) are listed as insufficient, unranked.
func RankEmployeesNPS(rows []EmployeeNPSCounts, minSample int) Leaderboard {
	scores := make([]EmployeeScore, len(rows))
	for i, r := range rows {
		res := NPSAdjusted(r.Promoters, r.Passives, r.Detractors)
		scores[i] = EmployeeScore{Employee: r.Employee, Score: res.Score, CILow: res.CILow, CIHigh: res.CIHigh, N: res.N}
	}
	return rank(scores, minSample)
}

// RankEmployeesCSAT ranks employees by the lower bound of the Wilson interval of
// their top-two-box CSAT, with the same minimum-sample rule as RankEmployeesNPS.
func RankEmployeesCSAT(rows []EmployeeCSATCounts, minSample int) Leaderboard {
	scores := make([]EmployeeScore, len(rows))
	for i, r := range rows {
		e := proportionEstimate(r.Satisfied, r.N)
		scores[i] = EmployeeScore{Employee: r.Employee, Score: e.Value, CILow: e.CILow, CIHigh: e.CIHigh, N: e.N}
	}
	return rank(scores, minSample)
}

// rank orders by lower bound, then larger sample, then score, then name, so the
// order is total and stable across runs.
func rank(scores []EmployeeScore, minSample int) Leaderboard {
	if minSample <= 0 {
		minSample = DefaultMinEmployeeSample
	}
	var lb Leaderboard
	for _, s := range scores {
		if s.N >= minSample {
			lb.Ranked = append(lb.Ranked, s)
		} else {
			lb.Insufficient = append(lb.Insufficient, s)
		}
	}
	slices.SortFunc(lb.Ranked, func(a, b EmployeeScore) int {
		return cmp.Or(
			cmp.Compare(b.CILow, a.CILow),
			cmp.Compare(b.N, a.N),
			cmp.Compare(b.Score, a.Score),
			cmp.Compare(a.Employee, b.Employee),
		)
	})
	for i := range lb.Ranked {
		lb.Ranked[i].Rank = i + 1
	}
	slices.SortFunc(lb.Insufficient, func(a, b EmployeeScore) int {
		return cmp.Compare(a.Employee, b.Employee)
	})
	return lb
}
