package main

import (
	"context"
	"fmt"
	"io"
	"net"

	"vox/internal/server"
	"vox/internal/surveyweb"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, load := newFlags("serve", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	e, err := open(ctx, load)
	if err != nil {
		return err
	}
	defer e.db.Close()
	ln, err := net.Listen("tcp", e.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", e.cfg.Addr, err)
	}
	e.log.Info("vox serving", "url", "http://"+ln.Addr().String(), "db", e.cfg.Redacted())
	srv, err := newServer(e)
	if err != nil {
		return err
	}
	e.runBackground(ctx)
	return srv.Serve(ctx, ln)
}

// newServer wires the HTTP surface of a Vox process.
func newServer(e *env) (*server.Server, error) {
	s := server.New(e.db, e.ingest, e.log)
	s.Web = newWeb(e)
	s.Alerts, s.Surveys, s.Reports = e.alerts, e.surveys, e.reports
	public, err := surveyweb.New(e.surveys, e.log, 20)
	if err != nil {
		return nil, err
	}
	s.Public = public
	return s, nil
}
