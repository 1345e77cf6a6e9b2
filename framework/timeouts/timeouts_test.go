package timeouts

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestSetNamedOverrides(t *testing.T) {
	tm := Default()
	if err := tm.Set("podReady=3m, converge=90s"); err != nil {
		t.Fatal(err)
	}
	if tm.PodReady != 3*time.Minute || tm.Converge != 90*time.Second || tm.Probe != Default().Probe {
		t.Errorf("got %s", tm)
	}
}

func TestSetRejectsWhatItCannotUse(t *testing.T) {
	for spec, want := range map[string]string{
		"podready=3m":  "unknown timeout",
		"podReady":     "not name=duration",
		"podReady=3":   "positive duration",
		"podReady=-1s": "positive duration",
	} {
		tm := Default()
		if err := tm.Set(spec); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Set(%q) = %v, want an error with %q", spec, err, want)
		}
	}
}

func TestScaledLeavesIntervals(t *testing.T) {
	tm := Default().Scaled(2)
	if tm.PodReady != 2*Default().PodReady || tm.Attempt != 2*Default().Attempt {
		t.Errorf("bounds not scaled: %s", tm)
	}
	if tm.Poll != Default().Poll || tm.Repeat != Default().Repeat {
		t.Errorf("intervals scaled: %s", tm)
	}
}

func TestEveryFieldHasAName(t *testing.T) {
	var zero Timeouts
	tm := Default()
	for name, f := range tm.fields() {
		if *f == 0 {
			t.Errorf("%s has no default", name)
		}
	}
	if len(zero.fields()) != reflect.TypeOf(zero).NumField() {
		t.Errorf("fields() names %d fields; keep it in step with the struct", len(zero.fields()))
	}
}

func TestOverrideOrder(t *testing.T) {
	t.Setenv("NETCONFORM_TIMEOUT_FACTOR", "3")
	t.Setenv("NETCONFORM_TIMEOUTS", "probe=1m,stays=10s")
	defer func() { Current = Default() }()
	if err := Override("probe=2m", 0); err != nil {
		t.Fatal(err)
	}
	if Current.PodReady != 3*Default().PodReady || Current.Stays != 10*time.Second || Current.Probe != 2*time.Minute {
		t.Errorf("got %s", Current)
	}
	t.Setenv("NETCONFORM_TIMEOUT_FACTOR", "fast")
	if err := Override("", 0); err == nil {
		t.Error("a factor that is not a number must be an error")
	}
}

func TestMs(t *testing.T) {
	if Ms(1500*time.Millisecond) != 1500 {
		t.Error("Ms")
	}
}
