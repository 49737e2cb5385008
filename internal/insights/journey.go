package insights

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"vox/internal/metrics"
	"vox/internal/store"
)

// Limits of a journey configuration.
const (
	MaxStages      = 20
	MaxTouchpoints = 100
)

var keyPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_\-]{0,63}$`)

// ValidateJourney checks a configuration a workspace wants to save: keys are
// short lower-case slugs, unique, touchpoint types known, and touchpoints
// refer only to configured stages. Errors name the field, e.g.
// "touchpoints[2].type".
func ValidateJourney(c store.JourneyConfig) error {
	if len(c.Stages) == 0 {
		return invalid("stages", "at least one stage is required")
	}
	if len(c.Stages) > MaxStages {
		return invalid("stages", "at most %d stages", MaxStages)
	}
	if len(c.Touchpoints) > MaxTouchpoints {
		return invalid("touchpoints", "at most %d touchpoints", MaxTouchpoints)
	}
	stages := map[string]bool{}
	for i, s := range c.Stages {
		f := fmt.Sprintf("stages[%d]", i)
		if !keyPattern.MatchString(s.Key) {
			return invalid(f+".key", "must be 1-64 characters a-z, 0-9, _ or - (got %q)", s.Key)
		}
		if stages[s.Key] {
			return invalid(f+".key", "stage %q given twice", s.Key)
		}
		if len(s.Name) > 200 {
			return invalid(f+".name", "is longer than 200 bytes")
		}
		stages[s.Key] = true
	}
	seen := map[string]bool{}
	types := []string{store.TouchpointPhysical, store.TouchpointDigital, store.TouchpointSocial}
	for i, tp := range c.Touchpoints {
		f := fmt.Sprintf("touchpoints[%d]", i)
		if !keyPattern.MatchString(tp.Key) {
			return invalid(f+".key", "must be 1-64 characters a-z, 0-9, _ or - (got %q)", tp.Key)
		}
		if seen[tp.Key] {
			return invalid(f+".key", "touchpoint %q given twice", tp.Key)
		}
		seen[tp.Key] = true
		if len(tp.Name) > 200 {
			return invalid(f+".name", "is longer than 200 bytes")
		}
		if !slices.Contains(types, tp.Type) {
			return invalid(f+".type", "must be one of %s", strings.Join(types, ", "))
		}
		for j, s := range tp.Stages {
			if !stages[s] {
				return invalid(fmt.Sprintf("%s.stages[%d]", f, j), "unknown stage %q", s)
			}
		}
	}
	return nil
}

// Score is a metric value with its 95 % interval and sample size.
type Score = metrics.Estimate

// TopicCount is a topic mentioned in a journey cell, with its sentiment index.
type TopicCount struct {
	Topic     string `json:"topic"`
	N         int    `json:"n"`
	Sentiment Score  `json:"sentiment"`
}

// JourneyCell is one stage × touchpoint of the journey map.
type JourneyCell struct {
	Stage      string       `json:"stage"`
	Touchpoint string       `json:"touchpoint"`
	Volume     int          `json:"volume"`
	NPS        Score        `json:"nps"`
	CSAT       Score        `json:"csat"`
	Sentiment  Score        `json:"sentiment"`
	TopTopics  []TopicCount `json:"top_topics"`
}

// MapStage is a stage of the map; Configured is false for stages found in
// feedback but not in the workspace's journey ("" is feedback without one).
type MapStage struct {
	store.JourneyStage
	Configured bool `json:"configured"`
}

// MapTouchpoint is a touchpoint of the map, like MapStage.
type MapTouchpoint struct {
	store.JourneyTouchpoint
	Configured bool `json:"configured"`
}

// JourneyMap is the journey with a cell per stage × touchpoint that has
// feedback in the period.
type JourneyMap struct {
	From        string          `json:"from"`
	To          string          `json:"to"`
	Stages      []MapStage      `json:"stages"`
	Touchpoints []MapTouchpoint `json:"touchpoints"`
	Cells       []JourneyCell   `json:"cells"`
}

// TopTopicsPerCell is how many topics a journey cell lists.
const TopTopicsPerCell = 5

func score(metric string, c *store.RollupCounts) Score {
	e := evaluate(metric, c)
	return Score{Value: e.value, CILow: e.lo, CIHigh: e.hi, N: e.n}
}

// JourneyMap builds the map over the local days [from, to] from two rollup
// queries (stage × touchpoint, and × topic).
func (s *Service) JourneyMap(ctx context.Context, workspaceID int64, from, to store.Day) (JourneyMap, error) {
	return s.FilteredJourneyMap(ctx, workspaceID, from, to, nil)
}

// FilteredJourneyMap is JourneyMap over the items whose dimension values are
// in filters (e.g. channel, region, segment: the web page's filters), read
// from the same rollups so that it agrees with Metric by stage, touchpoint
// under the same filters.
func (s *Service) FilteredJourneyMap(ctx context.Context, workspaceID int64, from, to store.Day, filters map[string][]string) (JourneyMap, error) {
	for d := range filters {
		if !slices.Contains(store.RollupDims, d) || d == "topic" {
			return JourneyMap{}, invalid("filter["+d+"]", "unknown dimension %q", d)
		}
	}
	if to < from {
		return JourneyMap{}, invalid("to", "is before from")
	}
	if to-from+1 > MaxRangeDays {
		return JourneyMap{}, invalid("from", "the range is longer than %d days", MaxRangeDays)
	}
	cfg, err := s.DB.JourneyConfig(ctx, workspaceID)
	if err != nil {
		return JourneyMap{}, err
	}
	cells, err := s.DB.RollupCounts(ctx, workspaceID, store.RollupQuery{From: from, To: to, Dims: []string{"stage", "touchpoint"}, Filters: filters})
	if err != nil {
		return JourneyMap{}, err
	}
	topics, err := s.DB.RollupCounts(ctx, workspaceID, store.RollupQuery{From: from, To: to, Dims: []string{"stage", "touchpoint", "topic"}, Filters: filters})
	if err != nil {
		return JourneyMap{}, err
	}
	m := JourneyMap{From: from.String(), To: to.String(), Cells: []JourneyCell{}}
	stageOrder, tpOrder := map[string]int{}, map[string]int{}
	for _, st := range cfg.Stages {
		stageOrder[st.Key] = len(m.Stages)
		m.Stages = append(m.Stages, MapStage{JourneyStage: st, Configured: true})
	}
	for _, tp := range cfg.Touchpoints {
		tpOrder[tp.Key] = len(m.Touchpoints)
		m.Touchpoints = append(m.Touchpoints, MapTouchpoint{JourneyTouchpoint: tp, Configured: true})
	}
	byCell := map[[2]string]*JourneyCell{}
	for i := range cells {
		c := &cells[i].Counts
		st, tp := cells[i].Key[0], cells[i].Key[1]
		if _, ok := stageOrder[st]; !ok {
			stageOrder[st] = len(m.Stages)
			m.Stages = append(m.Stages, MapStage{JourneyStage: store.JourneyStage{Key: st}})
		}
		if _, ok := tpOrder[tp]; !ok {
			tpOrder[tp] = len(m.Touchpoints)
			m.Touchpoints = append(m.Touchpoints, MapTouchpoint{JourneyTouchpoint: store.JourneyTouchpoint{Key: tp}})
		}
		m.Cells = append(m.Cells, JourneyCell{Stage: st, Touchpoint: tp, Volume: int(c.Items), NPS: score("nps", c),
			CSAT: score("csat", c), Sentiment: score("sentiment", c), TopTopics: []TopicCount{}})
	}
	for i := range m.Cells {
		byCell[[2]string{m.Cells[i].Stage, m.Cells[i].Touchpoint}] = &m.Cells[i]
	}
	for i := range topics {
		r := &topics[i]
		if cell := byCell[[2]string{r.Key[0], r.Key[1]}]; cell != nil {
			cell.TopTopics = append(cell.TopTopics, TopicCount{Topic: r.Key[2], N: int(r.Counts.Items), Sentiment: score("sentiment", &r.Counts)})
		}
	}
	for i := range m.Cells {
		c := &m.Cells[i]
		slices.SortFunc(c.TopTopics, func(a, b TopicCount) int { return cmp.Or(cmp.Compare(b.N, a.N), cmp.Compare(a.Topic, b.Topic)) })
		c.TopTopics = c.TopTopics[:min(len(c.TopTopics), TopTopicsPerCell)]
	}
	slices.SortFunc(m.Cells, func(a, b JourneyCell) int {
		return cmp.Or(cmp.Compare(stageOrder[a.Stage], stageOrder[b.Stage]), cmp.Compare(tpOrder[a.Touchpoint], tpOrder[b.Touchpoint]))
	})
	return m, nil
}

// Bounds of key-driver analysis.
const (
	// MinTopicMentions is the fewest answers a topic needs to be estimated.
	MinTopicMentions = 5
	// MaxDriverTopics bounds the regression's size (most mentioned first).
	MaxDriverTopics = 60
	// PainPointsPerGroup is how many pain points a group lists.
	PainPointsPerGroup = 10
)

// DriversResult is the key-driver analysis of NPS over a period.
type DriversResult struct {
	From    string            `json:"from"`
	To      string            `json:"to"`
	NPS     metrics.NPSResult `json:"nps"`
	Answers int               `json:"answers"`
	// Truncated is true when filtered drivers used only the newest
	// MaxDriverAnswers answers; unfiltered ones use every answer (rollups).
	Truncated bool             `json:"truncated"`
	Drivers   []metrics.Driver `json:"drivers"`
}

// MaxDriverAnswers bounds the raw answers a filtered driver analysis reads
// (the newest ones); unfiltered drivers read every answer from rollups.
const MaxDriverAnswers = 100_000

// answerSets returns the period's NPS answers grouped by stage, touchpoint,
// outcome and topic set: what key drivers need. Without filters they come
// from a rollup of a few rows per day (store.NPSTopicSets). That rollup keeps
// only stage and touchpoint, so with filters (channel, region, segment, …)
// the newest MaxDriverAnswers raw answers are read and grouped here, and
// truncated says whether there were more.
func (s *Service) answerSets(ctx context.Context, workspaceID int64, from, to store.Day, filters map[string][]string) ([]store.NPSTopicSet, bool, error) {
	if to < from {
		return nil, false, invalid("to", "is before from")
	}
	if to-from+1 > MaxRangeDays {
		return nil, false, invalid("from", "the range is longer than %d days", MaxRangeDays)
	}
	if len(filters) == 0 {
		sets, err := s.DB.NPSTopicSets(ctx, workspaceID, from, to)
		return sets, false, err
	}
	for d, vals := range filters {
		if !slices.Contains(store.RollupDims, d) || d == "topic" {
			return nil, false, invalid("filter["+d+"]", "unknown dimension %q (answers cannot be filtered by topic)", d)
		}
		for _, v := range vals {
			if (d == "employee" || d == "survey") && v != "" && strings.Trim(v, "0123456789") != "" {
				return nil, false, invalid("filter["+d+"]", "%q is not an id", v)
			}
		}
	}
	loc, err := s.Location(ctx, workspaceID)
	if err != nil {
		return nil, false, err
	}
	answers, truncated, err := s.DB.NPSAnswers(ctx, workspaceID, from.Start(loc), (to + 1).Start(loc), MaxDriverAnswers, filters)
	if err != nil {
		return nil, false, err
	}
	type key struct {
		stage, touchpoint, topics string
		outcome                   int
	}
	index := map[key]int{}
	var sets []store.NPSTopicSet
	for _, a := range answers {
		k := key{a.Stage, a.Touchpoint, store.TopicSetKey(a.Topics), store.NPSOutcomeOf(a.NPS)}
		i, ok := index[k]
		if !ok {
			var topics []string
			_ = json.Unmarshal([]byte(k.topics), &topics)
			i = len(sets)
			index[k] = i
			sets = append(sets, store.NPSTopicSet{Stage: a.Stage, Touchpoint: a.Touchpoint, Outcome: k.outcome, Topics: topics})
		}
		sets[i].Answers++
	}
	return sets, truncated, nil
}

// drivers runs metrics.KeyDrivers on the answers of sets over their topics
// mentioned at least MinTopicMentions times; n is the number of answers.
func drivers(sets []store.NPSTopicSet) (ds []metrics.Driver, nps metrics.NPSResult, n int) {
	mentions := map[string]int{}
	rows := make([]metrics.DriverRow, len(sets))
	var p, pa, d int
	for i, set := range sets {
		rows[i] = metrics.DriverRow{Outcome: 100 * float64(set.Outcome), Topics: set.Topics, Weight: set.Answers}
		for _, tp := range set.Topics {
			mentions[tp] += set.Answers
		}
		switch set.Outcome {
		case 1:
			p += set.Answers
		case 0:
			pa += set.Answers
		default:
			d += set.Answers
		}
	}
	var topics []string
	for tp, n := range mentions {
		if n >= MinTopicMentions {
			topics = append(topics, tp)
		}
	}
	slices.SortFunc(topics, func(a, b string) int { return cmp.Or(cmp.Compare(mentions[b], mentions[a]), cmp.Compare(a, b)) })
	topics = topics[:min(len(topics), MaxDriverTopics)]
	ds = metrics.KeyDrivers(rows, topics)
	if ds == nil {
		ds = []metrics.Driver{}
	}
	return ds, metrics.NPS(p, pa, d), p + pa + d
}

// Drivers estimates each topic's effect on NPS over the local days [from,
// to], largest impact (|effect| × share) first.
func (s *Service) Drivers(ctx context.Context, workspaceID int64, from, to store.Day) (DriversResult, error) {
	return s.FilteredDrivers(ctx, workspaceID, from, to, nil)
}

// FilteredDrivers is Drivers over the answers whose dimension values are
// in filters (channel, region, segment, …; not topic).
func (s *Service) FilteredDrivers(ctx context.Context, workspaceID int64, from, to store.Day, filters map[string][]string) (DriversResult, error) {
	sets, truncated, err := s.answerSets(ctx, workspaceID, from, to, filters)
	if err != nil {
		return DriversResult{}, err
	}
	ds, nps, n := drivers(sets)
	slices.SortStableFunc(ds, func(a, b metrics.Driver) int {
		return cmp.Compare(abs(b.Effect)*b.Share, abs(a.Effect)*a.Share)
	})
	return DriversResult{From: from.String(), To: to.String(), NPS: nps, Answers: n, Truncated: truncated, Drivers: ds}, nil
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// PainPointGroup is the pain points of one stage or touchpoint.
type PainPointGroup struct {
	Key        map[string]string   `json:"key"`
	NPS        metrics.NPSResult   `json:"nps"`
	PainPoints []metrics.PainPoint `json:"pain_points"`
}

// PainPointsResult ranks topics by negative impact × volume per group.
type PainPointsResult struct {
	From    string `json:"from"`
	To      string `json:"to"`
	By      string `json:"by,omitempty"`
	Answers int    `json:"answers"`
	// Truncated: see DriversResult.Truncated.
	Truncated bool             `json:"truncated"`
	Groups    []PainPointGroup `json:"groups"`
}

// PainPoints runs key drivers per value of by ("stage", "touchpoint", or ""
// for the whole workspace) and lists the topics that pull NPS down most.
func (s *Service) PainPoints(ctx context.Context, workspaceID int64, from, to store.Day, by string) (PainPointsResult, error) {
	return s.FilteredPainPoints(ctx, workspaceID, from, to, by, nil)
}

// FilteredPainPoints is PainPoints over the answers whose dimension values
// are in filters (channel, region, segment, …; not topic).
func (s *Service) FilteredPainPoints(ctx context.Context, workspaceID int64, from, to store.Day, by string, filters map[string][]string) (PainPointsResult, error) {
	if by != "" && by != "stage" && by != "touchpoint" {
		return PainPointsResult{}, invalid("by", "must be stage or touchpoint")
	}
	sets, truncated, err := s.answerSets(ctx, workspaceID, from, to, filters)
	if err != nil {
		return PainPointsResult{}, err
	}
	groups := map[string][]store.NPSTopicSet{}
	answers := 0
	for _, set := range sets {
		k := ""
		switch by {
		case "stage":
			k = set.Stage
		case "touchpoint":
			k = set.Touchpoint
		}
		groups[k] = append(groups[k], set)
		answers += set.Answers
	}
	order := map[string]int{}
	if by != "" {
		cfg, err := s.DB.JourneyConfig(ctx, workspaceID)
		if err != nil {
			return PainPointsResult{}, err
		}
		if by == "stage" {
			for i, st := range cfg.Stages {
				order[st.Key] = i + 1
			}
		} else {
			for i, tp := range cfg.Touchpoints {
				order[tp.Key] = i + 1
			}
		}
	}
	res := PainPointsResult{From: from.String(), To: to.String(), By: by, Answers: answers, Truncated: truncated, Groups: []PainPointGroup{}}
	for k, as := range groups {
		ds, nps, _ := drivers(as)
		pps := metrics.PainPoints(ds)
		if pps == nil {
			pps = []metrics.PainPoint{}
		}
		g := PainPointGroup{Key: map[string]string{}, NPS: nps, PainPoints: pps[:min(len(pps), PainPointsPerGroup)]}
		if by != "" {
			g.Key[by] = k
		}
		res.Groups = append(res.Groups, g)
	}
	// Configured stages/touchpoints in journey order, then the rest by size.
	rank := func(g PainPointGroup) int {
		if o, ok := order[g.Key[by]]; ok {
			return o
		}
		return len(order) + 1
	}
	slices.SortFunc(res.Groups, func(a, b PainPointGroup) int {
		return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(b.NPS.N, a.NPS.N), cmp.Compare(a.Key[by], b.Key[by]))
	})
	return res, nil
}
