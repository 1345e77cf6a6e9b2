package services

import (
	"testing"

	"github.com/netconform/netconform/framework/e2e"
)

func TestServices(t *testing.T) { e2e.RunSuite(t, Name) }
