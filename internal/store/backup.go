package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
)

// ErrBackupPostgres is returned by Backup on PostgreSQL, whose own tools
// (pg_dump, or base backups with WAL archiving) are the right ones.
var ErrBackupPostgres = errors.New("on PostgreSQL use pg_dump or a base backup; vox backup copies the embedded SQLite database")

// Backup writes a consistent copy of the SQLite database to path while Vox
// keeps serving: VACUUM INTO reads one snapshot on a reader connection, so
// writers are not blocked and the copy is compact and ready to open. path
// must not exist (a backup never overwrites another).
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.Dialect != SQLite {
		return ErrBackupPostgres
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("the backup target %s already exists", path)
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("backup: %w", err)
	}
	// A reader connection, not the single writer, so that ingest goes on;
	// readers are query_only, which VACUUM INTO's new file needs lifted for
	// the duration. A connection whose flag cannot be restored is dropped.
	conn, err := db.r.Conn(ctx)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA query_only = 0`); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	_, err = conn.ExecContext(ctx, `VACUUM INTO ?`, path)
	if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA query_only = 1`); rerr != nil {
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	if err != nil {
		os.Remove(path) // never leave a partial copy that looks like a backup
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	return nil
}
