package importer

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
)

// Mapping maps a target field of ingest.Item ("text", "nps",
// "customer.email", …) to the header of the source column that fills it.
type Mapping map[string]string

// Targets are the field names a Mapping may fill, in the order a summary
// prints them.
var Targets = []string{
	"text", "nps", "csat", "csat_scale", "ces", "occurred_at", "external_id",
	"channel", "kind", "source", "author", "url", "lang", "touchpoint", "stage", "region", "segment",
	"employee", "tags",
	"customer.email", "customer.phone", "customer.telegram_id", "customer.telegram_username",
	"customer.external_id", "customer.name", "customer.annual_revenue", "customer.annual_revenue_currency",
}

// String prints the mapping in the --map flag syntax, targets in a fixed
// order, so a summary shows exactly what to pass to change it.
func (m Mapping) String() string {
	var parts []string
	for _, t := range Targets {
		if src, ok := m[t]; ok {
			parts = append(parts, t+"="+src)
		}
	}
	return strings.Join(parts, ",")
}

// ParseMapping reads the --map flag: "text=Comment,nps=Score". A header that
// itself contains a comma stays whole ("text=Why, in short?,nps=Q1") because
// a piece without "=" continues the previous one. An empty source
// ("channel=") removes that target from the auto-detected mapping.
func ParseMapping(s string) (Mapping, error) {
	m := Mapping{}
	if strings.TrimSpace(s) == "" {
		return m, nil
	}
	var pieces []string
	for _, p := range strings.Split(s, ",") {
		if !strings.Contains(p, "=") && len(pieces) > 0 {
			pieces[len(pieces)-1] += "," + p
			continue
		}
		pieces = append(pieces, p)
	}
	for _, p := range pieces {
		target, src, ok := strings.Cut(p, "=")
		target = strings.ToLower(strings.TrimSpace(target))
		if !ok || target == "" {
			return nil, fmt.Errorf("mapping %q: want target=column", p)
		}
		if !slices.Contains(Targets, target) {
			return nil, fmt.Errorf("mapping %q: unknown target %q (one of %s)", p, target, strings.Join(Targets, ", "))
		}
		if _, dup := m[target]; dup {
			return nil, fmt.Errorf("mapping: target %q given twice", target)
		}
		m[target] = strings.TrimSpace(src)
	}
	return m, nil
}

// merge applies overrides to a detected mapping: an override replaces the
// target, takes its column away from any other detected target, and an empty
// override removes the target.
func merge(detected, overrides Mapping) Mapping {
	out := maps.Clone(detected)
	if out == nil {
		out = Mapping{}
	}
	for t, src := range overrides {
		delete(out, t)
		if src == "" {
			continue
		}
		for t2, s2 := range out {
			if compact(s2) == compact(src) {
				delete(out, t2)
			}
		}
		out[t] = src
	}
	return out
}

// compact reduces a header to lower-case letters and digits so that
// "E-mail", "e_mail " and "EMAIL" compare equal.
func compact(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// synonyms lists, per target, header names (in compact form) in en/ru/zh and
// those of Qualtrics and LimeSurvey exports, best first: when several columns
// match, the earlier synonym wins (RecordedDate over EndDate).
var synonyms = []struct {
	target string
	names  []string
}{
	{"external_id", []string{"externalid", "responseid", "feedbackid", "reviewid", "ticketid", "idответа", "idотзыва", "回复id", "反馈id", "答卷编号"}},
	{"text", []string{"text", "comment", "comments", "feedback", "message", "review", "reviewtext", "feedbacktext",
		"commenttext", "verbatim", "body", "answer", "opentext", "remarks", "remark",
		"отзыв", "комментарий", "комментарии", "текст", "текстотзыва", "вашотзыв", "сообщение", "ответ",
		"评论", "评价", "意见", "反馈", "反馈内容", "评价内容", "内容", "留言", "文本", "备注"}},
	{"nps", []string{"nps", "npsscore", "npsrating", "likelihoodtorecommend", "ltr", "recommend", "score",
		"оценкаnps", "npsоценка", "оценка", "балл", "nps评分", "净推荐值", "推荐值", "推荐度", "推荐意愿", "评分", "分数"}},
	{"csat", []string{"csat", "csatscore", "satisfaction", "rating", "stars", "удовлетворенность", "удовлетворённость",
		"рейтинг", "звезды", "звёзды", "满意度", "星级", "评级"}},
	{"csat_scale", []string{"csatscale"}},
	{"ces", []string{"ces", "cesscore", "effort", "customereffort", "customereffortscore", "усилия", "费力度", "费力程度"}},
	{"occurred_at", []string{"occurredat", "recordeddate", "submitdate", "date", "datetime", "timestamp", "createdat",
		"created", "submitted", "submittedat", "responsedate", "datestamp", "time", "enddate",
		"дата", "датаивремя", "датаотзыва", "датаответа", "время", "日期", "时间", "提交时间", "提交日期", "创建时间", "日期时间"}},
	{"customer.email", []string{"email", "emailaddress", "mail", "recipientemail", "customeremail", "clientemail", "useremail",
		"почта", "элпочта", "электроннаяпочта", "емейл", "邮箱", "电子邮件", "电子邮箱", "邮件"}},
	{"customer.phone", []string{"phone", "phonenumber", "telephone", "tel", "mobile", "mobilephone", "cell",
		"телефон", "номертелефона", "мобильный", "电话", "手机", "手机号", "手机号码", "电话号码"}},
	{"customer.telegram_id", []string{"telegramid", "tgid"}},
	{"customer.telegram_username", []string{"telegram", "telegramusername", "tg", "телеграм", "телеграмм", "电报"}},
	{"customer.external_id", []string{"customerid", "clientid", "crmid", "externalreference", "userid",
		"idклиента", "клиентid", "客户id", "客户编号", "用户id"}},
	{"customer.name", []string{"name", "customername", "fullname", "clientname", "имя", "фио", "имяклиента", "клиент",
		"姓名", "名字", "客户姓名", "客户名称", "客户"}},
	{"customer.annual_revenue", []string{"annualrevenue", "revenue", "customerrevenue", "arr", "годоваявыручка", "выручка",
		"выручказагод", "годовойдоход", "年收入", "年营收", "年营业额", "营收"}},
	{"customer.annual_revenue_currency", []string{"annualrevenuecurrency", "revenuecurrency", "currency", "валюта",
		"валютавыручки", "货币", "币种"}},
	{"channel", []string{"channel", "distributionchannel", "канал", "渠道"}},
	{"kind", []string{"kind", "feedbackkind"}},
	{"source", []string{"source", "источник", "来源"}},
	{"author", []string{"author", "автор", "作者"}},
	{"url", []string{"url", "link", "ссылка", "链接"}},
	{"lang", []string{"lang", "language", "locale", "startlanguage", "userlanguage", "язык", "语言"}},
	{"touchpoint", []string{"touchpoint", "точкаконтакта", "触点", "接触点"}},
	{"stage", []string{"stage", "journeystage", "этап", "стадия", "阶段"}},
	{"region", []string{"region", "регион", "地区", "区域", "地域"}},
	{"segment", []string{"segment", "customersegment", "сегмент", "细分", "客户群", "客户分群"}},
	{"employee", []string{"employee", "agent", "operator", "manager", "сотрудник", "оператор", "менеджер", "员工", "客服", "坐席"}},
	{"tags", []string{"tags", "tag", "теги", "метки", "标签"}},
}

// questionRules classify a column by the words of its question (the header
// itself in LimeSurvey's "full question text" export, Qualtrics' second
// header row). "Why" questions come first: "Why would you recommend us?" is
// an open text, not the NPS question.
var questionRules = []struct {
	target string
	words  []string
}{
	{"text", []string{"why", "reason", "tell us", "почему", "причин", "расскажите", "为什么", "原因"}},
	{"nps", []string{"recommend", "рекомендова", "порекоменд", "推荐"}},
	{"csat", []string{"satisfied", "satisfaction", "удовлетвор", "满意"}},
	{"ces", []string{"easy", "effort", "легко", "усили", "容易", "费力"}},
	{"text", []string{"comment", "feedback", "improve", "suggest", "anything else", "комментар", "отзыв", "улучш",
		"пожелан", "意见", "建议", "评论", "改进"}},
}

// DetectMapping guesses the mapping from column headers in English, Russian
// and Chinese, and from the headers of Qualtrics exports (Q1 with its
// Q1_NPS_GROUP companion, RecordedDate, ResponseId, RecipientEmail) and
// LimeSurvey exports (id, submitdate, token, codes or full question texts).
// It guesses; Options.Mapping and the --map flag correct it.
//
// A bare "id" column is deliberately not taken as external_id: LimeSurvey
// and many tools number responses 1, 2, 3 per survey, so two surveys would
// collide; the derived content id (see Import) dedupes re-runs instead.
func DetectMapping(headers []string) Mapping {
	return detectMapping(headers, nil)
}

// detectMapping also reads the question texts of a second header row.
func detectMapping(headers, questions []string) Mapping {
	m := Mapping{}
	used := make([]bool, len(headers))
	keys := make([]string, len(headers))
	for i, h := range headers {
		keys[i] = compact(h)
		// Qualtrics' derived NPS group and Text iQ columns are not answers.
		if strings.HasSuffix(keys[i], "npsgroup") || strings.HasSuffix(keys[i], "topics") ||
			strings.HasSuffix(keys[i], "sentimentpolarity") || strings.HasSuffix(keys[i], "sentimentscore") {
			used[i] = true
		}
	}
	take := func(target string, i int) {
		if _, done := m[target]; !done && !used[i] {
			m[target], used[i] = headers[i], true
		}
	}
	for _, s := range synonyms {
		for _, name := range s.names {
			if i := slices.Index(keys, name); i >= 0 {
				take(s.target, i)
			}
		}
	}
	// Qualtrics: the NPS question is the column that has a _NPS_GROUP twin.
	for i, k := range keys {
		if k != "" && slices.Contains(keys, k+"npsgroup") {
			take("nps", i)
		}
	}
	for _, rule := range questionRules {
		for i, h := range headers {
			q := strings.ToLower(h)
			if i < len(questions) && questions[i] != "" {
				q = strings.ToLower(questions[i])
			}
			for _, w := range rule.words {
				if strings.Contains(q, w) {
					take(rule.target, i)
					break
				}
			}
		}
	}
	return m
}
