package matrix

import (
	"testing"

	"github.com/netconform/netconform/framework/reach"
)

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

func TestReopenDenialsOnlyReopensUnexpectedDenials(t *testing.T) {
	a, b := reach.Peer{Namespace: "x", Pod: "a"}, reach.Peer{Namespace: "x", Pod: "b"}
	peers := []reach.Peer{a, b}
	expected := reach.NewTable(peers, reach.Allow)
	expected.Set(b, a, reach.Deny)
	observed := reach.NewTable(peers, reach.Deny) // every cell denied
	observed.Set(a, a, reach.Allow)
	if n := reopenDenials([]*reach.Table{observed}, []*reach.Table{expected}); n != 2 {
		t.Fatalf("reopened %d cells, want 2 (a->b and b->b)", n)
	}
	for _, c := range []struct {
		from, to reach.Peer
		want     reach.Verdict
	}{{a, b, reach.Inconclusive}, {b, b, reach.Inconclusive}, {b, a, reach.Deny}, {a, a, reach.Allow}} {
		if got := observed.Get(c.from, c.to); got != c.want {
			t.Errorf("%v -> %v = %v, want %v", c.from, c.to, got, c.want)
		}
	}
}
