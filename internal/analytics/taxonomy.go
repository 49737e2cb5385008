package analytics

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// Topic is one taxonomy entry: a key reported in Result.Topics and the terms
// that evidence it, per language. Russian and English terms are stems
// matched as word prefixes ("доставк" matches "доставка", "доставкой";
// "deliver" matches "delivered"); a term ending in "$" must match the whole
// word ("app$" does not match "apple"); a term with spaces is a phrase of
// such stems on consecutive words. Chinese terms match as substrings of the
// Han text, which is what segmentation would find for these short words.
type Topic struct {
	Key   string              `json:"key"`
	Terms map[string][]string `json:"terms"`
}

// Taxonomy is an ordered list of topics; Result.Topics follows its order.
type Taxonomy struct {
	Topics []Topic `json:"topics"`
}

// With returns a copy of t with the given topics added; a topic whose key
// already exists gets the new terms appended, so a workspace can extend a
// default topic as well as define its own.
func (t Taxonomy) With(topics ...Topic) Taxonomy {
	out := Taxonomy{Topics: make([]Topic, 0, len(t.Topics)+len(topics))}
	idx := map[string]int{}
	add := func(tp Topic) {
		i, ok := idx[tp.Key]
		if !ok {
			idx[tp.Key] = len(out.Topics)
			out.Topics = append(out.Topics, Topic{Key: tp.Key, Terms: map[string][]string{}})
			i = len(out.Topics) - 1
		}
		for lang, terms := range tp.Terms {
			out.Topics[i].Terms[lang] = append(out.Topics[i].Terms[lang], terms...)
		}
	}
	for _, tp := range t.Topics {
		add(tp)
	}
	for _, tp := range topics {
		add(tp)
	}
	return out
}

// DefaultTaxonomy returns the built-in customer-experience topics in ru, zh
// and en.
func DefaultTaxonomy() Taxonomy {
	tp := func(key, ru, zh, en string) Topic {
		return Topic{Key: key, Terms: map[string][]string{
			LangRU: strings.Split(ru, "|"), LangZH: strings.Split(zh, "|"), LangEN: strings.Split(en, "|"),
		}}
	}
	return Taxonomy{Topics: []Topic{
		tp("delivery",
			"доставк|доставил|доставлен|достав|курьер|посылк|отправк|отправлен|трек|пвз|пункт выдач|самовывоз",
			"快递|物流|送货|发货|配送|到货|送到|收到货|快递员|包装",
			"deliver|shipping|shipment|shipped|ship$|courier|parcel|package|tracking|dispatch|arriv|lost luggage|baggage|bag$|bags$|luggage"),
		tp("price",
			"цен|стоимост|дорог|дешев|дешёв|тариф|переплат|скидк|деньг|рубл|бюджет|недорог",
			"价格|价钱|价位|性价比|便宜|贵|划算|优惠|降价|实惠|钱",
			"price|pricing|cost|costs$|expensive|cheap|overpriced|value for money|affordable|fare|fares$|fee$|fees$|discount"),
		tp("product_quality",
			"качеств|брак|бракован|сломал|слома|дефект|подделк|материал|работает|надежн|надёжн",
			"质量|做工|材质|正品|假货|次品|破损|坏了|瑕疵|品质|效果",
			"quality|defect|broken|broke$|faulty|durable|material|works great|stopped working|fake|cheaply made|well made"),
		tp("staff",
			"персонал|сотрудник|продавц|продавец|консультант|менеджер|кассир|официант|администратор|вежлив|хамств|хам$|грубо|груб|курьер|стюард|экипаж",
			"服务员|服务态度|态度|前台|店员|员工|工作人员|客服人员|热情|服务",
			"staff|employee|crew|attendant|flight attendant|agent|cashier|waiter|waitress|rude|polite|friendly|pilot|gate agent|helpful|courteous"),
		tp("support",
			"поддержк|служба поддержк|техподдержк|колл-центр|колл центр|оператор|горяч линии|горячая лини|чат поддержк|обращени|жалоб",
			"客服|售后|售后服务|投诉|退换|咨询",
			"support|customer service|customer care|help desk|helpdesk|call center|hotline|representative|complaint|on hold|hold for|hung up"),
		tp("website_app",
			"сайт|приложени|прилож|интерфейс|личн кабинет|личный кабинет|мобильн банк|онлайн|интернет-банк|логин|авторизац|глючит|глюк",
			"网站|网页|app|软件|界面|系统|页面|客户端|手机端",
			"website|site$|app$|apps$|application|online|web$|login|log in|password|glitch|interface|mobile app|checkin online|online check"),
		tp("payment",
			"оплат|платеж|платёж|карт|карточк|списал|списан|счет|счёт|перевод|комисси|кэшбэк|кешбэк|транзакц",
			"付款|支付|刷卡|发票|付钱|转账|扣款|信用卡|支付宝|微信支付",
			"payment|pay$|paid|charge|charged|credit card|card$|billing|bill$|invoice|transaction|debit"),
		tp("waiting_time",
			"ожидан|ждал|жду|ждать|ждем|ждём|очеред|долго|задержк|задержал|опоздал|опаздыв|час$|часа$|часов$|минут|сутк|недел|быстро|медленн",
			"等了|等待|排队|慢|太慢|很慢|很快|速度|迟到|延迟|晚点|及时|效率",
			"wait|waiting|waited|delay|delayed|late$|hours$|hour$|minutes$|queue|line$|slow|quick|fast|on time|took forever|cancel"),
		tp("cleanliness",
			"чист|грязн|грязь|убор|пыл|запах|вонь|воня|антисанитар|тарака|гигиен",
			"干净|卫生|脏|整洁|异味|味道|清洁|打扫|蟑螂|霉",
			"clean|dirty|filthy|smell|stink|stank|hygien|dust|mess$|messy|cockroach|bugs$|sanitary"),
		tp("food",
			"еда|еду$|еды$|блюд|кухн|вкус|завтрак|обед|ужин|меню|напит|кофе|пицц|мяс|порци|ресторан|кафе|перекус",
			"早餐|餐厅|饭菜|好吃|难吃|味道|口感|菜|吃|食物|水果|新鲜|口味",
			"food|meal|snack|breakfast|lunch|dinner|menu|drink|coffee|tasty|delicious|taste|restaurant|dish$|dishes$|flavor|flavour"),
		tp("returns",
			"возврат|вернул|вернут|вернуть|вернули|обмен|обменя|компенсац|возмещ|претензи",
			"退货|退款|换货|退钱|退换|返还|赔偿",
			"return|returned|refund|reimburs|exchange|money back|compensat|voucher"),
		tp("communication",
			"звонил|звонок|звонк|дозвон|перезвон|смс|sms|письм|уведомл|сообщени|рассылк|связал|связь|информир|ответ|отвечал",
			"通知|短信|电话|联系|回复|沟通|消息|邮件",
			"call$|called|calling|phone|email|e-mail|dm$|message|notif|respond|response|reply|replied|answer|inform|update|communicat|text message|contact"),
	}}
}

// termEntry is one compiled term; rest holds the following stems of a phrase.
type termEntry struct {
	topic int
	exact bool
	rest  []stemPat
}

type stemPat struct {
	stem  string
	exact bool
}

// compiledTaxonomy indexes terms for allocation-free matching: for Russian
// and English, by full stem with a three-rune prefix gate that rejects most
// words with a single map probe; for Chinese, by the term itself with a
// first-character gate.
type compiledTaxonomy struct {
	keys    []string
	byStem  [3]map[string][]termEntry // per lang index: ru, en, zh
	gate    [3]map[string]struct{}
	maxRune [3]int
}

func langIndex(lang string) int {
	switch lang {
	case LangRU:
		return 0
	case LangEN:
		return 1
	case LangZH:
		return 2
	}
	return -1
}

func compileTaxonomy(t Taxonomy) *compiledTaxonomy {
	ct := &compiledTaxonomy{}
	for i := range ct.byStem {
		ct.byStem[i] = map[string][]termEntry{}
		ct.gate[i] = map[string]struct{}{}
	}
	for ti, tp := range t.Topics {
		ct.keys = append(ct.keys, tp.Key)
		langs := make([]string, 0, len(tp.Terms))
		for l := range tp.Terms {
			langs = append(langs, l)
		}
		sort.Strings(langs)
		for _, lang := range langs {
			li := langIndex(lang)
			if li < 0 {
				continue
			}
			for _, term := range tp.Terms[lang] {
				term = strings.ToLower(strings.TrimSpace(term))
				term = strings.ReplaceAll(term, "ё", "е")
				if term == "" {
					continue
				}
				var pats []stemPat
				if li == 2 {
					pats = []stemPat{{stem: term, exact: true}}
				} else {
					for _, w := range strings.Fields(term) {
						ex := strings.HasSuffix(w, "$")
						pats = append(pats, stemPat{stem: strings.TrimSuffix(w, "$"), exact: ex})
					}
				}
				if len(pats) == 0 || pats[0].stem == "" {
					continue
				}
				first := pats[0]
				ct.byStem[li][first.stem] = append(ct.byStem[li][first.stem], termEntry{topic: ti, exact: first.exact, rest: pats[1:]})
				g := gateOf(first.stem, li)
				ct.gate[li][g] = struct{}{}
				if n := utf8.RuneCountInString(first.stem); n > ct.maxRune[li] {
					ct.maxRune[li] = n
				}
			}
		}
	}
	return ct
}

// gateOf is the prefix used to pre-filter words: three runes for word
// languages (shorter stems use themselves), one character for Chinese.
func gateOf(s string, li int) string {
	n := 3
	if li == 2 {
		n = 1
	}
	return string(stemPrefix([]byte(s), n))
}

type topicHit struct {
	topic int
	tok   int
}

// matchTopics records topic hits of tokens into sc.hits.
func (ct *compiledTaxonomy) matchTopics(sc *scratch, lang string) {
	sc.hits = sc.hits[:0]
	li := langIndex(lang)
	if li < 0 || len(ct.keys) == 0 {
		return
	}
	toks := sc.toks
	if li == 2 {
		for i := 0; i < len(toks); i++ {
			if toks[i].kind != kHan {
				if toks[i].kind == kWord {
					ct.matchWord(sc, 1, i) // Latin words in Chinese text ("app")
				}
				continue
			}
			if _, ok := ct.gate[2][string(sc.word(toks[i]))]; !ok {
				continue
			}
			for L := 1; L <= ct.maxRune[2] && i+L <= len(toks); L++ {
				if L > 1 && (toks[i+L-1].kind != kHan || !toks[i+L-1].join) {
					break
				}
				if es, ok := ct.byStem[2][string(sc.buf[toks[i].s:toks[i+L-1].e])]; ok {
					for _, e := range es {
						sc.hits = append(sc.hits, topicHit{topic: e.topic, tok: i})
					}
				}
			}
		}
		return
	}
	for i := 0; i < len(toks); i++ {
		if toks[i].kind == kWord {
			ct.matchWord(sc, li, i)
		}
	}
}

func (ct *compiledTaxonomy) matchWord(sc *scratch, li, i int) {
	w := sc.word(sc.toks[i])
	if _, ok := ct.gate[li][string(stemPrefix(w, 3))]; !ok {
		return
	}
	// try every rune prefix of the word as a stem
	n := 0
	for k := 0; k <= len(w); {
		if k > 0 {
			if es, ok := ct.byStem[li][string(w[:k])]; ok {
				for _, e := range es {
					if e.exact && k != len(w) {
						continue
					}
					if !ct.matchRest(sc, i+1, e.rest) {
						continue
					}
					sc.hits = append(sc.hits, topicHit{topic: e.topic, tok: i})
				}
			}
		}
		if k == len(w) {
			break
		}
		_, sz := utf8.DecodeRune(w[k:])
		k += sz
		n++
		if n > ct.maxRune[li] {
			break
		}
	}
}

func (ct *compiledTaxonomy) matchRest(sc *scratch, i int, rest []stemPat) bool {
	for _, p := range rest {
		if i >= len(sc.toks) || sc.toks[i].kind != kWord {
			return false
		}
		w := string(sc.word(sc.toks[i]))
		if p.exact && w != p.stem || !p.exact && !strings.HasPrefix(w, p.stem) {
			return false
		}
		i++
	}
	return true
}
