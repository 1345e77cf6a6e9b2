// Package report is the one outcome model of a run: the cluster, its CNI,
// and for every spec its stable ID and outcome (passed, failed,
// unsupported with the reason, skipped, pending, interrupted), and on
// failure its headline (the cause, in one line), what was expected, what
// was observed and a command to reproduce it. Everything that shows a run
// reads it: verify's progress and summary, the conformance JSON, the HTML
// matrix, report expect and report failures. FromGinkgo is the one place
// a Ginkgo spec report becomes a Spec (Ginkgo's plain data types only;
// framework/e2e runs the specs).
package report

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/netconform/netconform/framework/cni"
	"github.com/netconform/netconform/framework/feature"
)

// State is the outcome of one spec.
type State string

// States. Unsupported is a feature the cluster lacks (its CNI's profile,
// its kernels, no implementation installed): reported, not failed.
const (
	Passed      State = "passed"
	Failed      State = "failed"
	Unsupported State = "unsupported"
	Skipped     State = "skipped"
	Pending     State = "pending"
	Interrupted State = "interrupted"
)

// Report is one suite's run.
type Report struct {
	Suite   string       `json:"suite"`
	RunID   string       `json:"runID"`
	Cluster Cluster      `json:"cluster"`
	CNI     cni.Detected `json:"cni"`
	// Features is the cluster's detected feature set, each with its reason:
	// why a spec was run, or reported unsupported.
	Features feature.Set    `json:"features,omitempty"`
	Started  time.Time      `json:"started"`
	Seconds  float64        `json:"seconds"`
	Summary  map[State]int  `json:"summary"`
	Specs    []Spec         `json:"specs"`
	Extra    map[string]any `json:"extra,omitempty"`
}

// Cluster describes the cluster under test.
type Cluster struct {
	Host              string `json:"host"`
	KubernetesVersion string `json:"kubernetesVersion"`
	Nodes             int    `json:"nodes"`
	Embedded          string `json:"embedded,omitempty"` // name of the kind cluster netconform made, if it did
	Kubeconfig        string `json:"kubeconfig,omitempty"`
}

// Spec is one spec's outcome.
type Spec struct {
	// ID is the spec's short stable name (e2e.ID): rows of the matrix
	// and reruns key on it, as the text may be reworded.
	ID       string   `json:"id,omitempty"`
	Name     string   `json:"name"`
	Labels   []string `json:"labels,omitempty"`
	State    State    `json:"state"`
	Reason   string   `json:"reason,omitempty"` // skip or unsupported reason
	Failure  string   `json:"failure,omitempty"`
	Location string   `json:"location,omitempty"`
	// Expected and Observed are the truth tables of a failed matrix.
	Expected string `json:"expected,omitempty"`
	Observed string `json:"observed,omitempty"`
	// Diff compares them cell by cell, naming each cell that differs.
	Diff    string  `json:"diff,omitempty"`
	Repro   string  `json:"repro,omitempty"`
	Seconds float64 `json:"seconds"`
	// WaitedSeconds is how long the spec waited for its turn (the
	// cluster's lock, in a run that takes Disruptive specs): not in
	// Seconds, which is its own time.
	WaitedSeconds float64 `json:"waitedSeconds,omitempty"`
}

// Tally fills Summary from Specs.
func (r *Report) Tally() {
	r.Summary = map[State]int{}
	for _, s := range r.Specs {
		r.Summary[s.State]++
	}
}

// Write stores the report as indented JSON, creating the directory.
func Write(path string, r Report) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("writing conformance report: %w", err)
	}
	return nil
}

// Read loads a report written by Write.
func Read(path string) (Report, error) {
	var r Report
	data, err := os.ReadFile(path)
	if err != nil {
		return r, err
	}
	return r, json.Unmarshal(data, &r)
}

// Expect checks that every spec run with label (those a filter left out
// are not counted) ended in state want.
// It returns how many specs it checked and the ones that did not; a report
// with no such spec is an error, so that a check cannot pass vacuously.
func (r Report) Expect(label string, want State) (checked int, wrong []Spec, err error) {
	for _, s := range r.Specs {
		if !slices.Contains(s.Labels, label) || s.LeftOut() {
			continue
		}
		checked++
		if s.State != want {
			wrong = append(wrong, s)
		}
	}
	if checked == 0 {
		return 0, nil, fmt.Errorf("suite %s: no spec labelled %s ran", r.Suite, label)
	}
	return checked, wrong, nil
}
