package ingress

// Behaviour is one part of the Ingress contract a spec holds a
// controller to.
type Behaviour string

// The behaviours of suites/ingress, one per spec.
const (
	GuideExample    Behaviour = "the guide's example"
	HostRouting     Behaviour = "host routing and wildcard hosts"
	PrefixPaths     Behaviour = "Prefix paths matched by path element"
	ExactPaths      Behaviour = "Exact paths"
	LongestMatch    Behaviour = "the longest path wins"
	ExactOverPrefix Behaviour = "Exact beats Prefix of the same path"
	DefaultBackend  Behaviour = "spec.defaultBackend"
	TLSTermination  Behaviour = "TLS termination"
	ClassIsolation  Behaviour = "Ingresses of another class left alone"
	DefaultClass    Behaviour = "class-less Ingresses served by the default class"
	StatusAddress   Behaviour = "status.loadBalancer"
	Updates         Behaviour = "changes applied"
	NoEndpoints     Behaviour = "5xx for a backend without endpoints"
)

// Profile is what a controller is known not to do, from its
// descriptor's Lacks.
type Profile struct {
	Controller string
	Lacks      map[Behaviour]string
}

// ProfileFor returns the profile of c's controller (empty when unknown:
// it is held to the whole contract).
func ProfileFor(c *Controller) Profile {
	d := DescriptorFor(c.Name)
	if d == nil {
		return Profile{Controller: c.Name}
	}
	name := d.Product
	if d.Version != "" {
		name += " " + d.Version
	}
	return Profile{Controller: name, Lacks: d.Lacks}
}

// Missing says why the controller does not do b ("" when it should).
func (p Profile) Missing(b Behaviour) string {
	if why, ok := p.Lacks[b]; ok {
		return p.Controller + " does not do " + string(b) + ": " + why
	}
	return ""
}
