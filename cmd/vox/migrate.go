package main

import (
	"context"
	"fmt"
	"io"
)

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, load := newFlags("migrate", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	e, err := open(ctx, load)
	if err != nil {
		return err
	}
	defer e.db.Close()
	fmt.Fprintf(stdout, "database %s is up to date\n", e.cfg.Redacted())
	return nil
}
