package cni

import (
	"context"
	"reflect"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/netconform/netconform/framework/feature"
)

func ds(ns, name, image string, ready, desired int32) *appsv1.DaemonSet {
	return &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: appsv1.DaemonSetSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Name: "c", Image: image}}}}},
		Status: appsv1.DaemonSetStatus{NumberReady: ready, DesiredNumberScheduled: desired},
	}
}

func TestDetect(t *testing.T) {
	cases := []struct {
		name    string
		objects []*appsv1.DaemonSet
		want    Detected
	}{
		{"kube-router", []*appsv1.DaemonSet{ds("kube-system", "kube-proxy", "registry.k8s.io/kube-proxy:v1.34.4", 3, 3), ds("kube-system", "kube-router", "docker.io/netconform/kube-router:v2.1.0", 3, 3)},
			Detected{Name: "kube-router", Namespace: "kube-system", DaemonSet: "kube-router", Image: "docker.io/netconform/kube-router:v2.1.0", Version: "v2.1.0", Ready: 3, Desired: 3}},
		{"calico by image in an operator namespace", []*appsv1.DaemonSet{ds("calico-system", "node-agent", "quay.io/calico/node:v3.31.0", 1, 2)},
			Detected{Name: "calico", Namespace: "calico-system", DaemonSet: "node-agent", Image: "quay.io/calico/node:v3.31.0", Version: "v3.31.0", Ready: 1, Desired: 2}},
		{"flannel with a digest", []*appsv1.DaemonSet{ds("kube-flannel", "kube-flannel-ds", "ghcr.io/flannel-io/flannel@sha256:abc", 2, 2)},
			Detected{Name: "flannel", Namespace: "kube-flannel", DaemonSet: "kube-flannel-ds", Image: "ghcr.io/flannel-io/flannel@sha256:abc", Ready: 2, Desired: 2}},
		{"registry with a port", []*appsv1.DaemonSet{ds("kube-system", "kindnet", "localhost:5000/kindest/kindnetd", 1, 1)},
			Detected{Name: "kindnet", Namespace: "kube-system", DaemonSet: "kindnet", Image: "localhost:5000/kindest/kindnetd", Ready: 1, Desired: 1}},
		{"nothing known", []*appsv1.DaemonSet{ds("kube-system", "kube-proxy", "registry.k8s.io/kube-proxy:v1.34.4", 3, 3)},
			Detected{Name: Unknown}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cs := fake.NewClientset()
			for _, o := range c.objects {
				cs.AppsV1().DaemonSets(o.Namespace).Create(context.Background(), o, metav1.CreateOptions{})
			}
			got, err := Detect(context.Background(), cs)
			if err != nil {
				t.Fatal(err)
			}
			got.Args = nil // TestProfilesFollowFlags covers them
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("Detect = %+v\nwant     %+v", got, c.want)
			}
		})
	}
}

func TestHealthy(t *testing.T) {
	if (Detected{Ready: 2, Desired: 3}).Healthy() || !(Detected{Ready: 3, Desired: 3}).Healthy() || (Detected{}).Healthy() {
		t.Error("Healthy is wrong")
	}
}

func TestProfiles(t *testing.T) {
	if reason, lacks := ProfileFor(Detected{Name: "flannel"}).Unsupported[feature.NetworkPolicy]; !lacks || reason == "" {
		t.Error("flannel must declare NetworkPolicy unsupported, with a reason")
	}
	if _, lacks := ProfileFor(Detected{Name: "kube-router"}).Unsupported[feature.NetworkPolicy]; lacks {
		t.Error("kube-router enforces NetworkPolicy")
	}
	if p := ProfileFor(Detected{Name: "something-new"}); len(p.Unsupported) != 0 {
		t.Error("an unknown CNI must be held to the whole contract")
	}
}

func TestProfilesFollowFlags(t *testing.T) {
	router := ds("kube-system", "kube-router", "docker.io/netconform/kube-router:v2.1.0", 3, 3)
	for _, c := range []struct {
		args   []string
		policy bool
	}{
		{[]string{"--run-router=true", "--run-firewall=true"}, true},
		{[]string{"--run-router=true"}, true}, // kube-router's default is on
		{[]string{"--run-firewall=false", "--enable-cni=true"}, false},
		{[]string{"--run-firewall", "false"}, false},
		{[]string{"--run-firewall=false", "--run-firewall=true"}, true}, // the last one wins
	} {
		router.Spec.Template.Spec.Containers[0].Args = c.args
		cs := fake.NewClientset(router)
		d, err := Detect(context.Background(), cs)
		if err != nil {
			t.Fatal(err)
		}
		// The profile is a detector: what it declares is what the Set holds.
		set, err := feature.Detect(context.Background(), feature.Input{Profile: ProfileFor(d)}, feature.ProfileDetector)
		if err != nil {
			t.Fatal(err)
		}
		ok, reason := set.Supports(feature.NetworkPolicy)
		if ok != c.policy {
			t.Errorf("args %q: NetworkPolicy supported = %v, want %v (%s)", c.args, ok, c.policy, reason)
		}
		if !c.policy && (!strings.Contains(reason, "--run-firewall=false") || !strings.Contains(reason, "profile of kube-router")) {
			t.Errorf("args %q: the reason must name the flag and the profile, got %q", c.args, reason)
		}
		if ok, _ := set.Supports(feature.EndPort); ok != c.policy {
			t.Errorf("args %q: EndPort follows NetworkPolicy, got %v", c.args, ok)
		}
	}
	if _, lacks := ProfileFor(Detected{Name: "kube-router"}).Unsupported[feature.NetworkPolicy]; lacks {
		t.Error("a variant's profile leaked into the shared one")
	}
}
