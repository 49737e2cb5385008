package alert

import "fmt"

// notifyTexts are the words of praise notifications and digests, which
// employees read in their own language (the user's lang; English when it is
// not one of these). Alert notifications to CX staff stay English.
var notifyTexts = map[string]map[string]string{
	"en": {
		"praise.subject":       "Praise from a customer for %s",
		"praise.intro":         "A customer praised %s's service.",
		"praise.score":         "Score",
		"praise.channel":       "Channel",
		"digest.subject.daily": "Vox daily digest: %s, %s",
		"digest.subject.week":  "Vox weekly digest: %s, %s – %s",
		"digest.hello":         "Hello, %s!",
		"digest.period":        "Period",
		"digest.cases":         "Your open cases",
		"digest.cases.team":    "Open cases of you and your team",
		"digest.cases.ws":      "Open cases in the workspace",
		"digest.cases.count":   "%d open, %d overdue",
		"digest.cases.none":    "No open cases.",
		"digest.due":           "due",
		"sla.on_track":         "on track",
		"sla.at_risk":          "75% of SLA used",
		"sla.overdue":          "overdue",
		"digest.kpi":           "Scores vs the previous period",
		"digest.kpi.you":       "You",
		"digest.kpi.ws":        "Company",
		"digest.kpi.none":      "no answers",
		"digest.kpi.prev":      "previous",
		"digest.kpi.sig":       "significant",
		"digest.praise":        "Praise for your team",
		"digest.praise.ws":     "Praise for the staff",
		"digest.praise.count":  "%d customers praised the service.",
		"digest.praise.none":   "No praise this period.",
		"digest.footer":        "You get this digest because you chose it in Vox; change it in your notification settings.",
	},
	"ru": {
		"praise.subject":       "Клиент похвалил: %s",
		"praise.intro":         "Клиент похвалил обслуживание: %s.",
		"praise.score":         "Оценка",
		"praise.channel":       "Канал",
		"digest.subject.daily": "Vox: сводка за день — %s, %s",
		"digest.subject.week":  "Vox: сводка за неделю — %s, %s – %s",
		"digest.hello":         "Здравствуйте, %s!",
		"digest.period":        "Период",
		"digest.cases":         "Ваши открытые обращения",
		"digest.cases.team":    "Открытые обращения ваши и вашей команды",
		"digest.cases.ws":      "Открытые обращения в пространстве",
		"digest.cases.count":   "открыто: %d, просрочено: %d",
		"digest.cases.none":    "Открытых обращений нет.",
		"digest.due":           "срок",
		"sla.on_track":         "в срок",
		"sla.at_risk":          "использовано 75% SLA",
		"sla.overdue":          "просрочено",
		"digest.kpi":           "Оценки по сравнению с прошлым периодом",
		"digest.kpi.you":       "Вы",
		"digest.kpi.ws":        "Компания",
		"digest.kpi.none":      "нет ответов",
		"digest.kpi.prev":      "ранее",
		"digest.kpi.sig":       "значимо",
		"digest.praise":        "Похвала вашей команде",
		"digest.praise.ws":     "Похвала сотрудникам",
		"digest.praise.count":  "Клиентов, похваливших обслуживание: %d.",
		"digest.praise.none":   "За этот период похвалы не было.",
		"digest.footer":        "Вы получаете эту сводку, потому что выбрали её в Vox; изменить можно в настройках уведомлений.",
	},
	"zh": {
		"praise.subject":       "客户表扬了%s",
		"praise.intro":         "一位客户表扬了%s的服务。",
		"praise.score":         "评分",
		"praise.channel":       "渠道",
		"digest.subject.daily": "Vox 每日摘要：%s，%s",
		"digest.subject.week":  "Vox 每周摘要：%s，%s – %s",
		"digest.hello":         "%s，您好！",
		"digest.period":        "期间",
		"digest.cases":         "您的未结案件",
		"digest.cases.team":    "您和团队的未结案件",
		"digest.cases.ws":      "工作区的未结案件",
		"digest.cases.count":   "未结 %d 个，逾期 %d 个",
		"digest.cases.none":    "没有未结案件。",
		"digest.due":           "截止",
		"sla.on_track":         "正常",
		"sla.at_risk":          "已用 75% SLA",
		"sla.overdue":          "已逾期",
		"digest.kpi":           "与上一期相比的评分",
		"digest.kpi.you":       "您",
		"digest.kpi.ws":        "公司",
		"digest.kpi.none":      "无回答",
		"digest.kpi.prev":      "上期",
		"digest.kpi.sig":       "显著",
		"digest.praise":        "对您团队的表扬",
		"digest.praise.ws":     "对员工的表扬",
		"digest.praise.count":  "%d 位客户表扬了服务。",
		"digest.praise.none":   "本期没有表扬。",
		"digest.footer":        "您收到此摘要是因为您在 Vox 中选择了它；可在通知设置中更改。",
	},
}

// tr returns the text of key in lang (English as the fallback), formatted
// with args when there are any.
func tr(lang, key string, args ...any) string {
	t, ok := notifyTexts[lang][key]
	if !ok {
		t = notifyTexts["en"][key]
	}
	if len(args) > 0 {
		return fmt.Sprintf(t, args...)
	}
	return t
}
