package addon

import (
	"context"
	_ "embed"
	"fmt"

	"github.com/netconform/netconform/framework/cluster"
	"github.com/netconform/netconform/framework/images"
	"github.com/netconform/netconform/framework/kube"
)

// TraefikVersion is the Traefik netconform builds and installs.
const TraefikVersion = "v3.6.15"

// TraefikStrictPrefixFlag makes Traefik match Prefix paths by path
// element, as the Ingress API defines them. Its default, false, lets
// Prefix /foo match /foobar; the add-on sets it true.
const TraefikStrictPrefixFlag = "--providers.kubernetesingress.strictprefixmatching"

// Traefik is the Traefik Ingress controller the "traefik" add-on installs.
var Traefik = Controller{
	AddOn: "traefik", Class: "traefik", Controller: "traefik.io/ingress-controller",
	Namespace: "traefik", Deployment: "traefik", Service: "traefik",
}

//go:embed manifests/traefik.yaml
var traefikManifest string

func init() {
	// Static (cgo off) on scratch: Traefik runs no tool of a base image.
	images.Register(images.Image{Name: "traefik", Ref: "docker.io/netconform/traefik:" + TraefikVersion, Recipe: &images.GoImage{
		Module:  "build/traefik",
		Package: "github.com/traefik/traefik/v3/cmd/traefik",
		LDFlags: "-X github.com/traefik/traefik/v3/pkg/version.Version=" + TraefikVersion +
			" -X github.com/traefik/traefik/v3/pkg/version.Codename=netconform",
		Dockerfile: "COPY bin /usr/local/bin/traefik\nUSER 65532:65532\nENTRYPOINT [\"/usr/local/bin/traefik\"]\n",
	}})
	cluster.RegisterAddOn(addOn{name: Traefik.AddOn, images: []string{"traefik"},
		steps: controllerSteps(Traefik, traefikManifest, map[string]string{
			"Namespace": Traefik.Namespace, "Class": Traefik.Class, "Service": Traefik.Service,
			"Version": TraefikVersion, "StrictPrefixFlag": TraefikStrictPrefixFlag,
		})})
}

// TraefikStrictPrefix reports whether the installed Traefik matches Prefix
// paths by path element (its Deployment sets TraefikStrictPrefixFlag true).
func TraefikStrictPrefix(ctx context.Context, cl *kube.Client) (bool, error) {
	v, err := deploymentFlag(ctx, cl, Traefik.Namespace, Traefik.Deployment, TraefikStrictPrefixFlag)
	if err != nil {
		return false, fmt.Errorf("reading Traefik's %s: %w", TraefikStrictPrefixFlag, err)
	}
	return v == "true", nil
}

// SetTraefikStrictPrefix switches Traefik's strict prefix matching on or
// off (a Disruptive spec turns it off to see the Prefix spec fail, then
// back on) and waits until the reconfigured Traefik alone serves.
func SetTraefikStrictPrefix(ctx context.Context, cl *kube.Client, strict bool) error {
	return setDeploymentFlag(ctx, cl, Traefik.Namespace, Traefik.Deployment, TraefikStrictPrefixFlag, fmt.Sprint(strict))
}
