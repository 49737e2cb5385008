package importer

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"vox/internal/ingest"
	"vox/internal/store"
)

// Limits that keep one odd file from bloating items.
const (
	maxMetadataColumns = 50
	maxMetadataRunes   = 1000
)

// table is a source's header with the mapping resolved to column indexes.
type table struct {
	headers []string
	cols    map[string]int   // target → column index
	locs    []*time.Location // per column: the zone of naive dates (Qualtrics states it), nil = UTC
	serial  bool             // numbers in date columns are Excel serial dates (XLSX)
	source  string           // Item.Source when not mapped: "qualtrics", "limesurvey", "import"
}

// newTable resolves a mapping against the headers; a mapping naming a
// column the file does not have is an error of the whole import.
func newTable(headers []string, m Mapping) (*table, error) {
	t := &table{headers: headers, cols: map[string]int{}, source: "import"}
	for target, src := range m {
		i := slices.Index(headers, src)
		if i < 0 {
			i = slices.IndexFunc(headers, func(h string) bool { return compact(h) == compact(src) })
		}
		if i < 0 {
			return nil, fmt.Errorf("mapping %s=%s: the file has no column %q", target, src, src)
		}
		t.cols[target] = i
	}
	return t, nil
}

// exportKind names the survey tool whose export these headers are.
func exportKind(headers []string) string {
	keys := make([]string, len(headers))
	for i, h := range headers {
		keys[i] = compact(h)
	}
	switch {
	case slices.Contains(keys, "responseid") && (slices.Contains(keys, "recordeddate") || slices.Contains(keys, "startdate")):
		return "qualtrics"
	case slices.Contains(keys, "submitdate") && slices.Contains(keys, "id"):
		return "limesurvey"
	}
	return "import"
}

// privateColumns are not copied to metadata: they locate a person and Vox
// has no use for them.
var privateColumns = []string{"ipaddress", "ipaddr", "locationlatitude", "locationlongitude"}

// convert turns one row into an item. It checks what the mapping makes of
// the cells (numbers, dates, UTF-8); ingest.Item.Validate checks the rest.
func (t *table) convert(cells []string) (ingest.Item, *RowError) {
	for i, c := range cells {
		if !utf8.ValidString(c) {
			return ingest.Item{}, &RowError{Field: t.fieldOf(i), Reason: fmt.Sprintf("column %q is not valid UTF-8", t.header(i))}
		}
	}
	get := func(target string) (string, int) {
		if i, ok := t.cols[target]; ok && i < len(cells) {
			return strings.TrimSpace(cells[i]), i
		}
		return "", -1
	}
	it := ingest.Item{Source: t.source}
	var meta map[string]any
	keep := func(target, raw string) { // values Vox cannot take go to metadata, not lost
		if meta == nil {
			meta = map[string]any{}
		}
		meta[target] = raw
	}
	for _, f := range []struct {
		target string
		dst    **int
	}{{"nps", &it.NPS}, {"csat", &it.CSAT}, {"csat_scale", &it.CSATScale}, {"ces", &it.CES}} {
		v, i := get(f.target)
		if v == "" {
			continue
		}
		n, ok := parseScore(v)
		if !ok {
			return it, &RowError{Field: f.target, Reason: fmt.Sprintf("column %q: %q is not a whole number", t.header(i), clip(v))}
		}
		*f.dst = &n
	}
	if v, i := get("occurred_at"); v != "" {
		var loc *time.Location
		if i < len(t.locs) {
			loc = t.locs[i]
		}
		at, ok := parseTime(v, loc, t.serial)
		if !ok {
			return it, &RowError{Field: "occurred_at", Reason: fmt.Sprintf("column %q: %q is not a date", t.header(i), clip(v))}
		}
		it.OccurredAt = &at
	}
	it.Text, _ = get("text")
	it.ExternalID, _ = get("external_id")
	if v, _ := get("source"); v != "" {
		it.Source = v
	}
	it.Author, _ = get("author")
	it.URL, _ = get("url")
	it.Touchpoint, _ = get("touchpoint")
	it.Region, _ = get("region")
	it.Segment, _ = get("segment")
	it.Employee, _ = get("employee")
	if v, _ := get("lang"); v != "" {
		it.Lang = strings.ToLower(v)
	}
	if v, _ := get("channel"); v != "" {
		if it.Channel = channelOf(v); it.Channel == "other" {
			keep("channel", v)
		}
	}
	if v, _ := get("kind"); v != "" {
		if k := strings.ToLower(v); slices.Contains(store.FeedbackKinds, k) {
			it.Kind = k
		} else {
			keep("kind", v)
		}
	}
	if v, _ := get("stage"); v != "" {
		if s := strings.ToLower(v); slices.Contains(store.JourneyStages, s) {
			it.Stage = s
		} else {
			keep("stage", v)
		}
	}
	if v, _ := get("tags"); v != "" {
		for _, tag := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' || r == '|' }) {
			if tag = strings.TrimSpace(tag); tag != "" {
				it.Tags = append(it.Tags, tag)
			}
		}
	}
	c := ingest.CustomerRef{}
	c.Email, _ = get("customer.email")
	c.Phone, _ = get("customer.phone")
	c.TelegramID, _ = get("customer.telegram_id")
	if v, _ := get("customer.telegram_username"); v != "" {
		v = strings.TrimPrefix(strings.TrimPrefix(v, "https://t.me/"), "@")
		if _, err := strconv.ParseInt(v, 10, 64); err == nil && c.TelegramID == "" {
			c.TelegramID = v // a numeric "telegram" column holds ids
		} else {
			c.TelegramUsername = v
		}
	}
	c.ExternalID, _ = get("customer.external_id")
	c.Name, _ = get("customer.name")
	if v, i := get("customer.annual_revenue"); v != "" {
		named, _ := get("customer.annual_revenue_currency")
		amount, code, ok := parseAmount(v)
		if !ok && named != "" { // "$5,000" with "CAD" beside it
			for _, sign := range ambiguousSigns {
				if rest, cut := strings.CutPrefix(v, sign); cut {
					amount, code, ok = parseAmount(rest)
				} else if rest, cut := strings.CutSuffix(v, sign); cut {
					amount, code, ok = parseAmount(rest)
				}
			}
		}
		if !ok {
			return it, &RowError{Field: "customer.annual_revenue", Reason: fmt.Sprintf("column %q: %q is not an amount "+
				"such as 1 200 000,50 or USD 1,200,000.50 ($ and ¥ need the currency's code or a currency column)", t.header(i), clip(v))}
		}
		c.AnnualRevenue, c.AnnualRevenueCurrency = &amount, code
		if named != "" {
			c.AnnualRevenueCurrency = strings.ToUpper(named) // ingest.Item.Validate checks the code
		}
	}
	if len(c.Input().Identities) > 0 {
		it.Customer = &c
	} else {
		if c.Name != "" && it.Author == "" {
			it.Author = c.Name // a name alone identifies nobody; keep it as the author
		}
		// Revenue of nobody in particular is kept with the item, not dropped.
		if v, _ := get("customer.annual_revenue"); v != "" {
			keep("customer.annual_revenue", v)
		}
		if v, _ := get("customer.annual_revenue_currency"); v != "" {
			keep("customer.annual_revenue_currency", v)
		}
	}
	// The other columns travel along as metadata, so nothing of the survey is lost.
	mapped := map[int]bool{}
	for _, i := range t.cols {
		mapped[i] = true
	}
	cols := map[string]any{}
	for i, v := range cells {
		if v = strings.TrimSpace(v); v == "" || mapped[i] || i >= len(t.headers) || len(cols) >= maxMetadataColumns ||
			slices.Contains(privateColumns, compact(t.headers[i])) {
			continue
		}
		if r := []rune(v); len(r) > maxMetadataRunes {
			v = string(r[:maxMetadataRunes])
		}
		cols[t.headers[i]] = v
	}
	if len(cols) > 0 {
		if meta == nil {
			meta = map[string]any{}
		}
		meta["columns"] = cols
	}
	it.Metadata = meta
	return it, nil
}

func (t *table) header(i int) string {
	if i >= 0 && i < len(t.headers) {
		return t.headers[i]
	}
	return fmt.Sprintf("#%d", i+1)
}

// fieldOf names the target a column fills, or the column itself.
func (t *table) fieldOf(i int) string {
	for target, c := range t.cols {
		if c == i {
			return target
		}
	}
	return t.header(i)
}

// rowID derives a stable external id from the row's content, so that
// re-importing a file stores nothing twice even without an id column. It
// hashes the non-empty cells by header, sorted: reordered or added empty
// columns in a re-export keep the ids. The price, chosen knowingly: two
// identical rows in one file are one item.
func rowID(headers, cells []string) string {
	pairs := make([]string, 0, len(cells))
	for i, v := range cells {
		if v = strings.TrimSpace(v); v != "" {
			h := fmt.Sprintf("#%d", i)
			if i < len(headers) {
				h = headers[i]
			}
			pairs = append(pairs, h+"\x1f"+v)
		}
	}
	slices.Sort(pairs)
	return contentID([]byte(strings.Join(pairs, "\x1e")))
}

// contentID is the external id of content that brings none of its own.
func contentID(canonical []byte) string {
	sum := sha256.Sum256(canonical)
	return "import:" + hex.EncodeToString(sum[:])[:24]
}

// scoreLabel matches labelled choices such as "10 - Extremely likely".
var scoreLabel = regexp.MustCompile(`^(\d{1,2})\s*[-–—:.)]\s*\D`)

// parseScore reads a rating: "9", "9.0" (spreadsheets), or a labelled choice.
// currencySigns are the currency symbols an amount may carry that name one
// currency only ("$" and "¥" do not: they are left for the currency column).
// Longer signs come first ("US$" before "$" would matter if "$" were one).
var currencySigns = [][2]string{{"US$", "USD"}, {"HK$", "HKD"}, {"C$", "CAD"}, {"A$", "AUD"}, {"R$", "BRL"},
	{"CN¥", "CNY"}, {"JP¥", "JPY"}, {"RMB", "CNY"}, {"₽", "RUB"}, {"руб.", "RUB"}, {"руб", "RUB"}, {"р.", "RUB"},
	{"€", "EUR"}, {"£", "GBP"}, {"₸", "KZT"}, {"₴", "UAH"}, {"元", "CNY"}, {"人民币", "CNY"}}

// ambiguousSigns name several currencies; an amount may carry one only when
// the row's currency column says which.
var ambiguousSigns = []string{"$", "¥", "￥"}

// parseAmount reads a money amount as spreadsheets and CRMs export it:
// thousands grouped by spaces, apostrophes, commas or dots, a decimal comma
// or point, and optionally an ISO 4217 code or an unambiguous sign before or
// after it ("1 200 000,50 ₽", "USD 1,200,000.50"). The code is "" when the
// cell names none.
func parseAmount(s string) (float64, string, bool) {
	code := ""
	s = strings.TrimSpace(s)
	for _, sc := range currencySigns {
		rest, ok := strings.CutSuffix(s, sc[0])
		if !ok {
			rest, ok = strings.CutPrefix(s, sc[0])
		}
		if ok {
			s, code = strings.TrimSpace(rest), sc[1]
			break
		}
	}
	if f := strings.Fields(s); code == "" && len(f) >= 2 {
		if first := strings.ToUpper(f[0]); store.ValidCurrency(first) {
			s, code = strings.Join(f[1:], " "), first
		} else if last := strings.ToUpper(f[len(f)-1]); store.ValidCurrency(last) {
			s, code = strings.Join(f[:len(f)-1], " "), last
		}
	}
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\u00a0' || r == '\u202f' || r == '\'' || r == '’' {
			return -1 // group separators
		}
		return r
	}, s)
	comma, dot := strings.LastIndex(s, ","), strings.LastIndex(s, ".")
	switch {
	case comma >= 0 && dot >= 0: // the later one is the decimal mark
		if comma > dot {
			s = strings.ReplaceAll(strings.ReplaceAll(s, ".", ""), ",", ".")
		} else {
			s = strings.ReplaceAll(s, ",", "")
		}
	case comma >= 0: // "1,5" and "1200,50" are decimal; "1,200" and "1,200,000" are grouped
		if strings.Count(s, ",") == 1 && len(s)-comma-1 != 3 {
			s = strings.Replace(s, ",", ".", 1)
		} else {
			s = strings.ReplaceAll(s, ",", "")
		}
	case strings.Count(s, ".") > 1: // "1.200.000"
		s = strings.ReplaceAll(s, ".", "")
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || strings.ContainsAny(s, "xXpP_") {
		return 0, "", false
	}
	return v, code, true
}

func parseScore(s string) (int, bool) {
	if n, err := strconv.Atoi(s); err == nil {
		return n, true
	}
	if f, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64); err == nil {
		if f == math.Trunc(f) && math.Abs(f) < 1e6 {
			return int(f), true
		}
		return 0, false
	}
	if m := scoreLabel.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n, true
	}
	return 0, false
}

// dateLayouts are tried in order. Slashed dates are read US-style first
// (Qualtrics, Excel en-US); day-first is the fallback when the first number
// cannot be a month. Dotted dates are Russian/German day-first.
var dateLayouts = []string{
	time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04",
	"2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05 -0700", "2006-01-02",
	"02.01.2006 15:04:05", "02.01.2006 15:04", "02.01.2006", "2.1.2006 15:04", "2.1.2006",
	"01/02/2006 15:04:05", "01/02/2006 15:04", "01/02/2006 3:04:05 PM", "01/02/2006 3:04 PM", "01/02/2006",
	"1/2/2006 15:04:05", "1/2/2006 15:04", "1/2/2006 3:04:05 PM", "1/2/2006 3:04 PM", "1/2/2006",
	"02/01/2006 15:04:05", "02/01/2006 15:04", "02/01/2006", "2/1/2006",
	"2006/01/02 15:04:05", "2006/01/02 15:04", "2006/01/02", "2006/1/2",
	"2006年1月2日 15:04:05", "2006年1月2日 15:04", "2006年1月2日",
	time.RFC1123Z, time.RFC1123, "Jan 2, 2006", "2 Jan 2006", "January 2, 2006",
}

// parseTime reads a date in the layouts above, or Unix seconds or
// milliseconds; serial says bare numbers are Excel dates. Naive times are in
// loc (UTC when nil).
func parseTime(s string, loc *time.Location, serial bool) (time.Time, bool) {
	if loc == nil {
		loc = time.UTC
	}
	for _, l := range dateLayouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t, true
		}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f > 0 {
		switch {
		case serial && f < 1e6:
			if t, err := excelize.ExcelDateToTime(f, false); err == nil {
				return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, loc), true
			}
		case f >= 1e9 && f < 1e10:
			return time.Unix(int64(f), 0).UTC(), true
		case f >= 1e12 && f < 1e13:
			return time.UnixMilli(int64(f)).UTC(), true
		}
	}
	return time.Time{}, false
}

// channelOf reads a channel name in the forms exports use; unknown ones are
// "other" (the raw value is kept in metadata) rather than a lost row.
func channelOf(v string) string {
	k := compact(v)
	if slices.Contains(store.Channels, k) {
		return k
	}
	switch k {
	case "mail", "emailsurvey", "почта", "邮件", "电子邮件":
		return "email"
	case "website", "online", "anonymous", "сайт", "网站", "网页": // Qualtrics "anonymous": a public web link
		return "web"
	case "mobileapp", "application", "приложение", "应用", "app内":
		return "app"
	case "телеграм", "tg":
		return "telegram"
	case "смс", "短信":
		return "sms"
	case "phone", "телефон", "звонок", "电话":
		return "call"
	case "reviewsite", "отзовик", "点评":
		return "review_site"
	}
	return "other"
}

func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}
