package cluster

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/netconform/netconform/framework/images"
)

// Step is one named part of creating a cluster. Create runs its steps in
// order, timing and logging each; the first error stops it and names its
// step.
type Step struct {
	Name string
	// Images are the logical names (images catalog) of what the step runs
	// in the cluster; the "node image" step bakes every step's into the
	// nodes' image (the "load images" step loads them into a reused
	// cluster's nodes).
	Images []string
	Run    func(ctx context.Context, c *Cluster) error
}

// Timing is how long one step of Create took.
type Timing struct {
	Name     string
	Duration time.Duration
}

// AddOn is something a cluster carries besides its CNI (an Ingress
// controller, a LoadBalancer implementation): the images it needs and the
// steps that install it and wait for it, run after the CNI's.
type AddOn interface {
	Name() string
	Images() []string
	Steps() []Step
}

// runSteps runs the steps in order and records a Timing for each one that
// succeeded. It stops at the first error, naming the step, and before any
// step once ctx is done.
func runSteps(ctx context.Context, c *Cluster, steps []Step, logf func(string, ...any)) error {
	for i, s := range steps {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("stopped before step %q: %w", s.Name, err)
		}
		logf("step %d/%d: %s", i+1, len(steps), s.Name)
		start := time.Now()
		if err := s.Run(ctx, c); err != nil {
			return fmt.Errorf("step %q: %w", s.Name, err)
		}
		d := time.Since(start)
		c.Timings = append(c.Timings, Timing{s.Name, d})
		logf("step %d/%d: %s: done in %s", i+1, len(steps), s.Name, d.Round(100*time.Millisecond))
	}
	return nil
}

// stepImages collects what the steps run, each image once, in the order
// first needed. The node image is left out: the nodes are made of it.
func stepImages(steps []Step) []string {
	var out []string
	for _, s := range steps {
		for _, img := range s.Images {
			if img != images.Node && !slices.Contains(out, img) {
				out = append(out, img)
			}
		}
	}
	return out
}

// addOnSteps are an add-on's steps, named after it, with its images on
// the first.
func addOnSteps(a AddOn) []Step {
	steps := slices.Clone(a.Steps())
	for i := range steps {
		steps[i].Name = "add-on " + a.Name() + ": " + steps[i].Name
	}
	if len(steps) > 0 {
		steps[0].Images = append(slices.Clone(a.Images()), steps[0].Images...)
	}
	return steps
}

var (
	addOnsMu sync.Mutex
	addOns   = map[string]AddOn{}
)

// RegisterAddOn makes an add-on available by name (cluster up --addons).
// It panics on a duplicate name, a programming error.
func RegisterAddOn(a AddOn) {
	addOnsMu.Lock()
	defer addOnsMu.Unlock()
	if _, dup := addOns[a.Name()]; dup {
		panic(fmt.Sprintf("add-on %q registered twice", a.Name()))
	}
	addOns[a.Name()] = a
}

// RegisterInstall registers what an implementation (an Ingress
// controller, a LoadBalancer) installs: its images in the catalog, and its
// add-on when it has one.
func RegisterInstall(imgs []images.Image, a AddOn) {
	for _, img := range imgs {
		images.Register(img)
	}
	if a != nil {
		RegisterAddOn(a)
	}
}

// KnownAddOns lists the registered add-ons, sorted.
func KnownAddOns() []string {
	addOnsMu.Lock()
	defer addOnsMu.Unlock()
	return slices.Sorted(maps.Keys(addOns))
}

// LookupAddOns returns the registered add-ons of those names.
func LookupAddOns(names ...string) ([]AddOn, error) {
	addOnsMu.Lock()
	defer addOnsMu.Unlock()
	var out []AddOn
	for _, n := range names {
		a, ok := addOns[n]
		if !ok {
			known := strings.Join(slices.Sorted(maps.Keys(addOns)), ", ")
			if known == "" {
				known = "none registered yet"
			}
			return nil, fmt.Errorf("unknown add-on %q; known: %s", n, known)
		}
		out = append(out, a)
	}
	return out, nil
}
