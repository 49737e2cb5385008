package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"vox/internal/importer"
)

func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, load := newFlags("import", stderr)
	workspace := fs.String("workspace", "", "workspace slug to import into (required)")
	format := fs.String("format", "", "csv, xlsx or jsonl (default: from the file extension)")
	mapping := fs.String("map", "", `column mapping overrides, e.g. "text=Comment,nps=Score,customer.email=E-mail"`)
	sheet := fs.String("sheet", "", "XLSX sheet (default: the first)")
	asJSON := fs.Bool("json", false, "print the summary as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *workspace == "" || fs.NArg() == 0 {
		return errors.New("usage: vox import --workspace SLUG [--format csv|xlsx|jsonl] [--map target=Column,…] FILE…")
	}
	m, err := importer.ParseMapping(*mapping)
	if err != nil {
		return fmt.Errorf("--map: %w", err)
	}
	e, ws, err := openWorkspace(ctx, load, *workspace)
	if err != nil {
		return err
	}
	defer e.db.Close()
	failed := 0
	for _, path := range fs.Args() {
		opt := importer.Options{Format: importer.Format(*format), Mapping: m, Sheet: *sheet,
			Progress: importer.TerminalProgress(stderr, -1)}
		sum, err := importer.ImportFile(ctx, e.ingest, ws.ID, path, opt)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		failed += sum.Failed
		if *asJSON {
			_ = json.NewEncoder(stdout).Encode(map[string]any{"file": path, "summary": sum})
			continue
		}
		fmt.Fprintf(stdout, "%s: %d rows, %d imported, %d already there, %d failed\n", path, sum.Rows, sum.Imported, sum.Duplicates, sum.Failed)
		for _, re := range sum.Errors {
			fmt.Fprintf(stdout, "  %s\n", re.String())
		}
		if sum.Failed > len(sum.Errors) {
			fmt.Fprintf(stdout, "  … and %d more\n", sum.Failed-len(sum.Errors))
		}
		if len(sum.Mapping) > 0 {
			b, _ := json.Marshal(sum.Mapping)
			fmt.Fprintf(stdout, "  mapping: %s\n", b)
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d row(s) failed; the others were imported", failed)
	}
	return nil
}
