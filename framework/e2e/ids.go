package e2e

import (
	"strings"

	. "github.com/onsi/ginkgo/v2"

	"github.com/netconform/netconform/framework/report"
)

// ID labels a spec with its short, stable ID, built from parts joined by
// '-' (e.g. ID("ingress", class, "prefix-paths")): rows of the matrix,
// reruns (verify --focus ID, --label-filter id:ID) and history key on
// it, so that rewording a spec does not split its row. An ID is lower
// case letters, digits, '-' and '.', unique across every suite; the
// suites' ID test holds them to that.
func ID(parts ...string) Labels {
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return Label(report.IDPrefix + strings.Join(kept, "-"))
}
