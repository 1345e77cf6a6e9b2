package addon

import (
	"context"
	_ "embed"
	"slices"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/timeouts"

	"github.com/netconform/netconform/framework/cluster"
	"github.com/netconform/netconform/framework/images"
)

// HAProxyIngressVersion is the HAProxy Ingress netconform builds and installs.
const HAProxyIngressVersion = "v0.14.7"

// HAProxy is the HAProxy Ingress controller the "haproxy" add-on installs.
var HAProxy = Controller{
	AddOn: "haproxy", Class: "haproxy", Controller: "haproxy-ingress.github.io/controller",
	Namespace: "haproxy-ingress", Deployment: "haproxy-ingress", Service: "haproxy-ingress",
}

//go:embed manifests/haproxy.yaml
var haproxyManifest string

func init() {
	const module = "github.com/jcmoraisjr/haproxy-ingress"
	// The controller renders haproxy.cfg from its templates and runs
	// Debian's haproxy 2.6 in master-worker mode (the controller is its
	// parent, so no init is needed to reap it); its Lua scripts need
	// lua-json; socat and openssl serve its scripts and certificates.
	// The templates, Lua and scripts come from the module's rootfs/.
	images.Register(images.Image{Name: "haproxy-ingress", Ref: "docker.io/netconform/haproxy-ingress:" + HAProxyIngressVersion, Recipe: &images.GoImage{
		Module:     "build/haproxy-ingress",
		Package:    module + "/pkg",
		Binary:     "pkg",
		LDFlags:    "-X " + module + "/pkg/version.RELEASE=" + HAProxyIngressVersion + " -X " + module + "/pkg/version.REPO=https://" + module,
		Debian:     []string{"haproxy", "lua5.3", "lua-json", "socat", "openssl", "ca-certificates"},
		ModuleDirs: []images.ModuleDir{{Module: module, Dir: "rootfs"}},
		Dockerfile: `COPY rootfs/etc/ /etc/
COPY rootfs/start.sh rootfs/haproxy-reload.sh rootfs/haproxy-shutdown.sh /
COPY bin /haproxy-ingress-controller
RUN chmod 0755 /start.sh /haproxy-reload.sh /haproxy-shutdown.sh \
 && mkdir -p /etc/haproxy /var/lib/haproxy /run/haproxy /var/empty && chmod 0 /var/empty
STOPSIGNAL SIGTERM
ENTRYPOINT ["/start.sh"]
`,
	}})
	steps := controllerSteps(HAProxy, haproxyManifest, map[string]string{
		"Namespace": HAProxy.Namespace, "Class": HAProxy.Class, "Service": HAProxy.Service,
		"Deployment": HAProxy.Deployment, "Version": HAProxyIngressVersion,
	})
	// HAProxy Ingress exits at start while its published Service has no
	// LoadBalancer address ("does not (yet) have ingress points"). Without
	// a LoadBalancer implementation it runs without one and leaves Ingress
	// status alone, as Traefik does; NodePorts serve either way.
	publish := cluster.Step{Name: "publish status", Run: func(ctx context.Context, c *cluster.Cluster) error {
		if lbAddress(ctx, c.Client, HAProxy.Namespace, HAProxy.Service, timeouts.Current.Probe) {
			return nil
		}
		return editDeploymentArgs(ctx, c.Client, HAProxy.Namespace, HAProxy.Deployment, func(args []string) []string {
			return append(withoutFlag(args, "--publish-service"), "--update-status=false")
		})
	}}
	steps = slices.Insert(steps, 1, publish)
	cluster.RegisterAddOn(addOn{name: HAProxy.AddOn, images: []string{"haproxy-ingress"}, steps: steps})
}

// lbAddress reports whether a Service gets a LoadBalancer address within timeout.
func lbAddress(ctx context.Context, cl *kube.Client, namespace, name string, timeout time.Duration) bool {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(timeouts.Current.Poll)
	defer tick.Stop()
	for {
		svc, err := cl.Clientset.CoreV1().Services(namespace).Get(ctx, name, metav1.GetOptions{})
		if err == nil && len(svc.Status.LoadBalancer.Ingress) > 0 {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-tick.C:
		}
	}
}
