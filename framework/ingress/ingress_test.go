package ingress

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/netconform/netconform/framework/probe"
)

var (
	foo   = &Backend{Namespace: "ns", Pod: "foo"}
	entry = Entry{Name: "the runner's host → NodePort", HTTP: "http://172.18.0.3:30080", HTTPS: "https://172.18.0.3:30443"}
)

func echo(b *Backend, path string) probe.Result {
	return probe.Result{Verdict: probe.Connected, Status: 200, Echo: &probe.Echo{Identity: probe.Identity{Namespace: b.Namespace, Pod: b.Pod, Node: "n"}, Host: "h", Path: path}}
}

func TestRouteCheck(t *testing.T) {
	notFound := probe.Result{Verdict: probe.Failed, Status: 404}
	timedOut := probe.Result{Verdict: probe.TimedOut, Error: "deadline"}
	bar := &Backend{Namespace: "ns", Pod: "bar"}
	for _, tc := range []struct {
		name  string
		route Route
		res   probe.Result
		fails string // substring of the failure, "" for a pass
	}{
		{"wanted backend", Route{Host: "h", Path: "/foo", Want: foo}, echo(foo, "/foo"), ""},
		{"other backend", Route{Host: "h", Path: "/foo", Want: foo}, echo(bar, "/foo"), "from backend ns/bar"},
		{"path rewritten", Route{Host: "h", Path: "/foo/x", Want: foo}, echo(foo, "/x"), "path /x"},
		{"404 for a wanted route", Route{Host: "h", Path: "/foo", Want: foo}, notFound, "saw status 404"},
		{"404 where not routed", Route{Host: "h", Path: "/foobar", Not: []*Backend{foo}, Why: "Prefix /foo must not match /foobar"}, notFound, ""},
		{"another backend where not routed", Route{Host: "h", Path: "/foobar", Not: []*Backend{foo}}, echo(bar, "/foobar"), ""},
		{"routed wrongly", Route{Host: "h", Path: "/foobar", Not: []*Backend{foo}, Why: "Prefix /foo must not match /foobar"}, echo(foo, "/foobar"),
			"GET http://172.18.0.3:30080/foobar Host h from the runner's host → NodePort: expected an answer from none of backend ns/foo"},
		{"no answer is no proof", Route{Host: "h", Path: "/x", Not: []*Backend{foo}}, timedOut, "TimedOut"},
		{"5xx", Route{Host: "h", Path: "/e", Want5xx: true}, probe.Result{Verdict: probe.Failed, Status: 503}, ""},
		{"404 is no 5xx", Route{Host: "h", Path: "/e", Want5xx: true}, notFound, "expected a 5xx status"},
		{"a hang is no 5xx", Route{Host: "h", Path: "/e", Want5xx: true}, timedOut, "TimedOut"},
		{"TLS verified", Route{Host: "h", Path: "/", TLS: true, Want: foo}, withTLS(echo(foo, "/"), true), ""},
		{"TLS not verified", Route{Host: "h", Path: "/", TLS: true, Want: foo}, withTLS(echo(foo, "/"), false), "chain NOT verified for h: x509"},
		{"no HTTPS port", Route{Host: "h", Path: "/", TLS: true, Want: foo}, echo(foo, "/"), "GET /"},
	} {
		e := entry
		if tc.name == "no HTTPS port" {
			e.HTTPS = ""
		}
		got := tc.route.Check(e, tc.res)
		if (got == "") != (tc.fails == "") || !strings.Contains(got, tc.fails) {
			t.Errorf("%s: Check = %q, want a failure containing %q", tc.name, got, tc.fails)
		}
	}
}

func withTLS(r probe.Result, verified bool) probe.Result {
	r.TLS = &probe.TLSInfo{ServerName: "h", Subject: "CN=h", DNSNames: []string{"h"}, Verified: verified}
	if !verified {
		r.TLS.VerifyError = "x509: certificate signed by unknown authority"
	}
	return r
}

func TestRouteProbe(t *testing.T) {
	p := Route{Host: "h", Path: "/p", TLS: true, CAPEM: "PEM"}.Probe("id", entry, 0)
	if p.Target != "https://172.18.0.3:30443/p" || p.Host != "h" || p.ServerName != "h" || p.CAPEM != "PEM" || p.TimeoutMs != 1 {
		t.Errorf("probe = %+v", p)
	}
	p = Route{Host: "h", Path: "/p"}.Probe("id", entry, 0)
	if p.Target != "http://172.18.0.3:30080/p" || p.ServerName != "" {
		t.Errorf("plain probe = %+v", p)
	}
}

func controllerService() *corev1.Service {
	return &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "traefik", Namespace: "traefik"},
		Spec: corev1.ServiceSpec{
			Type: corev1.ServiceTypeLoadBalancer, ClusterIP: "10.96.0.20",
			Selector: map[string]string{"app.kubernetes.io/name": "traefik"},
			Ports: []corev1.ServicePort{
				{Name: "web", Port: 80, NodePort: 30080, Protocol: corev1.ProtocolTCP},
				{Name: "websecure", Port: 443, NodePort: 30443, Protocol: corev1.ProtocolTCP},
			},
		},
		Status: corev1.ServiceStatus{LoadBalancer: corev1.LoadBalancerStatus{Ingress: []corev1.LoadBalancerIngress{{IP: "172.18.255.200"}}}},
	}
}

func TestEntries(t *testing.T) {
	c := &Controller{Service: controllerService()}
	got := c.Entries(map[string]string{"cp": "172.18.0.2", "worker": "172.18.0.3"})
	want := []Entry{
		{HTTP: "http://172.18.255.200:80", HTTPS: "https://172.18.255.200:443"},
		{HTTP: "http://172.18.0.3:30080", HTTPS: "https://172.18.0.3:30443"},
		{HTTP: "http://10.96.0.20:80", HTTPS: "https://10.96.0.20:443", InCluster: true},
	}
	if len(got) != len(want) {
		t.Fatalf("entries = %+v", got)
	}
	for i := range want {
		if got[i].HTTP != want[i].HTTP || got[i].HTTPS != want[i].HTTPS || got[i].InCluster != want[i].InCluster || got[i].Name == "" {
			t.Errorf("entry %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if !strings.Contains(got[1].Name, "node worker") {
		t.Errorf("NodePort entry %q does not name its node", got[1].Name)
	}
	at := c.EntriesAt("172.18.255.200", map[string]string{"worker": "172.18.0.3"})
	if len(at) != 2 || at[0].InCluster || !at[1].InCluster {
		t.Errorf("entries at the LoadBalancer address: %+v, want from the runner and from a pod", at)
	}
	if at := c.EntriesAt("10.96.0.20", nil); len(at) != 1 || !at[0].InCluster {
		t.Errorf("entries at the ClusterIP: %+v", at)
	}
	if at := c.EntriesAt("192.0.2.1", nil); len(at) != 0 {
		t.Errorf("entries at an unknown address: %+v", at)
	}
}

func TestFind(t *testing.T) {
	pod := func(name, ns, image string, labels map[string]string) *corev1.Pod {
		return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels},
			Spec:   corev1.PodSpec{NodeName: "worker", Containers: []corev1.Container{{Image: image}}},
			Status: corev1.PodStatus{PodIP: "10.244.1.5"}}
	}
	contourSvc := controllerService()
	contourSvc.Name, contourSvc.Namespace, contourSvc.Spec.Selector = "envoy", "contour", map[string]string{"app": "envoy"}
	cs := fake.NewClientset(
		&networkingv1.IngressClass{ObjectMeta: metav1.ObjectMeta{Name: "traefik", Annotations: map[string]string{DefaultClassAnnotation: "true"}},
			Spec: networkingv1.IngressClassSpec{Controller: "traefik.io/ingress-controller"}},
		&networkingv1.IngressClass{ObjectMeta: metav1.ObjectMeta{Name: "contour"}, Spec: networkingv1.IngressClassSpec{Controller: "projectcontour.io/ingress-controller"}},
		pod("traefik-abc", "traefik", "traefik:v3", map[string]string{"app.kubernetes.io/name": "traefik"}),
		pod("envoy-xyz", "contour", "envoyproxy/contour-envoy", map[string]string{"app": "envoy"}),
		controllerService(), contourSvc,
	)
	ctx := context.Background()
	c, err := Find(ctx, cs, "traefik", "")
	if err != nil {
		t.Fatal(err)
	}
	if !c.Default || c.Service == nil || c.Service.Name != "traefik" || len(c.Pods) != 1 || c.Pods[0].Name != "traefik-abc" {
		t.Errorf("traefik = %+v", c)
	}
	if s := c.String(); !strings.Contains(s, "IngressClass traefik (Traefik, traefik.io/ingress-controller; pods traefik/traefik-abc on worker)") {
		t.Errorf("String() = %q", s)
	}
	c, err = Find(ctx, cs, "contour", "")
	if err != nil {
		t.Fatal(err)
	}
	if c.Default || c.Service == nil || c.Service.Name != "envoy" || len(c.Pods) != 1 || c.Pods[0].Name != "envoy-xyz" {
		t.Errorf("contour (found by image) = %+v", c)
	}
	if _, err := Find(ctx, cs, "missing", ""); err == nil {
		t.Error("found a controller for a class that does not exist")
	}
	if classes, _ := Classes(ctx, cs); strings.Join(classes, ",") != "contour,traefik" {
		t.Errorf("classes = %v", classes)
	}
}
