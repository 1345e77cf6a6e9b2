package cni

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
	"sigs.k8s.io/e2e-framework/klient/decoder"

	"github.com/netconform/netconform/framework/feature"
	"github.com/netconform/netconform/framework/images"
)

// Cilium's images build only on demand: `netconform images build` (CI)
// must not spend the agent's cold build on a CNI no row runs.
func TestCiliumImagesAreOnDemand(t *testing.T) {
	defaults := images.Defaults()
	for _, name := range []string{CiliumAgentImage, CiliumOperatorImage} {
		if _, err := images.Get(name); err != nil {
			t.Errorf("image %s not registered: %v", name, err)
		}
		if slices.Contains(defaults, name) {
			t.Errorf("image %s is built by default", name)
		}
	}
	if d, ok := Describe("cilium"); !ok || d.DaemonSets[0] != "cilium" {
		t.Errorf("cilium is not detected by its agent DaemonSet: %+v", d)
	}
}

// The manifest renders into Kubernetes objects with our images and the
// settings that hold on hosts with cgroups v1 too.
func TestCiliumManifest(t *testing.T) {
	p, m := renderedManifest(t, "cilium",
		`image: "docker.io/netconform/cilium:v1.20.2"`,
		`image: "docker.io/netconform/cilium-operator-generic:v1.20.2"`,
		"tunnel-protocol: vxlan",
		"ipam: kubernetes",
		`kube-proxy-replacement: "false"`,
		`enable-l7-proxy: "false"`,
		`enable-policy: "default"`,
		"identity-allocation-mode: crd",
		"policy-cidr-match-mode: pods",
		"identity-max-jitter: 0s",
	)
	objs, err := decoder.DecodeAll(context.Background(), bytes.NewReader(m))
	if err != nil {
		t.Fatalf("manifest does not decode: %v", err)
	}
	kinds := map[string]int{}
	for _, o := range objs {
		kinds[o.GetObjectKind().GroupVersionKind().Kind]++
	}
	if kinds["DaemonSet"] != 1 || kinds["Deployment"] != 1 || kinds["ConfigMap"] != 1 || kinds["ClusterRole"] != 2 {
		t.Errorf("objects by kind: %v", kinds)
	}
	profile, err := p.Profile()
	if err != nil {
		t.Fatalf("no profile from the manifest: %v", err)
	}
	if len(profile.Unsupported) != 1 || profile.Unsupported[feature.NodeRoutes] == "" {
		t.Errorf("the manifest's Cilium lacks %v: it is installed to hold the whole contract (its tunnel passing the node's routes by)", profile.Unsupported)
	}
}

// Cilium's profile follows its ConfigMap, read by Detect: enable-policy
// never lacks NetworkPolicy; ipBlock holds only where
// policy-cidr-match-mode includes pods; no ConfigMap means the defaults.
func TestCiliumProfileFollowsItsConfigMap(t *testing.T) {
	agent := ds("kube-system", "cilium", "quay.io/cilium/cilium:v1.18.1", 3, 3)
	for _, c := range []struct {
		name         string
		config       map[string]string // nil: no ConfigMap at all
		policy, cidr bool
		says         string
	}{
		{"as installed here", map[string]string{"enable-policy": "default", "policy-cidr-match-mode": "pods"}, true, true, ""},
		{"both modes", map[string]string{"policy-cidr-match-mode": "nodes,pods"}, true, true, ""},
		{"default mode", map[string]string{"enable-policy": "default"}, true, false, "here it is unset"},
		{"nodes only", map[string]string{"policy-cidr-match-mode": "nodes"}, true, false, "here it is nodes"},
		{"no ConfigMap", nil, true, false, "here it is unset"},
		{"enforcement off", map[string]string{"enable-policy": "never", "policy-cidr-match-mode": "pods"}, false, false, "enable-policy=never"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cs := fake.NewClientset(agent)
			if c.config != nil {
				cs = fake.NewClientset(agent, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "kube-system", Name: "cilium-config"}, Data: c.config})
			}
			d, err := Detect(context.Background(), cs)
			if err != nil {
				t.Fatal(err)
			}
			if d.Name != "cilium" || d.Version != "v1.18.1" {
				t.Fatalf("detected %s", d)
			}
			set, err := feature.Detect(context.Background(), feature.Input{Profile: ProfileFor(d)}, feature.ProfileDetector)
			if err != nil {
				t.Fatal(err)
			}
			if ok, reason := set.Supports(feature.NetworkPolicy); ok != c.policy {
				t.Errorf("NetworkPolicy supported = %v, want %v (%s)", ok, c.policy, reason)
			}
			ok, reason := set.Supports(feature.IPBlock)
			if ok != c.cidr {
				t.Errorf("IPBlock supported = %v, want %v (%s)", ok, c.cidr, reason)
			}
			if !ok && !strings.Contains(reason, c.says) {
				t.Errorf("IPBlock's reason %q does not say %q", reason, c.says)
			}
		})
	}
}

// A ConfigMap the runner may not read is named, not taken for defaults.
func TestDetectNamesAnUnreadableConfigMap(t *testing.T) {
	cs := fake.NewClientset(ds("kube-system", "cilium", "quay.io/cilium/cilium:v1.18.1", 1, 1))
	cs.PrependReactor("get", "configmaps", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "configmaps"}, "cilium-config", errors.New("no RBAC"))
	})
	_, err := Detect(context.Background(), cs)
	if err == nil || !strings.Contains(err.Error(), "ConfigMap kube-system/cilium-config") || !strings.Contains(err.Error(), "forbidden") {
		t.Errorf("Detect = %v, want the ConfigMap named and the refusal", err)
	}
}

// Cilium load-balances pods' Service traffic itself; with kube-router,
// kube-proxy does.
func TestServiceProxyOf(t *testing.T) {
	if got := ServiceProxyOf(Detected{Name: "cilium", Config: map[string]string{"kube-proxy-replacement": "false"}}); !strings.Contains(got, "Cilium's eBPF") || !strings.Contains(got, "kube-proxy-replacement=false") {
		t.Errorf("ServiceProxyOf(cilium) = %q", got)
	}
	if got := ServiceProxyOf(Detected{Name: "kube-router"}); got != "" {
		t.Errorf("ServiceProxyOf(kube-router) = %q, want kube-proxy's (\"\")", got)
	}
}

// The source's identity is told by its reserved, CIDR and namespace labels.
func TestCiliumIdentitySummary(t *testing.T) {
	table := `IP               IDENTITY                                   SOURCE
10.244.1.61/32   cidr:0.0.0.0/0                             custom-resource
                 k8s:io.kubernetes.pod.namespace=x-1
                 k8s:pod=a`
	if got, want := ciliumIdentitySummary(table), "labels cidr:0.0.0.0/0 k8s:io.kubernetes.pod.namespace=x-1 and 1 more"; got != want {
		t.Errorf("summary = %q, want %q", got, want)
	}
	if got := ciliumIdentitySummary("IP IDENTITY SOURCE\n10.0.0.9/32 reserved:world"); got != "labels reserved:world and 0 more" {
		t.Errorf("summary of world = %q", got)
	}
}

// The live policy switch reads the revision that ends `cilium-dbg policy
// get` and waits while an endpoint is not ready at it, or, switched off,
// still enforces (the lines of ciliumRealizedFields, as an agent prints
// them).
func TestCiliumPolicySwitchWaitsForEveryEndpoint(t *testing.T) {
	if rev, err := ciliumRevision("[\n  {\n    \"endpointSelector\": {}\n  }\n]\nRevision: 12\n"); err != nil || rev != 12 {
		t.Errorf("revision = %d, %v; want 12", rev, err)
	}
	if _, err := ciliumRevision("[]"); err == nil {
		t.Error("a listing without its Revision line must be an error")
	}
	const list = "582 ready 12 none\n1613 ready 12 ingress\n"
	for _, c := range []struct {
		list     string
		revision int
		off      bool
		want     string
	}{
		{list, 12, false, ""},
		{list, 13, false, "endpoint 582 is ready at policy revision 12 of 13"},
		{list, 12, true, "endpoint 1613 still enforces policy (ingress)"},
		{"582 ready 12 none\n1613 regenerating 11 ingress\n", 12, false, "endpoint 1613 is regenerating at policy revision 11 of 12"},
		{"582 waiting-for-identity\n", 1, false, "endpoint 582 is waiting-for-identity at policy revision 0 of 1"},
		{"582 ready 12 none\n1613 ready 12 none\n", 12, true, ""},
	} {
		if got := ciliumPending(c.list, c.revision, c.off); got != c.want {
			t.Errorf("ciliumPending(%q, %d, off %v) = %q, want %q", c.list, c.revision, c.off, got, c.want)
		}
	}
}
