package dns

import (
	"testing"

	"github.com/netconform/netconform/framework/e2e"
)

func TestDNS(t *testing.T) { e2e.RunSuite(t, Name) }
