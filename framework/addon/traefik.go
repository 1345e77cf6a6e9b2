package addon

import (
	"context"
	_ "embed"
	"fmt"

	"github.com/netconform/netconform/framework/images"
	"github.com/netconform/netconform/framework/ingress"
	"github.com/netconform/netconform/framework/kube"
)

// TraefikVersion is the Traefik netconform builds and installs.
const TraefikVersion = "v3.6.15"

// TraefikStrictPrefixFlag makes Traefik match Prefix paths by path
// element, as the Ingress API defines them. Its default, false, lets
// Prefix /foo match /foobar; the add-on sets it true.
const TraefikStrictPrefixFlag = "--providers.kubernetesingress.strictprefixmatching"

// traefik is where the "traefik" add-on installs Traefik.
var traefik = controllerInstall{AddOn: "traefik", Class: "traefik", Namespace: "traefik", Deployment: "traefik", Service: "traefik"}

//go:embed manifests/traefik.yaml
var traefikManifest string

func traefikParams() map[string]string {
	return map[string]string{"Namespace": traefik.Namespace, "Class": traefik.Class, "Service": traefik.Service,
		"Version": TraefikVersion, "StrictPrefixFlag": TraefikStrictPrefixFlag}
}

// traefikImage is Traefik built static (cgo off) on scratch: it runs no
// tool of a base image.
var traefikImage = images.Image{Name: "traefik", Ref: "docker.io/netconform/traefik:" + TraefikVersion, Recipe: &images.GoImage{
	Module:  "build/traefik",
	Package: "github.com/traefik/traefik/v3/cmd/traefik",
	LDFlags: "-X github.com/traefik/traefik/v3/pkg/version.Version=" + TraefikVersion +
		" -X github.com/traefik/traefik/v3/pkg/version.Codename=netconform",
	Dockerfile: "COPY bin /usr/local/bin/traefik\nUSER 65532:65532\nENTRYPOINT [\"/usr/local/bin/traefik\"]\n",
}}

func init() {
	ingress.Register(ingress.Descriptor{
		Product:     "Traefik",
		Controller:  "traefik.io/ingress-controller",
		Version:     TraefikVersion,
		PodSelector: "app.kubernetes.io/name=traefik",
		Images:      []images.Image{traefikImage},
		Lacks: map[ingress.Behaviour]string{
			// Seen in the suite: GET /same went to the Prefix /same
			// backend, through the NodePort, twice in a row for 60 s.
			// In v3.6.15's code: pkg/muxer/http/mux.go GetRulePriority is
			// len(rule) (documented in "Rules & Priority" of its routing
			// reference), and with strict prefix matching a Prefix /same
			// is built as (Path("/same") || PathPrefix("/same/"))
			// (pkg/provider/kubernetes/ingress/kubernetes.go
			// buildStrictPrefixMatchingRule), a longer rule than
			// Path("/same").
			ingress.ExactOverPrefix: "Traefik ranks routers by the length of their rule (pkg/muxer/http GetRulePriority; docs: routing reference, Rules & Priority), and a strict Prefix /same becomes (Path(\"/same\") || PathPrefix(\"/same/\")), longer than the Exact path's Path(\"/same\"), so the Prefix path takes requests for an Exact path of the same value",
		},
		// Traefik's default, off, lets Prefix /foo match /foobar.
		Breaks: map[ingress.Behaviour]ingress.Break{ingress.PrefixPaths: {
			What:  "Traefik's strict prefix matching is off",
			Apply: looseTraefikPrefixes,
		}},
		Install: addOn{name: traefik.AddOn, images: imageNames(traefikImage), steps: controllerSteps(traefik, traefikManifest, traefikParams())},
	})
}

// looseTraefikPrefixes turns strict prefix matching off on the Traefik
// that serves c, once it has checked it was on (else the Prefix spec
// passed by chance), and waits until the reconfigured Traefik alone
// serves; its repair turns it back on.
func looseTraefikPrefixes(ctx context.Context, cl *kube.Client, c *ingress.Controller) (ingress.Repair, error) {
	name, err := c.Deployment(ctx, cl.Clientset)
	if err != nil {
		return nil, err
	}
	strict, err := deploymentFlag(ctx, cl, c.Namespace, name, TraefikStrictPrefixFlag)
	if err != nil {
		return nil, fmt.Errorf("reading Traefik's %s: %w", TraefikStrictPrefixFlag, err)
	}
	if strict != "true" {
		return nil, fmt.Errorf("%s runs without %s=true: the Prefix spec passed only by chance", c, TraefikStrictPrefixFlag)
	}
	repair := func(ctx context.Context) error {
		return setDeploymentFlag(ctx, cl, c.Namespace, name, TraefikStrictPrefixFlag, "true")
	}
	return repair, setDeploymentFlag(ctx, cl, c.Namespace, name, TraefikStrictPrefixFlag, "false")
}
