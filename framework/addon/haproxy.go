package addon

import (
	"context"
	_ "embed"
	"fmt"
	"slices"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/netconform/netconform/framework/cluster"
	"github.com/netconform/netconform/framework/images"
	"github.com/netconform/netconform/framework/ingress"
	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/timeouts"
)

// HAProxyIngressVersion is the HAProxy Ingress netconform builds and installs.
const HAProxyIngressVersion = "v0.14.7"

// haproxy is where the "haproxy" add-on installs HAProxy Ingress.
var haproxy = controllerInstall{AddOn: "haproxy", Class: "haproxy", Namespace: "haproxy-ingress", Deployment: "haproxy-ingress", Service: "haproxy-ingress"}

//go:embed manifests/haproxy.yaml
var haproxyManifest string

func haproxyParams() map[string]string {
	return map[string]string{"Namespace": haproxy.Namespace, "Class": haproxy.Class, "Service": haproxy.Service,
		"Deployment": haproxy.Deployment, "Version": HAProxyIngressVersion}
}

// haproxyModule is HAProxy Ingress's Go module.
const haproxyModule = "github.com/jcmoraisjr/haproxy-ingress"

// haproxyIngressImage is the controller, which renders haproxy.cfg from
// its templates and runs Debian's haproxy 2.6 in master-worker mode (the
// controller is its parent, so no init is needed to reap it); its Lua
// scripts need lua-json; socat and openssl serve its scripts and
// certificates. The templates, Lua and scripts come from the module's
// rootfs/.
var haproxyIngressImage = images.Image{Name: "haproxy-ingress", Ref: "docker.io/netconform/haproxy-ingress:" + HAProxyIngressVersion, Recipe: &images.GoImage{
	Module:     "build/haproxy-ingress",
	Package:    haproxyModule + "/pkg",
	Binary:     "pkg",
	LDFlags:    "-X " + haproxyModule + "/pkg/version.RELEASE=" + HAProxyIngressVersion + " -X " + haproxyModule + "/pkg/version.REPO=https://" + haproxyModule,
	Debian:     []string{"haproxy", "lua5.3", "lua-json", "socat", "openssl", "ca-certificates"},
	ModuleDirs: []images.ModuleDir{{Module: haproxyModule, Dir: "rootfs"}},
	Dockerfile: `COPY rootfs/etc/ /etc/
COPY rootfs/start.sh rootfs/haproxy-reload.sh rootfs/haproxy-shutdown.sh /
COPY bin /haproxy-ingress-controller
RUN chmod 0755 /start.sh /haproxy-reload.sh /haproxy-shutdown.sh \
 && mkdir -p /etc/haproxy /var/lib/haproxy /run/haproxy /var/empty && chmod 0 /var/empty
STOPSIGNAL SIGTERM
ENTRYPOINT ["/start.sh"]
`,
}}

func init() {
	steps := controllerSteps(haproxy, haproxyManifest, haproxyParams())
	// HAProxy Ingress exits at start while its published Service has no
	// LoadBalancer address ("does not (yet) have ingress points"). Without
	// a LoadBalancer implementation it runs without one and leaves Ingress
	// status alone, as Traefik does; NodePorts serve either way.
	publish := cluster.Step{Name: "publish status", Run: func(ctx context.Context, c *cluster.Cluster) error {
		got, err := lbAddress(ctx, c.Client, haproxy.Namespace, haproxy.Service, timeouts.Current.Probe)
		if err != nil || got {
			return err
		}
		return editDeploymentArgs(ctx, c.Client, haproxy.Namespace, haproxy.Deployment, func(args []string) []string {
			return append(withoutFlag(args, "--publish-service"), "--update-status=false")
		})
	}}
	steps = slices.Insert(steps, 1, publish)
	ingress.Register(ingress.Descriptor{
		Product:     "HAProxy Ingress",
		Controller:  "haproxy-ingress.github.io/controller",
		Version:     HAProxyIngressVersion,
		PodSelector: "app.kubernetes.io/name=haproxy-ingress",
		Images:      []images.Image{haproxyIngressImage},
		Install:     addOn{name: haproxy.AddOn, images: imageNames(haproxyIngressImage), steps: steps},
	})
}

// lbAddress reports whether a Service gets a LoadBalancer address within
// timeout; an error reading the Service is returned, not taken for "none".
func lbAddress(ctx context.Context, cl *kube.Client, namespace, name string, timeout time.Duration) (bool, error) {
	err := wait.PollUntilContextTimeout(ctx, timeouts.Current.Poll, timeout, true, func(ctx context.Context) (bool, error) {
		svc, err := cl.Clientset.CoreV1().Services(namespace).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, fmt.Errorf("Service %s/%s: %w", namespace, name, err)
		}
		return len(svc.Status.LoadBalancer.Ingress) > 0, nil
	})
	if wait.Interrupted(err) {
		return false, nil
	}
	return err == nil, err
}
