package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Which jobs name a person. Payloads are JSON written by the packages that
// enqueue them; the store reads them without importing those packages:
//
//   - survey.send, survey.remind: {"invitation_id":N} — one of their
//     invitations;
//   - webhook.deliver: "body" is the event JSON whose data holds the item
//     ("item":{"id":…}), the customer ("customer":{"id":…}) or a case
//     ("customer_id", "feedback_id");
//   - case.reply: "to" is one of their addresses;
//   - notify.email/telegram/slack and digests: plain text quoting an item
//     or naming the customer — matched on their texts, names and addresses;
//   - praise notifications carry the dedupe key "praise:<item>:<user>".
//
// A job naming the person is deleted whatever its status: pending ones are
// cancelled (an email about them must not go out after the erase), done and
// dead ones hold a copy of their data.

// minQuoteRunes is the shortest item text matched inside a notification:
// shorter texts ("ok", "спасибо") would match other people's messages.
const minQuoteRunes = 12

// jobMatcher decides whether a job payload names a person.
type jobMatcher struct {
	customers, items, invitations map[int64]bool
	needles                       []string // lower-cased identity values, names, long item texts
	// A payload is decoded only when it passes a cheap scan of its raw
	// text: a number that is one of the ids above, or a token of a needle
	// (its longest part without characters JSON escapes, so it appears
	// verbatim however deeply the text is nested).
	anyID  map[int64]bool
	tokens []string
}

func newJobMatcher(p *person) *jobMatcher {
	m := &jobMatcher{customers: map[int64]bool{}, items: map[int64]bool{}, invitations: map[int64]bool{}}
	for _, id := range p.profiles {
		m.customers[id] = true
	}
	for _, id := range p.itemIDs {
		m.items[id] = true
	}
	for _, id := range p.invitations {
		m.invitations[id] = true
	}
	add := func(s string, minRunes int) {
		s = strings.ToLower(strings.TrimSpace(s))
		if utf8.RuneCountInString(s) >= minRunes {
			m.needles = append(m.needles, s)
		}
	}
	for _, idn := range p.identities {
		add(idn.Value, 4)
	}
	for _, n := range p.names {
		add(n, 4)
	}
	for _, it := range p.items {
		add(it.Text, minQuoteRunes)
	}
	m.anyID = map[int64]bool{}
	for _, set := range []map[int64]bool{m.customers, m.items, m.invitations} {
		for id := range set {
			m.anyID[id] = true
		}
	}
	for _, n := range m.needles {
		best := ""
		for _, part := range strings.FieldsFunc(n, func(r rune) bool { return r < 0x20 || strings.ContainsRune(`"\<>&`, r) }) {
			if len(part) > len(best) {
				best = part
			}
		}
		m.tokens = append(m.tokens, best)
	}
	return m
}

// mayMatch is the cheap scan that decides whether matches must decode.
func (m *jobMatcher) mayMatch(dedupe, payload string) bool {
	if strings.HasPrefix(dedupe, "praise:") {
		return true
	}
	for i := 0; i < len(payload); i++ {
		if payload[i] < '0' || payload[i] > '9' {
			continue
		}
		j := i
		for j < len(payload) && payload[j] >= '0' && payload[j] <= '9' {
			j++
		}
		if id, err := strconv.ParseInt(payload[i:j], 10, 64); err == nil && m.anyID[id] {
			return true
		}
		i = j
	}
	if len(m.tokens) == 0 {
		return false
	}
	low := strings.ToLower(payload)
	for _, t := range m.tokens {
		if strings.Contains(low, t) {
			return true
		}
	}
	return false
}

// matches reports whether a job names the person.
func (m *jobMatcher) matches(kind, dedupe, payload string) bool {
	if rest, ok := strings.CutPrefix(dedupe, "praise:"); ok {
		item, _, _ := strings.Cut(rest, ":")
		if id, err := strconv.ParseInt(item, 10, 64); err == nil && m.items[id] {
			return true
		}
	}
	var v any
	if err := json.Unmarshal([]byte(payload), &v); err != nil {
		return m.quotes(payload)
	}
	return m.walk("", v, 0)
}

// walk looks through a decoded payload; strings holding JSON (a webhook's
// body) are decoded and walked too.
func (m *jobMatcher) walk(key string, v any, depth int) bool {
	if depth > 32 {
		return false
	}
	switch x := v.(type) {
	case map[string]any:
		if id, ok := jsonID(x["id"]); ok {
			if (key == "item" && m.items[id]) || (key == "customer" && m.customers[id]) {
				return true
			}
		}
		for k, child := range x {
			if m.walk(k, child, depth+1) {
				return true
			}
		}
	case []any:
		for _, child := range x {
			if m.walk(key, child, depth+1) {
				return true
			}
		}
	case float64:
		id := int64(x)
		switch key {
		case "customer_id", "merged_into_id":
			return m.customers[id]
		case "feedback_id", "feedback_item_id", "item_id":
			return m.items[id]
		case "invitation_id":
			return m.invitations[id]
		}
	case string:
		if t := strings.TrimSpace(x); strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") {
			var inner any
			if json.Unmarshal([]byte(t), &inner) == nil {
				return m.walk(key, inner, depth+1)
			}
		}
		return m.quotes(x)
	}
	return false
}

func jsonID(v any) (int64, bool) {
	f, ok := v.(float64)
	return int64(f), ok
}

// quotes reports whether text contains one of the person's addresses,
// names or longer texts.
func (m *jobMatcher) quotes(text string) bool {
	if len(m.needles) == 0 || text == "" {
		return false
	}
	low := strings.ToLower(text)
	for _, n := range m.needles {
		if strings.Contains(low, n) {
			return true
		}
	}
	return false
}

// jobsNaming returns the ids of the workspace's jobs, any status, that name
// the person. It pages through the jobs by id inside the erase's
// transaction, so a job enqueued concurrently either commits before (and is
// seen) or waits for the erase (and finds the rows gone).
func (tx *Tx) jobsNaming(ctx context.Context, workspaceID int64, p *person) ([]int64, error) {
	m := newJobMatcher(p)
	var out []int64
	var after int64
	for {
		rows, err := tx.query(ctx, `SELECT id, kind, COALESCE(dedupe_key, ''), payload FROM jobs
			WHERE workspace_id = ? AND id > ? ORDER BY id LIMIT 1000`, workspaceID, after)
		if err != nil {
			return nil, fmt.Errorf("jobs naming person: %w", err)
		}
		n := 0
		for rows.Next() {
			var id int64
			var kind, dedupe, payload string
			if err := rows.Scan(&id, &kind, &dedupe, &payload); err != nil {
				rows.Close()
				return nil, fmt.Errorf("jobs naming person: %w", err)
			}
			after, n = id, n+1
			if m.mayMatch(dedupe, payload) && m.matches(kind, dedupe, payload) {
				out = append(out, id)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("jobs naming person: %w", err)
		}
		if n == 0 {
			return out, nil
		}
	}
}
