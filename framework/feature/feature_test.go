package feature

import (
	"context"
	"errors"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/netconform/netconform/framework/probe"
)

func TestLabelsAndLookup(t *testing.T) {
	if SCTP.Label() != "Feature:SCTP" || NetworkPolicy.Label() != "Feature:NetworkPolicy" {
		t.Errorf("labels: %s %s", SCTP.Label(), NetworkPolicy.Label())
	}
	for _, name := range []string{"SCTP", "Feature:SCTP"} {
		if f, err := Lookup(name); err != nil || f != SCTP {
			t.Errorf("Lookup(%q) = %v, %v", name, f, err)
		}
	}
	if _, err := Lookup("Feature:Multicast"); err == nil || !strings.Contains(err.Error(), "NetworkPolicy") {
		t.Errorf("an unknown feature must be an error listing the known ones, got %v", err)
	}
	for _, f := range All() {
		if f.Meaning() == "" {
			t.Errorf("feature %s says nothing of what it covers", f)
		}
	}
}

func TestRegisterRefusesDuplicates(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("registering SCTP twice did not panic")
		}
	}()
	Register("SCTP", "again")
}

func TestSetMissingWins(t *testing.T) {
	s := Set{}
	s.Present(SCTP, "the CNI carries SCTP")
	s.Missing(SCTP, "no kernel SCTP")
	s.Present(SCTP, "later, something claims it")
	s.Missing(SCTP, "and another lack")
	ok, reason := s.Supports(SCTP)
	if ok || reason != "no kernel SCTP; and another lack" {
		t.Errorf("Supports = %v, %q", ok, reason)
	}
	s.Present(UDP, "a")
	s.Present(UDP, "b")
	if ok, reason := s.Supports(UDP); !ok || reason != "a; b" {
		t.Errorf("Supports(UDP) = %v, %q", ok, reason)
	}
	if ok, _ := s.Supports(DNS); !ok {
		t.Error("a feature no detector looked at must be supported")
	}
}

func agent(result probe.Result, err error) *Agent {
	return &Agent{Node: "worker2", Echo: "10.244.2.5:8080", Run: func(_ context.Context, b probe.Batch) (probe.BatchResult, error) {
		if len(b.Probes) != 1 || b.Probes[0].Protocol != probe.SCTP || b.Probes[0].Target != "10.244.2.5:8080" {
			return probe.BatchResult{}, errors.New("unexpected batch")
		}
		return probe.BatchResult{Results: []probe.Result{result}}, err
	}}
}

func TestDetectCoversEveryFeature(t *testing.T) {
	in := Input{Client: fake.NewClientset(), Profile: Profile{CNI: "flannel v0.28", Unsupported: map[Feature]string{NetworkPolicy: "flannel enforces no NetworkPolicy"}},
		Agent: agent(probe.Result{ID: "sctp", Verdict: probe.Failed, Error: "sctp dial: " + probe.ErrSCTPUnsupported.Error() + ": socket: protocol not supported"}, nil)}
	set, err := Detect(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range All() {
		if _, ok := set[f]; !ok {
			t.Errorf("no entry for %s", f)
		}
	}
	for f, want := range map[Feature]string{
		NetworkPolicy: "flannel enforces no NetworkPolicy (profile of flannel v0.28)",
		SCTP:          "the kernel of node worker2 has no SCTP",
		Ingress:       "no IngressClass",
	} {
		if ok, reason := set.Supports(f); ok || !strings.Contains(reason, want) {
			t.Errorf("%s: supported=%v reason %q, want unsupported with %q", f, ok, reason, want)
		}
	}
	if ok, reason := set.Supports(UDP); !ok || reason == "" {
		t.Errorf("UDP: %v %q", ok, reason)
	}
}

func TestKernelSCTP(t *testing.T) {
	set := Set{}
	if err := detectKernelSCTP(context.Background(), Input{Agent: agent(probe.Result{ID: "sctp", Verdict: probe.Connected}, nil)}, set); err != nil {
		t.Fatal(err)
	}
	if ok, reason := set.Supports(SCTP); !ok || !strings.Contains(reason, "worker2") {
		t.Errorf("SCTP = %v %q", ok, reason)
	}
	if err := detectKernelSCTP(context.Background(), Input{Agent: agent(probe.Result{}, errors.New("exec failed"))}, Set{}); err == nil || !strings.Contains(err.Error(), "worker2") {
		t.Errorf("a failed probe must be an error naming the node, got %v", err)
	}
	set = Set{}
	if err := detectKernelSCTP(context.Background(), Input{}, set); err != nil || len(set) != 0 {
		t.Errorf("without an agent the detector must leave SCTP alone: %v %v", set, err)
	}
}

func TestDetectNamesFailingDetector(t *testing.T) {
	boom := DetectorFunc("boom", func(context.Context, Input, Set) error { return errors.New("no access") })
	if _, err := Detect(context.Background(), Input{}, boom); err == nil || !strings.Contains(err.Error(), "(boom)") {
		t.Errorf("error does not name the detector: %v", err)
	}
}

func detectWith(t *testing.T, fn func(context.Context, Input, Set) error, objects ...runtime.Object) (bool, string) {
	t.Helper()
	set := Set{}
	if err := fn(context.Background(), Input{Client: fake.NewClientset(objects...)}, set); err != nil {
		t.Fatal(err)
	}
	if len(set) != 1 {
		t.Fatalf("a detector of one feature filled %d", len(set))
	}
	for f := range set {
		return set.Supports(f)
	}
	return false, ""
}

func TestIngress(t *testing.T) {
	class := &networkingv1.IngressClass{ObjectMeta: metav1.ObjectMeta{Name: "traefik"}, Spec: networkingv1.IngressClassSpec{Controller: "traefik.io/ingress-controller"}}
	if ok, reason := detectWith(t, detectIngress, class); !ok || !strings.Contains(reason, "traefik (traefik.io/ingress-controller)") {
		t.Errorf("with a class: %v %q", ok, reason)
	}
	if ok, _ := detectWith(t, detectIngress); ok {
		t.Error("without IngressClass, Ingress must be unsupported")
	}
}

func TestDualStack(t *testing.T) {
	node := func(cidrs ...string) *corev1.Node {
		return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n-" + cidrs[0][:2]}, Spec: corev1.NodeSpec{PodCIDR: cidrs[0], PodCIDRs: cidrs}}
	}
	svc := func(cidrs ...string) *networkingv1.ServiceCIDR {
		return &networkingv1.ServiceCIDR{ObjectMeta: metav1.ObjectMeta{Name: "kubernetes"}, Spec: networkingv1.ServiceCIDRSpec{CIDRs: cidrs}}
	}
	if ok, reason := detectWith(t, detectDualStack, node("10.244.1.0/24"), svc("10.96.0.0/16")); ok || !strings.Contains(reason, "IPv4 only") {
		t.Errorf("single-stack: %v %q", ok, reason)
	}
	if ok, reason := detectWith(t, detectDualStack, node("10.244.1.0/24", "fd00:10:244:1::/64"), svc("10.96.0.0/16")); ok || !strings.Contains(reason, "Service CIDRs") {
		t.Errorf("dual-stack pods, single-stack Services: %v %q", ok, reason)
	}
	if ok, _ := detectWith(t, detectDualStack, node("10.244.1.0/24", "fd00:10:244:1::/64"), svc("10.96.0.0/16", "fd00:10:96::/112")); !ok {
		t.Error("dual-stack must be supported")
	}
}

func TestForbiddenListIsAReasonNotAnError(t *testing.T) {
	cs := fake.NewClientset()
	cs.PrependReactor("list", "ingressclasses", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Group: "networking.k8s.io", Resource: "ingressclasses"}, "", errors.New("RBAC"))
	})
	set := Set{}
	if err := detectIngress(context.Background(), Input{Client: cs}, set); err != nil {
		t.Fatal(err)
	}
	if ok, reason := set.Supports(Ingress); ok || !strings.Contains(reason, "listing IngressClasses is forbidden") {
		t.Errorf("Ingress = %v %q", ok, reason)
	}
}
