package web

import (
	"net/http"
	"net/url"
	"strconv"

	"vox/internal/auth"
	"vox/internal/insights"
	"vox/internal/metrics"
)

// leaderboardDays is the default period of the leaderboard: long enough for
// most employees to reach the minimum sample.
const leaderboardDays = 90

// praiseMax is how many positive items the praise feed shows.
const praiseMax = 20

// leaderRow is one employee's NPS with its interval, drawn as a bar.
type leaderRow struct {
	Rank                 int
	Name                 string
	Score, CILow, CIHigh float64
	N                    int
	Bar                  ciBar
	Own                  bool
}

// praiseRow is a positive item with the employee it praises.
type praiseRow struct {
	Row      feedbackRow
	Employee string
}

// employeesData is the employees page: the leaderboard and praise feed for
// managers, the employee's own score and praise for an employee.
type employeesData struct {
	Filter       url.Values
	From, To     string
	Days         int
	MinSample    int
	Ranked       []leaderRow
	Insufficient []leaderRow
	RankedCount  int
	Praise       []praiseRow
	OwnView      bool
	NoEmployee   bool
	Me           *leaderRow
	MeRanked     bool
}

func intOf(v any) int {
	switch x := v.(type) {
	case int:
		return x
	case int64:
		return int(x)
	case float64:
		return int(x)
	}
	return 0
}

func (s *Server) employeesPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	q := r.URL.Query()
	if q.Get("from") == "" && q.Get("to") == "" {
		q = cloneValues(q)
		to := s.insights().Today(workspaceLocation(rc.Workspace))
		q.Set("from", (to - leaderboardDays + 1).String())
	}
	from, to, err := s.dayRange(q, rc)
	if err != nil {
		return err
	}
	data := employeesData{Filter: url.Values{}, From: from.String(), To: to.String(), Days: int(to - from + 1),
		MinSample: metrics.DefaultMinEmployeeSample, OwnView: !rc.Can(auth.ViewEmployees)}
	me, _, ok, err := s.ownEmployee(ctx, rc)
	if err != nil {
		return err
	}
	if data.OwnView && !ok {
		data.NoEmployee = true
		s.render(w, r, rc, http.StatusOK, "employees", "employees", rc.L.T("employees.title"), data)
		return nil
	}
	names, err := s.employeeNames(ctx, rc.Workspace.ID)
	if err != nil {
		return err
	}
	res, err := s.insights().Metric(ctx, rc.Workspace.ID, insights.Query{Metric: "nps", By: []string{"employee"}, From: from, To: to})
	if err != nil {
		return err
	}
	counts := make([]metrics.EmployeeNPSCounts, 0, len(res.Groups))
	for _, g := range res.Groups {
		if g.Key["employee"] == "" {
			continue // answers without an employee
		}
		counts = append(counts, metrics.EmployeeNPSCounts{Employee: g.Key["employee"], Promoters: intOf(g.Detail["promoters"]),
			Passives: intOf(g.Detail["passives"]), Detractors: intOf(g.Detail["detractors"])})
	}
	lb := metrics.RankEmployeesNPS(counts, data.MinSample)
	row := func(e metrics.EmployeeScore) leaderRow {
		id, _ := strconv.ParseInt(e.Employee, 10, 64)
		name := names[id]
		if name == "" {
			name = rc.L.T("employees.unknown", id)
		}
		return leaderRow{Rank: e.Rank, Name: name, Score: e.Score, CILow: e.CILow, CIHigh: e.CIHigh, N: e.N,
			Bar: newCIBar(e.Score, e.CILow, e.CIHigh, -100, 100), Own: id == me && me > 0}
	}
	data.RankedCount = len(lb.Ranked)
	for _, e := range lb.Ranked {
		lr := row(e)
		if lr.Own {
			data.Me, data.MeRanked = &lr, true
		}
		if !data.OwnView {
			data.Ranked = append(data.Ranked, lr)
		}
	}
	for _, e := range lb.Insufficient {
		lr := row(e)
		if lr.Own {
			data.Me = &lr
		}
		if !data.OwnView {
			data.Insufficient = append(data.Insufficient, lr)
		}
	}
	items, err := s.db.PraiseFeed(ctx, rc.Workspace.ID, me, praiseMax)
	if err != nil {
		return err
	}
	rows, err := s.feedbackRows(ctx, rc, items)
	if err != nil {
		return err
	}
	for i, fr := range rows {
		data.Praise = append(data.Praise, praiseRow{Row: fr, Employee: names[*items[i].EmployeeID]})
	}
	s.render(w, r, rc, http.StatusOK, "employees", "employees", rc.L.T("employees.title"), data)
	return nil
}
