package reach

import "testing"

func TestVerdictSymbolsAndNames(t *testing.T) {
	tests := []struct {
		verdict      Verdict
		symbol, name string
	}{
		{Allow, ".", "Allow"},
		{Deny, "X", "Deny"},
		{Inconclusive, "?", "Inconclusive"},
		{Verdict(42), "?", "Inconclusive"},
	}
	for _, tt := range tests {
		if got := tt.verdict.String(); got != tt.symbol {
			t.Errorf("Verdict(%d).String() = %q, want %q", int(tt.verdict), got, tt.symbol)
		}
		if got := tt.verdict.Name(); got != tt.name {
			t.Errorf("Verdict(%d).Name() = %q, want %q", int(tt.verdict), got, tt.name)
		}
	}
}

func TestZeroVerdictIsInconclusive(t *testing.T) {
	var v Verdict
	if v != Inconclusive {
		t.Fatalf("zero Verdict = %s, want Inconclusive", v.Name())
	}
}

func TestVerdictAgrees(t *testing.T) {
	all := []Verdict{Allow, Deny, Inconclusive}
	for _, a := range all {
		for _, b := range all {
			want := a == b && a != Inconclusive
			if got := a.Agrees(b); got != want {
				t.Errorf("%s.Agrees(%s) = %v, want %v", a.Name(), b.Name(), got, want)
			}
		}
	}
}
