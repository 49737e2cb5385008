package alert

import (
	"encoding/json"
	"strings"
	"testing"

	"vox/internal/store"
)

func ip(v int) *int { return &v }
func fp(v float64) *float64 {
	return &v
}

func TestRuleEvaluation(t *testing.T) {
	detractor := store.FeedbackItem{ID: 1, Kind: "survey_response", Channel: "email", NPS: ip(3), Text: "Курьер опоздал на 3 часа, refund please",
		Lang: "ru", Sentiment: "negative", SentimentScore: fp(-0.8), Topics: []string{"delivery", "refund"}, Segment: "",
		Aspects: []store.Aspect{{Aspect: "delivery", Label: "negative"}}}
	promoter := store.FeedbackItem{ID: 2, Kind: "review", Channel: "web", NPS: ip(10), CSAT: ip(5), Text: "Great staff",
		Lang: "en", Sentiment: "positive", SentimentScore: fp(0.9), Topics: []string{"staff"}, Region: "north"}
	mention := store.FeedbackItem{ID: 3, Kind: "mention", Channel: "telegram", Text: "你们的服务很差", Lang: "zh", Sentiment: "negative",
		SentimentScore: fp(-0.6)}
	vip := &store.Customer{ID: 9, Segment: "vip", Region: "south", AnnualRevenue: 120000, ReportingRevenue: new(120000.0),
		Attributes: map[string]any{"vip": true, "plan": "Gold", "seats": 40.0, "labels": []any{"key", "beta"}}}
	plain := &store.Customer{ID: 10, Segment: "mass", Attributes: map[string]any{}}

	cases := []struct {
		name  string
		match string
		conds string
		item  store.FeedbackItem
		cust  *store.Customer
		want  bool
	}{
		{"nps lte 6", "all", `[{"field":"nps","op":"lte","value":6}]`, detractor, nil, true},
		{"nps lte 6 promoter", "all", `[{"field":"nps","op":"lte","value":6}]`, promoter, nil, false},
		{"nps missing never compares", "all", `[{"field":"nps","op":"ne","value":10}]`, mention, nil, false},
		{"nps in set", "all", `[{"field":"nps","op":"in","value":[0,1,2,3]}]`, detractor, nil, true},
		{"csat lte 2 absent", "all", `[{"field":"csat","op":"lte","value":2}]`, detractor, nil, false},
		{"sentiment negative below score", "all", `[{"field":"sentiment","op":"eq","value":"negative"},{"field":"sentiment_score","op":"lt","value":-0.7}]`, detractor, nil, true},
		{"sentiment score not low enough", "all", `[{"field":"sentiment","op":"eq","value":"negative"},{"field":"sentiment_score","op":"lt","value":-0.7}]`, mention, nil, false},
		{"topic in set", "all", `[{"field":"topic","op":"in","value":["delivery","billing"]}]`, detractor, nil, true},
		{"topic eq", "all", `[{"field":"topic","op":"eq","value":"staff"}]`, promoter, nil, true},
		{"topic not_in on item without topics", "all", `[{"field":"topic","op":"not_in","value":["delivery"]}]`, mention, nil, true},
		{"negative aspect", "all", `[{"field":"negative_aspect","op":"contains","value":"delivery"}]`, detractor, nil, true},
		{"channel and kind", "all", `[{"field":"channel","op":"eq","value":"telegram"},{"field":"kind","op":"eq","value":"mention"}]`, mention, nil, true},
		{"channel case-insensitive", "all", `[{"field":"channel","op":"eq","value":"TELEGRAM"}]`, mention, nil, true},
		{"segment from customer", "all", `[{"field":"segment","op":"eq","value":"vip"}]`, detractor, vip, true},
		{"segment from customer not vip", "all", `[{"field":"segment","op":"eq","value":"vip"}]`, detractor, plain, false},
		{"region of item wins", "all", `[{"field":"region","op":"eq","value":"north"}]`, promoter, vip, true},
		{"issue example nps+vip", "all", `[{"field":"nps","op":"lte","value":6},{"field":"segment","op":"eq","value":"vip"}]`, detractor, vip, true},
		{"customer attribute bool", "all", `[{"field":"customer.vip","op":"eq","value":true}]`, detractor, vip, true},
		{"customer attribute bool false", "all", `[{"field":"customer.vip","op":"eq","value":true}]`, detractor, plain, false},
		{"customer attribute no customer", "all", `[{"field":"customer.vip","op":"eq","value":true}]`, detractor, nil, false},
		{"customer revenue above", "all", `[{"field":"customer.annual_revenue","op":"gt","value":100000}]`, detractor, vip, true},
		{"customer attr number", "all", `[{"field":"customer.seats","op":"gte","value":40}]`, detractor, vip, true},
		{"customer attr string ci", "all", `[{"field":"customer.plan","op":"in","value":["gold","platinum"]}]`, detractor, vip, true},
		{"customer attr list", "all", `[{"field":"customer.labels","op":"contains","value":"beta"}]`, detractor, vip, true},
		{"keyword any of", "all", `[{"field":"keyword","op":"contains","value":["REFUND","chargeback"]}]`, detractor, nil, true},
		{"keyword cyrillic", "all", `[{"field":"text","op":"contains","value":"КУРЬЕР"}]`, detractor, nil, true},
		{"keyword chinese", "all", `[{"field":"text","op":"contains","value":"很差"}]`, mention, nil, true},
		{"keyword absent", "all", `[{"field":"text","op":"not_contains","value":"refund"}]`, promoter, nil, true},
		{"regex", "all", `[{"field":"text","op":"regex","value":"опоздал\\s+на\\s+\\d+"}]`, detractor, nil, true},
		{"regex no match", "all", `[{"field":"text","op":"regex","value":"^great$"}]`, promoter, nil, false},
		{"lang", "all", `[{"field":"lang","op":"in","value":["ru","zh"]}]`, mention, nil, true},
		{"any: one of", "any", `[{"field":"nps","op":"lte","value":6},{"field":"sentiment","op":"eq","value":"negative"}]`, mention, nil, true},
		{"any: none", "any", `[{"field":"nps","op":"lte","value":6},{"field":"sentiment","op":"eq","value":"negative"}]`, promoter, nil, false},
		{"all: one fails", "all", `[{"field":"nps","op":"lte","value":6},{"field":"channel","op":"eq","value":"web"}]`, detractor, nil, false},
		{"exists", "all", `[{"field":"csat","op":"exists"}]`, promoter, nil, true},
		{"not_exists", "all", `[{"field":"nps","op":"not_exists"}]`, mention, nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var conds []Condition
			if err := json.Unmarshal([]byte(c.conds), &conds); err != nil {
				t.Fatal(err)
			}
			r, err := Compile(RuleSpec{Name: "r", Match: c.match, Conditions: conds, Actions: []Action{{Type: "webhook"}}}, nil)
			if err != nil {
				t.Fatal(err)
			}
			it := c.item
			if got := r.Matches(&it, c.cust); got != c.want {
				t.Fatalf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestRuleValidation(t *testing.T) {
	bad := []struct{ body, field string }{
		{`{"name":"","conditions":[{"field":"nps","op":"lte","value":6}],"actions":[{"type":"webhook"}]}`, "name"},
		{`{"name":"x","match":"most","conditions":[{"field":"nps","op":"lte","value":6}],"actions":[{"type":"webhook"}]}`, "match"},
		{`{"name":"x","conditions":[],"actions":[{"type":"webhook"}]}`, "conditions"},
		{`{"name":"x","conditions":[{"field":"npx","op":"lte","value":6}],"actions":[{"type":"webhook"}]}`, "conditions[0].field"},
		{`{"name":"x","conditions":[{"field":"nps","op":"regex","value":"1"}],"actions":[{"type":"webhook"}]}`, "conditions[0].op"},
		{`{"name":"x","conditions":[{"field":"nps","op":"lte","value":"six"}],"actions":[{"type":"webhook"}]}`, "conditions[0].value"},
		{`{"name":"x","conditions":[{"field":"text","op":"regex","value":"(unclosed"}],"actions":[{"type":"webhook"}]}`, "conditions[0].value"},
		{`{"name":"x","conditions":[{"field":"topic","op":"in","value":[]}],"actions":[{"type":"webhook"}]}`, "conditions[0].value"},
		{`{"name":"x","conditions":[{"field":"nps","op":"lte","value":6}],"actions":[]}`, "actions"},
		{`{"name":"x","conditions":[{"field":"nps","op":"lte","value":6}],"actions":[{"type":"explode"}]}`, "actions[0].type"},
		{`{"name":"x","conditions":[{"field":"nps","op":"lte","value":6}],"actions":[{"type":"notify","channel":"email"}]}`, "actions[0].to"},
		{`{"name":"x","conditions":[{"field":"nps","op":"lte","value":6}],"actions":[{"type":"notify","channel":"email","to":"nope"}]}`, "actions[0].to"},
		{`{"name":"x","conditions":[{"field":"nps","op":"lte","value":6}],"actions":[{"type":"notify","channel":"slack","url":"http://10.0.0.1/x"}]}`, "actions[0].url"},
		{`{"name":"x","conditions":[{"field":"nps","op":"lte","value":6}],"actions":[{"type":"open_case","owner":"round_robin"}]}`, "actions[0].team"},
		{`{"name":"x","conditions":[{"field":"nps","op":"lte","value":6}],"actions":[{"type":"open_case","sla_hours":-1}]}`, "actions[0].sla_hours"},
	}
	s := New(nil, Options{})
	for _, b := range bad {
		var spec RuleSpec
		if err := json.Unmarshal([]byte(b.body), &spec); err != nil {
			t.Fatal(err)
		}
		_, err := Compile(spec, s.guardURL)
		fe, ok := err.(*FieldError)
		if !ok || fe.Field != b.field {
			t.Errorf("%s: got %v, want field %s", b.body, err, b.field)
		}
	}
	var spec RuleSpec
	good := `{"name":"Detractor VIP","match":"all","conditions":[{"field":"nps","op":"lte","value":6},{"field":"segment","op":"eq","value":"vip"}],
		"actions":[{"type":"webhook"},{"type":"open_case","sla_hours":24},{"type":"notify","channel":"email","to":["owner","cx@example.com"]},{"type":"tag","tags":"vip-detractor"}]}`
	if err := json.Unmarshal([]byte(good), &spec); err != nil {
		t.Fatal(err)
	}
	c, err := Compile(spec, s.guardURL)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, a := range c.actions {
		order = append(order, a.Type)
	}
	if strings.Join(order, ",") != "tag,open_case,notify,webhook" {
		t.Fatalf("action order %v", order)
	}
}
