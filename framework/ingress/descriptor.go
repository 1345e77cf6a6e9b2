package ingress

import (
	"context"
	"fmt"
	"slices"

	"github.com/netconform/netconform/framework/cluster"
	"github.com/netconform/netconform/framework/images"
	"github.com/netconform/netconform/framework/kube"
)

// Descriptor is everything netconform knows of one Ingress controller,
// declared in one file per controller: how to recognise it on any
// cluster, what it is known not to do (its profile, each with a reason),
// how netconform installs it, and what a Disruptive proof may break.
type Descriptor struct {
	// Product is its human name ("Traefik").
	Product string
	// Controller is the spec.controller of the IngressClasses it serves.
	Controller string
	Version    string // of what netconform installs ("" when it only detects it)
	// PodSelector finds its pods in any namespace, by the labels its
	// project's manifests and charts put on them.
	PodSelector string
	// Lacks are the behaviours it is known not to have, each with the
	// reason one can point to (its documentation, its code, a run of the
	// suite): like a CNI profile, a known deviation is then reported
	// NotSupported instead of failed. Recorded only after a run has shown
	// it; empty, the controller is held to the whole contract.
	Lacks map[Behaviour]string
	// Diagnose, when set, adds what the controller itself says about a
	// failed check of class c (its own status, logs or objects), after
	// what Diagnose says of any controller.
	Diagnose func(ctx context.Context, cl *kube.Client, c *Controller) string
	// Breaks are switches that break one behaviour on purpose, for the
	// Disruptive proof that its check notices.
	Breaks map[Behaviour]Break
	// What installs it, both empty for a controller netconform only
	// detects: its images, registered in the images catalog with their
	// recipes, and the add-on whose steps apply its manifest and wait
	// (cluster up --addons).
	Images  []images.Image
	Install cluster.AddOn
}

// Break turns a controller's behaviour off on purpose.
type Break struct {
	// What is done, as the Disruptive spec's text says it ("Traefik's
	// strict prefix matching is off").
	What string
	// Apply breaks the behaviour on the running controller c and returns
	// its repair. It fails when the controller does not run as the check
	// needs (the behaviour was not on to begin with).
	Apply func(ctx context.Context, cl *kube.Client, c *Controller) (Repair, error)
}

// Repair undoes a Break and returns once the controller serves as before.
type Repair func(ctx context.Context) error

// descriptors are registered by the descriptor files' init functions,
// before anything reads them.
var descriptors []*Descriptor

// Register adds a controller's descriptor and, when it has one, its
// add-on. It panics on a duplicate controller, a programming error.
func Register(d Descriptor) {
	if slices.ContainsFunc(descriptors, func(o *Descriptor) bool { return o.Controller == d.Controller }) {
		panic(fmt.Sprintf("Ingress controller %q registered twice", d.Controller))
	}
	if d.Product == "" || d.Controller == "" {
		panic(fmt.Sprintf("Ingress controller %+v: a descriptor needs a product name and its IngressClass controller", d))
	}
	descriptors = append(descriptors, &d)
	cluster.RegisterInstall(d.Images, d.Install)
}

// Descriptors lists the registered controllers, in registration order.
func Descriptors() []*Descriptor {
	return slices.Clone(descriptors)
}

// DescriptorFor returns the descriptor of the controller an IngressClass's
// spec.controller names; nil when netconform does not know it.
func DescriptorFor(controller string) *Descriptor {
	for _, d := range Descriptors() {
		if d.Controller == controller {
			return d
		}
	}
	return nil
}

// BreakOf returns the switch that breaks behaviour b of the controller
// named by an IngressClass's spec.controller, or why there is none.
func BreakOf(controller string, b Behaviour) (Break, string) {
	d := DescriptorFor(controller)
	if d == nil {
		return Break{}, fmt.Sprintf("netconform knows no switch of controller %s that breaks %s (no descriptor)", controller, b)
	}
	brk, ok := d.Breaks[b]
	if !ok {
		return Break{}, fmt.Sprintf("%s declares no switch that breaks %s (its descriptor has no Break for it)", d.Product, b)
	}
	return brk, ""
}
