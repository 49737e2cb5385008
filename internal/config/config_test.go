package config

import (
	"flag"
	"strings"
	"testing"
)

func TestFlagsEnvAndValidation(t *testing.T) {
	t.Setenv("VOX_ADDR", "0.0.0.0:9999")
	t.Setenv("VOX_DATABASE_URL", "")
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	load := Register(fs)
	if err := fs.Parse([]string{"--data-dir", "/tmp/x"}); err != nil {
		t.Fatal(err)
	}
	c, err := load()
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "0.0.0.0:9999" || c.DatabaseURL != "/tmp/x/vox.db" {
		t.Fatalf("config = %+v", c)
	}
	fs = flag.NewFlagSet("t", flag.ContinueOnError)
	load = Register(fs)
	_ = fs.Parse([]string{"--addr", "nonsense", "--db", "mysql://u:secret@h/db", "--log-level", "loud"})
	_, err = load()
	if err == nil {
		t.Fatal("bad settings accepted")
	}
	for _, want := range []string{"--addr", "--db", "--log-level"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
	if strings.Contains(err.Error(), "secret") {
		t.Error("password leaked into the error")
	}
}
