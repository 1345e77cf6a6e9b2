package addon

import (
	"context"
	_ "embed"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/netconform/netconform/framework/cluster"
	"github.com/netconform/netconform/framework/images"
	"github.com/netconform/netconform/framework/loadbalancer"
	"github.com/netconform/netconform/framework/timeouts"
)

// MetalLBVersion is the MetalLB netconform builds and installs (the
// version build/metallb/go.mod pins).
const MetalLBVersion = "v0.16.1"

// MetalLB's images, built from build/metallb.
const (
	MetalLBController = "metallb-controller"
	MetalLBSpeaker    = "metallb-speaker"
)

// MetalLBNamespace is where the add-on installs MetalLB (and where
// MetalLB's own manifests put it).
const MetalLBNamespace = "metallb-system"

// metalLBModule is the module whose CRDs the add-on applies.
const metalLBModule = "go.universe.tf/metallb"

//go:embed manifests/metallb.yaml
var metalLBManifest string

var metallbGroup = schema.GroupVersion{Group: "metallb.io", Version: "v1beta1"}

// MetalLB's controller and speaker images, upstream's and ours, by which
// an install is found in any namespace.
var (
	metalLBControllerImages = []string{"metallb/controller", MetalLBController}
	metalLBSpeakerImages    = []string{"metallb/speaker", MetalLBSpeaker}
)

// MetalLB in layer 2 mode, with an address pool carved from the kind
// Docker network, which the runner's host reaches.
func init() {
	loadbalancer.Register(loadbalancer.Descriptor{
		Name:             "MetalLB",
		Version:          MetalLBVersion,
		ControllerImages: metalLBControllerImages,
		Images:           metalLBImages(),
		Install:          addOn{name: "metallb", images: imageNames(metalLBImages()...), steps: metalLBSteps()},
		Diagnose:         describeMetalLB,
		Pool:             installedPool,
		Break:            &removeSpeakers,
	})
}

// metalLBImages are MetalLB's controller and speaker, static Go binaries
// on scratch: the speaker answers ARP through a raw socket of its own and
// runs no tool.
func metalLBImages() []images.Image {
	var out []images.Image
	for _, c := range []struct{ name, pkg string }{
		{MetalLBController, metalLBModule + "/controller"},
		{MetalLBSpeaker, metalLBModule + "/speaker"},
	} {
		out = append(out, images.Image{Name: c.name, Ref: "docker.io/netconform/" + c.name + ":" + MetalLBVersion, Recipe: &images.GoImage{
			Module:     "build/metallb",
			Package:    c.pkg,
			Dockerfile: "COPY bin /" + c.name + "\nENTRYPOINT [\"/" + c.name + "\"]\n",
		}})
	}
	return out
}

func metalLBSteps() []cluster.Step {
	return []cluster.Step{
		{Name: "CRDs from " + metalLBModule + "@" + MetalLBVersion, Run: func(ctx context.Context, c *cluster.Cluster) error {
			return applyMetalLBCRDs(ctx, c.Client)
		}},
		{Name: "controller and speaker", Run: func(ctx context.Context, c *cluster.Cluster) error {
			manifest, err := render("metallb", metalLBManifest, map[string]string{"Namespace": MetalLBNamespace, "Version": MetalLBVersion})
			if err != nil {
				return err
			}
			if err := c.Client.Apply(ctx, manifest); err != nil {
				return err
			}
			if err := c.Client.WaitDeployment(ctx, MetalLBNamespace, "controller", timeouts.Current.SystemPods); err != nil {
				return err
			}
			return c.Client.WaitDaemonSet(ctx, MetalLBNamespace, "speaker", timeouts.Current.SystemPods)
		}},
		{Name: "address pool", Run: func(ctx context.Context, c *cluster.Cluster) error {
			return installPool(ctx, c.Client)
		}},
	}
}
