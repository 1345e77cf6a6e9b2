package netpol

import (
	"testing"

	"github.com/netconform/netconform/framework/e2e"
)

func TestNetworkPolicy(t *testing.T) { e2e.RunSuite(t, Name) }
