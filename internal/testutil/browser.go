package testutil

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// ChromiumPath is Debian's chromium, which .ci/run installs.
const ChromiumPath = "/usr/bin/chromium"

// ArtifactsEnv names the directory that receives screenshots; unset, they go
// to artifacts/ at the repository root (gitignored).
const ArtifactsEnv = "VOX_ARTIFACTS"

// browserFlags keep the browser quiet and offline: no sandbox (containers),
// no GPU, no background traffic, no first-run or sync UI.
var browserFlags = []string{"headless", "no-sandbox", "disable-gpu", "disable-background-networking",
	"disable-component-update", "no-first-run", "disable-sync", "disable-quic"}

// Browser is one headless Chromium for one test, with a fresh profile. Every
// action gets a deadline, so a hung page fails the test instead of the run.
type Browser struct {
	t       testing.TB
	ctx     context.Context
	timeout time.Duration
	dir     string // where screenshots go
	shots   *int
}

// NewBrowser starts Chromium for t and stops it when t ends. Without
// Chromium the test is skipped, except in CI (CI=true), where it fails:
// browser tests must run there.
func NewBrowser(t testing.TB) *Browser {
	t.Helper()
	if _, err := os.Stat(ChromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("browser test: %s not found in CI (.ci/run installs Debian's chromium): %v", ChromiumPath, err)
		}
		t.Skipf("browser test skipped: %s not found (apt-get install chromium to run it)", ChromiumPath)
	}
	opts := []chromedp.ExecAllocatorOption{chromedp.ExecPath(ChromiumPath), chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900), chromedp.Flag("hide-scrollbars", true), chromedp.Flag("mute-audio", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("disable-extensions", true),
		chromedp.Flag("force-color-profile", "srgb"), chromedp.Flag("lang", "en-US")}
	for _, f := range browserFlags {
		opts = append(opts, chromedp.Flag(f, true))
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithErrorf(t.Logf))
	t.Cleanup(func() { cancel(); cancelAlloc() })
	b := &Browser{t: t, ctx: ctx, timeout: 60 * time.Second, dir: artifactsDir(t), shots: new(int)}
	// The first action starts the browser; it must not carry a deadline
	// (that would end the browser with it).
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return b
}

// For returns the browser bound to subtest t (same tab), so failures are
// reported on the subtest.
func (b *Browser) For(t testing.TB) *Browser {
	c := *b
	c.t = t
	return &c
}

// Do runs steps in order with a deadline; on error it saves a screenshot
// and fails the test.
func (b *Browser) Do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, b.timeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.failShot()
		b.t.Fatalf("browser: %v", err)
	}
}

// Run runs one action that returns a value, like Do.
func Run[T any](b *Browser, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, b.timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.failShot()
		b.t.Fatalf("browser: %v", err)
	}
	return v
}

// Eval evaluates a JavaScript expression in the page and returns its value.
func Eval[T any](b *Browser, expr string) T {
	b.t.Helper()
	return Run(b, chromedp.Evaluate[T](expr))
}

// Location is the page's current URL.
func (b *Browser) Location() string {
	b.t.Helper()
	return Run(b, chromedp.Location())
}

// Screenshot saves a full-page PNG (quality 100 means PNG, not JPEG) as a test artifact and returns its path.
func (b *Browser) Screenshot(name string) string {
	b.t.Helper()
	png := Run(b, chromedp.FullScreenshot(100))
	*b.shots++
	p := filepath.Join(b.dir, fmt.Sprintf("%02d-%s.png", *b.shots, safeName(name)))
	if err := os.WriteFile(p, png, 0o644); err != nil {
		b.t.Fatalf("save screenshot: %v", err)
	}
	b.t.Logf("screenshot %s", p)
	return p
}

// failShot tries to keep a picture of the page a step failed on.
func (b *Browser) failShot() {
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return
	}
	p := filepath.Join(b.dir, "failure.png")
	if os.WriteFile(p, png, 0o644) == nil {
		b.t.Logf("failure screenshot %s", p)
	}
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func safeName(s string) string { return strings.Trim(unsafeChars.ReplaceAllString(s, "_"), "_") }

// artifactsDir makes $VOX_ARTIFACTS/<test name>, defaulting to artifacts/ at
// the repository root (found by walking up to go.mod).
func artifactsDir(t testing.TB) string {
	t.Helper()
	base := os.Getenv(ArtifactsEnv)
	if base == "" {
		base = "artifacts"
		if wd, err := os.Getwd(); err == nil {
			for d := wd; ; d = filepath.Dir(d) {
				if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
					base = filepath.Join(d, "artifacts")
					break
				}
				if filepath.Dir(d) == d {
					break
				}
			}
		}
	}
	dir := filepath.Join(base, safeName(t.Name()))
	_ = os.RemoveAll(dir) // screenshots of an earlier run would mislead
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("artifacts dir: %v", err)
	}
	return dir
}
