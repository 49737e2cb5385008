package demo

import "strings"

// Root causes of demo cases. They are English in every language, as a team
// that tags causes for reports keeps one list; the case page offers the
// ones already used.
const (
	causeDelivery    = "delivery delay"
	causeRudeStaff   = "rude staff"
	causeBilling     = "billing error"
	causeDefect      = "product defect"
	causeAppBug      = "app bug"
	causeLongWait    = "long wait"
	causeReturn      = "return refused"
	causeSupport     = "slow support"
	causePricing     = "pricing"
	causeCleanliness = "store cleanliness"
	causeNoIssue     = "no issue"
)

// topicCauses maps the topic of a complaint to the cause a case about it is
// usually closed with, in the order topics are checked.
var topicCauses = []struct{ topic, cause string }{
	{topicDelivery, causeDelivery}, {topicStaff, causeRudeStaff}, {topicPayment, causeBilling},
	{topicQuality, causeDefect}, {topicFood, causeDefect}, {topicApp, causeAppBug}, {topicReturns, causeReturn},
	{topicWaiting, causeLongWait}, {topicSupport, causeSupport}, {topicCommunication, causeSupport},
	{topicPrice, causePricing}, {topicCleanliness, causeCleanliness},
}

// touchpointCauses is the cause when the text names no topic (a bare score).
var touchpointCauses = map[string]string{
	"delivery": causeDelivery, "store": causeLongWait, "website": causeAppBug, "mobile_app": causeAppBug,
	"call_center": causeSupport, "support_chat": causeSupport,
}

// caseBank holds what people write in a case's history, in one language.
// Slots: {name} the customer, {agent} the case owner, {team} and {city}.
type caseBank struct {
	firstReply, finalReply   []string
	firstNote, noContactNote []string
	waitingNote              []string
	incidentNote             string
	handoverNote             string
	teams                    map[string]string // team → how the note names it
	resolution               map[string]string // root cause → closing note
}

var caseBanks = map[string]*caseBank{
	"en": {
		firstReply: []string{
			"Hello {name}, thank you for telling us. I'm sorry it went this way: I'm looking into your order now and will get back to you today.",
			"Hi {name}, I'm {agent} from Acme customer care. Sorry about this experience. Could you share your order number so I can sort it out?",
			"Dear {name}, thank you for your honest feedback. I have passed it to the team and will update you within 24 hours.",
			"Hi {name}, sorry we let you down. I'm on it and will come back to you shortly.",
		},
		finalReply: []string{
			"Hi {name}, the issue is resolved. Thank you for your patience, we hope to see you again soon.",
			"{name}, we've fixed it and refunded the difference. Sorry again for the trouble.",
			"Hello {name}, all sorted on our side. If anything is still not right, just reply to this message.",
		},
		firstNote: []string{
			"Repeat customer, worth a personal call.",
			"Checked the order history: second complaint this month.",
			"Several customers reported the same today.",
		},
		noContactNote: []string{
			"Called the customer, apologised and promised a follow-up.",
			"No email or chat on file, phoned the customer: they agreed to wait for the fix.",
		},
		waitingNote: []string{
			"Waiting for the customer to send photos of the item.",
			"Asked the warehouse to confirm the shipment, waiting for their answer.",
			"Refund requested from finance, waiting for confirmation.",
		},
		incidentNote: "Part of the St Petersburg delivery disruption, checking the courier backlog.",
		handoverNote: "Passing to the {team} team in {city}: this needs checking on site.",
		teams:        map[string]string{teamStore: "store", teamCourier: "courier"},
		resolution: map[string]string{
			causeDelivery:    "Courier was late because the route was overloaded; delivery fee refunded.",
			causeRudeStaff:   "Talked to the store manager, the employee will have a coaching session. Apology and a voucher sent.",
			causeBilling:     "Finance confirmed a double charge; the difference was refunded.",
			causeDefect:      "Defective item replaced; the batch was reported to the supplier.",
			causeAppBug:      "Reproduced in the app, bug filed for the mobile team; order placed manually for the customer.",
			causeLongWait:    "Queues at the checkout at peak hours; the store adds a cashier on weekends.",
			causeReturn:      "Return accepted after review, money back within 3 days.",
			causeSupport:     "The request was stuck in the queue; answered, and the routing was fixed.",
			causePricing:     "Explained the price change and added a loyalty discount to the account.",
			causeCleanliness: "Store manager scheduled an extra cleaning round.",
			causeNoIssue:     "Spoke with the customer: the problem had already been solved, no action needed.",
		},
	},
	"ru": {
		firstReply: []string{
			"Здравствуйте, {name}! Спасибо, что рассказали. Нам очень жаль: уже разбираемся с вашим заказом и вернёмся с ответом сегодня.",
			"{name}, добрый день! Меня зовут {agent}, я из службы заботы Acme. Приносим извинения. Подскажите, пожалуйста, номер заказа, и мы всё решим.",
			"Здравствуйте, {name}! Благодарим за честный отзыв. Передали его команде, ответим в течение суток.",
			"{name}, извините, что так получилось. Уже занимаемся вашим обращением, скоро напишем.",
		},
		finalReply: []string{
			"{name}, вопрос решён, спасибо за терпение! Будем рады видеть вас снова.",
			"{name}, всё исправили и вернули разницу. Ещё раз извините за неудобства.",
			"Здравствуйте, {name}! С нашей стороны всё готово. Если что-то не так, просто ответьте на это сообщение.",
		},
		firstNote: []string{
			"Постоянный клиент, стоит позвонить лично.",
			"Проверили историю заказов: вторая жалоба за месяц.",
			"Сегодня это уже не первое такое обращение.",
		},
		noContactNote: []string{
			"Позвонили клиенту, извинились, договорились о повторном звонке.",
			"Контактов для переписки нет, связались по телефону: клиент готов подождать.",
		},
		waitingNote: []string{
			"Ждём от клиента фото товара.",
			"Запросили у склада подтверждение отгрузки, ждём ответ.",
			"Заявка на возврат средств у бухгалтерии, ждём подтверждения.",
		},
		incidentNote: "Часть сбоя доставки в Петербурге, смотрим очередь курьеров.",
		handoverNote: "Передаём команде {team} в {city}: нужно разобраться на месте.",
		teams:        map[string]string{teamStore: "магазина", teamCourier: "курьеров"},
		resolution: map[string]string{
			causeDelivery:    "Курьер опоздал из-за перегруженного маршрута, стоимость доставки вернули.",
			causeRudeStaff:   "Поговорили с управляющим магазина, с сотрудником проведут беседу. Клиенту отправили извинения и промокод.",
			causeBilling:     "Бухгалтерия подтвердила двойное списание, разницу вернули.",
			causeDefect:      "Бракованный товар заменили, партию передали поставщику на проверку.",
			causeAppBug:      "Воспроизвели ошибку в приложении, завели задачу мобильной команде, заказ оформили вручную.",
			causeLongWait:    "Очереди на кассе в часы пик; магазин добавил кассира на выходные.",
			causeReturn:      "Возврат одобрили после проверки, деньги поступят в течение 3 дней.",
			causeSupport:     "Обращение зависло в очереди; ответили и исправили маршрутизацию.",
			causePricing:     "Объяснили изменение цены, начислили скидку по программе лояльности.",
			causeCleanliness: "Управляющий добавил дополнительную уборку в график.",
			causeNoIssue:     "Поговорили с клиентом: вопрос уже решён, действий не требуется.",
		},
	},
	"zh": {
		firstReply: []string{
			"{name}您好，感谢您的反馈。非常抱歉给您带来不好的体验，我们正在核查您的订单，今天内给您答复。",
			"{name}您好，我是Acme客服{agent}。很抱歉，请提供一下订单号，我们马上为您处理。",
			"{name}您好，感谢您的真实评价，已转交相关团队，24小时内回复您。",
			"{name}您好，给您添麻烦了，我们正在处理，稍后联系您。",
		},
		finalReply: []string{
			"{name}您好，问题已解决，感谢您的耐心，期待再次为您服务。",
			"{name}您好，已为您处理并退还差额，再次致歉。",
			"{name}您好，我们这边已处理完毕，如仍有问题请直接回复此消息。",
		},
		firstNote: []string{
			"老客户，建议亲自致电。",
			"查看历史订单：本月第二次投诉。",
			"今天已有多位客户反映同样问题。",
		},
		noContactNote: []string{
			"已致电客户致歉，并约定回访。",
			"客户没有留下邮箱，已电话联系，客户同意等待处理结果。",
		},
		waitingNote: []string{
			"等待客户提供商品照片。",
			"已请仓库确认发货情况，等待回复。",
			"退款申请已提交财务，等待确认。",
		},
		incidentNote: "属于圣彼得堡配送异常的一部分，正在排查快递积压。",
		handoverNote: "转交{city}{team}团队现场核实。",
		teams:        map[string]string{teamStore: "门店", teamCourier: "配送"},
		resolution: map[string]string{
			causeDelivery:    "因线路拥堵快递员迟到，已退还运费。",
			causeRudeStaff:   "已与门店经理沟通，将对员工进行辅导。已向客户致歉并发放优惠券。",
			causeBilling:     "财务确认重复扣款，差额已退回。",
			causeDefect:      "已为客户更换问题商品，并将该批次反馈给供应商。",
			causeAppBug:      "已在App中复现问题，提交给移动端团队，并为客户手动下单。",
			causeLongWait:    "高峰时段收银排队较长，门店周末已增加收银员。",
			causeReturn:      "经核实已同意退货，款项3天内退回。",
			causeSupport:     "工单在队列中积压，已回复客户并调整分配规则。",
			causePricing:     "已向客户解释价格调整，并在账户中添加会员折扣。",
			causeCleanliness: "门店已增加一次清洁。",
			causeNoIssue:     "已与客户沟通，问题已解决，无需进一步处理。",
		},
	},
}

func caseBankFor(lang string) *caseBank {
	if b, ok := caseBanks[lang]; ok {
		return b
	}
	return caseBanks["en"]
}

// fillCase replaces the slots of a case text.
func fillCase(s string, kv ...string) string {
	return strings.NewReplacer(kv...).Replace(s)
}

// greetingName is how an agent addresses a customer: the first name in
// Russian and English, the full name in Chinese.
func greetingName(name, lang string) string {
	if f := strings.Fields(name); lang != "zh" && len(f) > 0 {
		return f[0]
	}
	return name
}
