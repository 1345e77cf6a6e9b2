package matrix

import "testing"

func TestSourcePortsDoNotRepeatWithinASequence(t *testing.T) {
	s := portSequence{next: map[string]int{}}
	seen := map[int]bool{}
	for range sourcePorts {
		p := s.take("x/a")
		if p < firstSourcePort || p >= firstSourcePort+sourcePorts {
			t.Fatalf("port %d outside [%d, %d)", p, firstSourcePort, firstSourcePort+sourcePorts)
		}
		if seen[p] {
			t.Fatalf("port %d repeated before the sequence wrapped", p)
		}
		seen[p] = true
	}
	if first, again := s.take("x/b"), s.take("x/b"); again == first {
		t.Fatalf("a second pod's sequence repeats at once: %d", first)
	}
}
