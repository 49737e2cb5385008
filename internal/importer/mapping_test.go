package importer

import (
	"maps"
	"testing"
)

func TestDetectMapping(t *testing.T) {
	tests := []struct {
		name    string
		headers []string
		want    Mapping
	}{
		{"english", []string{"Date", "Comment", "NPS", "Email", "Phone", "Channel", "Region"}, Mapping{
			"occurred_at": "Date", "text": "Comment", "nps": "NPS", "customer.email": "Email",
			"customer.phone": "Phone", "channel": "Channel", "region": "Region"}},
		{"english score and rating", []string{"Review ID", "Review text", "Score", "Rating", "Customer ID"}, Mapping{
			"external_id": "Review ID", "text": "Review text", "nps": "Score", "csat": "Rating",
			"customer.external_id": "Customer ID"}},
		{"russian", []string{"Дата", "Комментарий", "Оценка", "Эл. почта", "Телефон", "Регион", "Сегмент"}, Mapping{
			"occurred_at": "Дата", "text": "Комментарий", "nps": "Оценка", "customer.email": "Эл. почта",
			"customer.phone": "Телефон", "region": "Регион", "segment": "Сегмент"}},
		{"chinese", []string{"日期", "评论", "推荐值", "邮箱", "手机号", "渠道"}, Mapping{
			"occurred_at": "日期", "text": "评论", "nps": "推荐值", "customer.email": "邮箱",
			"customer.phone": "手机号", "channel": "渠道"}},
		{"qualtrics short headers", []string{"StartDate", "EndDate", "Status", "IPAddress", "RecordedDate", "ResponseId",
			"RecipientEmail", "ExternalReference", "DistributionChannel", "UserLanguage", "Q1", "Q1_NPS_GROUP", "Q2"}, Mapping{
			"occurred_at": "RecordedDate", "external_id": "ResponseId", "customer.email": "RecipientEmail",
			"customer.external_id": "ExternalReference", "channel": "DistributionChannel", "lang": "UserLanguage",
			"nps": "Q1"}},
		{"qualtrics question headers", []string{"Recorded Date", "Response ID",
			"How likely are you to recommend us to a friend?", "Why would you recommend us?"}, Mapping{
			"occurred_at": "Recorded Date", "external_id": "Response ID",
			"nps": "How likely are you to recommend us to a friend?", "text": "Why would you recommend us?"}},
		{"limesurvey full question text", []string{"id", "submitdate", "lastpage", "startlanguage", "seed", "token",
			"Насколько вероятно, что вы порекомендуете нас друзьям?", "Почему вы поставили такую оценку?"}, Mapping{
			"occurred_at": "submitdate", "lang": "startlanguage",
			"nps": "Насколько вероятно, что вы порекомендуете нас друзьям?", "text": "Почему вы поставили такую оценку?"}},
		{"limesurvey codes", []string{"id", "submitdate", "startlanguage", "token", "NPS", "comment"}, Mapping{
			"occurred_at": "submitdate", "lang": "startlanguage", "nps": "NPS", "text": "comment"}},
		{"chinese questions", []string{"提交时间", "您向朋友推荐我们的可能性有多大？", "您对服务满意吗？", "其他意见"}, Mapping{
			"occurred_at": "提交时间", "nps": "您向朋友推荐我们的可能性有多大？", "csat": "您对服务满意吗？", "text": "其他意见"}},
		{"nothing known", []string{"foo", "bar"}, Mapping{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DetectMapping(tt.headers); !maps.Equal(got, tt.want) {
				t.Errorf("DetectMapping(%q)\n got %v\nwant %v", tt.headers, got, tt.want)
			}
		})
	}
}

func TestParseMapping(t *testing.T) {
	tests := []struct {
		in      string
		want    Mapping
		wantErr bool
	}{
		{"text=Comment,nps=Score", Mapping{"text": "Comment", "nps": "Score"}, false},
		{" text = Comment , NPS=Score ", Mapping{"text": "Comment", "nps": "Score"}, false},
		{"text=Why, in short?,nps=Q1", Mapping{"text": "Why, in short?", "nps": "Q1"}, false},
		{"customer.email=Почта,channel=", Mapping{"customer.email": "Почта", "channel": ""}, false},
		{"", Mapping{}, false},
		{"bogus=X", nil, true},
		{"text", nil, true},
		{"text=a,text=b", nil, true},
	}
	for _, tt := range tests {
		got, err := ParseMapping(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseMapping(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if !tt.wantErr && !maps.Equal(got, tt.want) {
			t.Errorf("ParseMapping(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestMergeOverrides(t *testing.T) {
	got := merge(Mapping{"nps": "Score", "text": "Comment", "channel": "Channel"},
		Mapping{"csat": "Score", "channel": ""})
	want := Mapping{"csat": "Score", "text": "Comment"}
	if !maps.Equal(got, want) {
		t.Errorf("merge = %v, want %v", got, want)
	}
}

func TestParseScoreAndTime(t *testing.T) {
	for in, want := range map[string]int{"9": 9, "10.0": 10, "0 - Not at all likely": 0, "10 – Extremely likely": 10, "-1": -1} {
		if got, ok := parseScore(in); !ok || got != want {
			t.Errorf("parseScore(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"abc", "9.5", "nine", "1e9"} {
		if _, ok := parseScore(in); ok {
			t.Errorf("parseScore(%q) accepted", in)
		}
	}
	day := "2024-03-09"
	for _, in := range []string{"2024-03-09", "2024-03-09T10:00:00Z", "2024-03-09 10:00:00", "09.03.2024", "03/09/2024",
		"3/9/2024 10:00 AM", "2024/03/09", "2024年3月9日", "1709978400", "1709978400000", "13/03/2024"} {
		got, ok := parseTime(in, nil, false)
		if !ok {
			t.Errorf("parseTime(%q) failed", in)
			continue
		}
		if in == "13/03/2024" {
			day = "2024-03-13" // no 13th month: read day-first
		}
		if got.Format("2006-01-02") != day {
			t.Errorf("parseTime(%q) = %v, want %s", in, got, day)
		}
	}
	if got, ok := parseTime("45360.5", nil, true); !ok || got.Format("2006-01-02 15:04") != "2024-03-09 12:00" {
		t.Errorf("Excel serial date = %v, %v", got, ok)
	}
	if _, ok := parseTime("45360.5", nil, false); ok {
		t.Errorf("a bare number in a CSV is not a date")
	}
}
