package addon

import (
	_ "embed"

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
	cluster.RegisterAddOn(addOn{name: HAProxy.AddOn, images: []string{"haproxy-ingress"},
		steps: controllerSteps(HAProxy, haproxyManifest, map[string]string{
			"Namespace": HAProxy.Namespace, "Class": HAProxy.Class, "Service": HAProxy.Service,
			"Deployment": HAProxy.Deployment, "Version": HAProxyIngressVersion,
		})})
}
