package cluster

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/netconform/netconform/framework/cni"
	"github.com/netconform/netconform/framework/images"
)

func record(ran *[]string, name string, err error) Step {
	return Step{Name: name, Run: func(context.Context, *Cluster) error {
		*ran = append(*ran, name)
		return err
	}}
}

func TestRunStepsInOrderAndTimed(t *testing.T) {
	var ran, logged []string
	slow := Step{Name: "slow", Run: func(ctx context.Context, _ *Cluster) error {
		ran = append(ran, "slow")
		// A step that takes a measurable time: waits on a timer, as a real
		// step waits on the cluster.
		<-time.After(20 * time.Millisecond)
		return nil
	}}
	c := &Cluster{}
	err := runSteps(context.Background(), c, []Step{record(&ran, "a", nil), slow, record(&ran, "b", nil)},
		func(f string, a ...any) { logged = append(logged, f) })
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ran, []string{"a", "slow", "b"}) {
		t.Errorf("ran %v", ran)
	}
	if len(c.Timings) != 3 || c.Timings[1].Name != "slow" || c.Timings[1].Duration < 20*time.Millisecond {
		t.Errorf("timings %+v", c.Timings)
	}
	if len(logged) != 6 {
		t.Errorf("every step is logged at start and end, got %d lines", len(logged))
	}
}

func TestRunStepsStopsAtTheFirstError(t *testing.T) {
	var ran []string
	c := &Cluster{}
	err := runSteps(context.Background(), c, []Step{record(&ran, "a", nil), record(&ran, "install CNI x", errors.New("apply refused")), record(&ran, "c", nil)}, func(string, ...any) {})
	if err == nil || !strings.Contains(err.Error(), `step "install CNI x": apply refused`) {
		t.Errorf("error does not name its step: %v", err)
	}
	if !slices.Equal(ran, []string{"a", "install CNI x"}) || len(c.Timings) != 1 {
		t.Errorf("ran %v, timings %+v", ran, c.Timings)
	}
}

func TestRunStepsStopsWhenCancelled(t *testing.T) {
	var ran []string
	ctx, cancel := context.WithCancel(context.Background())
	cancelling := Step{Name: "interrupted", Run: func(context.Context, *Cluster) error {
		ran = append(ran, "interrupted")
		cancel()
		return nil
	}}
	err := runSteps(ctx, &Cluster{}, []Step{cancelling, record(&ran, "never", nil)}, func(string, ...any) {})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), `"never"`) {
		t.Errorf("error = %v", err)
	}
	if slices.Contains(ran, "never") {
		t.Error("a step ran after cancellation")
	}
}

type fakeAddOn struct{}

func (fakeAddOn) Name() string     { return "fake-lb" }
func (fakeAddOn) Images() []string { return []string{"fake-lb-controller", images.Agent} }
func (fakeAddOn) Steps() []Step {
	return []Step{{Name: "apply", Images: []string{"fake-lb-speaker"}}, {Name: "wait"}}
}

func TestImagesCollectedOnceWithoutTheNodeImage(t *testing.T) {
	steps := append([]Step{
		{Name: "load images", Images: []string{images.Agent, images.NetTools}},
		{Name: "install CNI", Images: []string{"kube-router", images.Node}},
	}, addOnSteps(fakeAddOn{})...)
	steps = append(steps, Step{Name: "cross-node check", Images: []string{images.Agent}})
	got := stepImages(steps)
	want := []string{images.Agent, images.NetTools, "kube-router", "fake-lb-controller", "fake-lb-speaker"}
	if !slices.Equal(got, want) {
		t.Errorf("images %v, want %v", got, want)
	}
	if steps[2].Name != "add-on fake-lb: apply" || steps[3].Name != "add-on fake-lb: wait" {
		t.Errorf("add-on steps are not named after it: %q %q", steps[2].Name, steps[3].Name)
	}
}

func TestPlanRunsAddOnsOnACheckedCluster(t *testing.T) {
	cfg := Config{CNI: "kube-router", AddOns: []AddOn{fakeAddOn{}}}
	cfg.defaults()
	plugin, err := cni.Lookup(cfg.CNI)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range plan(cfg, plugin, false) {
		names = append(names, s.Name)
	}
	want := []string{"node image", "kind create", "egress guard", "install CNI kube-router", "wait nodes and system pods", "cross-node check", "add-on fake-lb: apply", "add-on fake-lb: wait"}
	if !slices.Equal(names, want) {
		t.Errorf("plan %q\nwant %q", names, want)
	}
	reused := plan(cfg, plugin, true)
	if reused[0].Name != "kind reuse" || reused[1].Name != "load images" {
		t.Errorf("a reused cluster's nodes are not loaded with the images: %q, %q", reused[0].Name, reused[1].Name)
	}
	for _, p := range [][]Step{plan(cfg, plugin, false), reused} {
		if got := stepImages(p); !slices.Contains(got, "kube-router") || !slices.Contains(got, "fake-lb-speaker") || !slices.Contains(got, images.NetTools) {
			t.Errorf("images of the plan: %v", got)
		}
	}
}

func TestAddOnRegistry(t *testing.T) {
	if _, err := LookupAddOns("traefik"); err == nil || !strings.Contains(err.Error(), `unknown add-on "traefik"; known: none registered yet`) {
		t.Errorf("error = %v", err)
	}
	RegisterAddOn(fakeAddOn{})
	defer delete(addOns, "fake-lb")
	got, err := LookupAddOns("fake-lb")
	if err != nil || len(got) != 1 || got[0].Name() != "fake-lb" {
		t.Errorf("LookupAddOns = %v, %v", got, err)
	}
	if _, err := LookupAddOns("fake-lb", "haproxy"); err == nil || !strings.Contains(err.Error(), "known: fake-lb") {
		t.Errorf("error must list the known add-ons: %v", err)
	}
	if !slices.Equal(KnownAddOns(), []string{"fake-lb"}) {
		t.Errorf("KnownAddOns = %v", KnownAddOns())
	}
}
