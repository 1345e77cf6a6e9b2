package capfilter

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestTargets(t *testing.T) {
	cases := []struct {
		args            []string
		bundle, process string
	}{
		{[]string{"--root", "/r", "create", "--bundle", "/b", "id"}, "/b", ""},
		{[]string{"create", "--bundle=/b", "id"}, "/b", ""},
		{[]string{"run", "-b", "/b", "id"}, "/b", ""},
		{[]string{"exec", "--process", "/p.json", "--detach", "id"}, "", "/p.json"},
		{[]string{"exec", "-p=/p.json", "id"}, "", "/p.json"},
		{[]string{"state", "id"}, "", ""},
	}
	for _, c := range cases {
		b, p := Targets(c.args)
		if b != c.bundle || p != c.process {
			t.Errorf("Targets(%v) = %q, %q; want %q, %q", c.args, b, p, c.bundle, c.process)
		}
	}
}

func TestFilterBundleDropsOnlyMissingCaps(t *testing.T) {
	dir := t.TempDir()
	spec := `{"ociVersion":"1.0.2","process":{"args":["sh"],"capabilities":{
		"bounding":["CAP_CHOWN","CAP_SYS_RESOURCE","CAP_NET_ADMIN"],
		"effective":["CAP_SYS_RESOURCE"],"permitted":["CAP_NET_ADMIN","CAP_SYS_RESOURCE"]}}}`
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(spec), 0o600); err != nil {
		t.Fatal(err)
	}
	allowed := Set(^uint64(0)) &^ (1 << 24) // everything but CAP_SYS_RESOURCE
	if err := FilterBundle(dir, allowed); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "config.json"))
	got := string(raw)
	if strings.Contains(got, "CAP_SYS_RESOURCE") {
		t.Fatalf("CAP_SYS_RESOURCE kept: %s", got)
	}
	for _, keep := range []string{"CAP_CHOWN", "CAP_NET_ADMIN", `"args":["sh"]`, `"ociVersion":"1.0.2"`} {
		if !strings.Contains(got, keep) {
			t.Errorf("%s lost: %s", keep, got)
		}
	}
}

func TestFilterLeavesUntouchedFileAlone(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "p.json")
	spec := `{"args":["sh"],   "capabilities":{"bounding":["CAP_CHOWN"]}}`
	os.WriteFile(path, []byte(spec), 0o600)
	if err := FilterProcessFile(path, Set(1)); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	if string(raw) != spec {
		t.Errorf("file rewritten although nothing was dropped: %s", raw)
	}
}

func TestMissing(t *testing.T) {
	s := Set(1<<41-1) &^ (1 << 24)
	if got := s.Missing(40); !reflect.DeepEqual(got, []string{"CAP_SYS_RESOURCE"}) {
		t.Errorf("Missing = %v", got)
	}
	if !s.Has("cap_chown") || s.Has("CAP_SYS_RESOURCE") || !s.Has("CAP_FUTURE_THING") {
		t.Error("Has is wrong")
	}
}
