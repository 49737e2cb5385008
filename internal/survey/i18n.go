package survey

import (
	"slices"
	"strings"
)

// UI holds the fixed strings of survey pages and messages in one language.
type UI struct {
	Lang          string
	Subject       string
	ReminderSubj  string
	Greeting      string
	TakeSurvey    string
	Next          string
	Submit        string
	Required      string
	OutOfRange    string
	InvalidChoice string
	TooLong       string
	ThankYou      string
	Already       string
	AlreadyDetail string
	Invalid       string
	InvalidDetail string
	Expired       string
	ExpiredDetail string
	Closed        string
	OptOut        string
	OptOutDone    string
	OptOutAsk     string
	NotLikely     string
	VeryLikely    string
	YourAnswer    string
	Unsubscribe   string
	TooMany       string
}

var uiStrings = map[string]UI{
	"en": {Lang: "en", Subject: "A quick question", ReminderSubj: "Reminder: a quick question", Greeting: "Hello!",
		TakeSurvey: "Answer the survey", Next: "Next", Submit: "Send", Required: "Please answer this question.",
		OutOfRange: "Please choose one of the values shown.", InvalidChoice: "Please choose one of the options shown.",
		TooLong: "This answer is too long.", ThankYou: "Thank you for your answer!", Already: "You have already answered",
		AlreadyDetail: "This survey link has already been used. Thank you!", Invalid: "This link is not valid",
		InvalidDetail: "Please check that you opened the whole link from the message.", Expired: "This survey has ended",
		ExpiredDetail: "The link has expired. Thank you for your interest.", Closed: "This survey is closed",
		OptOut: "Do not send me surveys", OptOutDone: "You will not receive our surveys any more.",
		OptOutAsk: "Stop receiving surveys from us?", NotLikely: "Not at all likely", VeryLikely: "Extremely likely",
		YourAnswer: "Your answer", Unsubscribe: "Unsubscribe", TooMany: "Too many requests, please try again later."},
	"ru": {Lang: "ru", Subject: "Один короткий вопрос", ReminderSubj: "Напоминание: один короткий вопрос", Greeting: "Здравствуйте!",
		TakeSurvey: "Ответить на опрос", Next: "Далее", Submit: "Отправить", Required: "Пожалуйста, ответьте на этот вопрос.",
		OutOfRange: "Выберите одно из предложенных значений.", InvalidChoice: "Выберите один из предложенных вариантов.",
		TooLong: "Ответ слишком длинный.", ThankYou: "Спасибо за ваш ответ!", Already: "Вы уже ответили",
		AlreadyDetail: "По этой ссылке уже ответили. Спасибо!", Invalid: "Ссылка недействительна",
		InvalidDetail: "Проверьте, что ссылка из сообщения открыта целиком.", Expired: "Опрос завершён",
		ExpiredDetail: "Срок действия ссылки истёк. Спасибо за интерес.", Closed: "Опрос закрыт",
		OptOut: "Не присылать мне опросы", OptOutDone: "Мы больше не будем присылать вам опросы.",
		OptOutAsk: "Отказаться от наших опросов?", NotLikely: "Точно нет", VeryLikely: "Обязательно",
		YourAnswer: "Ваш ответ", Unsubscribe: "Отписаться", TooMany: "Слишком много запросов, попробуйте позже."},
	"zh": {Lang: "zh", Subject: "一个简短的问题", ReminderSubj: "提醒：一个简短的问题", Greeting: "您好！",
		TakeSurvey: "填写问卷", Next: "下一步", Submit: "提交", Required: "请回答此问题。",
		OutOfRange: "请选择所示的数值之一。", InvalidChoice: "请选择所示的选项之一。",
		TooLong: "回答太长。", ThankYou: "感谢您的回答！", Already: "您已经回答过了",
		AlreadyDetail: "此问卷链接已被使用。谢谢！", Invalid: "链接无效",
		InvalidDetail: "请确认您打开了消息中的完整链接。", Expired: "问卷已结束",
		ExpiredDetail: "链接已过期。感谢您的关注。", Closed: "问卷已关闭",
		OptOut: "不要再给我发送问卷", OptOutDone: "我们将不再向您发送问卷。",
		OptOutAsk: "不再接收我们的问卷？", NotLikely: "完全不可能", VeryLikely: "非常可能",
		YourAnswer: "您的回答", Unsubscribe: "退订", TooMany: "请求过多，请稍后再试。"},
}

// Strings returns the UI strings of lang, English when unknown.
func Strings(lang string) UI {
	if u, ok := uiStrings[lang]; ok {
		return u
	}
	return uiStrings["en"]
}

// PickLang chooses the page language: the first of prefs (invitation,
// query, customer) that Vox speaks, then the best of an Accept-Language
// header, then the survey's default.
func PickLang(def *Definition, acceptLanguage string, prefs ...string) string {
	for _, p := range prefs {
		p = strings.ToLower(strings.TrimSpace(p))
		if len(p) > 2 {
			p = p[:2]
		}
		if slices.Contains(Languages, p) {
			return p
		}
	}
	for _, part := range strings.Split(acceptLanguage, ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		tag = strings.ToLower(tag)
		if len(tag) > 2 {
			tag = tag[:2]
		}
		if slices.Contains(def.Languages, tag) {
			return tag
		}
	}
	return def.DefaultLang()
}
