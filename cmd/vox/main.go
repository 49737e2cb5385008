// Command vox is the Vox customer-experience platform: one binary that
// serves the web UI and API, seeds a demo, migrates, imports and analyses.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// command is one subcommand: it parses its own flags from args.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() map[string]command {
	return map[string]command{
		"serve":     {"run the web UI and API", runServe},
		"demo":      {"seed an embedded database with realistic ru/zh/en demo data and serve it", runDemo},
		"import":    {"import feedback from CSV, XLSX or JSONL files", runImport},
		"report":    {"write the management report (CSV/XLSX/PDF, ru/zh/en)", runReport},
		"export":    {"export a workspace's feedback items as CSV, XLSX or JSONL", runExport},
		"backup":    {"copy the embedded SQLite database to a file while Vox runs", runBackup},
		"bench":     {"measure analysis, ingest and dashboard speed on this machine against same-run baselines", runBench},
		"migrate":   {"apply database migrations and exit", runMigrate},
		"analyze":   {"analyse JSONL texts from stdin: language, sentiment, topics, aspects", runAnalyze},
		"reanalyze": {"re-analyse stored feedback (after a model or workspace adaptation change); --adapt fits first", runReanalyze},
		"sentiment": {"train or evaluate the sentiment model (train|eval)", runSentiment},
		"privacy":   {"GDPR: export or erase one person, show/set/apply retention (export|erase|retention)", runPrivacy},
		"currency":  {"show or set a workspace's reporting currency and exchange rates", runCurrency},
		"version":   {"print the version", runVersion},
		"help":      {"show help", nil},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		return 0
	}
	cmd, ok := commands()[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "vox: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	if err := cmd.run(ctx, args[1:], stdout, stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "vox %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Vox: self-hosted customer feedback, understood in Russian, Chinese and English.")
	fmt.Fprintln(w, "\nUsage: vox <command> [flags]   (vox <command> -h for its flags)")
	fmt.Fprintln(w, "\nCommands:")
	cmds := commands()
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nSettings come from flags or environment variables (VOX_ADDR, VOX_DATABASE_URL, VOX_DATA_DIR, …).")
}

func runVersion(_ context.Context, _ []string, stdout, _ io.Writer) error {
	fmt.Fprintln(stdout, "vox", version)
	return nil
}
