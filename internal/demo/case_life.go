package demo

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"vox/internal/store"
)

// caseInput is what the replay of the rules on past items needs.
type caseInput struct {
	ws        int64
	now       time.Time
	story     story
	items     []store.FeedbackItem // oldest first
	rules     []caseRule           // evaluation order
	roster    *roster
	customers map[int64]store.Customer
	notified  []string // who escalations tell: the workspace admins, as no employee has a manager
}

// itemHistory is what the rules did on one item: the alerts they raised at
// firedAt, its case with the case's history, and its new tags (nil: none).
type itemHistory struct {
	item    *store.FeedbackItem
	fired   []caseRule
	firedAt time.Time
	kase    *store.Case // final state; InsertCase stores it as open first
	events  []store.CaseEvent
	tags    []string
}

// roster is who can own a case: support agents by the language they speak,
// and store and courier staff by team and region for hand-overs.
type roster struct {
	support  map[string][]store.Employee
	anyAgent []store.Employee
	onSite   map[[2]string][]store.Employee // team, region
	byID     map[int64]store.Employee
	regions  map[string]*region // by name: local names and working hours
	effect   map[int64]float64
	turn     map[string]int // round-robin cursor per language
}

func newRoster(emps []store.Employee, spec *workspaceSpec) *roster {
	lang, effect := map[string]string{}, map[string]float64{}
	for _, e := range spec.employees {
		lang[e.extID], effect[e.extID] = e.lang, e.effect
	}
	ro := &roster{support: map[string][]store.Employee{}, onSite: map[[2]string][]store.Employee{},
		byID: map[int64]store.Employee{}, regions: map[string]*region{}, effect: map[int64]float64{}, turn: map[string]int{}}
	for i := range spec.regions {
		ro.regions[spec.regions[i].name] = &spec.regions[i]
	}
	slices.SortFunc(emps, func(a, b store.Employee) int { return strings.Compare(a.ExternalID, b.ExternalID) })
	for _, e := range emps {
		ro.byID[e.ID] = e
		ro.effect[e.ID] = effect[e.ExternalID]
		switch e.Team {
		case caseTeam:
			ro.support[lang[e.ExternalID]] = append(ro.support[lang[e.ExternalID]], e)
			ro.anyAgent = append(ro.anyAgent, e)
		case teamStore, teamCourier:
			k := [2]string{e.Team, e.Region}
			ro.onSite[k] = append(ro.onSite[k], e)
		}
	}
	return ro
}

// agent picks the next support agent who speaks lang, round robin.
func (ro *roster) agent(lang string) *store.Employee {
	list := ro.support[lang]
	if len(list) == 0 {
		list, lang = ro.anyAgent, ""
	}
	if len(list) == 0 {
		return nil
	}
	e := list[ro.turn[lang]%len(list)]
	ro.turn[lang]++
	return &e
}

// shift is the offset of e's local time from UTC (0 for a region the demo
// does not know).
func (ro *roster) shift(e *store.Employee) time.Duration {
	if reg, ok := ro.regions[e.Region]; ok {
		return time.Duration(reg.utcShift) * time.Hour
	}
	return 0
}

// Working hours of the people who work cases, in their region's local time.
const shiftStart, shiftEnd = 9, 21

// onShift moves t to when e is at work: t itself during working hours, else
// the next shift's start plus jitter.
func (ro *roster) onShift(t time.Time, e *store.Employee, jitter time.Duration) time.Time {
	if e == nil {
		return t
	}
	shift := ro.shift(e)
	local := t.Add(shift)
	day := local.Truncate(24 * time.Hour)
	switch h := local.Sub(day); {
	case h < shiftStart*time.Hour:
		return day.Add(shiftStart*time.Hour + jitter - shift)
	case h >= shiftEnd*time.Hour:
		return day.Add(24*time.Hour + shiftStart*time.Hour + jitter - shift)
	}
	return t
}

// beforeShiftEnd moves an off-hours t back to the end of e's last shift,
// minus jitter: the case closed before leaving rather than the next day.
func (ro *roster) beforeShiftEnd(t time.Time, e *store.Employee, jitter time.Duration) time.Time {
	if e == nil {
		return t
	}
	shift := ro.shift(e)
	local := t.Add(shift)
	day := local.Truncate(24 * time.Hour)
	switch h := local.Sub(day); {
	case h < shiftStart*time.Hour:
		return day.Add(shiftEnd*time.Hour - 24*time.Hour - jitter - shift)
	case h >= shiftEnd*time.Hour:
		return day.Add(shiftEnd*time.Hour - jitter - shift)
	}
	return t
}

// Fates force the course of a case, so that even a small demo has a case
// in every open status and a couple overdue.
const (
	fateNatural   = iota
	fateUntouched // nobody acted yet
	fateTaken     // in progress, not resolved
	fateStuck     // waiting and never resolved
)

// caseLife is a case's sampled course: delays from its creation (negative:
// never) and the texts people wrote. build turns it into events up to now.
type caseLife struct {
	fate                int
	item                *store.FeedbackItem
	rule                caseRule
	created             time.Time
	owner               *store.Employee
	name                string // the customer, as an agent greets them
	firstAct, resolve   time.Duration
	work                time.Duration // least time from the first action to resolution
	note, contact       string        // first internal note ("" none); phone-call note when there is no reply channel
	reply, replyChannel string        // first reply to the customer and where it went ("" none)
	replyTo             string
	handover            *store.Employee
	handoverNote        string
	waiting             bool
	waitFrac            float64
	waitNote            string
	cause, causeNote    string
	finalReply          string
	gaps                [4]time.Duration // between the first-action steps
	incident            bool
}

// logNormal draws a duration with the given median; sigma spreads it.
func logNormal(r *rand.Rand, median time.Duration, sigma float64) time.Duration {
	return time.Duration(float64(median) * math.Exp(sigma*r.NormFloat64()))
}

func minutes(r *rand.Rand, lo, hi int) time.Duration {
	return time.Duration(lo*60+r.IntN((hi-lo)*60+1)) * time.Second
}

// planCaseHistory replays the rules on the items the way the alert hook
// does when they arrive, and gives each case a course: first action after
// a log-normal delay (median 3 h, 1 h on VIP cases, longer for the weak
// agents and during the delivery incident) in the owner's working hours, a
// reply or a call, sometimes a hand-over to the store or courier team of
// the region or a wait for the customer, and resolution with a root cause,
// mostly within the SLA; what would happen after now is cut off.
func planCaseHistory(r *rand.Rand, in caseInput) []itemHistory {
	var out []itemHistory
	var lives []*caseLife
	var cases []int // index into out of each case, parallel to lives
	for i := range in.items {
		it := &in.items[i]
		h := itemHistory{item: it}
		var opener *caseRule
		for _, cr := range in.rules {
			if !cr.match.Matches(it, nil) {
				continue
			}
			h.fired = append(h.fired, cr)
			if cr.sla > 0 && opener == nil {
				opener = &cr
			}
			for _, t := range cr.tags {
				if !slices.Contains(it.Tags, t) && !slices.Contains(h.tags, t) {
					h.tags = append(h.tags, t)
				}
			}
		}
		if len(h.fired) == 0 {
			continue
		}
		if h.tags != nil {
			h.tags = append(slices.Clone(it.Tags), h.tags...)
		}
		h.firedAt = it.OccurredAt.Add(minutes(r, 1, 8))
		if h.firedAt.After(in.now) {
			h.firedAt = it.OccurredAt
		}
		if opener != nil {
			lives = append(lives, sampleLife(r, in, it, *opener, h.firedAt))
			cases = append(cases, len(out))
		}
		out = append(out, h)
	}
	for k, l := range lives {
		out[cases[k]].kase, out[cases[k]].events = l.build(in)
	}
	forceOpenWork(in, out, lives, cases)
	return out
}

// forceOpenWork makes sure the inbox has work today: at least one case in
// each open status and two overdue ones. The natural course gives that on
// the default demo; a small one needs the newest cases bent.
func forceOpenWork(in caseInput, out []itemHistory, lives []*caseLife, cases []int) {
	count := func() (map[string]int, int) {
		by, overdue := map[string]int{}, 0
		for _, k := range cases {
			c := out[k].kase
			by[c.Status]++
			if c.Status != store.CaseResolved && in.now.After(c.DueAt) {
				overdue++
			}
		}
		return by, overdue
	}
	// bend gives the newest natural case that ok accepts the fate, unless
	// it is the only case of its open status.
	bend := func(fate int, ok func(l *caseLife) bool) bool {
		by, _ := count()
		for j := len(lives) - 1; j >= 0; j-- {
			l, st := lives[j], out[cases[j]].kase.Status
			if l.fate != fateNatural || !ok(l) || (st != store.CaseResolved && by[st] == 1) {
				continue
			}
			l.fate = fate
			out[cases[j]].kase, out[cases[j]].events = l.build(in)
			return true
		}
		return false
	}
	age := func(l *caseLife) time.Duration { return in.now.Sub(l.created) }
	if by, _ := count(); by[store.CaseOpen] == 0 {
		bend(fateUntouched, func(*caseLife) bool { return true })
	}
	if by, _ := count(); by[store.CaseInProgress] == 0 {
		bend(fateTaken, func(l *caseLife) bool { return age(l) > 30*time.Minute })
	}
	if by, _ := count(); by[store.CaseWaiting] == 0 {
		bend(fateStuck, func(l *caseLife) bool { return age(l) > 3*time.Hour })
	}
	for _, overdue := count(); overdue < 2; overdue++ {
		if !bend(fateStuck, func(l *caseLife) bool { return age(l) > l.rule.sla+6*time.Hour && age(l) < 5*24*time.Hour }) {
			break
		}
	}
}

// sampleLife draws the course of the case rule cr opens on it at created.
func sampleLife(r *rand.Rand, in caseInput, it *store.FeedbackItem, cr caseRule, created time.Time) *caseLife {
	b := caseBankFor(it.Lang)
	l := &caseLife{item: it, rule: cr, created: created, owner: in.roster.agent(it.Lang)}
	st := in.story
	l.incident = it.Region == incidentRegionName && it.Touchpoint == "delivery" &&
		!it.OccurredAt.Before(st.incidentFrom) && it.OccurredAt.Before(st.incidentTo)
	faMedian := 3 * time.Hour
	if cr.sla <= 8*time.Hour {
		faMedian = time.Hour
	}
	if l.incident {
		faMedian = 6 * time.Hour // a burst of cases queues up
	}
	// The agents customers like answer sooner; the weak ones let cases
	// sit, which the per-owner statistics show.
	if l.owner != nil {
		faMedian = time.Duration(float64(faMedian) * math.Exp(-0.6*in.roster.effect[l.owner.ID]))
	}
	l.firstAct = min(logNormal(r, faMedian, 1.25), 6*24*time.Hour)

	var cust *store.Customer
	if it.CustomerID != nil {
		if c, ok := in.customers[*it.CustomerID]; ok {
			cust = &c
			l.name = greetingName(c.Name, it.Lang)
		}
	}
	l.replyChannel, l.replyTo = replyTarget(it, cust)
	agent := ""
	if l.owner != nil {
		agent = firstNameOf(l.owner.Name)
	}
	if l.replyChannel != "" && r.Float64() < 0.8 {
		l.reply = fillCase(pick(r, b.firstReply), "{name}", l.name, "{agent}", agent)
	} else {
		l.contact = pick(r, b.noContactNote)
	}
	switch {
	case l.incident && r.Float64() < 0.7:
		l.note = b.incidentNote
	case r.Float64() < 0.3:
		l.note = pick(r, b.firstNote)
	}
	for i := range l.gaps {
		l.gaps[i] = minutes(r, 2, 25)
	}
	l.gaps[2] = minutes(r, 20, 120) // a hand-over takes a while

	l.cause = rootCause(r, it, l.incident)
	l.causeNote = b.resolution[l.cause]
	if it.EmployeeID != nil {
		if served, ok := in.roster.byID[*it.EmployeeID]; ok {
			p := 0.2
			if l.incident {
				p = 0.5
			}
			// The store or courier team of the region takes over; the
			// employee complained about is not given the case when the
			// complaint is about their manners.
			var mates []store.Employee
			for _, e := range in.roster.onSite[[2]string{served.Team, served.Region}] {
				if e.ID != served.ID || l.cause != causeRudeStaff {
					mates = append(mates, e)
				}
			}
			if len(mates) > 0 && r.Float64() < p {
				to := pick(r, mates)
				l.handover = &to
				city := to.Region
				if reg, ok := in.roster.regions[to.Region]; ok {
					city = reg.cityName(it.Lang)
				}
				l.handoverNote = fillCase(b.handoverNote, "{team}", cmp.Or(b.teams[to.Team], to.Team), "{city}", city)
			}
		}
	}
	// The wait note is drawn for every case: forceOpenWork may make any
	// case wait.
	l.waiting, l.waitFrac, l.waitNote = r.Float64() < 0.3, 0.2+0.4*r.Float64(), pick(r, b.waitingNote)
	// Most cases close within the SLA, a few well after it (waiting on a
	// refund, a supplier, a customer who does not answer).
	if r.Float64() < 0.05 {
		l.resolve = cr.sla + time.Duration((0.5+r.ExpFloat64())*30*float64(time.Hour))
	} else {
		l.resolve = time.Duration(float64(cr.sla) * min(0.97, 0.45*math.Exp(0.4*r.NormFloat64())))
	}
	l.work = l.gaps[0] + l.gaps[1] + logNormal(r, 90*time.Minute, 0.6)
	l.resolve = max(l.resolve, l.firstAct+l.work)
	// Now and then a case of the last two weeks got stuck waiting.
	if age := in.now.Sub(created); age > 3*24*time.Hour && age < 14*24*time.Hour && r.Float64() < 0.03 {
		l.fate = fateStuck
	}
	if l.reply != "" && r.Float64() < 0.5 {
		l.finalReply = fillCase(pick(r, b.finalReply), "{name}", l.name)
	}
	return l
}

func firstNameOf(name string) string {
	if f := strings.Fields(name); len(f) > 1 {
		return f[0]
	}
	return name
}

// replyTarget is where a reply to the customer goes, as alert.Reply picks
// it: Telegram for a Telegram item, else email, else Telegram.
func replyTarget(it *store.FeedbackItem, cust *store.Customer) (string, string) {
	if cust == nil {
		return "", ""
	}
	identity := func(kind string) string {
		for _, idn := range cust.Identities {
			if idn.Kind == kind {
				return idn.Value
			}
		}
		return ""
	}
	tg, email := identity(store.IdentityTelegramID), identity(store.IdentityEmail)
	switch {
	case it.Channel == "telegram" && tg != "":
		return "telegram", tg
	case email != "":
		return "email", email
	case tg != "":
		return "telegram", tg
	}
	return "", ""
}

// rootCause is what the team finds: the delivery breakdown for the
// incident's cases, else the topic of the complaint, and now and then
// nothing wrong at all.
func rootCause(r *rand.Rand, it *store.FeedbackItem, incident bool) string {
	if incident && r.Float64() < 0.95 {
		return causeDelivery
	}
	if r.Float64() < 0.1 {
		return causeNoIssue
	}
	for _, tc := range topicCauses {
		if slices.Contains(it.Topics, tc.topic) {
			return tc.cause
		}
	}
	if c, ok := touchpointCauses[it.Touchpoint]; ok {
		return c
	}
	return causeSupport
}

// caseTitle is the title the alert service gives a rule's case.
func caseTitle(rule string, it *store.FeedbackItem) string {
	t := strings.Join(strings.Fields(it.Text), " ")
	if r := []rune(t); len(r) > 80 {
		t = string(r[:77]) + "..."
	}
	if it.NPS != nil {
		return fmt.Sprintf("%s: NPS %d %s", rule, *it.NPS, t)
	}
	return strings.TrimSpace(rule + ": " + t)
}

// build turns the course into the case as it stands at in.now and its
// events up to then, oldest first.
func (l *caseLife) build(in caseInput) (*store.Case, []store.CaseEvent) {
	firstAct, resolve, waiting := l.firstAct, l.resolve, l.waiting
	if age := in.now.Sub(l.created); l.fate == fateTaken || l.fate == fateStuck {
		firstAct, resolve = min(firstAct, age/2), -1
		waiting = l.fate == fateStuck
	} else if l.fate == fateUntouched {
		firstAct, resolve = -1, -1
	}
	c := &store.Case{WorkspaceID: in.ws, FeedbackID: &l.item.ID, CustomerID: l.item.CustomerID, RuleID: &l.rule.rule.ID,
		Team: caseTeam, Title: caseTitle(l.rule.rule.Name, l.item), Status: store.CaseOpen,
		SLAMinutes: int64(l.rule.sla / time.Minute), DueAt: l.created.Add(l.rule.sla), CreatedAt: l.created}
	owner := l.owner
	actor := func() string {
		if owner == nil || owner.Email == "" {
			return "agent@vox.local"
		}
		return owner.Email
	}
	if owner != nil {
		c.OwnerEmployeeID = &owner.ID
	}
	var events []store.CaseEvent
	add := func(at time.Time, e store.CaseEvent) bool {
		if at.After(in.now) {
			return false
		}
		e.CreatedAt = at
		events = append(events, e)
		return true
	}
	status := func(at time.Time, to string) bool {
		ok := add(at, store.CaseEvent{Kind: "status", Actor: actor(), Details: map[string]any{"from": c.Status, "to": to}})
		if ok {
			c.Status = to
		}
		return ok
	}
	add(l.created, store.CaseEvent{Kind: "created", Actor: "rule:" + l.rule.rule.Name,
		Details: map[string]any{"rule_id": l.rule.rule.ID, "owner_employee_id": c.OwnerEmployeeID, "due_at": c.DueAt}})
	var resolvedAt time.Time
	// People work cases in their working hours; VIP cases are worked by
	// whoever is on call, and a bent case acts before now.
	dayShift := l.fate == fateNatural && l.rule.sla > 8*time.Hour
	shifted := func(t time.Time, e *store.Employee, jitter time.Duration) time.Time {
		if !dayShift {
			return t
		}
		return in.roster.onShift(t, e, jitter)
	}
	if firstAct >= 0 {
		t := shifted(l.created.Add(firstAct), owner, l.gaps[0]+l.gaps[3])
		if status(t, store.CaseInProgress) {
			first := t
			c.FirstActionAt = &first
		}
		if l.note != "" {
			t = t.Add(l.gaps[0])
			add(t, store.CaseEvent{Kind: "note", Actor: actor(), Body: l.note})
		}
		t = t.Add(l.gaps[1])
		if l.reply != "" {
			add(t, store.CaseEvent{Kind: "reply", Actor: actor(), Body: l.reply,
				Details: map[string]any{"channel": l.replyChannel, "to": l.replyTo, "status": "sent"}})
		} else {
			add(t, store.CaseEvent{Kind: "note", Actor: actor(), Body: l.contact})
		}
		if l.handover != nil {
			t = t.Add(l.gaps[2])
			if add(t, store.CaseEvent{Kind: "assign", Actor: actor(), Details: map[string]any{"owner_employee_id": l.handover.ID}}) {
				add(t, store.CaseEvent{Kind: "note", Actor: actor(), Body: l.handoverNote})
				owner = l.handover
				c.OwnerEmployeeID, c.Team = &owner.ID, owner.Team
			}
		}
		end := shifted(l.created.Add(resolve), owner, l.gaps[1]+l.gaps[2])
		// A case that would be closed before its escalation but for the
		// night is closed the evening before.
		if warn := l.created.Add(l.rule.sla * 3 / 4); dayShift && end.After(warn) && !l.created.Add(resolve).After(warn) {
			end = in.roster.beforeShiftEnd(l.created.Add(resolve), owner, l.gaps[2])
		}
		switch {
		case resolve < 0: // never resolved: the end only places the wait
			end = t.Add(l.gaps[3] + 6*time.Hour)
			if end.After(in.now) && t.Before(in.now) {
				end = in.now
			}
		case end.Before(t.Add(l.work)):
			end = t.Add(l.work)
		}
		if waiting {
			tw := t.Add(time.Duration(float64(end.Sub(t)) * l.waitFrac))
			if status(tw, store.CaseWaiting) {
				add(tw, store.CaseEvent{Kind: "note", Actor: actor(), Body: l.waitNote})
			}
		}
		if resolve >= 0 && !end.After(in.now) {
			add(end.Add(-time.Minute), store.CaseEvent{Kind: "note", Actor: actor(), Body: l.causeNote})
			if l.finalReply != "" {
				add(end.Add(-30*time.Second), store.CaseEvent{Kind: "reply", Actor: actor(), Body: l.finalReply,
					Details: map[string]any{"channel": l.replyChannel, "to": l.replyTo, "status": "sent"}})
			}
			status(end, store.CaseResolved)
			resolvedAt = end
			c.ResolvedAt, c.RootCause = &resolvedAt, l.cause
		}
	}
	// Escalations fire at 75 % and 100 % of the SLA on a case not resolved
	// by then, and tell the workspace admins.
	for _, e := range []struct {
		level    int
		fraction float64
		body     string
	}{{1, 0.75, "75% of its SLA used"}, {2, 1.0, "SLA breached"}} {
		at := l.created.Add(time.Duration(float64(l.rule.sla) * e.fraction))
		if !resolvedAt.IsZero() && !resolvedAt.After(at) {
			continue
		}
		if add(at, store.CaseEvent{Kind: "escalation", Actor: "sla", Body: e.body,
			Details: map[string]any{"level": e.level, "notified": in.notified}}) {
			c.EscalationLevel = e.level
		}
	}
	slices.SortStableFunc(events, func(a, b store.CaseEvent) int { return a.CreatedAt.Compare(b.CreatedAt) })
	c.UpdatedAt = events[len(events)-1].CreatedAt
	return c, events
}
