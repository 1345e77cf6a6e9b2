package cni

import (
	"context"
	"strings"
	"testing"

	"k8s.io/client-go/kubernetes/fake"
	"sigs.k8s.io/yaml"

	"github.com/netconform/netconform/framework/feature"
	"github.com/netconform/netconform/framework/images"
)

func TestFlannelManifest(t *testing.T) {
	_, m := renderedManifest(t, "flannel",
		`image: "docker.io/netconform/flannel:v0.28.10"`,
		`namespace: "kube-flannel"`,
		`"Network": "10.244.0.0/16"`,
		`"Backend": {"Type": "vxlan"}`,
		"--kube-subnet-mgr",
		// The conflist the sidecar writes takes the overlay's MTU.
		`"mtu": $FLANNEL_MTU`,
	)
	for i, doc := range strings.Split(string(m), "\n---\n") {
		var obj map[string]any
		if err := yaml.Unmarshal([]byte(doc), &obj); err != nil || obj["kind"] == nil {
			t.Errorf("document %d is not a Kubernetes object: %v", i, err)
		}
	}
	if images.Ref("flannel") != "docker.io/netconform/flannel:v0.28.10" {
		t.Error("the descriptor did not register its image")
	}
}

func TestFlannelIsDetectedAndHasNoPolicy(t *testing.T) {
	cs := fake.NewClientset(ds("kube-flannel", "kube-flannel-ds", "docker.io/netconform/flannel:v0.28.10", 3, 3))
	d, err := Detect(context.Background(), cs)
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "flannel" || d.Version != "v0.28.10" || d.Namespace != "kube-flannel" {
		t.Fatalf("detected %+v", d)
	}
	for _, f := range []feature.Feature{feature.NetworkPolicy, feature.NetworkPolicyEgress, feature.IPBlock} {
		if reason, missing := ProfileFor(d).Unsupported[f]; !missing || !strings.Contains(reason, "flannel") {
			t.Errorf("%s: declared missing=%v (%s); flannel enforces no NetworkPolicy", f, missing, reason)
		}
	}
	if _, missing := ProfileFor(d).Unsupported[feature.UDP]; missing {
		t.Error("flannel is held to the rest of the contract")
	}
	variants, err := Variants("flannel", feature.NetworkPolicy)
	if err != nil || len(variants) != 1 || variants[0] != "flannel" {
		t.Errorf("Variants(flannel, without NetworkPolicy) = %v, %v", variants, err)
	}
}
