package report

// labels holds every fixed text of a report per language. Customer-supplied
// strings (topic, segment, employee names) are never looked up here: they are
// data, shown as they are (and escaped for the format).
var labels = map[string]map[string]string{
	"en": {
		"title": "Customer experience report", "period": "Period", "generated": "Generated", "workspace": "Workspace",
		"kpis": "Key metrics", "metric": "Metric", "value": "Value", "ci_low": "CI low (95 %)", "ci_high": "CI high (95 %)",
		"n": "n", "prev": "Previous period", "change": "Change", "p_value": "p-value", "significant": "Significant",
		"nps": "NPS", "csat": "CSAT, %", "ces": "CES (1-7)", "sentiment": "Sentiment index",
		"trend": "NPS by week", "week": "Week",
		"response_rates": "Response rates", "channel": "Channel", "sent": "Sent", "delivered": "Delivered",
		"answered": "Answered", "rate": "Response rate, %",
		"pain_points": "Top pain points", "topic": "Topic", "effect": "Effect on NPS", "impact": "NPS points lost",
		"drivers": "Key drivers of NPS",
		"journey": "Journey heat map (NPS)", "stage": "Stage", "touchpoint": "Touchpoint", "volume": "Volume",
		"business": "Churn, retention and LTV", "customers_at_start": "Customers at start", "churned": "Churned",
		"churn_rate": "Churn rate, %", "retention_rate": "Retention, %", "revenue": "Revenue", "arpu": "ARPU",
		"historical_ltv": "Historical LTV", "predicted_ltv": "Predicted LTV",
		"revenue_at_risk": "Revenue at risk by segment", "segment": "Segment", "customers": "Customers",
		"annual_revenue": "Annual revenue", "at_risk": "Revenue at risk", "mean_risk": "Mean churn risk, %",
		"share_at_risk": "Share at risk, %", "total": "Total", "no_model": "No churn model trained yet.",
		"auc":   "Churn model AUC (held-out)",
		"cases": "Cases within SLA", "opened": "Opened", "resolved": "Resolved", "resolved_in_sla": "Resolved within SLA",
		"acted_in_sla": "First action within SLA", "acted_24h": "Acted within 24 h", "overdue": "Open and overdue",
		"employees": "Praised employees (ranked by lower CI bound)", "employee": "Employee", "rank": "Rank",
		"none": "No data for this period.", "ci": "95 % CI", "vs_prev": "vs previous",
		"filters": "Filter", "dimension": "Dimension", "values": "Values", "region": "Region",
		"filter_note":    "The filter narrows key metrics, trend, drivers, pain points, journey map and employees; response rates, churn and LTV, revenue at risk and cases cover the whole workspace.",
		"email_intro":    "The customer experience of %s from %s to %s, with 95 %% confidence intervals and the change against the week before.",
		"email_attached": "The full report is attached as a PDF: trend, response rates, pain points and drivers, the journey heat map, revenue at risk, cases within SLA and praised employees.",
		"email_open":     "Open the reports in Vox",
		"email_footer":   "This address receives the weekly report of %s because a manager subscribed it on the Reports page; they can change or stop it there.",
	},
	"ru": {
		"title": "Отчёт о клиентском опыте", "period": "Период", "generated": "Сформирован", "workspace": "Пространство",
		"kpis": "Ключевые показатели", "metric": "Показатель", "value": "Значение", "ci_low": "ДИ от (95 %)", "ci_high": "ДИ до (95 %)",
		"n": "n", "prev": "Прошлый период", "change": "Изменение", "p_value": "p-значение", "significant": "Значимо",
		"nps": "NPS", "csat": "CSAT, %", "ces": "CES (1-7)", "sentiment": "Индекс тональности",
		"trend": "NPS по неделям", "week": "Неделя",
		"response_rates": "Доля ответов", "channel": "Канал", "sent": "Отправлено", "delivered": "Доставлено",
		"answered": "Ответили", "rate": "Доля ответов, %",
		"pain_points": "Главные болевые точки", "topic": "Тема", "effect": "Влияние на NPS", "impact": "Потеря NPS, пункты",
		"drivers": "Ключевые факторы NPS",
		"journey": "Тепловая карта пути клиента (NPS)", "stage": "Этап", "touchpoint": "Точка контакта", "volume": "Объём",
		"business": "Отток, удержание и LTV", "customers_at_start": "Клиентов на начало", "churned": "Ушли",
		"churn_rate": "Отток, %", "retention_rate": "Удержание, %", "revenue": "Выручка", "arpu": "ARPU",
		"historical_ltv": "LTV фактический", "predicted_ltv": "LTV прогнозный",
		"revenue_at_risk": "Выручка под риском по сегментам", "segment": "Сегмент", "customers": "Клиенты",
		"annual_revenue": "Годовая выручка", "at_risk": "Выручка под риском", "mean_risk": "Средний риск оттока, %",
		"share_at_risk": "Доля под риском, %", "total": "Итого", "no_model": "Модель оттока ещё не обучена.",
		"auc":   "AUC модели оттока (отложенная выборка)",
		"cases": "Обращения в рамках SLA", "opened": "Открыто", "resolved": "Решено", "resolved_in_sla": "Решено в срок",
		"acted_in_sla": "Первое действие в срок", "acted_24h": "Реакция за 24 ч", "overdue": "Открыто с просрочкой",
		"employees": "Лучшие сотрудники (по нижней границе ДИ)", "employee": "Сотрудник", "rank": "Место",
		"none": "Нет данных за период.", "ci": "95 % ДИ", "vs_prev": "к прошлому периоду",
		"filters": "Фильтр", "dimension": "Измерение", "values": "Значения", "region": "Регион",
		"filter_note":    "Фильтр сужает ключевые показатели, динамику, факторы, болевые точки, карту пути и сотрудников; доля ответов, отток и LTV, выручка под риском и обращения — по всему пространству.",
		"email_intro":    "Клиентский опыт «%s» с %s по %s: 95 %% доверительные интервалы и изменение к прошлой неделе.",
		"email_attached": "Полный отчёт — во вложении (PDF): динамика, доля ответов, болевые точки и факторы, карта пути клиента, выручка под риском, обращения в рамках SLA и лучшие сотрудники.",
		"email_open":     "Открыть отчёты в Vox",
		"email_footer":   "Этот адрес получает еженедельный отчёт «%s», потому что руководитель подписал его на странице «Отчёты»; там же подписку можно изменить или отключить.",
	},
	"zh": {
		"title": "客户体验报告", "period": "期间", "generated": "生成时间", "workspace": "工作区",
		"kpis": "关键指标", "metric": "指标", "value": "数值", "ci_low": "置信区间下限 (95 %)", "ci_high": "置信区间上限 (95 %)",
		"n": "样本量", "prev": "上一期", "change": "变化", "p_value": "p 值", "significant": "显著",
		"nps": "净推荐值 NPS", "csat": "满意度 CSAT, %", "ces": "费力度 CES (1-7)", "sentiment": "情感指数",
		"trend": "每周 NPS", "week": "周",
		"response_rates": "回复率", "channel": "渠道", "sent": "已发送", "delivered": "已送达",
		"answered": "已回复", "rate": "回复率, %",
		"pain_points": "主要痛点", "topic": "主题", "effect": "对 NPS 的影响", "impact": "NPS 损失点数",
		"drivers": "NPS 关键驱动因素",
		"journey": "客户旅程热力图 (NPS)", "stage": "阶段", "touchpoint": "接触点", "volume": "数量",
		"business": "流失、留存与客户终身价值", "customers_at_start": "期初客户数", "churned": "流失",
		"churn_rate": "流失率, %", "retention_rate": "留存率, %", "revenue": "收入", "arpu": "每用户平均收入",
		"historical_ltv": "历史终身价值", "predicted_ltv": "预测终身价值",
		"revenue_at_risk": "按细分的风险收入", "segment": "细分", "customers": "客户数",
		"annual_revenue": "年收入", "at_risk": "风险收入", "mean_risk": "平均流失风险, %",
		"share_at_risk": "风险占比, %", "total": "合计", "no_model": "尚未训练流失模型。",
		"auc":   "流失模型 AUC (留出集)",
		"cases": "SLA 内处理的工单", "opened": "新建", "resolved": "已解决", "resolved_in_sla": "SLA 内解决",
		"acted_in_sla": "SLA 内首次处理", "acted_24h": "24 小时内处理", "overdue": "未解决且逾期",
		"employees": "受表扬员工 (按置信区间下限排名)", "employee": "员工", "rank": "排名",
		"none": "本期无数据。", "ci": "95 % 置信区间", "vs_prev": "较上一期",
		"filters": "筛选", "dimension": "维度", "values": "取值", "region": "地区",
		"filter_note":    "筛选作用于关键指标、趋势、驱动因素、痛点、旅程地图和员工；回复率、流失与终身价值、风险收入和工单涵盖整个工作区。",
		"email_intro":    "%s 从 %s 到 %s 的客户体验：含 95 %% 置信区间及与上一周相比的变化。",
		"email_attached": "完整报告见附件 (PDF)：趋势、回复率、痛点与驱动因素、客户旅程热力图、风险收入、SLA 内处理的工单和受表扬员工。",
		"email_open":     "在 Vox 中打开报告",
		"email_footer":   "此地址会收到 %s 的每周报告，因为一位经理在“报告”页面订阅了它；可在该页面修改或停止订阅。",
	},
}

// label returns the text of key in lang, falling back to English and then
// to the key, so a missing translation shows rather than breaks a report.
func label(lang, key string) string {
	if s, ok := labels[lang][key]; ok {
		return s
	}
	if s, ok := labels["en"][key]; ok {
		return s
	}
	return key
}
