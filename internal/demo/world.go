package demo

// region is a market of the demo company: its language, currency and how
// customers there are reached shape every item generated for it.
type region struct {
	name     string // stored in the region field (English, stable for filters)
	local    [3]string
	lang     string
	altLang  string // a minority language spoken by some customers
	altShare float64
	currency string
	utcShift int // hours, for a plausible time of day
	weight   float64
	phoneCC  string
	avgOrder float64 // in the local currency
}

// cityName returns how a customer writing in lang names the region.
func (r *region) cityName(lang string) string {
	switch lang {
	case "ru":
		return r.local[0]
	case "zh":
		return r.local[1]
	}
	return r.local[2]
}

// workspaceSpec describes one tenant of the demo company.
type workspaceSpec struct {
	slug, name, tz string
	share          float64 // of all items
	regions        []region
	employees      []employeeSpec
	currency       string     // the reporting currency
	rates          []demoRate // into it, for the regions' other currencies
}

// demoRate is what one unit of currency is worth in the workspace's
// reporting currency; monthsAgo > 0 starts it that many months before the
// end of the history (a rate change), 0 leaves it without a start date.
type demoRate struct {
	currency  string
	rate      float64
	monthsAgo int
}

// employeeSpec is a member of staff; effect shifts the satisfaction of the
// customers they serve, so the employee leaderboard has a story.
type employeeSpec struct {
	extID, name, email, team, region, lang string
	female                                 bool
	effect                                 float64
}

// Teams that serve customers, and the touchpoint each one owns.
const (
	teamStore   = "Store"
	teamCourier = "Couriers"
	teamSupport = "Support"
)

// The delivery incident happens in this region of the main workspace.
const incidentRegion = "Saint Petersburg"

var mainRegions = []region{
	{name: "Moscow", local: [3]string{"Москве", "莫斯科", "Moscow"}, lang: "ru", altLang: "en", altShare: 0.03, currency: "RUB", utcShift: 3, weight: 22, phoneCC: "+7 9", avgOrder: 3800},
	{name: "Saint Petersburg", local: [3]string{"Питере", "圣彼得堡", "St Petersburg"}, lang: "ru", altLang: "en", altShare: 0.02, currency: "RUB", utcShift: 3, weight: 14, phoneCC: "+7 9", avgOrder: 3400},
	{name: "Kazan", local: [3]string{"Казани", "喀山", "Kazan"}, lang: "ru", currency: "RUB", utcShift: 3, weight: 7, phoneCC: "+7 9", avgOrder: 2900},
	{name: "Novosibirsk", local: [3]string{"Новосибирске", "新西伯利亚", "Novosibirsk"}, lang: "ru", currency: "RUB", utcShift: 7, weight: 7, phoneCC: "+7 9", avgOrder: 2800},
	{name: "Shanghai", local: [3]string{"上海", "上海", "Shanghai"}, lang: "zh", altLang: "en", altShare: 0.04, currency: "CNY", utcShift: 8, weight: 12, phoneCC: "+86 13", avgOrder: 320},
	{name: "Beijing", local: [3]string{"北京", "北京", "Beijing"}, lang: "zh", currency: "CNY", utcShift: 8, weight: 9, phoneCC: "+86 13", avgOrder: 290},
	{name: "Shenzhen", local: [3]string{"深圳", "深圳", "Shenzhen"}, lang: "zh", currency: "CNY", utcShift: 8, weight: 7, phoneCC: "+86 15", avgOrder: 300},
	{name: "London", local: [3]string{"Лондоне", "伦敦", "London"}, lang: "en", altLang: "ru", altShare: 0.05, currency: "USD", utcShift: 0, weight: 11, phoneCC: "+44 7", avgOrder: 68},
	{name: "New York", local: [3]string{"Нью-Йорке", "纽约", "New York"}, lang: "en", altLang: "zh", altShare: 0.05, currency: "USD", utcShift: -5, weight: 11, phoneCC: "+1 212", avgOrder: 74},
}

var kzRegions = []region{
	{name: "Almaty", local: [3]string{"Алматы", "阿拉木图", "Almaty"}, lang: "ru", altLang: "en", altShare: 0.08, currency: "KZT", utcShift: 5, weight: 60, phoneCC: "+7 7", avgOrder: 21000},
	{name: "Astana", local: [3]string{"Астане", "阿斯塔纳", "Astana"}, lang: "ru", altLang: "en", altShare: 0.08, currency: "KZT", utcShift: 5, weight: 40, phoneCC: "+7 7", avgOrder: 19500},
}

func emp(id, name, email, team, region, lang string, female bool, effect float64) employeeSpec {
	return employeeSpec{extID: id, name: name, email: email, team: team, region: region, lang: lang, female: female, effect: effect}
}

// Employees with a marked effect: Anna Smirnova, Aigul Khasanova, Wang Fang
// and Sophie Turner are the stars; Sergey Pavlov, Alexey Sokolov, Liu Yang,
// Zhou Jie and James Walker the ones whose customers are least happy.
var mainEmployees = []employeeSpec{
	emp("E-101", "Анна Смирнова", "anna.smirnova@acme.example", teamStore, "Moscow", "ru", true, 0.9),
	emp("E-102", "Игорь Кузнецов", "igor.kuznetsov@acme.example", teamStore, "Moscow", "ru", false, 0.1),
	emp("E-103", "Дмитрий Волков", "dmitry.volkov@acme.example", teamCourier, "Moscow", "ru", false, 0.0),
	emp("E-104", "Тимур Ахмедов", "timur.akhmedov@acme.example", teamCourier, "Moscow", "ru", false, 0.2),
	emp("E-105", "Екатерина Морозова", "ekaterina.morozova@acme.example", teamSupport, "Moscow", "ru", true, 0.3),
	emp("E-106", "Сергей Павлов", "sergey.pavlov@acme.example", teamSupport, "Moscow", "ru", false, -1.0),
	emp("E-201", "Ольга Новикова", "olga.novikova@acme.example", teamStore, "Saint Petersburg", "ru", true, 0.2),
	emp("E-202", "Алексей Соколов", "alexey.sokolov@acme.example", teamCourier, "Saint Petersburg", "ru", false, -0.8),
	emp("E-203", "Максим Лебедев", "maxim.lebedev@acme.example", teamCourier, "Saint Petersburg", "ru", false, 0.1),
	emp("E-301", "Айгуль Хасанова", "aigul.khasanova@acme.example", teamStore, "Kazan", "ru", true, 0.8),
	emp("E-302", "Руслан Галиев", "ruslan.galiev@acme.example", teamCourier, "Kazan", "ru", false, 0.0),
	emp("E-401", "Наталья Ершова", "natalia.ershova@acme.example", teamStore, "Novosibirsk", "ru", true, -0.1),
	emp("E-402", "Павел Зайцев", "pavel.zaitsev@acme.example", teamCourier, "Novosibirsk", "ru", false, 0.1),
	emp("E-501", "王芳", "wang.fang@acme.example", teamStore, "Shanghai", "zh", true, 0.9),
	emp("E-502", "李强", "li.qiang@acme.example", teamStore, "Shanghai", "zh", false, 0.0),
	emp("E-503", "张伟", "zhang.wei@acme.example", teamCourier, "Shanghai", "zh", false, 0.2),
	emp("E-504", "陈静", "chen.jing@acme.example", teamSupport, "Shanghai", "zh", true, 0.3),
	emp("E-505", "刘洋", "liu.yang@acme.example", teamSupport, "Shanghai", "zh", false, -0.9),
	emp("E-601", "赵敏", "zhao.min@acme.example", teamStore, "Beijing", "zh", true, 0.2),
	emp("E-602", "孙浩", "sun.hao@acme.example", teamCourier, "Beijing", "zh", false, 0.0),
	emp("E-701", "周杰", "zhou.jie@acme.example", teamStore, "Shenzhen", "zh", false, -0.8),
	emp("E-702", "吴磊", "wu.lei@acme.example", teamCourier, "Shenzhen", "zh", false, 0.1),
	emp("E-801", "Emily Clarke", "emily.clarke@acme.example", teamStore, "London", "en", true, 0.2),
	emp("E-802", "James Walker", "james.walker@acme.example", teamCourier, "London", "en", false, -0.9),
	emp("E-803", "Sophie Turner", "sophie.turner@acme.example", teamSupport, "London", "en", true, 0.9),
	emp("E-804", "Oliver Hughes", "oliver.hughes@acme.example", teamSupport, "London", "en", false, 0.0),
	emp("E-901", "Michael Rivera", "michael.rivera@acme.example", teamStore, "New York", "en", false, 0.1),
	emp("E-902", "Ashley Brooks", "ashley.brooks@acme.example", teamStore, "New York", "en", true, 0.3),
	emp("E-903", "Jessica Moore", "jessica.moore@acme.example", teamCourier, "New York", "en", true, 0.0),
	emp("E-904", "Daniel Kim", "daniel.kim@acme.example", teamSupport, "New York", "en", false, 0.1),
}

var kzEmployees = []employeeSpec{
	emp("KZ-11", "Асель Нурланова", "asel.nurlanova@acme.example", teamStore, "Almaty", "ru", true, 0.5),
	emp("KZ-12", "Ерлан Жумабаев", "erlan.zhumabaev@acme.example", teamCourier, "Almaty", "ru", false, -0.3),
	emp("KZ-21", "Динара Сапарова", "dinara.saparova@acme.example", teamStore, "Astana", "ru", true, 0.2),
	emp("KZ-22", "Арман Касымов", "arman.kasymov@acme.example", teamSupport, "Almaty", "ru", false, 0.0),
}

var workspaceSpecs = []workspaceSpec{
	{slug: MainWorkspace, name: "Acme Retail · Акме Ритейл · 艾克美零售", tz: "Europe/Moscow", share: 0.92, regions: mainRegions, employees: mainEmployees,
		currency: "RUB", rates: []demoRate{{"CNY", 12.4, 0}, {"USD", 92, 0}, {"USD", 84, 3}}},
	{slug: "acme-kz", name: "Acme Kazakhstan", tz: "Asia/Almaty", share: 0.08, regions: kzRegions, employees: kzEmployees, currency: "KZT"},
}

// personName is a name in the customer's script with its Latin form, from
// which emails and Telegram usernames are made.
type personName struct {
	local, latin string
	female       bool
}

var (
	ruFirst = []personName{{"Анна", "anna", true}, {"Мария", "maria", true}, {"Елена", "elena", true}, {"Ольга", "olga", true},
		{"Наталья", "natalia", true}, {"Ирина", "irina", true}, {"Татьяна", "tatiana", true}, {"Юлия", "yulia", true},
		{"Светлана", "svetlana", true}, {"Ксения", "ksenia", true}, {"Дарья", "daria", true}, {"Алина", "alina", true},
		{"Александр", "alexander", false}, {"Дмитрий", "dmitry", false}, {"Сергей", "sergey", false}, {"Андрей", "andrey", false},
		{"Алексей", "alexey", false}, {"Михаил", "mikhail", false}, {"Иван", "ivan", false}, {"Николай", "nikolay", false},
		{"Егор", "egor", false}, {"Артём", "artem", false}, {"Денис", "denis", false}, {"Владимир", "vladimir", false}}
	ruLast = []personName{{"Иванов", "ivanov", false}, {"Смирнов", "smirnov", false}, {"Кузнецов", "kuznetsov", false},
		{"Попов", "popov", false}, {"Васильев", "vasiliev", false}, {"Петров", "petrov", false}, {"Соколов", "sokolov", false},
		{"Михайлов", "mikhailov", false}, {"Новиков", "novikov", false}, {"Фёдоров", "fedorov", false}, {"Морозов", "morozov", false},
		{"Волков", "volkov", false}, {"Алексеев", "alekseev", false}, {"Лебедев", "lebedev", false}, {"Семёнов", "semenov", false},
		{"Егоров", "egorov", false}, {"Козлов", "kozlov", false}, {"Степанов", "stepanov", false}, {"Николаев", "nikolaev", false}, {"Орлов", "orlov", false}}
	zhFirst = []personName{{"伟", "wei", false}, {"芳", "fang", true}, {"娜", "na", true}, {"敏", "min", true}, {"静", "jing", true},
		{"磊", "lei", false}, {"洋", "yang", false}, {"勇", "yong", false}, {"艳", "yan", true}, {"杰", "jie", false},
		{"娟", "juan", true}, {"涛", "tao", false}, {"明", "ming", false}, {"超", "chao", false}, {"秀英", "xiuying", true},
		{"丽", "li", true}, {"军", "jun", false}, {"婷", "ting", true}, {"浩然", "haoran", false}, {"欣怡", "xinyi", true}}
	zhLast = []personName{{"王", "wang", false}, {"李", "li", false}, {"张", "zhang", false}, {"刘", "liu", false}, {"陈", "chen", false},
		{"杨", "yang", false}, {"黄", "huang", false}, {"赵", "zhao", false}, {"吴", "wu", false}, {"周", "zhou", false},
		{"徐", "xu", false}, {"孙", "sun", false}, {"马", "ma", false}, {"朱", "zhu", false}, {"胡", "hu", false}, {"郭", "guo", false}}
	enFirst = []personName{{"Emma", "emma", true}, {"Olivia", "olivia", true}, {"Sophia", "sophia", true}, {"Amelia", "amelia", true},
		{"Isabella", "isabella", true}, {"Mia", "mia", true}, {"Charlotte", "charlotte", true}, {"Grace", "grace", true},
		{"Liam", "liam", false}, {"Noah", "noah", false}, {"Oliver", "oliver", false}, {"James", "james", false},
		{"William", "william", false}, {"Benjamin", "benjamin", false}, {"Lucas", "lucas", false}, {"Henry", "henry", false},
		{"Jack", "jack", false}, {"Ethan", "ethan", false}, {"Harry", "harry", false}, {"Chloe", "chloe", true}}
	enLast = []personName{{"Smith", "smith", false}, {"Johnson", "johnson", false}, {"Williams", "williams", false},
		{"Brown", "brown", false}, {"Jones", "jones", false}, {"Garcia", "garcia", false}, {"Miller", "miller", false},
		{"Davis", "davis", false}, {"Wilson", "wilson", false}, {"Taylor", "taylor", false}, {"Thomas", "thomas", false},
		{"Moore", "moore", false}, {"Martin", "martin", false}, {"Lee", "lee", false}, {"Clark", "clark", false},
		{"Lewis", "lewis", false}, {"Walker", "walker", false}, {"Hall", "hall", false}, {"Young", "young", false}, {"King", "king", false}}
)

var emailDomains = map[string][]string{
	"ru": {"mail.ru", "yandex.ru", "gmail.com", "bk.ru", "inbox.ru"},
	"zh": {"qq.com", "163.com", "126.com", "gmail.com", "sina.com"},
	"en": {"gmail.com", "outlook.com", "yahoo.com", "icloud.com", "hotmail.com"},
}

// Review and social sources per language, as customers of each market use them.
var (
	reviewSites  = map[string][]string{"ru": {"Яндекс Карты", "2ГИС", "Отзовик"}, "zh": {"大众点评", "小红书"}, "en": {"Trustpilot", "Google Reviews", "Yelp"}}
	appStores    = map[string][]string{"ru": {"App Store", "Google Play", "RuStore"}, "zh": {"App Store", "华为应用市场", "小米应用商店"}, "en": {"App Store", "Google Play"}}
	socialSites  = map[string][]string{"ru": {"VK", "Дзен", "X"}, "zh": {"微博", "小红书", "抖音"}, "en": {"X", "Instagram", "Reddit", "Facebook"}}
	telegramChat = map[string][]string{"ru": {"Acme Ритейл — отзывы", "Покупки и скидки", "Подслушано в городе"}, "zh": {"Acme 用户群"}, "en": {"Acme Retail Community", "Deals & Steals"}}
)
