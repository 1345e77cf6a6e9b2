package loadbalancer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/netconform/netconform/framework/cluster"
	"github.com/netconform/netconform/framework/images"
	"github.com/netconform/netconform/framework/kube"
)

// Descriptor is everything netconform knows of one LoadBalancer
// implementation, declared in one file per implementation.
type Descriptor struct {
	Name    string
	Version string // of what netconform installs ("" when it only detects it)
	// ControllerImages are fragments of the image its controller
	// Deployment runs (upstream's and netconform's), by which Detect
	// finds it in any namespace.
	ControllerImages []string
	// What installs it, both empty for an implementation netconform only
	// detects: its images, registered in the images catalog with their
	// recipes, and the add-on whose steps apply its manifest and wait
	// (cluster up --addons).
	Images  []images.Image
	Install cluster.AddOn
	// Diagnose says what the implementation does for svc (nil: in
	// general), for the failure of a LoadBalancer check. Nil: Describe
	// reports the controller's readiness only.
	Diagnose func(ctx context.Context, cl *kube.Client, svc *corev1.Service) State
	// Pool, when set, returns the addresses the implementation hands out
	// on this cluster; ok is false when it cannot tell.
	Pool func(ctx context.Context, cl *kube.Client) (pool Pool, ok bool, err error)
	// Break, when set, takes away the part that announces addresses, for
	// the Disruptive proof that the LoadBalancer check notices.
	Break *Break
}

// State is what Diagnose found.
type State struct {
	// Installed: a Deployment runs the implementation's controller.
	Installed bool
	// Assigning: the controller has a ready pod, so Services get addresses.
	Assigning bool
	// Announcing: what announces addresses runs on some node.
	Announcing bool
	// Text says all of it, for failure messages.
	Text string
}

func (s State) String() string { return s.Text }

// Break is what a Disruptive proof takes away from a running
// implementation, and what the check's failure must then name.
type Break struct {
	// What is taken away, as a spec's text says it ("the speaker
	// DaemonSet is removed").
	What string
	// Names is what the failure must point at ("MetalLB's missing speaker").
	Names string
	// Expect are fragments the check's failure must hold once broken.
	Expect []string
	// Apply breaks the running implementation and returns its repair. An
	// error wrapping ErrNothingToBreak says this cluster has no such part
	// (the proof is then NotSupported, not failed).
	Apply func(ctx context.Context, cl *kube.Client) (Repair, error)
}

// Repair puts back what a Break took away and returns once the
// implementation serves as it did before.
type Repair func(ctx context.Context) error

// ErrNothingToBreak marks a Break that found nothing to take away.
var ErrNothingToBreak = errors.New("nothing to break")

// descriptors are registered by the descriptor files' init functions,
// before anything reads them.
var descriptors []*Descriptor

// Register adds an implementation's descriptor and, when it has one, its
// add-on. It panics on a duplicate name or a descriptor Detect could not
// find, programming errors.
func Register(d Descriptor) {
	if slices.ContainsFunc(descriptors, func(o *Descriptor) bool { return o.Name == d.Name }) {
		panic(fmt.Sprintf("LoadBalancer implementation %q registered twice", d.Name))
	}
	if len(d.ControllerImages) == 0 {
		panic(fmt.Sprintf("LoadBalancer implementation %q: a descriptor needs its controller's image fragments", d.Name))
	}
	descriptors = append(descriptors, &d)
	cluster.RegisterInstall(d.Images, d.Install)
}

// Descriptors lists the registered implementations, in registration order.
func Descriptors() []*Descriptor {
	return slices.Clone(descriptors)
}

// Lookup returns the descriptor of an implementation by name.
func Lookup(name string) (*Descriptor, bool) {
	for _, d := range Descriptors() {
		if d.Name == name {
			return d, true
		}
	}
	return nil, false
}

// Known names the registered implementations, for messages.
func Known() string {
	var names []string
	for _, d := range Descriptors() {
		names = append(names, d.Name)
	}
	return strings.Join(names, ", ")
}

// BreakOf returns the descriptor's Break, or why it has none.
func (d *Descriptor) BreakOf() (*Break, string) {
	if d.Break == nil {
		return nil, d.Name + " declares nothing a Disruptive proof may take away (its descriptor has no Break)"
	}
	return d.Break, ""
}
