package store

import (
	"context"
	"database/sql"
	"sync"
)

// SQLite compiles every statement it runs; for the short writes of a
// survey answer or an API item (a feedback row, rollup upserts, a response,
// an outbox job) compiling costs more than executing. Statements on the
// writer are therefore cached — but a statement can only be prepared while
// no transaction holds the single writer connection (preparing inside one
// would wait for the connection it holds). So a transaction that meets a
// text twice asks for it; InTx prepares what was asked before its next
// BEGIN, and transactions after that run the prepared statement.
// PostgreSQL needs none of this: pgx caches statements per connection.

// Bounds of the cache: texts are only cached once seen twice, at most
// maxWriterStmts of them (the same few dozen texts carry the hot writes;
// statements built with a variable number of rows must not fill memory).
const (
	maxWriterStmts = 512
	maxSeenTexts   = 4096
)

type writerStmts struct {
	mu   sync.Mutex
	seen map[string]int // texts not prepared yet → times run
	want []string       // texts to prepare before the next transaction
	n    int            // texts prepared or wanted
}

// writerStmt returns the cached statement for query (already rebound), or
// nil after noting that query ran once more.
func (db *DB) writerStmt(query string) *sql.Stmt {
	if db.Dialect != SQLite {
		return nil
	}
	if v, ok := db.stmts.Load(query); ok {
		return v.(*sql.Stmt)
	}
	c := &db.wstmts
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n >= maxWriterStmts {
		return nil
	}
	if c.seen == nil || len(c.seen) >= maxSeenTexts {
		c.seen = map[string]int{}
	}
	c.seen[query]++
	if c.seen[query] == 2 { // asked for once; it stays in seen, so not twice
		c.want = append(c.want, query)
		c.n++
	}
	return nil
}

// prepareWanted prepares the texts transactions asked for. It must run
// outside any transaction (InTx calls it before BEGIN). A text that fails
// to prepare is simply not cached: running it reports the error.
func (db *DB) prepareWanted(ctx context.Context) {
	c := &db.wstmts
	c.mu.Lock()
	want := c.want
	c.want = nil
	c.mu.Unlock()
	for _, q := range want {
		_, _ = db.prepare(ctx, q)
	}
	if len(want) > 0 {
		c.mu.Lock()
		for _, q := range want {
			delete(c.seen, q)
		}
		c.mu.Unlock()
	}
}

// txStmt returns the transaction's handle on query's cached statement, or nil.
func (tx *Tx) txStmt(ctx context.Context, query string) *sql.Stmt {
	if s := tx.db.writerStmt(query); s != nil {
		return tx.tx.StmtContext(ctx, s)
	}
	return nil
}
