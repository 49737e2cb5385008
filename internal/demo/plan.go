package demo

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"vox/internal/ingest"
)

// MainWorkspace is the slug of the demo company's main workspace, the one
// whose API key Seed returns.
const MainWorkspace = "acme"

// Options size and place the demo data. The same options always produce the
// same data.
type Options struct {
	Seed   int64
	Items  int       // feedback items over all workspaces; default 24000
	Months int       // history length before Now; default 7
	Now    time.Time // the end of the history; the caller fixes it (default: now)
}

func (o Options) normalized() Options {
	if o.Items <= 0 {
		o.Items = 24000
	}
	if o.Months <= 0 {
		o.Months = 7
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	o.Now = o.Now.UTC().Truncate(time.Second)
	return o
}

// customer is one generated person with the identities by which each
// channel knows them.
type customer struct {
	crm, name, lang, segment string
	female                   bool
	region                   *region
	email, phone             string
	tgUser, tgID             string
	bias, activity           float64

	// Filled while items are generated, in time order.
	npsSum, npsN int
	moodSum      float64
	moodN        int
	lastSeen     time.Time
	lastNeg      time.Time
	negTopic     string
	churnAt      time.Time
	churnReason  string
	revenue      float64
}

// plannedTx is an order of a customer (index into the workspace's customers).
type plannedTx struct {
	customer   int
	amount     float64
	currency   string
	at         time.Time
	externalID string
}

// wsPlan is everything to store in one workspace.
type wsPlan struct {
	spec      *workspaceSpec
	customers []*customer
	items     []ingest.Item
	txs       []plannedTx
}

// plan is the whole demo data set, computed without touching a database so
// that it can be checked for determinism and shape in tests.
type plan struct {
	opt        Options
	workspaces []*wsPlan
}

// story holds the dates of the events the data tells about.
type story struct {
	start, end               time.Time
	releaseFrom, releaseTo   time.Time // app release 5.2 that broke checkout
	incidentFrom, incidentTo time.Time // delivery breakdown in incidentRegion
}

func storyFor(opt Options) story {
	end := opt.Now
	start := end.AddDate(0, -opt.Months, 0)
	span := end.Sub(start)
	monday := func(t time.Time) time.Time {
		d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
	}
	rel := monday(start.Add(span * 45 / 100)).Add(10 * time.Hour)
	inc := monday(start.Add(span * 72 / 100))
	return story{start: start, end: end, releaseFrom: rel, releaseTo: rel.AddDate(0, 0, 14),
		incidentFrom: inc, incidentTo: inc.AddDate(0, 0, 7)}
}

type generator struct {
	r     *rand.Rand
	opt   Options
	story story
}

// generate builds the plan. Only the seeded PCG source decides anything, and
// nothing iterates over a map, so equal options give equal data.
func generate(opt Options) *plan {
	opt = opt.normalized()
	g := &generator{r: rand.New(rand.NewPCG(uint64(opt.Seed), 0x766f782d64656d6f)), opt: opt, story: storyFor(opt)}
	p := &plan{opt: opt}
	customersTotal := max(40, opt.Items/4)
	itemsLeft := opt.Items
	for i := range workspaceSpecs {
		spec := &workspaceSpecs[i]
		n := int(math.Round(float64(opt.Items) * spec.share))
		if i == len(workspaceSpecs)-1 {
			n = itemsLeft
		}
		itemsLeft -= n
		w := &wsPlan{spec: spec}
		w.customers = g.customers(spec, i, max(10, int(float64(customersTotal)*spec.share)))
		g.items(w, n, spec.slug == MainWorkspace)
		g.churn(w)
		g.transactions(w)

		p.workspaces = append(p.workspaces, w)
	}
	return p
}

func (g *generator) norm(mean, sd float64) float64 { return mean + sd*g.r.NormFloat64() }

func (g *generator) chance(p float64) bool { return g.r.Float64() < p }

// weighted picks an index by weight.
func (g *generator) weighted(weights []float64) int {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	x := g.r.Float64() * total
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

type choice struct {
	key    string
	weight float64
}

func (g *generator) choose(cs []choice) string {
	ws := make([]float64, len(cs))
	for i, c := range cs {
		ws[i] = c.weight
	}
	return cs[g.weighted(ws)].key
}

var segments = []choice{{"vip", 6}, {"smb", 14}, {"consumer", 62}, {"new", 18}}

func (g *generator) customers(spec *workspaceSpec, wsIndex, n int) []*customer {
	weights := make([]float64, len(spec.regions))
	for i := range spec.regions {
		weights[i] = spec.regions[i].weight
	}
	prefix := strings.ToUpper(strings.ReplaceAll(spec.slug, "-", ""))
	out := make([]*customer, n)
	for i := range out {
		reg := &spec.regions[g.weighted(weights)]
		lang := reg.lang
		if reg.altLang != "" && g.chance(reg.altShare) {
			lang = reg.altLang
		}
		c := &customer{crm: fmt.Sprintf("%s-%06d", prefix, 100000+i), lang: lang, region: reg,
			segment: g.choose(segments), bias: g.norm(0, 0.55), activity: math.Exp(g.norm(0, 0.8))}
		if c.segment == "vip" {
			c.activity *= 1.8
		}
		var first, last personName
		var latin string
		switch lang {
		case "ru":
			first, last = pick(g.r, ruFirst), pick(g.r, ruLast)
			c.female = first.female
			surname, latinSurname := last.local, last.latin
			if c.female {
				surname, latinSurname = surname+"а", latinSurname+"a"
			}
			c.name = first.local + " " + surname
			latin = first.latin + "." + latinSurname
		case "zh":
			first, last = pick(g.r, zhFirst), pick(g.r, zhLast)
			c.female = first.female
			c.name = last.local + first.local
			latin = last.latin + first.latin
		default:
			first, last = pick(g.r, enFirst), pick(g.r, enLast)
			c.female = first.female
			c.name = first.local + " " + last.local
			latin = first.latin + "." + last.latin
		}
		// Every identity embeds the customer number, so none is shared by
		// two generated people by accident.
		num := 7*i + wsIndex + 11
		if g.chance(0.85) {
			c.email = fmt.Sprintf("%s%d@%s", latin, num, pick(g.r, emailDomains[lang]))
		}
		if g.chance(0.8) {
			c.phone = fmt.Sprintf("%s%02d %07d", reg.phoneCC, 10+wsIndex, (uint64(i)*7919+1234567)%10000000)
		}
		tgShare := map[string]float64{"ru": 0.55, "en": 0.2, "zh": 0.08}[lang]
		if g.chance(tgShare) {
			c.tgUser = fmt.Sprintf("%s_%d", strings.ReplaceAll(latin, ".", "_"), num)
			c.tgID = fmt.Sprint(5000000000 + int64(wsIndex)*100000000 + int64(i)*97)
		}
		out[i] = c
	}
	return out
}

// draft is an item with what the generator knows about it beyond the API
// fields, so that churn can follow the feedback.
type draft struct {
	item ingest.Item
	cust *customer
	pol  polarity
	mood float64
	// topic of the text, for churn reasons
	topic string
	seq   int
}

var hourWeights = []float64{0.2, 0.1, 0.1, 0.1, 0.1, 0.3, 0.8, 1.6, 2.6, 3.4, 3.8, 3.9, 4.2, 4.0, 3.7, 3.6, 3.8, 4.2, 4.6, 4.8, 4.4, 3.4, 2.2, 0.9}

// at returns a time on day d of the history at a plausible local hour.
func (g *generator) timeOn(day time.Time, reg *region) time.Time {
	h := g.weighted(hourWeights)
	t := day.Add(time.Duration(h-reg.utcShift)*time.Hour + time.Duration(g.r.IntN(3600))*time.Second)
	if t.After(g.story.end) {
		t = g.story.end.Add(-time.Duration(1+g.r.IntN(7200)) * time.Second)
	}
	if t.Before(g.story.start) {
		t = g.story.start.Add(time.Duration(g.r.IntN(7200)) * time.Second)
	}
	return t
}

func (g *generator) items(w *wsPlan, n int, main bool) {
	cum := make([]float64, len(w.customers))
	total := 0.0
	for i, c := range w.customers {
		total += c.activity
		cum[i] = total
	}
	pickCustomer := func() *customer {
		i, _ := slices.BinarySearch(cum, g.r.Float64()*total)
		return w.customers[min(i, len(cum)-1)]
	}
	empIdx := employeeIndex(w.spec)
	incidentItems := 0
	if main {
		incidentItems = n * 12 / 1000
	}
	st := g.story
	span := st.end.Sub(st.start)
	drafts := make([]draft, 0, n)
	for i := 0; i < n-incidentItems; i++ {
		c := pickCustomer()
		// Volume grows as the company does: more items later in the history.
		frac := math.Pow(g.r.Float64(), 0.85)
		day := st.start.Add(time.Duration(frac * float64(span))).Truncate(24 * time.Hour)
		at := g.timeOn(day, c.region)
		drafts = append(drafts, g.item(c, at, empIdx, false))
	}
	var incidentRegion *region
	for i := range w.spec.regions {
		if w.spec.regions[i].name == incidentRegionName {
			incidentRegion = &w.spec.regions[i]
		}
	}
	var local []*customer
	for _, c := range w.customers {
		if c.region == incidentRegion {
			local = append(local, c)
		}
	}
	for i := 0; i < incidentItems && len(local) > 0; i++ {
		c := local[g.r.IntN(len(local))]
		day := st.incidentFrom.AddDate(0, 0, g.r.IntN(7))
		drafts = append(drafts, g.item(c, g.timeOn(day, c.region), empIdx, true))
	}
	for i := range drafts {
		drafts[i].seq = i
	}
	slices.SortStableFunc(drafts, func(a, b draft) int {
		return cmp.Or(a.item.OccurredAt.Compare(*b.item.OccurredAt), cmp.Compare(a.seq, b.seq))
	})
	w.items = make([]ingest.Item, len(drafts))
	for i := range drafts {
		d := &drafts[i]
		d.item.ExternalID = fmt.Sprintf("demo-%d", i+1)
		w.items[i] = d.item
		if d.item.Customer == nil {
			continue
		}
		c, at := d.cust, *d.item.OccurredAt
		if c.lastSeen.IsZero() {
			// The first contact creates the profile with everything the
			// CRM knows; later items name only their channel's identity.
			w.items[i].Customer = c.fullRef()
		}
		c.lastSeen = at
		c.moodSum += d.mood
		c.moodN++
		if d.item.NPS != nil {
			c.npsSum += *d.item.NPS
			c.npsN++
		}
		if d.pol == negative {
			c.lastNeg, c.negTopic = at, d.topic
		}
	}
}

// incidentRegionName is where the delivery breakdown happens.
const incidentRegionName = incidentRegion

type employeeKey struct{ team, region, lang string }

// employeeIndex lists employees by team and region (and by team and language
// for support, which is centralised per language).
func employeeIndex(spec *workspaceSpec) map[employeeKey][]*employeeSpec {
	idx := map[employeeKey][]*employeeSpec{}
	for i := range spec.employees {
		e := &spec.employees[i]
		idx[employeeKey{e.team, e.region, ""}] = append(idx[employeeKey{e.team, e.region, ""}], e)
		idx[employeeKey{e.team, "", e.lang}] = append(idx[employeeKey{e.team, "", e.lang}], e)
	}
	return idx
}

var (
	surveyTouchpoints  = []choice{{"delivery", 30}, {"store", 25}, {"website", 12}, {"mobile_app", 15}, {"call_center", 8}, {"support_chat", 10}}
	mentionTouchpoints = []choice{{"delivery", 35}, {"store", 20}, {"mobile_app", 20}, {"website", 10}, {"support_chat", 15}}
	touchpointTopics   = map[string][]choice{
		"delivery":     {{topicDelivery, 50}, {topicWaiting, 18}, {topicCommunication, 12}, {topicQuality, 10}, {topicCommunication, 10}},
		"store":        {{topicStaff, 25}, {topicWaiting, 15}, {topicCleanliness, 14}, {topicPrice, 16}, {topicQuality, 15}, {topicFood, 15}},
		"website":      {{topicApp, 35}, {topicPayment, 20}, {topicPrice, 20}, {topicQuality, 10}, {topicReturns, 15}},
		"mobile_app":   {{topicApp, 45}, {topicPayment, 25}, {topicPrice, 15}, {topicDelivery, 15}},
		"call_center":  {{topicSupport, 45}, {topicReturns, 20}, {topicWaiting, 20}, {topicCommunication, 15}},
		"support_chat": {{topicSupport, 45}, {topicReturns, 25}, {topicCommunication, 15}, {topicPayment, 15}},
	}
	touchpointTeam = map[string]string{"store": teamStore, "delivery": teamCourier, "call_center": teamSupport, "support_chat": teamSupport}
	// Where in the journey a remark about a topic usually sits.
	topicStages = map[string][]choice{
		topicPrice:         {{"research", 50}, {"decision", 40}, {"loyalty", 10}},
		topicApp:           {{"research", 40}, {"decision", 45}, {"usage", 15}},
		topicPayment:       {{"decision", 80}, {"usage", 20}},
		topicSupport:       {{"usage", 50}, {"loyalty", 50}},
		topicReturns:       {{"loyalty", 70}, {"usage", 30}},
		topicCommunication: {{"usage", 50}, {"loyalty", 30}, {"awareness", 20}},
	}
)

func (g *generator) stage(topic, kind string) string {
	if kind == "mention" && g.chance(0.2) {
		return "awareness"
	}
	if cs, ok := topicStages[topic]; ok {
		return g.choose(cs)
	}
	return "usage"
}

// item generates one feedback item of customer c at time at. Its score is a
// latent mood: the overall trend, the customer's temper, the employee who
// served them, the story's incidents and noise; ratings and text follow it.
func (g *generator) item(c *customer, at time.Time, empIdx map[employeeKey][]*employeeSpec, incident bool) draft {
	st := g.story
	it := ingest.Item{Lang: c.lang, Region: c.region.name}
	var kind, channel, touchpoint, source, author string
	switch x := g.r.Float64(); {
	case incident:
		kind, touchpoint = "survey_response", "delivery"
		if g.chance(0.45) {
			kind = "mention"
		}
	case x < 0.60:
		kind = "survey_response"
	case x < 0.72:
		kind = "review"
	case x < 0.87:
		kind = "mention"
	default:
		kind = "ticket"
	}
	attach := true
	switch kind {
	case "survey_response":
		var cs []choice
		if c.email != "" {
			cs = append(cs, choice{"email", 30})
		}
		if c.phone != "" {
			cs = append(cs, choice{"sms", 15})
		}
		if c.tgUser != "" {
			cs = append(cs, choice{"telegram", 25})
		}
		cs = append(cs, choice{"web", 15}, choice{"widget", 20})
		channel = g.choose(cs)
		if touchpoint == "" {
			touchpoint = g.choose(surveyTouchpoints)
		}
	case "review":
		attach = false
		if g.chance(0.6) {
			channel, source = "review_site", pick(g.r, reviewSites[c.lang])
			touchpoint = "store"
			if g.chance(0.4) {
				touchpoint = "delivery"
			}
		} else {
			channel, source, touchpoint = "app", pick(g.r, appStores[c.lang]), "mobile_app"
		}
		author = shortName(c)
	case "mention":
		if touchpoint == "" {
			touchpoint = g.choose(mentionTouchpoints)
		}
		if incident || g.chance(0.55) {
			channel, source = "telegram", pick(g.r, telegramChat[c.lang])
			attach = c.tgUser != "" && g.chance(0.7)
			author = "@" + nick(g.r, c)
			if attach {
				author = "@" + c.tgUser
			}
		} else {
			channel, source = "social", pick(g.r, socialSites[c.lang])
			attach = false
			author = "@" + nick(g.r, c)
		}
	case "ticket":
		switch x := g.r.Float64(); {
		case x < 0.4:
			channel, touchpoint = "call", "call_center"
		case x < 0.65:
			channel, touchpoint = "widget", "support_chat"
		case x < 0.8:
			channel, touchpoint = "web", "support_chat"
		default:
			channel, touchpoint = "email", "support_chat"
			if c.email == "" {
				channel = "web"
			}
		}
	}
	var emp *employeeSpec
	if team, ok := touchpointTeam[touchpoint]; ok && kind != "mention" && g.chance(0.85) {
		cands := empIdx[employeeKey{team, c.region.name, ""}]
		if len(cands) == 0 {
			cands = empIdx[employeeKey{team, "", c.lang}]
		}
		if len(cands) > 0 {
			emp = cands[g.r.IntN(len(cands))]
			it.Employee = emp.extID
		}
	}
	topics := touchpointTopics[touchpoint]
	topic := g.choose(topics)
	other := g.choose(topics)

	frac := float64(at.Sub(st.start)) / float64(st.end.Sub(st.start))
	mood := 0.2 + 0.6*frac + c.bias + g.r.NormFloat64()
	if emp != nil {
		mood += emp.effect
	}
	switch kind {
	case "ticket":
		mood -= 1.1
	case "mention":
		mood -= 0.35
	}
	story := ""
	inRelease := !at.Before(st.releaseFrom) && at.Before(st.releaseTo)
	if inRelease && (touchpoint == "mobile_app" || touchpoint == "website") && g.chance(0.6) {
		topic, story = topicApp, storyAppRelease
		mood -= 1.7
	}
	inIncident := !at.Before(st.incidentFrom) && at.Before(st.incidentTo) && c.region.name == incidentRegionName
	if incident || (inIncident && touchpoint == "delivery") {
		topic, story = topicDelivery, storyDeliveryIncident
		if kind == "mention" {
			story = storyIncidentMention
		}
		mood -= 2.2
	}

	pol := neutral
	mode := modeFull
	switch kind {
	case "survey_response":
		switch x := g.r.Float64(); {
		case x < 0.55:
			v := clamp(int(math.Round(7.4+1.9*mood)), 0, 10)
			it.NPS = &v
			pol = band(v, 6, 8)
		case x < 0.85:
			v := clamp(int(math.Round(3.7+0.95*mood)), 1, 5)
			it.CSAT = &v
			pol = band(v, 2, 3)
		default:
			v := clamp(int(math.Round(4.9+1.3*mood)), 1, 7)
			it.CES = &v
			pol = band(v, 3, 4)
		}
		switch x := g.r.Float64(); {
		case x < 0.18:
			mode = modeEmpty
		case x < 0.33:
			mode = modeShort
		}
		author = c.name
	case "review":
		stars := clamp(int(math.Round(3.6+1.0*mood)), 1, 5)
		it.Metadata = map[string]any{"rating": stars}
		pol = band(stars, 2, 3)
		if g.chance(0.08) {
			mode = modeShort
		}
	default:
		switch {
		case mood < -0.2:
			pol = negative
		case mood > 0.9:
			pol = positive
		}
		if kind == "ticket" {
			author = c.name
		}
	}
	if story != "" && pol != negative {
		story, topic = "", g.choose(topics) // a happy customer despite the incident
	}
	b := bankFor(c.lang)
	sl := slots{city: c.region.cityName(c.lang), currency: c.region.currency, female: c.female}
	if emp != nil && emp.lang == c.lang {
		sl.empName, sl.empFem = firstName(emp), emp.female
	} else {
		// Someone whose name the customer remembers but who is not on record.
		sl.empName, sl.empFem = someName(g.r, c.lang)
	}
	textTopic := topic
	if story != "" {
		textTopic = story
	}
	var prefix, suffix string
	switch kind {
	case "mention":
		if g.chance(0.5) && story != storyIncidentMention {
			prefix = pick(g.r, b.mention[pol])
		}
	case "ticket":
		if pol != positive {
			prefix, suffix = pick(g.r, b.ticketHi), pick(g.r, b.ticketDo)
		}
		mode = modeFull
	}
	text := compose(g.r, b, pol, textTopic, other, mode, sl, prefix, suffix)
	it.Kind, it.Channel, it.Touchpoint, it.Source, it.Author, it.Text = kind, channel, touchpoint, source, author, text
	it.Stage = g.stage(topic, kind)
	at = at.UTC()
	it.OccurredAt = &at
	if story == storyAppRelease {
		it.Metadata = withKey(it.Metadata, "app_version", "5.2.0")
	}
	if attach {
		it.Segment = c.segment
		it.Customer = g.ref(c, channel)
	}
	return draft{item: it, cust: c, pol: pol, mood: mood, topic: topic}
}

func withKey(m map[string]any, k string, v any) map[string]any {
	if m == nil {
		m = map[string]any{}
	}
	m[k] = v
	return m
}

// fullRef is the customer as the CRM knows them: every identity, the
// attributes that let Seed find the profile again, and annual revenue in
// the region's currency.
// AnnualRevenue points at the customer's field, which transactions fills in
// after the items are made.
func (c *customer) fullRef() *ingest.CustomerRef {
	return &ingest.CustomerRef{Name: c.name, Segment: c.segment, Region: c.region.name, Lang: c.lang,
		Email: c.email, Phone: c.phone, TelegramUsername: c.tgUser, TelegramID: c.tgID, ExternalID: c.crm,
		AnnualRevenue: &c.revenue, AnnualRevenueCurrency: c.region.currency, Attributes: map[string]any{"crm_id": c.crm, "currency": c.region.currency}}
}

// ref names the customer by the identity the channel knows them by; the
// store resolves it to the one profile that holds all of them.
func (g *generator) ref(c *customer, channel string) *ingest.CustomerRef {
	ref := &ingest.CustomerRef{Name: c.name, Segment: c.segment, Region: c.region.name, Lang: c.lang}
	switch channel {
	case "email":
		ref.Email = c.email
	case "sms", "call":
		ref.Phone = c.phone
	case "telegram":
		if g.chance(0.5) {
			ref.TelegramUsername = c.tgUser
		} else {
			ref.TelegramID = c.tgID
		}
	default:
		ref.ExternalID = c.crm
	}
	if ref.Email == "" && ref.Phone == "" && ref.TelegramUsername == "" && ref.TelegramID == "" {
		ref.ExternalID = c.crm
	}
	return ref
}

// band maps a rating to a polarity: ≤ neg is negative, ≤ neu neutral.
func band(v, neg, neu int) polarity {
	switch {
	case v <= neg:
		return negative
	case v <= neu:
		return neutral
	}
	return positive
}

func clamp(v, lo, hi int) int { return max(lo, min(hi, v)) }

func someName(r *rand.Rand, lang string) (string, bool) {
	switch lang {
	case "ru":
		n := pick(r, ruFirst)
		return n.local, n.female
	case "zh":
		n := pick(r, zhFirst)
		return pick(r, zhLast).local + n.local, n.female
	}
	n := pick(r, enFirst)
	return n.local, n.female
}

func firstName(e *employeeSpec) string {
	if e.lang == "zh" {
		return e.name
	}
	return strings.Fields(e.name)[0]
}

// shortName is how review sites show an author: first name and initial.
func shortName(c *customer) string {
	if c.lang == "zh" {
		return string([]rune(c.name)[:1]) + "**"
	}
	f := strings.Fields(c.name)
	return f[0] + " " + string([]rune(f[1])[:1]) + "."
}

func nick(r *rand.Rand, c *customer) string {
	stems := []string{"shopper", "mama", "dacha", "citylife", "foodie", "gadget", "runner", "cat_lady", "papa", "student"}
	return fmt.Sprintf("%s%d", pick(r, stems), 10+r.IntN(990))
}

// Churn reasons by the topic of the customer's last complaint.
var churnReasons = map[string]string{
	topicDelivery: "late and failed deliveries", topicPrice: "prices", topicQuality: "product quality",
	topicStaff: "rude staff", topicSupport: "unresolved support request", topicApp: "app and website problems",
	topicPayment: "payment problems", topicWaiting: "waiting times", topicCleanliness: "store cleanliness",
	topicFood: "deli food quality", topicReturns: "refused or slow return", topicCommunication: "no information about orders",
}

// churn decides who leaves. Detractors leave about four times as often as
// promoters, and a churner leaves some days after their last complaint.
func (g *generator) churn(w *wsPlan) {
	st := g.story
	for _, c := range w.customers {
		p := 0.07
		switch {
		case c.npsN > 0:
			avg := float64(c.npsSum) / float64(c.npsN)
			switch {
			case avg <= 6:
				p = 0.27
			case avg < 9:
				p = 0.10
			default:
				p = 0.065
			}
		case c.moodN > 0 && c.moodSum/float64(c.moodN) < -0.3:
			p = 0.16
		}
		if !g.chance(p) {
			continue
		}
		var at time.Time
		switch {
		case !c.lastNeg.IsZero():
			at = c.lastNeg.Add(time.Duration(2*24+g.r.IntN(28*24)) * time.Hour)
			c.churnReason = churnReasons[c.negTopic]
		case !c.lastSeen.IsZero():
			at = c.lastSeen.Add(time.Duration(7*24+g.r.IntN(40*24)) * time.Hour)
		default:
			at = st.start.Add(time.Duration(g.r.Float64() * float64(st.end.Sub(st.start))))
		}
		if c.churnReason == "" {
			c.churnReason = "stopped buying"
		}
		if at.After(st.end.Add(-time.Hour)) {
			at = st.end.Add(-time.Duration(1+g.r.IntN(24)) * time.Hour)
			if at.Before(c.lastSeen) {
				c.churnReason = ""
				continue
			}
		}
		c.churnAt = at
	}
}

var segmentOrders = map[string][2]float64{ // orders per month, order size factor
	"vip": {4.5, 2.4}, "smb": {3.0, 3.5}, "consumer": {1.6, 1.0}, "new": {0.8, 0.8},
}

// transactions generates orders until the customer churns, and sets the
// annual revenue from them.
func (g *generator) transactions(w *wsPlan) {
	st := g.story
	const month = 30 * 24 * time.Hour
	for ci, c := range w.customers {
		so := segmentOrders[c.segment]
		rate := so[0] * (0.5 + g.r.Float64())
		stop := st.end
		// Customers about to leave buy less first: from about two and a
		// half months before leaving (or their last bad experience, if
		// earlier) they order at a quarter of their rate, as real churners
		// fade out before they go.
		var fade time.Time
		if !c.churnAt.IsZero() {
			stop = c.churnAt
			fade = c.churnAt.Add(-time.Duration(60+g.r.IntN(30)) * 24 * time.Hour)
			if !c.lastNeg.IsZero() && c.lastNeg.Before(fade) {
				fade = c.lastNeg
			}
		}
		sum := 0.0
		t := st.start
		for {
			r := rate
			if !fade.IsZero() && t.After(fade) {
				r = rate / 4
			}
			t = t.Add(time.Duration(g.r.ExpFloat64() / r * float64(month)))
			if !t.Before(stop) {
				break
			}
			amount := c.region.avgOrder * so[1] * math.Exp(g.norm(-0.12, 0.5))
			if c.region.currency == "USD" {
				amount = math.Round(amount*100) / 100
			} else {
				amount = math.Round(amount)
			}
			sum += amount
			w.txs = append(w.txs, plannedTx{customer: ci, amount: amount, currency: c.region.currency,
				at: t.Truncate(time.Second), externalID: fmt.Sprintf("demo-tx-%d", len(w.txs)+1)})
		}
		days := max(30, stop.Sub(st.start).Hours()/24)
		c.revenue = math.Round(sum * 365 / days)
	}
}
