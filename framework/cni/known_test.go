package cni

import (
	"strings"
	"testing"

	"github.com/netconform/netconform/framework/feature"
)

// kindnet's NetworkPolicy support is read from its running agent, as
// every other profile is: declared missing only when the agent runs with
// its policy controller off, held to the contract otherwise.
func TestKindnetProfileFromItsAgent(t *testing.T) {
	for _, c := range []struct {
		name    string
		args    []string
		missing bool
	}{
		{"policy controller on by default", []string{"/bin/kindnetd"}, false},
		{"policy controller on", []string{"/bin/kindnetd", "--network-policy=true"}, false},
		{"policy controller off", []string{"/bin/kindnetd", "--network-policy=false"}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := ProfileFor(Detected{Name: "kindnet", Args: c.args})
			reason, missing := p.Unsupported[feature.NetworkPolicy]
			if missing != c.missing {
				t.Fatalf("NetworkPolicy declared missing = %v (%q), want %v", missing, reason, c.missing)
			}
			if missing && !strings.Contains(reason, "--network-policy=false") {
				t.Errorf("reason %q does not name what was detected (--network-policy=false)", reason)
			}
		})
	}
}
