package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Kinds and channels of feedback (DESIGN.md "Core model").
var (
	FeedbackKinds = []string{"survey_response", "review", "mention", "ticket", "chat", "other"}
	Channels      = []string{"email", "sms", "telegram", "web", "widget", "app", "social", "media",
		"review_site", "call", "store", "other"}
	JourneyStages = []string{"awareness", "research", "decision", "usage", "loyalty"}
)

// Aspect is the sentiment of one topic inside a text.
type Aspect struct {
	Aspect string  `json:"aspect"`
	Label  string  `json:"label"`
	Score  float64 `json:"score"`
}

// FeedbackItem is anything a customer said: a survey answer, a review, a
// mention, a ticket. Ratings are nil when the item carries none.
type FeedbackItem struct {
	ID             int64          `json:"id"`
	WorkspaceID    int64          `json:"-"`
	CustomerID     *int64         `json:"customer_id"`
	Kind           string         `json:"kind"`
	Channel        string         `json:"channel"`
	Source         string         `json:"source"`
	Author         string         `json:"author"`
	URL            string         `json:"url"`
	Text           string         `json:"text"`
	Lang           string         `json:"lang"`
	Sentiment      string         `json:"sentiment"`
	SentimentScore *float64       `json:"sentiment_score"`
	Topics         []string       `json:"topics"`
	Aspects        []Aspect       `json:"aspects"`
	Tags           []string       `json:"tags"`
	NPS            *int           `json:"nps"`
	CSAT           *int           `json:"csat"`
	CSATScale      *int           `json:"csat_scale"`
	CES            *int           `json:"ces"`
	Touchpoint     string         `json:"touchpoint"`
	Stage          string         `json:"stage"`
	Region         string         `json:"region"`
	Segment        string         `json:"segment"`
	EmployeeID     *int64         `json:"employee_id"`
	SurveyID       *int64         `json:"survey_id"`
	OccurredAt     time.Time      `json:"occurred_at"`
	ReceivedAt     time.Time      `json:"received_at"`
	ExternalID     string         `json:"external_id,omitempty"`
	Metadata       map[string]any `json:"metadata"`
}

// NewFeedback is an item to store: the item itself plus who it is from and
// which employee served the customer, both resolved inside the write.
type NewFeedback struct {
	Item     FeedbackItem
	Customer CustomerInput // resolved to Item.CustomerID when it has identities
	Employee EmployeeInput // resolved to Item.EmployeeID when it has an external id
}

// Idempotency identifies a write that may be retried.
type Idempotency struct {
	Key         string
	RequestHash string // a retry with the same key but another body is refused
}

// ErrIdempotencyConflict means a key was reused with a different request.
var ErrIdempotencyConflict = errors.New("idempotency key reused with a different request")

// InsertResult says what a batch write stored.
type InsertResult struct {
	IDs        []int64 `json:"ids"`
	Duplicates []bool  `json:"duplicates"` // true where external_id matched an earlier item
	Replayed   bool    `json:"-"`          // the whole result is a stored earlier answer
}

// rowsPerInsert bounds a multi-row INSERT below SQLite's variable limit.
const rowsPerInsert = 200

const feedbackInsertColumns = `id, workspace_id, customer_id, kind, channel, source, author, url, text, search_text,
	lang, sentiment_label, sentiment_score, topics, aspects, tags, nps, csat, csat_scale, ces, touchpoint, stage,
	region, segment, employee_id, survey_id, occurred_at, received_at, external_id, metadata`

// feedbackInsertWidth is the number of columns above.
const feedbackInsertWidth = 30

// InsertFeedback stores a batch in one transaction. Items with an
// external_id already stored are not stored again: their earlier id is
// returned and marked duplicate. With an idempotency key, a retry returns the
// first result, also when retries race (the key row serialises them).
func (db *DB) InsertFeedback(ctx context.Context, workspaceID int64, batch []NewFeedback, idem *Idempotency) (InsertResult, error) {
	return db.insertFeedbackIn(ctx, workspaceID, batch, idem, func(ctx context.Context, fn func(context.Context, *Tx) error) error {
		return db.InTx(ctx, func(tx *Tx) error { return fn(ctx, tx) })
	})
}

// InsertFeedbackGrouped is InsertFeedback for small writes that may share a
// transaction with concurrent ones (GroupTx): survey answers, which arrive
// one item at a time and many at once. An item that fails (e.g. a survey
// hook refusing a second answer) fails alone.
func (db *DB) InsertFeedbackGrouped(ctx context.Context, workspaceID int64, batch []NewFeedback, idem *Idempotency) (InsertResult, error) {
	return db.insertFeedbackIn(ctx, workspaceID, batch, idem, db.GroupTx)
}

// insertFeedbackIn runs the write of InsertFeedback through inTx.
func (db *DB) insertFeedbackIn(ctx context.Context, workspaceID int64, batch []NewFeedback, idem *Idempotency,
	inTx func(context.Context, func(context.Context, *Tx) error) error) (InsertResult, error) {
	var res InsertResult
	var fullChunk *sql.Stmt
	if len(batch) >= rowsPerInsert {
		var err error
		if fullChunk, err = db.prepare(ctx, fullChunkInsert); err != nil {
			return InsertResult{}, fmt.Errorf("insert feedback: %w", err)
		}
	}
	err := inTx(ctx, func(ctx context.Context, tx *Tx) error {
		if idem != nil {
			r, err := tx.exec(ctx, `INSERT INTO idempotency_keys (workspace_id, key, request_hash, response, created_at)
				VALUES (?, ?, ?, '', ?) ON CONFLICT (workspace_id, key) DO NOTHING`,
				workspaceID, idem.Key, idem.RequestHash, time.Now().UnixMilli())
			if err != nil {
				return fmt.Errorf("claim idempotency key: %w", err)
			}
			if n, _ := r.RowsAffected(); n == 0 {
				return errReplay
			}
		}
		var err error
		res, err = tx.insertFeedback(ctx, workspaceID, batch, fullChunk)
		if err != nil {
			return err
		}
		if err := tx.addToRollups(ctx, workspaceID, batch, res.Duplicates); err != nil {
			return err
		}
		if len(db.hooks) > 0 {
			fresh := make([]FeedbackItem, 0, len(batch))
			for i := range batch {
				if !res.Duplicates[i] {
					fresh = append(fresh, batch[i].Item)
				}
			}
			for _, h := range db.hooks {
				if err := h(ctx, tx, workspaceID, fresh); err != nil {
					return err
				}
			}
		}
		if idem != nil {
			body, _ := json.Marshal(res)
			if _, err := tx.exec(ctx, `UPDATE idempotency_keys SET response = ? WHERE workspace_id = ? AND key = ?`,
				string(body), workspaceID, idem.Key); err != nil {
				return fmt.Errorf("store idempotent response: %w", err)
			}
		}
		return nil
	})
	if errors.Is(err, errReplay) {
		return db.replay(ctx, workspaceID, idem)
	}
	if err != nil {
		return InsertResult{}, fmt.Errorf("insert feedback: %w", err)
	}
	return res, nil
}

var errReplay = errors.New("replay")

func (db *DB) replay(ctx context.Context, workspaceID int64, idem *Idempotency) (InsertResult, error) {
	var hash, body string
	err := db.w.QueryRowContext(ctx, db.q(`SELECT request_hash, response FROM idempotency_keys WHERE workspace_id = ? AND key = ?`),
		workspaceID, idem.Key).Scan(&hash, &body)
	if err != nil {
		return InsertResult{}, fmt.Errorf("read idempotent response: %w", err)
	}
	if hash != idem.RequestHash {
		return InsertResult{}, ErrIdempotencyConflict
	}
	var res InsertResult
	if err := json.Unmarshal([]byte(body), &res); err != nil {
		return InsertResult{}, fmt.Errorf("read idempotent response: %w", err)
	}
	res.Replayed = true
	return res, nil
}

func (tx *Tx) insertFeedback(ctx context.Context, workspaceID int64, batch []NewFeedback, fullChunk *sql.Stmt) (InsertResult, error) {
	now := time.Now()
	var inputs []CustomerInput
	var owners []int
	for i := range batch {
		if !batch[i].Customer.Empty() {
			inputs = append(inputs, batch[i].Customer)
			owners = append(owners, i)
		}
	}
	if len(inputs) > 0 {
		ids, err := tx.resolveCustomers(ctx, workspaceID, inputs, now)
		if err != nil {
			return InsertResult{}, err
		}
		for k, i := range owners {
			if ids[k] != 0 {
				id := ids[k]
				batch[i].Item.CustomerID = &id
			}
		}
	}
	employees := map[string]int64{}
	for i := range batch {
		nf := &batch[i]
		if nf.Employee.ExternalID != "" {
			id, ok := employees[nf.Employee.ExternalID]
			if !ok {
				var err error
				if id, err = tx.upsertEmployee(ctx, workspaceID, nf.Employee, now); err != nil {
					return InsertResult{}, err
				}
				employees[nf.Employee.ExternalID] = id
			}
			nf.Item.EmployeeID = &id
		}
	}
	ids, err := tx.allocIDs(ctx, "feedback_items", len(batch))
	if err != nil {
		return InsertResult{}, err
	}
	res := InsertResult{IDs: ids, Duplicates: make([]bool, len(batch))}
	var conflicted [][2]int // chunks [start, end) where some row hit ON CONFLICT
	for start := 0; start < len(batch); start += rowsPerInsert {
		end := min(start+rowsPerInsert, len(batch))
		var sb strings.Builder
		sb.WriteString(`INSERT INTO feedback_items (` + feedbackInsertColumns + `) VALUES `)
		args := make([]any, 0, (end-start)*feedbackInsertWidth)
		for i := start; i < end; i++ {
			if i > start {
				sb.WriteByte(',')
			}
			sb.WriteString(feedbackPlaceholders)
			it := &batch[i].Item
			it.ID, it.WorkspaceID = ids[i], workspaceID
			if it.ReceivedAt.IsZero() {
				it.ReceivedAt = now
			}
			args = append(args, feedbackArgs(it)...)
		}
		sb.WriteString(` ON CONFLICT (workspace_id, external_id) DO NOTHING`)
		var stmt *sql.Stmt
		if end-start == rowsPerInsert {
			stmt = fullChunk
		}
		r, err := tx.execStmt(ctx, stmt, sb.String(), args...)
		if err != nil {
			return InsertResult{}, fmt.Errorf("insert rows: %w", err)
		}
		if n, err := r.RowsAffected(); err != nil || n < int64(end-start) {
			conflicted = append(conflicted, [2]int{start, end})
		}
	}
	// Items whose external_id was already stored keep their first id. Only
	// chunks that stored fewer rows than they carried can hold such items,
	// so the usual batch of new items costs no lookup at all.
	var ext []any
	pos := map[string][]int{}
	for i := range batch {
		if !inRanges(conflicted, i) {
			continue
		}
		if e := batch[i].Item.ExternalID; e != "" {
			if _, seen := pos[e]; !seen {
				ext = append(ext, e)
			}
			pos[e] = append(pos[e], i)
		}
	}
	for start := 0; start < len(ext); start += 500 {
		chunk := ext[start:min(start+500, len(ext))]
		rows, err := tx.query(ctx, `SELECT id, external_id FROM feedback_items WHERE workspace_id = ? AND external_id IN (`+
			placeholders(len(chunk))+`)`, append([]any{workspaceID}, chunk...)...)
		if err != nil {
			return InsertResult{}, fmt.Errorf("match external ids: %w", err)
		}
		for rows.Next() {
			var id int64
			var e string
			if err := rows.Scan(&id, &e); err != nil {
				rows.Close()
				return InsertResult{}, err
			}
			for _, i := range pos[e] {
				if res.IDs[i] != id {
					res.IDs[i], res.Duplicates[i] = id, true
					batch[i].Item.ID = id
				}
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return InsertResult{}, err
		}
	}
	return res, nil
}

// inRanges reports whether i lies in one of the half-open ranges.
func inRanges(ranges [][2]int, i int) bool {
	for _, r := range ranges {
		if i >= r[0] && i < r[1] {
			return true
		}
	}
	return false
}

var feedbackPlaceholders = "(" + placeholders(feedbackInsertWidth) + ")"

// fullChunkInsert is the text insertFeedback builds for a chunk of
// rowsPerInsert rows; it is prepared once on SQLite.
var fullChunkInsert = `INSERT INTO feedback_items (` + feedbackInsertColumns + `) VALUES ` +
	strings.TrimSuffix(strings.Repeat(feedbackPlaceholders+",", rowsPerInsert), ",") +
	` ON CONFLICT (workspace_id, external_id) DO NOTHING`

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

func jsonText(v any, empty string) string {
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" {
		return empty
	}
	return string(b)
}

func feedbackArgs(it *FeedbackItem) []any {
	var ext any
	if it.ExternalID != "" {
		ext = it.ExternalID
	}
	return []any{it.ID, it.WorkspaceID, it.CustomerID, it.Kind, it.Channel, it.Source, it.Author, it.URL, it.Text,
		SearchText(it.Text, it.Author), it.Lang, it.Sentiment, it.SentimentScore, jsonText(it.Topics, "[]"),
		jsonText(it.Aspects, "[]"), jsonText(it.Tags, "[]"), it.NPS, it.CSAT, it.CSATScale, it.CES, it.Touchpoint,
		it.Stage, it.Region, it.Segment, it.EmployeeID, it.SurveyID, it.OccurredAt.UnixMilli(),
		it.ReceivedAt.UnixMilli(), ext, jsonText(it.Metadata, "{}")}
}

// SearchText is the lower-cased text that `q` searches. It is computed in Go
// because SQLite's LOWER only folds ASCII, and Russian must match too.
func SearchText(parts ...string) string {
	return strings.ToLower(strings.Join(parts, "\n"))
}

const feedbackColumns = `id, workspace_id, customer_id, kind, channel, source, author, url, text, lang,
	sentiment_label, sentiment_score, topics, aspects, tags, nps, csat, csat_scale, ces, touchpoint, stage, region,
	segment, employee_id, survey_id, occurred_at, received_at, external_id, metadata`

func scanFeedback(row interface{ Scan(...any) error }) (FeedbackItem, error) {
	var it FeedbackItem
	var topics, aspects, tags, meta string
	var occurred, received int64
	var ext sql.NullString
	err := row.Scan(&it.ID, &it.WorkspaceID, &it.CustomerID, &it.Kind, &it.Channel, &it.Source, &it.Author, &it.URL,
		&it.Text, &it.Lang, &it.Sentiment, &it.SentimentScore, &topics, &aspects, &tags, &it.NPS, &it.CSAT,
		&it.CSATScale, &it.CES, &it.Touchpoint, &it.Stage, &it.Region, &it.Segment, &it.EmployeeID, &it.SurveyID,
		&occurred, &received, &ext, &meta)
	if err != nil {
		return it, err
	}
	it.OccurredAt, it.ReceivedAt, it.ExternalID = fromMillis(occurred), fromMillis(received), ext.String
	it.Topics, it.Aspects, it.Tags, it.Metadata = []string{}, []Aspect{}, []string{}, map[string]any{}
	_ = json.Unmarshal([]byte(topics), &it.Topics)
	_ = json.Unmarshal([]byte(aspects), &it.Aspects)
	_ = json.Unmarshal([]byte(tags), &it.Tags)
	_ = json.Unmarshal([]byte(meta), &it.Metadata)
	return it, nil
}

// Feedback returns one item of the workspace.
func (db *DB) Feedback(ctx context.Context, workspaceID, id int64) (FeedbackItem, error) {
	it, err := scanFeedback(db.queryRow(ctx, `SELECT `+feedbackColumns+` FROM feedback_items WHERE workspace_id = ? AND id = ?`, workspaceID, id))
	if err != nil {
		return it, notFound(err, "feedback item")
	}
	return it, nil
}

// FeedbackFilter selects items; zero fields do not filter.
type FeedbackFilter struct {
	From, To   time.Time // occurred_at in [From, To)
	Channel    string
	Kind       string
	Segment    string
	Region     string
	Touchpoint string
	Stage      string
	Lang       string
	Sentiment  string
	Topic      string // one of the item's topics
	CustomerID int64
	EmployeeID int64
	Q          string // case-insensitive substring of text or author
	Cursor     string // from a previous page's NextCursor
	Limit      int    // 1..1000, default 50
}

// FeedbackPage is one page of a listing, newest first.
type FeedbackPage struct {
	Items      []FeedbackItem `json:"items"`
	NextCursor string         `json:"next_cursor"`
}

// ErrBadCursor is returned for a cursor this store did not make.
var ErrBadCursor = errors.New("invalid cursor")

// ListFeedback returns items of the workspace matching f, newest first, with
// keyset pagination on (occurred_at, id) so deep pages stay fast.
func (db *DB) ListFeedback(ctx context.Context, workspaceID int64, f FeedbackFilter) (FeedbackPage, error) {
	where := []string{"workspace_id = ?"}
	args := []any{workspaceID}
	add := func(cond string, v any) { where, args = append(where, cond), append(args, v) }
	if !f.From.IsZero() {
		add("occurred_at >= ?", f.From.UnixMilli())
	}
	if !f.To.IsZero() {
		add("occurred_at < ?", f.To.UnixMilli())
	}
	for _, eq := range []struct{ col, v string }{{"channel", f.Channel}, {"kind", f.Kind}, {"segment", f.Segment},
		{"region", f.Region}, {"touchpoint", f.Touchpoint}, {"stage", f.Stage}, {"lang", f.Lang}, {"sentiment_label", f.Sentiment}} {
		if eq.v != "" {
			add(eq.col+" = ?", eq.v)
		}
	}
	if f.Topic != "" {
		b, _ := json.Marshal(f.Topic)
		add(`topics LIKE ? ESCAPE '\'`, "%"+escapeLike(string(b))+"%")
	}
	if f.CustomerID > 0 {
		add("customer_id = ?", f.CustomerID)
	}
	if f.EmployeeID > 0 {
		add("employee_id = ?", f.EmployeeID)
	}
	if f.Q != "" {
		add(`search_text LIKE ? ESCAPE '\'`, "%"+escapeLike(strings.ToLower(f.Q))+"%")
	}
	if f.Cursor != "" {
		at, id, err := decodeCursor(f.Cursor)
		if err != nil {
			return FeedbackPage{}, err
		}
		where = append(where, "(occurred_at < ? OR (occurred_at = ? AND id < ?))")
		args = append(args, at, at, id)
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, 1000)
	rows, err := db.query(ctx, `SELECT `+feedbackColumns+` FROM feedback_items WHERE `+strings.Join(where, " AND ")+
		` ORDER BY occurred_at DESC, id DESC LIMIT ?`, append(args, f.Limit+1)...)
	if err != nil {
		return FeedbackPage{}, fmt.Errorf("list feedback: %w", err)
	}
	defer rows.Close()
	page := FeedbackPage{Items: []FeedbackItem{}}
	for rows.Next() {
		it, err := scanFeedback(rows)
		if err != nil {
			return FeedbackPage{}, fmt.Errorf("list feedback: %w", err)
		}
		page.Items = append(page.Items, it)
	}
	if err := rows.Err(); err != nil {
		return FeedbackPage{}, fmt.Errorf("list feedback: %w", err)
	}
	if len(page.Items) > f.Limit {
		page.Items = page.Items[:f.Limit]
		last := page.Items[f.Limit-1]
		page.NextCursor = encodeCursor(last.OccurredAt.UnixMilli(), last.ID)
	}
	return page, nil
}

func encodeCursor(at, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(at, 10) + ":" + strconv.FormatInt(id, 10)))
}

func decodeCursor(c string) (int64, int64, error) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, 0, ErrBadCursor
	}
	a, b, ok := strings.Cut(string(raw), ":")
	at, err1 := strconv.ParseInt(a, 10, 64)
	id, err2 := strconv.ParseInt(b, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return 0, 0, ErrBadCursor
	}
	return at, id, nil
}

// CountFeedback counts the workspace's items (for summaries and tests).
func (db *DB) CountFeedback(ctx context.Context, workspaceID int64) (int, error) {
	var n int
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM feedback_items WHERE workspace_id = ?`, workspaceID).Scan(&n)
	return n, err
}
