package e2e

import (
	"flag"
	"fmt"
	"os"

	"github.com/netconform/netconform/framework/images"
)

// EnvImageRegistry sets the registry the suites' images are pulled from,
// like -image-registry (which wins when both are given).
const EnvImageRegistry = "NETCONFORM_IMAGE_REGISTRY"

// registryFlag is -image-registry. Setting it applies the registry to the
// whole process (images.SetRegistry) as flags are parsed, so every
// parallel Ginkgo process, which parses the same flags, starts its pods
// from the same registry before any spec runs.
type registryFlag struct{}

func (registryFlag) String() string     { return images.Registry() }
func (registryFlag) Set(v string) error { return images.SetRegistry(v) }

// registryEnvErr is a NETCONFORM_IMAGE_REGISTRY that cannot be a registry:
// preflight reports it, as an init function cannot fail the run.
var registryEnvErr error

func init() {
	flag.Var(registryFlag{}, "image-registry", "registry (host[:port][/path]) holding the images the suites start — "+
		images.Ref(images.Agent)+" and the Disruptive specs' "+images.Ref(images.NetTools)+" — under their own paths, "+
		"e.g. reg.example:5000 for reg.example:5000/netconform/agent (push them with: netconform images push --registry R; also $"+EnvImageRegistry+")")
	if env := os.Getenv(EnvImageRegistry); env != "" {
		if err := images.SetRegistry(env); err != nil {
			registryEnvErr = fmt.Errorf("$%s: %w", EnvImageRegistry, err)
		}
	}
}
