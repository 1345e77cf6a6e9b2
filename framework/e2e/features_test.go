package e2e

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/netconform/netconform/framework/feature"
)

// The gate and the label of a feature cannot drift apart: a spec gated on
// a feature without its label is refused.
func TestRequiresWantsTheFeatureLabel(t *testing.T) {
	labels := []string{"netpol", Conformance, FeatureNetworkPolicy, FeatureSCTP}
	if msg := unlabelled(labels, []feature.Feature{feature.NetworkPolicy, feature.SCTP}); msg != "" {
		t.Errorf("labelled spec refused: %s", msg)
	}
	msg := unlabelled(labels, []feature.Feature{feature.NetworkPolicy, feature.EndPort})
	if !strings.Contains(msg, "Feature:EndPort") || !strings.Contains(msg, "feature.EndPort.Label()") {
		t.Errorf("message does not name the missing label: %q", msg)
	}
}

// Parallel processes get the feature set of the first one through Env.
func TestEnvCarriesTheFeatureSet(t *testing.T) {
	env := Env{RunID: "r1", Features: feature.Set{feature.SCTP: {Supported: false, Reason: "no kernel SCTP"}, feature.UDP: {Supported: true, Reason: "held"}}}
	data, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	var got Env
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if ok, reason := got.Features.Supports(feature.SCTP); ok || reason != "no kernel SCTP" {
		t.Errorf("SCTP after the round trip: %v %q", ok, reason)
	}
}
