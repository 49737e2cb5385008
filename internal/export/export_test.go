package export_test

import (
	"testing"

	"vox/internal/export"
)

func TestNeutralizeFormula(t *testing.T) {
	for in, want := range map[string]string{
		"=HYPERLINK(\"http://evil\")": "'=HYPERLINK(\"http://evil\")",
		"+1+1":                        "'+1+1",
		"-2+3":                        "'-2+3",
		"@SUM(A1)":                    "'@SUM(A1)",
		"\tcmd":                       "'\tcmd",
		"\rcmd":                       "'\rcmd",
		"\x00x":                       "'\x00x",
		"hello = world":               "hello = world",
		"":                            "",
		"Доставка":                    "Доставка",
	} {
		if got := export.NeutralizeFormula(in); got != want {
			t.Errorf("export.NeutralizeFormula(%q) = %q, want %q", in, got, want)
		}
	}
}
