// Package store opens Vox's database (SQLite by default, PostgreSQL for scale),
// applies the embedded migrations and holds the queries of every entity.
//
// One SQL text serves both engines: queries are written with `?` placeholders
// and rebound to `$n` for PostgreSQL; times are stored as unix milliseconds
// (BIGINT) and JSON as TEXT so that no query needs an engine-specific type.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the pure-Go "sqlite" driver
)

// Dialect names the database engine behind a DB.
type Dialect string

// The two supported engines.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// ErrNotFound is returned when a row does not exist in the caller's workspace.
var ErrNotFound = errors.New("not found")

// DB is a handle on Vox's database. On SQLite writes go through a single
// connection (SQLite allows one writer; queueing in Go is cheaper than
// SQLITE_BUSY retries) while reads use a pool; on PostgreSQL both share a pool.
type DB struct {
	Dialect Dialect
	w       *sql.DB
	r       *sql.DB
	rebound sync.Map // query text → rebound text (PostgreSQL only)
	stmts   sync.Map // query text → *sql.Stmt on the writer (SQLite only)
	rstmts  sync.Map // query text → *sql.Stmt on the reader pool (SQLite only)
	hooks   []FeedbackHook
	group   committer   // GroupTx
	wstmts  writerStmts // which writer statements to cache (SQLite)
}

// FeedbackHook runs inside the transaction that stores new feedback items
// (duplicates excluded), so that whatever it writes — rollups, outbox jobs
// for rules and webhooks — commits or rolls back with the items.
type FeedbackHook func(ctx context.Context, tx *Tx, workspaceID int64, items []FeedbackItem) error

// AddFeedbackHook registers a hook; call it while wiring, before serving.
func (db *DB) AddFeedbackHook(h FeedbackHook) { db.hooks = append(db.hooks, h) }

// Options tune how the database is opened.
type Options struct {
	// SyncFull makes SQLite use synchronous=FULL: commits survive power loss,
	// at the cost of an fsync per transaction. NORMAL (the default) survives
	// process crashes (kill -9) but may lose the last commits on power loss.
	SyncFull bool
	// ReadConns is the size of the read pool (default 4).
	ReadConns int
}

// Open opens the database named by dsn: a postgres:// or postgresql:// URL
// selects PostgreSQL; anything else is a SQLite file path (or sqlite:PATH).
// It does not migrate; call Migrate.
func Open(ctx context.Context, dsn string, opt Options) (*DB, error) {
	if opt.ReadConns <= 0 {
		opt.ReadConns = 4
	}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return openPostgres(ctx, dsn, opt)
	}
	return openSQLite(ctx, strings.TrimPrefix(dsn, "sqlite:"), opt)
}

func openPostgres(ctx context.Context, dsn string, opt Options) (*DB, error) {
	pool, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	pool.SetMaxOpenConns(opt.ReadConns + 8)
	pool.SetMaxIdleConns(opt.ReadConns + 8)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	return &DB{Dialect: Postgres, w: pool, r: pool}, nil
}

func openSQLite(ctx context.Context, path string, opt Options) (*DB, error) {
	if path == "" {
		return nil, errors.New("open sqlite: empty path")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
	}
	sync := "NORMAL"
	if opt.SyncFull {
		sync = "FULL"
	}
	pragmas := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "foreign_keys(1)",
		"synchronous(" + sync + ")", "cache_size(-65536)", "temp_store(MEMORY)"} {
		pragmas.Add("_pragma", p)
	}
	w, err := sql.Open("sqlite", "file:"+path+"?"+pragmas.Encode()+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	pragmas.Add("_pragma", "query_only(1)")
	r, err := sql.Open("sqlite", "file:"+path+"?"+pragmas.Encode())
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	r.SetMaxOpenConns(opt.ReadConns)
	r.SetMaxIdleConns(opt.ReadConns)
	return &DB{Dialect: SQLite, w: w, r: r}, nil
}

// Close closes both pools.
func (db *DB) Close() error {
	db.stopCommitter()
	for _, m := range []*sync.Map{&db.stmts, &db.rstmts} {
		m.Range(func(_, v any) bool { v.(*sql.Stmt).Close(); return true })
	}
	err := db.w.Close()
	if db.r != db.w {
		if rerr := db.r.Close(); err == nil {
			err = rerr
		}
	}
	return err
}

// Ping checks that the database answers (used by /readyz).
func (db *DB) Ping(ctx context.Context) error { return db.r.PingContext(ctx) }

// q adapts a `?`-placeholder query to the dialect.
func (db *DB) q(query string) string {
	if db.Dialect != Postgres {
		return query
	}
	if v, ok := db.rebound.Load(query); ok {
		return v.(string)
	}
	out := rebind(query)
	db.rebound.Store(query, out)
	return out
}

// rebind turns `?` placeholders into `$1..$n`, leaving quoted strings alone.
func rebind(query string) string {
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	inQuote := false
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'':
			inQuote = !inQuote
			b.WriteByte(c)
		case c == '?' && !inQuote:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// queryer is what both *sql.DB and *sql.Tx offer.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Tx is a write transaction. Its methods take `?` queries like DB's.
type Tx struct {
	db *DB
	tx *sql.Tx
	// deferred, inside a group commit, collects rollup additions to write
	// once for the whole group (rollup_deferred.go); nil otherwise.
	deferred *deferredRollups
	// lastIDs is the last id allocIDs handed out per table (SQLite).
	lastIDs map[string]int64
	// reads, inside a group commit, memoises reads its calls share
	// (group_reads.go); its maps are nil otherwise.
	reads groupReads
}

// InTx runs fn in a write transaction, committing when fn returns nil.
func (db *DB) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	db.prepareWanted(ctx)
	sqlTx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	tx := &Tx{db: db, tx: sqlTx}
	if err := fn(tx); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func (tx *Tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	q := tx.db.q(query)
	if s := tx.txStmt(ctx, q); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return tx.tx.ExecContext(ctx, q, args...)
}

// prepare returns a statement prepared once on the SQLite writer for a
// write that recurs with the same text (the full-size chunk of a multi-row
// INSERT): SQLite compiles a statement on every Exec, which for a 200-row
// INSERT costs about as much as the insert itself. It must be called
// outside a transaction, since the transaction holds the only writer
// connection. On PostgreSQL it returns nil: pgx caches by itself.
func (db *DB) prepare(ctx context.Context, query string) (*sql.Stmt, error) {
	if db.Dialect != SQLite {
		return nil, nil
	}
	if v, ok := db.stmts.Load(query); ok {
		return v.(*sql.Stmt), nil
	}
	stmt, err := db.w.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if v, loaded := db.stmts.LoadOrStore(query, stmt); loaded {
		stmt.Close()
		return v.(*sql.Stmt), nil
	}
	return stmt, nil
}

// execStmt runs stmt (from prepare) in the transaction, or query when stmt is nil.
func (tx *Tx) execStmt(ctx context.Context, stmt *sql.Stmt, query string, args ...any) (sql.Result, error) {
	if stmt == nil {
		return tx.exec(ctx, query, args...)
	}
	return tx.tx.StmtContext(ctx, stmt).ExecContext(ctx, args...)
}

func (tx *Tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	q := tx.db.q(query)
	if s := tx.txStmt(ctx, q); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return tx.tx.QueryContext(ctx, q, args...)
}

func (tx *Tx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	q := tx.db.q(query)
	if s := tx.txStmt(ctx, q); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return tx.tx.QueryRowContext(ctx, q, args...)
}

func (db *DB) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return db.w.ExecContext(ctx, db.q(query), args...)
}

func (db *DB) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return db.r.QueryContext(ctx, db.q(query), args...)
}

func (db *DB) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return db.r.QueryRowContext(ctx, db.q(query), args...)
}

// hotRow is queryRow for fixed query texts on hot read paths (a survey page,
// a session check): on SQLite the statement is prepared once per reader
// connection instead of on every call, which is a fifth of such a request's
// time. Only constant query texts may come here — each text is kept for
// the life of the DB. PostgreSQL's driver caches statements by itself.
func (db *DB) hotRow(ctx context.Context, query string, args ...any) *sql.Row {
	if db.Dialect != SQLite {
		return db.queryRow(ctx, query, args...)
	}
	v, ok := db.rstmts.Load(query)
	if !ok {
		stmt, err := db.r.PrepareContext(ctx, query)
		if err != nil {
			return db.queryRow(ctx, query, args...) // the query reports the error
		}
		if v, ok = db.rstmts.LoadOrStore(query, stmt); ok {
			stmt.Close()
		} else {
			v = stmt
		}
	}
	return v.(*sql.Stmt).QueryRowContext(ctx, args...)
}

// notFound maps sql.ErrNoRows to ErrNotFound, wrapping other errors with what.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return fmt.Errorf("%s: %w", what, err)
}
