package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// runBackup copies the embedded SQLite database to a file, consistently and
// while `vox serve` keeps running on it. Restore: stop Vox and put the copy
// in place of vox.db (removing vox.db-wal and vox.db-shm).
func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, load := newFlags("backup", stderr)
	out := fs.String("out", "", "the copy to write (default: vox-backup-YYYYMMDD-HHMMSS.db in the current directory); must not exist")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errors.New("usage: vox backup [--out FILE]")
	}
	path := *out
	if path == "" {
		path = "vox-backup-" + time.Now().Format("20060102-150405") + ".db"
	}
	e, err := open(ctx, load)
	if err != nil {
		return err
	}
	defer e.db.Close()
	start := time.Now()
	if err := e.db.Backup(ctx, path); err != nil {
		return err
	}
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%.1f MB) in %s\n", path, float64(st.Size())/1e6, time.Since(start).Round(time.Millisecond))
	return nil
}
