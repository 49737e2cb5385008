package web

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"vox/internal/ingest"
	"vox/internal/store"
	"vox/internal/survey"
)

// sampleSurveyDef is a survey with every kind of question the form makes.
func sampleSurveyDef() survey.Survey {
	at := time.Date(2026, 5, 14, 9, 30, 0, 0, time.UTC)
	return survey.Survey{ID: 5, Name: "После доставки <b>", Status: "live", Touchpoint: "checkout", Stage: "usage", Version: 3,
		Options: survey.Options{ExpiryDays: 30, ReminderDays: 3, MaxReminders: 1}, CreatedAt: at, UpdatedAt: at,
		Definition: survey.Definition{Languages: []string{"ru", "en"}, Title: survey.Text{"ru": "Как мы справились?"},
			Questions: []survey.Question{
				{ID: "q1", Type: survey.TypeNPS, Required: true, Text: survey.Text{"ru": "Порекомендуете нас?", "en": "Would you recommend us?"}},
				{ID: "q1-promoter", Type: survey.TypeOpen, Text: survey.Text{"en": "What did you love?"}, ShowIf: followCondition("q1", "promoter")},
				{ID: "q2", Type: survey.TypeSingle, Text: survey.Text{"en": "Delivery?"}, Options: []survey.Option{
					{ID: "1", Text: survey.Text{"en": "Fast", "ru": "Быстро"}}, {ID: "2", Text: survey.Text{"en": "Slow"}}}},
				{ID: "q3", Type: survey.TypeCSAT, Scale: 10, Text: survey.Text{"zh": "满意吗？"}, ShowIf: &survey.Condition{Question: "q2", Op: "eq", Value: "2"}},
				{ID: "q4", Type: survey.TypeRating, Scale: 7, Text: survey.Text{"en": "Rate the courier"}, ShowIf: &survey.Condition{Question: "q1", Op: "in", Value: []any{1.0, 2.0}}},
			}}}
}

func sampleSurveyList() surveyListData {
	sv := sampleSurveyDef()
	closed := survey.Survey{ID: 6, Name: "CES support", Status: "closed", Version: 1,
		Definition: survey.Definition{Questions: []survey.Question{{ID: "q1", Type: survey.TypeCES}}}}
	return surveyListData{Rows: []surveyListRow{
		{Survey: sv, Kind: "nps", Invited: 1200, Sent: 1100, Responses: 480, Rate: scoreCell{Has: true, Value: 0.41, N: 1100},
			NPS: scoreCell{Has: true, Value: 32.5, N: 450}, CSAT: scoreCell{Has: true, Value: 81, N: 120}},
		{Survey: closed, Kind: "ces"},
		{Survey: survey.Survey{ID: 7, Name: "Choices", Status: "draft"}, Kind: "custom"},
	}}
}

func sampleSurveyPage() surveyData {
	sv := sampleSurveyDef()
	res := survey.ListResult{Rows: 6, Queued: 2, Duplicates: 1, OptedOut: 1, Throttled: 1,
		Invalid: []survey.RowError{{Line: 3, Field: "customer.email", Message: "is not an email address"}},
		Links:   []survey.ListLink{{Line: 2, URL: "http://vox.test/s/abc"}}}
	return surveyData{Survey: sv, Kind: "nps", Saved: true,
		Questions: []questionView{{N: 1, ID: "q1", Kind: "nps", Text: "Порекомендуете нас?", Required: true},
			{N: 2, ID: "q2", Kind: "single", Text: "Delivery?", Options: []string{"Fast", "Slow"}, Condition: "Shown when #1 ≥ 9"}},
		Stats: survey.Stats{Total: store.RateRow{Invited: 10, Sent: 8, Answered: 3}, Responses: 4,
			Channels: []store.RateRow{{Channel: "email", Invited: 8, Sent: 7, Delivered: 6, Opened: 4, Answered: 3, Failed: 1, Skipped: 1},
				{Channel: "link", Invited: 2, Sent: 1}}},
		Rate: scoreCell{Has: true, Value: 0.375, N: 8}, NPS: scoreCell{Has: true, Value: -12, N: 3}, CES: scoreCell{Has: true, Value: 5.5, N: 2},
		Link: "http://vox.test/s/tok", LinkLangs: sv.Languages,
		Widgets: []survey.Widget{{SiteKey: "pk_x", AllowedOrigins: []string{"https://shop.example"},
			Snippet: `<script src="http://vox.test/widget/v1.js" data-vox-key="pk_x" async></script>`}},
		Responses: []responseView{{ID: 1, At: sv.CreatedAt, Channel: "email", Lang: "ru", Version: 2, FeedbackID: 9, CustomerID: ptr(int64(7)),
			Answers: []answerView{{Question: "Порекомендуете нас?", Value: "3"}, {Question: "Why?", Value: "<script>alert(1)</script>"}}}},
		Channels: []sendChannel{{Name: "link"}, {Name: "email", Missing: true}}, Channel: "link", Wave: "2026-05", Send: &res,
		SendError: "surveys.send.err.list", SendLine: 4, SendDetail: `bare " in non-quoted field`,
		Origins: "ftp://x", WidgetErr: "surveys.widget.err", MaxUpload: 64, MaxLinks: surveyLinksShown,
		Segments: []store.SegmentCount{{Segment: "vip", Customers: 1200}, {Segment: "<b>smb</b>", Customers: 3}},
		Regions:  []string{"north", "south"}, Segment: "vip", Region: "north",
		SegmentSend: &survey.SegmentResult{Matched: 9, Queued: 4, Duplicates: 1, OptedOut: 1, Throttled: 1, NoAddress: 2,
			Invalid: []survey.CustomerError{{CustomerID: 7, Field: "customer.email", Message: "is not an email address"}},
			Links:   []survey.SegmentLink{{CustomerID: 8, InvitationID: 3, URL: "http://vox.test/s/def"}}}}
}

func sampleSurveyEdit() surveyEditData {
	f := surveyFormFrom(sampleSurveyDef())
	f.addSlot()
	f.Errors["name"], f.Errors["limits"], f.Errors["questions"] = "surveys.err.name", "surveys.err.limits", "surveys.err.questions"
	f.Questions[0].Errors["follow"] = "surveys.err.follow"
	f.Questions[1].Errors["options"] = "surveys.err.options"
	f.Questions[2].Errors["show_if"] = "surveys.err.show_if_value"
	f.Problem = "questions[9].id: odd"
	return surveyEditData{Form: f, Action: "/surveys/5/edit", Kinds: surveyQuestionKinds, Ops: surveyConditionOps, Groups: followGroups,
		Langs: survey.Languages, Stages: store.JourneyStages, Statuses: survey.Statuses,
		Refs: []questionRef{{ID: "q1", Label: "1. Порекомендуете нас?"}, {ID: "q2", Label: "2. Delivery?"}}}
}

// TestSurveyKeysExist checks the message keys the survey pages build at
// run time (the key scanner sees only literal ones).
func TestSurveyKeysExist(t *testing.T) {
	cat, err := loadCatalogs()
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	add := func(prefix string, vals ...string) {
		for _, v := range vals {
			keys = append(keys, prefix+v)
		}
	}
	add("surveys.kind.", "nps", "csat", "ces", "custom")
	add("surveys.status.", survey.Statuses...)
	add("surveys.qkind.", surveyQuestionKinds...)
	add("surveys.op.", surveyConditionOps...)
	add("surveys.cond.", surveyConditionOps...)
	add("surveys.follow.", followGroups...)
	add("surveys.channel.", survey.InvitationChannels...)
	add("surveys.send.err.", "channel", "wave", "no_list", "list", "not_live")
	add("", "surveys.widget.err", "surveys.err.scale", "surveys.err.limits", "surveys.err.options_kind", "surveys.err.follow_kind")
	for _, m := range []map[string][2]string{surveyFieldErrors, questionFieldErrors} {
		for _, v := range m {
			keys = append(keys, v[1])
		}
	}
	for _, k := range keys {
		if _, ok := cat["en"][k]; !ok {
			t.Errorf("missing message %q", k)
		}
	}
}

// formValues reads the fields of the form posting to action in a page the
// way a browser would submit it: inputs (checked boxes only), textareas and
// each select's chosen option. Buttons are left out.
func formValues(t *testing.T, body, action string) url.Values {
	t.Helper()
	i := strings.Index(body, `action="`+action+`"`)
	if i < 0 {
		t.Fatalf("no form posting to %s", action)
	}
	form := body[i:]
	form = form[:strings.Index(form, "</form>")]
	attr := regexp.MustCompile(`([a-z_-]+)(?:="([^"]*)")?`)
	attrs := func(tag string) map[string]string {
		m := map[string]string{}
		for _, a := range attr.FindAllStringSubmatch(tag, -1) {
			m[a[1]] = html.UnescapeString(a[2])
		}
		return m
	}
	v := url.Values{}
	for _, tag := range regexp.MustCompile(`<input[^>]*>`).FindAllString(form, -1) {
		a := attrs(strings.TrimPrefix(tag, "<input"))
		if a["name"] == "" || (a["type"] == "checkbox" || a["type"] == "radio") && !strings.Contains(tag, " checked") {
			continue
		}
		v.Add(a["name"], a["value"])
	}
	for _, m := range regexp.MustCompile(`(?s)<textarea([^>]*)>(.*?)</textarea>`).FindAllStringSubmatch(form, -1) {
		v.Add(attrs(m[1])["name"], html.UnescapeString(m[2]))
	}
	option := regexp.MustCompile(`<option value="([^"]*)"( selected)?`)
	for _, m := range regexp.MustCompile(`(?s)<select([^>]*)>(.*?)</select>`).FindAllStringSubmatch(form, -1) {
		opts := option.FindAllStringSubmatch(m[2], -1)
		if len(opts) == 0 {
			continue
		}
		chosen := opts[0][1]
		for _, o := range opts {
			if o[2] != "" {
				chosen = o[1]
			}
		}
		v.Add(attrs(m[1])["name"], html.UnescapeString(chosen))
	}
	return v
}

// newSurveyFormValues is a filled "new survey" form: an NPS question with a
// promoter follow-up, a single choice and an open question shown to
// detractors.
func newSurveyFormValues(csrf string) url.Values {
	return url.Values{"csrf": {csrf}, "slots": {"3"}, "name": {"After delivery"}, "status": {"live"}, "touchpoint": {"delivery"},
		"stage": {"usage"}, "default_lang": {"en"}, "lang": {"en", "ru"}, "expiry_days": {"14"}, "reminder_days": {"2"}, "max_reminders": {"1"},
		"title.en": {"How did we do?"}, "title.ru": {"Как мы справились?"},
		"q1.id": {"q1"}, "q1.kind": {"nps"}, "q1.required": {"1"}, "q1.text.en": {"Would you recommend us?"}, "q1.text.ru": {"Порекомендуете нас?"},
		"q1.follow.promoter.en": {"What did you love?"}, "q1.follow.detractor.ru": {"Что нам исправить?"},
		"q2.id": {"q2"}, "q2.kind": {"single"}, "q2.text.en": {"How was the delivery?"}, "q2.options.en": {"Fast\nSlow\n"}, "q2.options.ru": {"Быстро\nМедленно"},
		"q3.id": {"q3"}, "q3.kind": {"open"}, "q3.text.en": {"What went wrong?"}, "q3.show_q": {"q1"}, "q3.show_op": {"lte"}, "q3.show_value": {"6"}}
}

func TestSurveyCreateViaForm(t *testing.T) {
	f := newFixture(t)
	c := f.loggedIn("manager")
	page := c.get("/surveys/new")
	if page.StatusCode != http.StatusOK {
		t.Fatalf("new survey form: %d", page.StatusCode)
	}
	mustContain(t, page.Body, `name="q1.text.en"`, `name="q2.kind"`, `name="add"`)
	res := c.post("/surveys/new", newSurveyFormValues(csrfFrom(t, page.Body)))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", res.StatusCode, res.Body)
	}
	loc := res.Header.Get("Location")
	id, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(loc, "/surveys/"), "?saved=1"), 10, 64)
	if err != nil {
		t.Fatalf("redirect to %q", loc)
	}
	sv, err := f.surveys.Survey(context.Background(), f.wsA.ID, id, 0)
	if err != nil {
		t.Fatal(err)
	}
	if sv.Name != "After delivery" || sv.Status != "live" || sv.Touchpoint != "delivery" || sv.Stage != "usage" || sv.Version != 1 ||
		sv.Options.ExpiryDays != 14 || sv.Options.ReminderDays != 2 || strings.Join(sv.Languages, ",") != "en,ru" {
		t.Errorf("stored survey: %+v", sv)
	}
	var ids []string
	for _, q := range sv.Questions {
		ids = append(ids, q.ID)
	}
	if got := strings.Join(ids, ","); got != "q1,q1-promoter,q1-detractor,q2,q3" {
		t.Fatalf("question ids %s", got)
	}
	q := sv.Questions
	if q[0].Type != survey.TypeNPS || !q[0].Required || q[0].Text["ru"] != "Порекомендуете нас?" {
		t.Errorf("q1: %+v", q[0])
	}
	if c := q[1].ShowIf; c == nil || c.Op != "gte" || q[1].Text["en"] != "What did you love?" {
		t.Errorf("promoter follow-up: %+v", q[1])
	}
	if c := q[2].ShowIf; c == nil || c.Op != "lte" || q[2].Text["ru"] != "Что нам исправить?" {
		t.Errorf("detractor follow-up: %+v", q[2])
	}
	if len(q[3].Options) != 2 || q[3].Options[1].ID != "2" || q[3].Options[1].Text["ru"] != "Медленно" {
		t.Errorf("choices: %+v", q[3].Options)
	}
	if c := q[4].ShowIf; c == nil || c.Question != "q1" || c.Op != "lte" || c.Value != float64(6) {
		t.Errorf("skip logic: %+v", q[4].ShowIf)
	}
	// The follow-ups follow the score on the respondent's side.
	a := survey.Answers{"q1": {Score: ptr(10)}}
	if !survey.Visible(&q[1], a) || survey.Visible(&q[2], a) || survey.Visible(&q[4], a) {
		t.Error("a promoter must see the promoter follow-up only")
	}

	detail := c.get(loc)
	if detail.StatusCode != http.StatusOK {
		t.Fatalf("survey page: %d", detail.StatusCode)
	}
	mustContain(t, detail.Body, "After delivery", "Saved. The survey is at version 1.", "Would you recommend us?", "How was the delivery?",
		"Shown when #1 ≤ 6", "/s/", `action="/surveys/`+strconv.FormatInt(id, 10)+`/send"`)
	list := c.get("/surveys")
	mustContain(t, list.Body, "After delivery", `href="/surveys/`+strconv.FormatInt(id, 10)+`"`, "delivery · ")

	// The edit form shows the follow-ups folded back into their question.
	edit := c.get("/surveys/" + strconv.FormatInt(id, 10) + "/edit")
	vals := formValues(t, edit.Body, "/surveys/"+strconv.FormatInt(id, 10)+"/edit")
	if vals.Get("q1.follow.promoter.en") != "What did you love?" || vals.Get("q2.text.en") != "How was the delivery?" ||
		vals.Get("q3.show_op") != "lte" || vals.Get("slots") != "4" {
		t.Errorf("edit form values: %v", vals)
	}
}

func TestSurveyFormValidation(t *testing.T) {
	f := newFixture(t)
	c := f.loggedIn("manager")
	csrf := csrfFrom(t, c.get("/surveys/new").Body)
	cases := []struct {
		name  string
		edit  func(url.Values)
		wants []string
	}{
		{"no name", func(v url.Values) { v.Set("name", "") }, []string{"Enter a name of at most 200 characters."}},
		{"one choice", func(v url.Values) { v.Set("q2.options.en", "Fast"); v.Del("q2.options.ru") },
			[]string{"Give 2 to 30 choices, one per line, each with a text."}},
		{"choices on an open question", func(v url.Values) { v.Set("q3.options.en", "a\nb") },
			[]string{"Only single and multiple choice questions have choices"}},
		{"later question in a condition", func(v url.Values) { v.Set("q2.show_q", "q3"); v.Set("q2.show_op", "answered") },
			[]string{"The condition must name an earlier question."}},
		{"condition without a number", func(v url.Values) { v.Set("q3.show_value", "many") },
			[]string{"Give a value: a number for"}},
		{"rating scale not a number", func(v url.Values) {
			v.Set("q2.kind", "rating")
			v.Del("q2.options.en")
			v.Del("q2.options.ru")
			v.Set("q2.scale", "ten")
		},
			[]string{"The rating scale is a number from 3 to 10."}},
		{"rating scale out of range", func(v url.Values) {
			v.Set("q2.kind", "rating")
			v.Del("q2.options.en")
			v.Del("q2.options.ru")
			v.Set("q2.scale", "11")
		},
			[]string{"The rating scale is a number from 3 to 10."}},
		{"follow-up on CSAT", func(v url.Values) { v.Set("q1.kind", "csat5") }, []string{"Only NPS questions have follow-ups"}},
		{"no questions", func(v url.Values) {
			for k := range v {
				if strings.HasPrefix(k, "q") && strings.Contains(k, ".text.") || strings.Contains(k, ".follow.") || strings.Contains(k, ".options.") {
					v.Del(k)
				}
			}
		}, []string{"A survey needs 1 to 50 questions"}},
		{"limits", func(v url.Values) { v.Set("expiry_days", "400") }, []string{"Link valid 1–365 days"}},
		{"question text too long", func(v url.Values) { v.Set("q3.text.ru", strings.Repeat("я", 1001)) },
			[]string{"Enter the question in at least one language"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := newSurveyFormValues(csrf)
			tc.edit(v)
			res := c.post("/surveys/new", v)
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", res.StatusCode)
			}
			mustContain(t, res.Body, append(tc.wants, "The survey was not saved: check the marked fields.")...)
			// What was typed is shown again, nothing is lost.
			if name := v.Get("name"); name != "" {
				mustContain(t, res.Body, `value="`+name+`"`)
			}
			if v.Get("q3.text.en") != "" {
				mustContain(t, res.Body, `value="What went wrong?"`)
			}
		})
	}
	if list, _ := f.surveys.Surveys(context.Background(), f.wsA.ID); len(list) != 0 {
		t.Errorf("invalid forms stored %d surveys", len(list))
	}
}

func TestSurveyAddQuestionSlot(t *testing.T) {
	f := newFixture(t)
	c := f.loggedIn("manager")
	v := newSurveyFormValues(csrfFrom(t, c.get("/surveys/new").Body))
	v.Set("add", "1")
	res := c.post("/surveys/new", v)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("add question: %d", res.StatusCode)
	}
	got := formValues(t, res.Body, "/surveys/new")
	if got.Get("slots") != "4" || got.Get("q4.id") != "q4" || got.Get("q1.text.ru") != "Порекомендуете нас?" ||
		got.Get("q2.options.en") != "Fast\nSlow\n" || got.Get("q3.show_value") != "6" || got.Get("q1.follow.detractor.ru") != "Что нам исправить?" {
		t.Errorf("form after add: %v", got)
	}
	if list, _ := f.surveys.Surveys(context.Background(), f.wsA.ID); len(list) != 0 {
		t.Error("adding a slot saved the survey")
	}
	// The new slot is saved with the rest once filled.
	got.Set("q4.kind", "ces")
	got.Set("q4.text.en", "Was it easy?")
	res = c.post("/surveys/new", got)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save after add: %d\n%s", res.StatusCode, res.Body)
	}
	list, _ := f.surveys.Surveys(context.Background(), f.wsA.ID)
	if len(list) != 1 || list[0].Questions[len(list[0].Questions)-1].Type != survey.TypeCES {
		t.Errorf("stored: %+v", list)
	}
}

// answerSurvey answers a survey through a one-time link as a respondent would.
func answerSurvey(t *testing.T, f *fixture, surveyID int64, email string, values map[string][]string) {
	t.Helper()
	ctx := context.Background()
	out, err := f.surveys.Invite(ctx, f.wsA.ID, surveyID, []survey.InviteRequest{{Channel: survey.ChannelLink,
		Customer: &ingest.CustomerRef{Email: email}}})
	if err != nil {
		t.Fatal(err)
	}
	sess, err := f.surveys.Open(ctx, out[0].URL[strings.LastIndex(out[0].URL, "/")+1:])
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.surveys.Submit(ctx, sess, values, "")
	if err != nil || !res.Done {
		t.Fatalf("answer: %+v %v", res, err)
	}
}

func TestSurveyEditMakesVersionAndOldAnswersStillRender(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id, err := f.surveys.CreateSurvey(ctx, f.wsA.ID, survey.Input{Name: "Support", Definition: survey.Definition{
		Questions: []survey.Question{{Type: survey.TypeNPS, Required: true, Text: survey.Text{"en": "Old NPS wording"},
			LowLabel: survey.Text{"en": "Never"}, HighLbl: survey.Text{"en": "Surely"}},
			{Type: survey.TypeOpen, Text: survey.Text{"en": "Why?"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	answerSurvey(t, f, id, "anna@example.com", map[string][]string{"q1": {"3"}, "q2": {`Slow <script>alert("x")</script> courier`}})

	c := f.loggedIn("manager")
	path := "/surveys/" + strconv.FormatInt(id, 10)
	edit := c.get(path + "/edit")
	mustContain(t, edit.Body, "The survey is live at version 1.")
	vals := formValues(t, edit.Body, path+"/edit")

	// Saving without a change makes no version.
	if res := c.post(path+"/edit", vals); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save unchanged: %d\n%s", res.StatusCode, res.Body)
	}
	if sv, _ := f.surveys.Survey(ctx, f.wsA.ID, id, 0); sv.Version != 1 {
		t.Fatalf("unchanged save made version %d", sv.Version)
	}

	vals.Set("q1.text.en", "New NPS wording")
	vals.Set("q1.text.zh", "您会推荐我们吗？")
	if res := c.post(path+"/edit", vals); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", res.StatusCode, res.Body)
	}
	sv, err := f.surveys.Survey(ctx, f.wsA.ID, id, 0)
	if err != nil {
		t.Fatal(err)
	}
	if sv.Version != 2 || sv.Questions[0].Text["en"] != "New NPS wording" || sv.Questions[0].Text["zh"] != "您会推荐我们吗？" {
		t.Fatalf("after edit: version %d, %+v", sv.Version, sv.Questions[0])
	}
	if sv.Questions[0].LowLabel["en"] != "Never" || sv.Questions[0].HighLbl["en"] != "Surely" {
		t.Errorf("the edit lost the scale labels set through the API: %+v", sv.Questions[0])
	}
	if old, _ := f.surveys.Survey(ctx, f.wsA.ID, id, 1); old.Questions[0].Text["en"] != "Old NPS wording" {
		t.Errorf("version 1 changed: %+v", old.Questions[0])
	}
	answerSurvey(t, f, id, "boris@example.com", map[string][]string{"q1": {"10"}})

	page := c.get(path + "?saved=1")
	mustContain(t, page.Body, "The survey is at version 2.", "New NPS wording", // the questions now
		"Old NPS wording", "v1", // the old answer against the question it answered
		"Slow &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; courier", `data-responses="2"`)
	mustNotContain(t, page.Body, `<script>alert`)
}

// postMultipart posts a form with one file, as a browser's upload does.
func (c *client) postMultipart(path string, fields map[string]string, fileField, fileName, content string) response {
	c.f.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	if fileField != "" {
		fw, _ := mw.CreateFormFile(fileField, fileName)
		_, _ = fw.Write([]byte(content))
	}
	_ = mw.Close()
	req, _ := http.NewRequest("POST", c.f.http.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

func TestSurveySendCSV(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ws := f.wsA.ID
	id, err := f.surveys.CreateSurvey(ctx, ws, survey.Input{Name: "NPS", Definition: survey.Definition{
		Questions: []survey.Question{{Type: survey.TypeNPS, Text: survey.Text{"en": "Recommend us?"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.surveys.PutSettings(ctx, ws, survey.Settings{ThrottleDays: 30}); err != nil {
		t.Fatal(err)
	}
	// Ivan was surveyed (another survey's link) today; Olga opted out.
	other, _ := f.surveys.CreateSurvey(ctx, ws, survey.Input{Name: "Other", Definition: survey.Definition{
		Questions: []survey.Question{{Type: survey.TypeCES, Text: survey.Text{"en": "Easy?"}}}}})
	if _, err := f.surveys.Invite(ctx, ws, other, []survey.InviteRequest{{Channel: survey.ChannelLink, Customer: &ingest.CustomerRef{Email: "ivan@example.com"}}}); err != nil {
		t.Fatal(err)
	}
	olga, _ := f.surveys.Invite(ctx, ws, other, []survey.InviteRequest{{Channel: survey.ChannelLink, Customer: &ingest.CustomerRef{Email: "olga@example.com"}}})
	if err := f.db.OptOut(ctx, ws, *olga[0].Invitation.CustomerID, "email"); err != nil {
		t.Fatal(err)
	}

	csv := "\ufeffEmail;Name;Lang\n" +
		"anna@example.com;Анна;ru\n" + // line 2
		"not-an-email;Bob;en\n" + // line 3: bad address
		";Carol;en\n" + // line 4: no address
		"\n" + // blank lines are skipped
		"ivan@example.com;Иван;ru\n" + // line 6: throttled
		"olga@example.com;Ольга;ru\n" + // line 7: opted out
		"wei@example.com;王伟;zh\n" // line 8
	c := f.loggedIn("manager")
	path := "/surveys/" + strconv.FormatInt(id, 10)
	csrf := csrfFrom(t, c.get(path).Body)
	res := c.postMultipart(path+"/send", map[string]string{"csrf": csrf, "channel": "email", "wave": "may"}, "contacts", "list.csv", csv)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("send: %d\n%s", res.StatusCode, res.Body)
	}
	mustContain(t, res.Body, "3 of 6 contacts queued.", "Queued: 3", "throttled): 1", "Opted out of surveys, not sent: 1",
		"Rows with a problem, not sent: 2", "<td class=\"num\">3</td><td>customer.email: is not an email address</td>",
		"<td class=\"num\">4</td><td>customer: needs at least one of")
	invs, err := f.db.Invitations(ctx, ws, id, 100)
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]string{}
	for _, inv := range invs {
		status[inv.Address] = inv.Status
	}
	want := map[string]string{"anna@example.com": "pending", "ivan@example.com": "pending", "wei@example.com": "pending", "olga@example.com": "opted_out"}
	if len(status) != len(want) {
		t.Errorf("invitations: %v", status)
	}
	for addr, st := range want {
		if status[addr] != st {
			t.Errorf("%s: status %q, want %q", addr, status[addr], st)
		}
	}
	jobs, err := f.db.Jobs(ctx, ws, "pending", survey.JobSend, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 3 {
		t.Errorf("%d send jobs queued, want 3", len(jobs))
	}

	// The same list again in the same wave invites nobody twice.
	res = c.postMultipart(path+"/send", map[string]string{"csrf": csrf, "channel": "email", "wave": "may"}, "contacts", "list.csv", csv)
	mustContain(t, res.Body, "0 of 6 contacts queued.", "not sent again: 4")
	if again, _ := f.db.Invitations(ctx, ws, id, 100); len(again) != len(invs) {
		t.Errorf("a repeated upload made %d invitations, want %d", len(again), len(invs))
	}

	// Pasted text works too, and a link list shows its one-time links.
	res = c.postMultipart(path+"/send", map[string]string{"csrf": csrf, "channel": "link", "contacts_text": "external_id,name\nc-1,X\n"}, "", "", "")
	mustContain(t, res.Body, "1 of 1 contacts queued.", "http://vox.test/s/")

	// A list that cannot be read says where and queues nothing.
	for _, tc := range []struct{ body, want string }{
		{"name,city\nAnna,Moscow\n", "(line 1)"},
		{"email,name\n\"anna@example.com,Anna\n", "(line 2)"},
		{"email\n", "header but no contacts"},
	} {
		res = c.postMultipart(path+"/send", map[string]string{"csrf": csrf, "channel": "sms"}, "contacts", "l.csv", tc.body)
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%q: status %d", tc.body, res.StatusCode)
		}
		mustContain(t, res.Body, "The list cannot be read; nothing was sent.", tc.want)
	}
	res = c.postMultipart(path+"/send", map[string]string{"csrf": csrf, "channel": "fax", "contacts_text": "email\na@b.c\n"}, "", "", "")
	mustContain(t, res.Body, "Choose a channel")
	res = c.postMultipart(path+"/send", map[string]string{"csrf": csrf, "channel": "email"}, "", "", "")
	mustContain(t, res.Body, "Choose a CSV file or paste the list.")

	// A closed survey sends nothing.
	sv, _ := f.surveys.Survey(ctx, ws, id, 0)
	in := survey.Input{Name: sv.Name, Status: "closed", Options: sv.Options, Definition: sv.Definition}
	if _, err := f.surveys.UpdateSurvey(ctx, ws, id, in); err != nil {
		t.Fatal(err)
	}
	res = c.postMultipart(path+"/send", map[string]string{"csrf": csrf, "channel": "email", "contacts_text": "email\nnew@example.com\n"}, "", "", "")
	if res.StatusCode != http.StatusConflict {
		t.Errorf("closed survey send: %d", res.StatusCode)
	}
	mustContain(t, res.Body, "The survey is not live; nothing was sent.")
}

func TestSurveyWidget(t *testing.T) {
	f := newFixture(t)
	id, err := f.surveys.CreateSurvey(context.Background(), f.wsA.ID, survey.Input{Name: "Widget", Definition: survey.Definition{
		Questions: []survey.Question{{Type: survey.TypeNPS, Text: survey.Text{"en": "Recommend us?"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	c := f.loggedIn("admin")
	path := "/surveys/" + strconv.FormatInt(id, 10)
	csrf := csrfFrom(t, c.get(path).Body)
	res := c.post(path+"/widgets", url.Values{"csrf": {csrf}, "origins": {"ftp://shop.example"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad origin: %d", res.StatusCode)
	}
	mustContain(t, res.Body, "Give 1–20 site origins", "ftp://shop.example")
	res = c.post(path+"/widgets", url.Values{"csrf": {csrf}, "origins": {"https://shop.example\nhttps://m.shop.example"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("widget: %d\n%s", res.StatusCode, res.Body)
	}
	page := c.get(path)
	mustContain(t, page.Body, "https://shop.example, https://m.shop.example", "&lt;script src=&#34;http://vox.test/widget/v1.js&#34; data-vox-key=&#34;pk_")
}

// TestSurveyPagesStayInWorkspace opens another workspace's survey by id in
// every way the pages allow: each is not found, and nothing changes.
func TestSurveyPagesStayInWorkspace(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	theirs, err := f.surveys.CreateSurvey(ctx, f.wsB.ID, survey.Input{Name: "Globex secret survey", Definition: survey.Definition{
		Questions: []survey.Question{{Type: survey.TypeNPS, Text: survey.Text{"en": "Globex question"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	c := f.loggedIn("multi") // a manager in A, a viewer in B
	path := "/surveys/" + strconv.FormatInt(theirs, 10)
	csrf := csrfFrom(t, c.get("/surveys").Body)
	for _, res := range []response{
		c.get(path),
		c.get(path + "/edit"),
		c.post(path+"/edit", newSurveyFormValues(csrf)),
		c.post(path+"/widgets", url.Values{"csrf": {csrf}, "origins": {"https://evil.example"}}),
		c.postMultipart(path+"/send", map[string]string{"csrf": csrf, "channel": "link", "contacts_text": "external_id\nx1\n"}, "", "", ""),
	} {
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("%s %s: %d, want 404", res.Request.Method, res.Request.URL.Path, res.StatusCode)
		}
		mustNotContain(t, res.Body, "Globex secret survey", "Globex question")
	}
	mustNotContain(t, c.get("/surveys").Body, "Globex secret survey")
	sv, _ := f.surveys.Survey(ctx, f.wsB.ID, theirs, 0)
	invs, _ := f.db.Invitations(ctx, f.wsB.ID, theirs, 10)
	widgets, _ := f.surveys.Widgets(ctx, f.wsB.ID, theirs)
	if sv.Version != 1 || sv.Name != "Globex secret survey" || len(invs) != 0 || len(widgets) != 0 {
		t.Errorf("another workspace's survey changed: version %d, %d invitations, %d widgets", sv.Version, len(invs), len(widgets))
	}
}

func TestSurveyPagesNeedPermission(t *testing.T) {
	f := newFixture(t)
	id, err := f.surveys.CreateSurvey(context.Background(), f.wsA.ID, survey.Input{Name: "Ours", Definition: survey.Definition{
		Questions: []survey.Question{{Type: survey.TypeNPS, Text: survey.Text{"en": "Recommend us?"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	path := "/surveys/" + strconv.FormatInt(id, 10)
	for _, role := range []string{store.RoleViewer, store.RoleAgent, store.RoleEmployee} {
		c := f.loggedIn(role)
		csrf := csrfFrom(t, c.get("/").Body)
		for _, res := range []response{
			c.get("/surveys"), c.get(path), c.get("/surveys/new"),
			c.post("/surveys/new", newSurveyFormValues(csrf)),
			c.post(path+"/edit", newSurveyFormValues(csrf)),
			c.postMultipart(path+"/send", map[string]string{"csrf": csrf, "channel": "link", "contacts_text": "external_id\nx1\n"}, "", "", ""),
		} {
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("%s %s %s: %d, want 403", role, res.Request.Method, res.Request.URL.Path, res.StatusCode)
			}
		}
	}
	list, _ := f.surveys.Surveys(context.Background(), f.wsA.ID)
	invs, _ := f.db.Invitations(context.Background(), f.wsA.ID, id, 10)
	if len(list) != 1 || list[0].Version != 1 || len(invs) != 0 {
		t.Errorf("a role without the permission changed surveys: %d surveys, version %d, %d invitations", len(list), list[0].Version, len(invs))
	}
}

func TestSurveyPagesWithoutService(t *testing.T) {
	f := newFixture(t)
	cookie := f.loggedIn("owner").sessionCookie()
	off := New(f.db, Options{Now: f.clock.Now})
	for _, p := range []string{"/surveys", "/surveys/new", "/surveys/1"} {
		req := httptest.NewRequest("GET", p, nil)
		req.AddCookie(cookie)
		rec := httptest.NewRecorder()
		off.Handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusServiceUnavailable {
			t.Errorf("%s without the survey service: %d, want 503", p, rec.Code)
		}
		mustContain(t, rec.Body.String(), "Surveys are not configured on this server")
	}
}

func TestSurveyListNumbers(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id, _ := f.surveys.CreateSurvey(ctx, f.wsA.ID, survey.Input{Name: "NPS", Definition: survey.Definition{
		Questions: []survey.Question{{Type: survey.TypeNPS, Text: survey.Text{"en": "Recommend us?"}}}}})
	answerSurvey(t, f, id, "a@example.com", map[string][]string{"q1": {"10"}})
	answerSurvey(t, f, id, "b@example.com", map[string][]string{"q1": {"2"}})
	answerSurvey(t, f, id, "c@example.com", map[string][]string{"q1": {"9"}})
	if _, err := f.surveys.Invite(ctx, f.wsA.ID, id, []survey.InviteRequest{{Channel: survey.ChannelLink}}); err != nil {
		t.Fatal(err)
	}
	c := f.loggedIn("owner")
	list := c.get("/surveys").Body
	// 3 answered of 4 links handed out; NPS (2 promoters − 1 detractor) / 3.
	mustContain(t, list, ">4</td>", ">3</td>", "75 %", "33 <span class=\"muted small\">n=3</span>")
}

// TestSurveySendSizeLimit: a contact list above the general form cap but
// within the upload cap is accepted; one above the upload cap gets a clear
// 413 page (not a CSRF refusal) and queues nothing.
func TestSurveySendSizeLimit(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id, err := f.surveys.CreateSurvey(ctx, f.wsA.ID, survey.Input{Name: "NPS", Definition: survey.Definition{
		Questions: []survey.Question{{Type: survey.TypeNPS, Text: survey.Text{"en": "Recommend us?"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	c := f.loggedIn("manager")
	path := "/surveys/" + strconv.FormatInt(id, 10)
	list := func(rows int) string {
		var sb strings.Builder
		sb.WriteString("external_id,name\n")
		for i := range rows {
			fmt.Fprintf(&sb, "c-%06d,Customer number %d\n", i, i)
		}
		return sb.String()
	}
	big := list(3000) // ~100 KB: over maxFormBytes
	if len(big) <= maxFormBytes {
		t.Fatalf("list of %d bytes does not exceed the form cap", len(big))
	}
	csrf := csrfFrom(t, c.get(path).Body)
	res := c.postMultipart(path+"/send", map[string]string{"csrf": csrf, "channel": "link"}, "contacts", "list.csv", big)
	if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusSeeOther {
		t.Fatalf("100 KB list: %d\n%s", res.StatusCode, res.Body)
	}
	invs, err := f.db.Invitations(ctx, f.wsA.ID, id, 10000)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(invs); n != 3000 {
		t.Fatalf("%d invitations, want 3000", n)
	}
	huge := list(70000) // over maxContactListBytes
	res = c.postMultipart(path+"/send", map[string]string{"csrf": csrfFrom(t, c.get(path).Body), "channel": "link"}, "contacts", "list.csv", huge)
	if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("huge list: %d, want 413", res.StatusCode)
	}
	mustContain(t, res.Body, "larger than this form accepts")
	if after, _ := f.db.Invitations(ctx, f.wsA.ID, id, 100000); len(after) != len(invs) {
		t.Fatalf("huge list queued %d invitations", len(after)-len(invs))
	}
}
