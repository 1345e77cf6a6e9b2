package addon

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	netv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes/fake"
	"sigs.k8s.io/e2e-framework/klient/decoder"
	"sigs.k8s.io/e2e-framework/klient/k8s"

	"github.com/netconform/netconform/framework/cluster"
	"github.com/netconform/netconform/framework/ingress"
	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/loadbalancer"
)

// renderedObjects renders an add-on's manifest as its first step applies it.
func renderedObjects(t *testing.T, name, manifest string, params map[string]string) []k8s.Object {
	t.Helper()
	out, err := render(name, manifest, params)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out, []byte("{{")) {
		t.Fatalf("unrendered template fields:\n%s", out)
	}
	objs, err := decoder.DecodeAll(context.Background(), bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

func TestControllerManifests(t *testing.T) {
	for _, tc := range []struct {
		ctl        controllerInstall
		controller string // the descriptor's IngressClass controller
		manifest   string
		params     map[string]string
		image      string
	}{
		{traefik, "traefik.io/ingress-controller", traefikManifest, traefikParams(), "docker.io/netconform/traefik:" + TraefikVersion},
		{haproxy, "haproxy-ingress.github.io/controller", haproxyManifest, haproxyParams(), "docker.io/netconform/haproxy-ingress:" + HAProxyIngressVersion},
	} {
		t.Run(tc.ctl.AddOn, func(t *testing.T) {
			d := ingress.DescriptorFor(tc.controller)
			if d == nil || d.Install == nil || d.Install.Name() != tc.ctl.AddOn {
				t.Fatalf("no descriptor installs %s as add-on %s: %+v", tc.controller, tc.ctl.AddOn, d)
			}
			var class *netv1.IngressClass
			var dep *appsv1.Deployment
			var svc *corev1.Service
			for _, o := range renderedObjects(t, tc.ctl.AddOn, tc.manifest, tc.params) {
				switch o := o.(type) {
				case *netv1.IngressClass:
					class = o
				case *appsv1.Deployment:
					dep = o
				case *corev1.Service:
					svc = o
				}
			}
			if class == nil || class.Name != tc.ctl.Class || class.Spec.Controller != d.Controller {
				t.Errorf("IngressClass: want %s (controller %s), got %+v", tc.ctl.Class, d.Controller, class)
			}
			if dep == nil || dep.Name != tc.ctl.Deployment || dep.Namespace != tc.ctl.Namespace || dep.Spec.Template.Spec.Containers[0].Image != tc.image {
				t.Fatalf("Deployment: want %s/%s running %s, got %+v", tc.ctl.Namespace, tc.ctl.Deployment, tc.image, dep)
			}
			sel, err := labels.Parse(d.PodSelector)
			if err != nil || !sel.Matches(labels.Set(dep.Spec.Template.Labels)) {
				t.Errorf("the descriptor's pod selector %q does not find the pods of the manifest (%v): %v", d.PodSelector, dep.Spec.Template.Labels, err)
			}
			if svc == nil || svc.Name != tc.ctl.Service || svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
				t.Errorf("Service: want LoadBalancer %s, got %+v", tc.ctl.Service, svc)
			}
			published := false
			for _, a := range dep.Spec.Template.Spec.Containers[0].Args {
				published = published || strings.HasSuffix(a, "="+tc.ctl.Namespace+"/"+tc.ctl.Service)
			}
			if !published {
				t.Errorf("the controller does not publish its Service into Ingress status: %v", dep.Spec.Template.Spec.Containers[0].Args)
			}
		})
	}
}

func TestAddOnsRegistered(t *testing.T) {
	got, err := cluster.LookupAddOns("traefik", "haproxy", "metallb")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range got[:2] {
		if len(a.Images()) != 1 || len(a.Steps()) < 2 {
			t.Errorf("add-on %s: want one image and at least two steps (apply, wait), got %v and %d", a.Name(), a.Images(), len(a.Steps()))
		}
	}
	if d, ok := loadbalancer.Lookup("MetalLB"); !ok || d.Install == nil || d.Install.Name() != "metallb" {
		t.Errorf("MetalLB's descriptor does not install add-on metallb: %+v", d)
	}
}

// The strict prefix break reads and rewrites the one flag of the Traefik
// that serves the class, keeping the others, and its repair puts it back.
func TestTraefikStrictPrefixBreak(t *testing.T) {
	var dep *appsv1.Deployment
	for _, o := range renderedObjects(t, "traefik", traefikManifest, traefikParams()) {
		if d, ok := o.(*appsv1.Deployment); ok {
			dep = d
		}
	}
	rs := &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: "traefik-1", Namespace: dep.Namespace,
		OwnerReferences: []metav1.OwnerReference{{Kind: "Deployment", Name: dep.Name}}}}
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "traefik-1-a", Namespace: dep.Namespace,
		OwnerReferences: []metav1.OwnerReference{{Kind: "ReplicaSet", Name: rs.Name}}}}
	cs := fake.NewClientset(dep, rs, pod)
	cl := &kube.Client{Clientset: cs}
	ctl := &ingress.Controller{Class: "traefik", Name: "traefik.io/ingress-controller", Namespace: dep.Namespace, Pods: []ingress.Pod{{Name: pod.Name}}}
	brk, why := ingress.BreakOf(ctl.Name, ingress.PrefixPaths)
	if why != "" {
		t.Fatal(why)
	}
	flag := func() string {
		t.Helper()
		v, err := deploymentFlag(context.Background(), cl, dep.Namespace, dep.Name, TraefikStrictPrefixFlag)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if flag() != "true" {
		t.Fatal("the add-on must install Traefik with strict prefix matching on")
	}
	before := dep.Spec.Template.Spec.Containers[0].Args
	// The fake API server runs no controller: the rollout wait would time
	// out, so only the patch is checked here.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	repair, _ := brk.Apply(ctx, cl, ctl)
	if repair == nil || flag() != "false" {
		t.Fatalf("strict prefix matching still on after the break (repair %v)", repair != nil)
	}
	d, _ := cs.AppsV1().Deployments(dep.Namespace).Get(context.Background(), dep.Name, metav1.GetOptions{})
	after := d.Spec.Template.Spec.Containers[0].Args
	if len(after) != len(before) || !slices.Contains(after, TraefikStrictPrefixFlag+"=false") {
		t.Errorf("want the same args with %s=false, got %v (was %v)", TraefikStrictPrefixFlag, after, before)
	}
	ctx, cancel = context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_ = repair(ctx)
	if flag() != "true" {
		t.Error("the repair did not turn strict prefix matching back on")
	}
	// Without the flag on, the Prefix spec passed by chance: the break refuses.
	_ = setDeploymentFlag(ctx, cl, dep.Namespace, dep.Name, TraefikStrictPrefixFlag, "false")
	if _, err := brk.Apply(context.Background(), cl, ctl); err == nil || !strings.Contains(err.Error(), "passed only by chance") {
		t.Errorf("the break applied to a Traefik without strict prefix matching: %v", err)
	}
}

// Every Ingress controller and LoadBalancer implementation netconform
// installs declares its version and is found by the contract's detection;
// the ones it only recognises install nothing, and a Disruptive proof
// they lack a Break for says so.
func TestDescriptors(t *testing.T) {
	for _, d := range ingress.Descriptors() {
		if d.Install != nil && d.Version == "" {
			t.Errorf("%s: installed without a version", d.Product)
		}
	}
	if d := ingress.DescriptorFor("k8s.io/ingress-nginx"); d == nil || d.Install != nil {
		t.Errorf("ingress-nginx: want a detected-only descriptor, got %+v", d)
	}
	if _, why := ingress.BreakOf("haproxy-ingress.github.io/controller", ingress.PrefixPaths); !strings.Contains(why, "HAProxy Ingress declares no switch") {
		t.Errorf("HAProxy Ingress's missing Prefix break: %q", why)
	}
	kubeVip, ok := loadbalancer.Lookup("kube-vip cloud provider")
	if !ok || kubeVip.Install != nil {
		t.Fatalf("kube-vip: want a detected-only descriptor, got %+v", kubeVip)
	}
	if _, why := kubeVip.BreakOf(); !strings.Contains(why, "declares nothing a Disruptive proof may take away") {
		t.Errorf("kube-vip's missing Break: %q", why)
	}
	for image, want := range map[string]string{
		"quay.io/metallb/controller:v0.14.9":                        "MetalLB",
		"docker.io/netconform/metallb-controller:" + MetalLBVersion: "MetalLB",
		"ghcr.io/kube-vip/kube-vip-cloud-provider:v0.0.10":          "kube-vip cloud provider",
		"registry.k8s.io/ingress-nginx/controller:v1.11":            "",
	} {
		cs := fake.NewClientset(&appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "c", Namespace: "somewhere"},
			Spec: appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{Image: image}}}}}})
		got, err := loadbalancer.Detect(context.Background(), cs)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case want == "" && got != nil:
			t.Errorf("%s detected as %s", image, got)
		case want != "" && (got == nil || got.Name != want || got.Namespace != "somewhere"):
			t.Errorf("%s: detected %v, want %s", image, got, want)
		}
	}
}

// The Disruptive specs' texts are made of the Breaks' words: they must
// read as they did when the suites named the implementations, so that
// their rows keep their history.
func TestBreaksKeepTheSpecTexts(t *testing.T) {
	metallb, _ := loadbalancer.Lookup("MetalLB")
	brk, why := metallb.BreakOf()
	if why != "" {
		t.Fatal(why)
	}
	if got := "is reported unreachable, naming " + brk.Names + ", when " + brk.What; got != "is reported unreachable, naming MetalLB's missing speaker, when the speaker DaemonSet is removed" {
		t.Errorf("LoadBalancer Disruptive spec: %q", got)
	}
	prefix, why := ingress.BreakOf("traefik.io/ingress-controller", ingress.PrefixPaths)
	if why != "" {
		t.Fatal(why)
	}
	if got := "fails the Prefix check, naming /foobar, when " + prefix.What; got != "fails the Prefix check, naming /foobar, when Traefik's strict prefix matching is off" {
		t.Errorf("Ingress Prefix Disruptive spec: %q", got)
	}
}
