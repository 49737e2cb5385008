package surveyweb

import (
	"bytes"
	"html/template"
	"testing"

	"vox/internal/survey"
)

// TestPageRenderMatchesTemplate checks that the hand-written page writer
// produces exactly what the reference template in assets/page.html does,
// for every branch of the template and hostile text everywhere.
func TestPageRenderMatchesTemplate(t *testing.T) {
	tmpl, err := template.ParseFS(assets, "assets/page.html")
	if err != nil {
		t.Fatal(err)
	}
	css, _ := assets.ReadFile("assets/page.css")
	nasty := `<script>alert('x')</script> & "quoted" + a+b ` + "\x00 \xff 日本語 \uFDD0 \uFFFE"
	scale := []scaleView{{V: 0}, {V: 1, On: true}, {V: 2}}
	views := map[string]pageView{
		"message": {UI: survey.Strings("en"), CSS: template.CSS(css), Title: "Thanks", Heading: "Thanks"},
		"empty":   {UI: survey.Strings("ru")},
		"nasty message": {UI: survey.Strings("zh"), CSS: template.CSS(css), Title: nasty, Heading: nasty, Detail: nasty,
			OptOut: "/s/aQEBj92PwOkxhHWy1t7-YUQPFw/optout"},
		"questions": {UI: survey.Strings("en"), CSS: template.CSS(css), Title: nasty, Heading: "Survey", Detail: nasty,
			Nonce: "abcdefghijklmnop_-", Button: "Next", OptOut: "/s/tok_en-1/optout",
			Questions: []questionView{
				{ID: "q1", Text: nasty, Required: true, Scale: scale, Low: "Not likely", High: nasty},
				{ID: "q2", Text: "Scale without labels", Scale: scale},
				{ID: "q3", Text: "Error", Error: nasty, Required: true, Scale: scale, Low: nasty, High: ""},
				{ID: "q4", Text: "One", Options: []optionView{{ID: "a", Text: nasty}, {ID: "b&c", Text: "B", On: true}}},
				{ID: "q5", Text: "Many", Multi: true, Error: "pick", Options: []optionView{{ID: "x", Text: "X", On: true}, {ID: "y", Text: "Y", On: true}}},
				{ID: "q6", Text: "Why?", Value: nasty},
				{ID: "q7", Text: "Why not?", Required: true, Error: "required"},
			}},
	}
	for name, v := range views {
		var want, got bytes.Buffer
		if err := tmpl.ExecuteTemplate(&want, "page", v); err != nil {
			t.Fatal(err)
		}
		writePage(&got, &v)
		if got.String() != want.String() {
			t.Errorf("%s: page differs from the template\n got: %q\nwant: %q", name, got.String(), want.String())
		}
	}
}

// BenchmarkPageWriter compares the page writer with the template it replaces.
func BenchmarkPageWriter(b *testing.B) {
	tmpl, _ := template.ParseFS(assets, "assets/page.html")
	css, _ := assets.ReadFile("assets/page.css")
	var scale []scaleView
	for i := 0; i <= 10; i++ {
		scale = append(scale, scaleView{V: i})
	}
	v := pageView{UI: survey.Strings("en"), CSS: template.CSS(css), Title: "NPS", Heading: "NPS", Button: "Submit",
		OptOut: "/s/aQEBj92PwOkxhHWy1t7-YUQPFw/optout", Questions: []questionView{
			{ID: "q1", Text: "How likely are you to recommend us?", Required: true, Scale: scale, Low: "Not likely", High: "Very likely"},
			{ID: "q2", Text: "Why?"}}}
	var buf bytes.Buffer
	b.Run("template", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			buf.Reset()
			_ = tmpl.ExecuteTemplate(&buf, "page", v)
		}
	})
	b.Run("writer", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			buf.Reset()
			writePage(&buf, &v)
		}
	})
}
