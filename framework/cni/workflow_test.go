package cni

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/yaml"
)

// The CI workflow's offline rows are the CNIs `netconform cni list` names
// (Known), taken from a job that runs it, not a list written into the
// workflow that a new CNI's author must remember to extend.
func TestWorkflowRowsFromCNIList(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", ".github", "workflows", "ci.yml"))
	if err != nil {
		t.Fatal(err)
	}
	js, err := yaml.ToJSON(raw)
	if err != nil {
		t.Fatalf("ci.yml: %v", err)
	}
	type job struct {
		Needs    any `json:"needs"`
		Strategy struct {
			Matrix map[string]any `json:"matrix"`
		} `json:"strategy"`
		Steps []struct {
			Run string `json:"run"`
		} `json:"steps"`
	}
	var wf struct {
		Jobs map[string]job `json:"jobs"`
	}
	if err := json.Unmarshal(js, &wf); err != nil {
		t.Fatalf("ci.yml: %v", err)
	}
	offline, ok := wf.Jobs["offline"]
	if !ok {
		t.Fatal("ci.yml has no offline job")
	}
	rows, _ := offline.Strategy.Matrix["cni"].(string)
	m := regexp.MustCompile(`^\$\{\{\s*fromJSON\(needs\.([\w-]+)\.outputs\.[\w-]+\)\s*\}\}$`).FindStringSubmatch(rows)
	if m == nil {
		t.Fatalf("the offline rows are %v, written into the workflow; want ${{ fromJSON(needs.<job>.outputs.<name>) }} from a job that runs `netconform cni list` (it names %s)",
			offline.Strategy.Matrix["cni"], strings.Join(Known(), ", "))
	}
	lister, ok := wf.Jobs[m[1]]
	if !ok {
		t.Fatalf("the offline rows come from job %s, which ci.yml does not have", m[1])
	}
	if needs, _ := json.Marshal(offline.Needs); !strings.Contains(string(needs), `"`+m[1]+`"`) {
		t.Errorf("the offline job does not need %s, whose output it reads (needs: %s)", m[1], needs)
	}
	listed := false
	for _, s := range lister.Steps {
		listed = listed || strings.Contains(s.Run, "cni list")
	}
	if !listed {
		t.Errorf("job %s runs no `netconform cni list`", m[1])
	}
}
