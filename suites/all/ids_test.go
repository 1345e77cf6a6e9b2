//go:build !allsuites

package all

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/netconform/netconform/framework/report"
)

// idPattern is what an ID may be: a Ginkgo label value (no &|!,()/ and
// no spaces), lower case, that reads as a name.
var idPattern = regexp.MustCompile(`^[a-z0-9]+([.-][a-z0-9]+)*$`)

// Every spec of every suite carries one stable ID (e2e.ID), unique across
// the suites, the per-IngressClass specs of two classes included. The
// spec tree is walked by a Ginkgo dry run: no cluster, no spec runs.
func TestEverySpecHasOneUniqueID(t *testing.T) {
	t.Setenv("KUBECONFIG", "")
	if err := flag.Set("ingress-class", "class-a,class-b"); err != nil {
		t.Fatal(err)
	}
	if err := Register(); err != nil {
		t.Fatal(err)
	}
	suiteConfig, reporterConfig := GinkgoConfiguration()
	suiteConfig.DryRun = true
	reporterConfig.JSONReport = filepath.Join(t.TempDir(), "tree.json")
	reporterConfig.Succinct = true
	RunSpecs(t, "every spec's ID", suiteConfig, reporterConfig)

	data, err := os.ReadFile(reporterConfig.JSONReport)
	if err != nil {
		t.Fatal(err)
	}
	var reports []types.Report
	if err := json.Unmarshal(data, &reports); err != nil || len(reports) != 1 {
		t.Fatalf("reading the dry run's report: %v (%d reports)", err, len(reports))
	}
	seen := map[string]string{}
	specs := 0
	for _, s := range reports[0].SpecReports {
		if s.LeafNodeType != types.NodeTypeIt {
			continue
		}
		specs++
		var ids []string
		for _, l := range s.Labels() {
			if id, ok := cutID(l); ok {
				ids = append(ids, id)
			}
		}
		switch {
		case len(ids) == 0:
			t.Errorf("no ID: %s (add e2e.ID(...) to its It)", s.FullText())
		case len(ids) > 1:
			t.Errorf("%d IDs %q: %s", len(ids), ids, s.FullText())
		case !idPattern.MatchString(ids[0]):
			t.Errorf("ID %q is not lower-case words joined by - or .: %s", ids[0], s.FullText())
		case seen[ids[0]] != "":
			t.Errorf("ID %s twice:\n  %s\n  %s", ids[0], seen[ids[0]], s.FullText())
		default:
			seen[ids[0]] = s.FullText()
		}
	}
	if specs == 0 {
		t.Fatal("the dry run listed no spec")
	}
	t.Logf("%d specs, %d IDs", specs, len(seen))
}

func cutID(label string) (string, bool) { return strings.CutPrefix(label, report.IDPrefix) }
