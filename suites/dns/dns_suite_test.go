package dns

import (
	"testing"

	// The ginkgo CLI takes a package for a Ginkgo suite only when one of
	// its test files imports Ginkgo (the specs are in ordinary files, for
	// netconform verify); otherwise it runs it as a plain go test and
	// drops -p and the arguments after --.
	_ "github.com/onsi/ginkgo/v2"

	"github.com/netconform/netconform/framework/e2e"
)

func TestDNS(t *testing.T) { e2e.RunSuite(t, Name) }
