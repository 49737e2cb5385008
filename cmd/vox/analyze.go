package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"

	"vox/internal/analytics"
)

func runAnalyze(_ context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		return fmt.Errorf("usage: vox analyze < texts.jsonl > results.jsonl")
	}
	a, err := analytics.New()
	if err != nil {
		return err
	}
	out := bufio.NewWriterSize(stdout, 1<<16)
	defer out.Flush()
	return analytics.RunAnalyze(a, os.Stdin, out)
}

func runSentiment(_ context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: vox sentiment train --data DIR --out FILE | vox sentiment eval --data FILE.jsonl")
	}
	switch args[0] {
	case "train":
		return analytics.RunTrain(args[1:], stdout, stderr)
	case "eval":
		return analytics.RunEval(args[1:], stdout, stderr)
	}
	return fmt.Errorf("unknown sentiment command %q: want train or eval", args[0])
}
