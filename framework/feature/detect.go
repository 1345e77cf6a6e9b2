package feature

import (
	"context"
	"fmt"
	"sync"

	"k8s.io/client-go/kubernetes"

	"github.com/netconform/netconform/framework/probe"
)

// Input is what detectors read of the cluster under test.
type Input struct {
	Client kubernetes.Interface
	// Profile is what the detected CNI's descriptor declares, as configured.
	Profile Profile
	// Agent is a running agent pod to probe from; nil when there is none,
	// and detectors that need one then leave their features alone.
	Agent *Agent
}

// Profile is what is known of a CNI: the features it lacks, and why.
type Profile struct {
	CNI         string             // name (and version) of the CNI, for reasons
	Unsupported map[Feature]string // feature -> reason
}

// Agent is an agent pod (framework/agent) running on some node.
type Agent struct {
	Node string
	// Echo is the host:port of its own echo server.
	Echo string
	// Run executes a probe batch in the pod.
	Run func(ctx context.Context, b probe.Batch) (probe.BatchResult, error)
}

// Detector fills part of a Set.
type Detector interface {
	Name() string
	Detect(ctx context.Context, in Input, set Set) error
}

// DetectorFunc makes a Detector of a function.
func DetectorFunc(name string, fn func(ctx context.Context, in Input, set Set) error) Detector {
	return detectorFunc{name, fn}
}

type detectorFunc struct {
	name string
	fn   func(context.Context, Input, Set) error
}

func (d detectorFunc) Name() string                                      { return d.name }
func (d detectorFunc) Detect(ctx context.Context, in Input, s Set) error { return d.fn(ctx, in, s) }

var (
	detectorsMu sync.Mutex
	detectors   []Detector
)

// RegisterDetector adds a detector every Detect runs, after the ones
// registered before it. The Ingress controllers and LoadBalancer
// implementations netconform installs register theirs.
func RegisterDetector(d Detector) {
	detectorsMu.Lock()
	defer detectorsMu.Unlock()
	detectors = append(detectors, d)
}

// Detectors lists the registered detectors, in order.
func Detectors() []Detector {
	detectorsMu.Lock()
	defer detectorsMu.Unlock()
	return append([]Detector(nil), detectors...)
}

// ProfileDetector turns the CNI's declared profile into the Set.
var ProfileDetector = DetectorFunc("CNI profile", detectProfile)

func init() {
	RegisterDetector(ProfileDetector)
	RegisterDetector(DetectorFunc("kernel SCTP", detectKernelSCTP))
	RegisterDetector(DetectorFunc("IngressClasses", detectIngress))
	RegisterDetector(DetectorFunc("dual-stack", detectDualStack))
}

// Detect runs the given detectors (the registered ones when none is given)
// and returns the Set with an entry for every registered feature. An error
// names the detector that failed.
func Detect(ctx context.Context, in Input, ds ...Detector) (Set, error) {
	if len(ds) == 0 {
		ds = Detectors()
	}
	set := Set{}
	for _, d := range ds {
		if err := d.Detect(ctx, in, set); err != nil {
			return nil, fmt.Errorf("detecting features (%s): %w", d.Name(), err)
		}
	}
	for _, f := range All() {
		if _, ok := set[f]; !ok {
			set[f] = Support{true, "no detector found it missing: the cluster is held to it"}
		}
	}
	return set, nil
}

// detectProfile turns the CNI's declared deviations into the Set.
func detectProfile(_ context.Context, in Input, set Set) error {
	for f, reason := range in.Profile.Unsupported {
		set.Missing(f, fmt.Sprintf("%s (profile of %s)", reason, in.Profile.CNI))
	}
	return nil
}
