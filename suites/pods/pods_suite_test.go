package pods

import (
	"testing"

	"github.com/netconform/netconform/framework/e2e"
)

func TestPods(t *testing.T) { e2e.RunSuite(t, Name) }
