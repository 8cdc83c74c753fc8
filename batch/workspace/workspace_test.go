package workspace

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDirFor(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	tests := []struct {
		goos, flag string
		env        func(string) string
		want       string // "" wants an error
	}{
		{"linux", "/srv/ws", env(EnvDir, "/env/ws"), "/srv/ws"},
		{"linux", "", env(EnvDir, "/env/ws", "HOME", "/home/u"), "/env/ws"},
		{"linux", "", env("HOME", "/home/u"), "/home/u/.local/share/flowbatch"},
		{"linux", "", env("HOME", "/home/u", "XDG_DATA_HOME", "/data/u"), "/data/u/flowbatch"},
		{"linux", "", env("HOME", "/home/u", "XDG_DATA_HOME", "rel"), "/home/u/.local/share/flowbatch"},
		{"freebsd", "", env("HOME", "/home/u/"), "/home/u/.local/share/flowbatch"},
		{"darwin", "", env("HOME", "/Users/u", "XDG_DATA_HOME", "/x"), "/Users/u/Library/Application Support/flowbatch"},
		{"windows", "", env("LocalAppData", `C:\Users\u\AppData\Local`, "HOME", "/h"), `C:\Users\u\AppData\Local\flowbatch`},
		{"linux", "", env(), ""},
		{"linux", "", env("HOME", "relative"), ""},
		{"darwin", "", env(), ""},
		{"windows", "", env("HOME", "/h"), ""},
	}
	for _, tt := range tests {
		got, err := dirFor(tt.goos, tt.flag, tt.env)
		if tt.want == "" {
			if err == nil || !strings.Contains(err.Error(), EnvDir) {
				t.Errorf("%s %q: %q, %v; want an error naming %s", tt.goos, tt.flag, got, err, EnvDir)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s %q: %q, %v; want %q", tt.goos, tt.flag, got, err, tt.want)
		}
	}
	// Never the current directory: a relative flag is made absolute.
	got, err := dirFor("linux", "ws", env())
	if wd, _ := os.Getwd(); err != nil || got != filepath.Join(wd, "ws") {
		t.Errorf("relative flag: %q, %v", got, err)
	}
}

func TestDirCreates0700(t *testing.T) {
	home := t.TempDir()
	dir, err := Dir("", func(k string) string {
		if k == "HOME" {
			return home
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 {
		t.Fatalf("Dir made %s: %v, %v", dir, fi.Mode(), err)
	}
	file := filepath.Join(home, "file")
	os.WriteFile(file, nil, 0o600)
	if _, err := Dir(file, os.Getenv); err == nil {
		t.Error("a file was taken for a workspace")
	}
}

func TestNormalize(t *testing.T) {
	for _, tt := range []struct{ a, b string }{
		{"gift-dec", "Gift_Dec"}, {"gift-dec", "gift.dec"}, {"gift-dec", "GIFTDEC"}, {"2026-11", "2026_11"}, {"a-b_c.d", "ABCD"},
	} {
		if Normalize(tt.a) != Normalize(tt.b) {
			t.Errorf("%q and %q differ: %q, %q", tt.a, tt.b, Normalize(tt.a), Normalize(tt.b))
		}
	}
	for _, tt := range []struct{ a, b string }{{"gift-dec", "gift-nov"}, {"a1", "a"}, {"ab", "ba"}} {
		if Normalize(tt.a) == Normalize(tt.b) {
			t.Errorf("%q and %q are one id", tt.a, tt.b)
		}
	}
}

func TestParsePeriod(t *testing.T) {
	for _, s := range []string{"2026-11", "2000-01", "2999-12"} {
		if p, err := ParsePeriod(s); err != nil || string(p) != s {
			t.Errorf("ParsePeriod(%q) = %q, %v", s, p, err)
		}
	}
	for _, s := range []string{"", "2026-13", "2026-00", "2026-1", "2026/11", "1999-12", "2026-11-01", " 2026-11", "２０２６-11", "2026-1a"} {
		if _, err := ParsePeriod(s); err == nil {
			t.Errorf("ParsePeriod(%q) passed", s)
		}
	}
}

func TestPeriodOfBeijing(t *testing.T) {
	for _, tt := range []struct {
		t    time.Time
		want Period
	}{
		{time.Date(2026, 11, 30, 15, 59, 59, 0, time.UTC), "2026-11"},
		{time.Date(2026, 11, 30, 16, 0, 0, 0, time.UTC), "2026-12"},
		{time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC), "2027-01"},
		{time.Date(2026, 12, 1, 0, 30, 0, 0, time.FixedZone("PST", -8*3600)), "2026-12"},
	} {
		if got := PeriodOf(tt.t); got != tt.want {
			t.Errorf("PeriodOf(%v) = %s, want %s", tt.t, got, tt.want)
		}
	}
	if p := Period("2026-12"); !p.Start().Equal(time.Date(2026, 11, 30, 16, 0, 0, 0, time.UTC)) {
		t.Errorf("Start = %v", p.Start())
	}
	if _, err := ParsePeriod(string(CurrentPeriod())); err != nil {
		t.Error(err)
	}
}

func TestWho(t *testing.T) {
	id := Who()
	if id.User == "" && id.Host == "" {
		t.Errorf("Who() = %+v", id)
	}
	for _, tt := range []struct {
		id   Identity
		want string
	}{{Identity{"u", "h"}, "u@h"}, {Identity{"u", ""}, "u"}, {Identity{}, "unknown"}} {
		if got := tt.id.String(); got != tt.want {
			t.Errorf("%+v: %q", tt.id, got)
		}
	}
}
