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

// Profile is what a controller is known not to do, each with the reason
// one can point to (its documentation, its code, a run of this suite).
// Like a CNI profile, it turns a known deviation into a reported
// NotSupported instead of a failure; a deviation is recorded only after
// a run has shown it.
type Profile struct {
	Controller string
	Lacks      map[Behaviour]string
}

// profiles by IngressClass spec.controller. Empty until a run shows a
// deviation: a controller is held to the whole contract by default.
var profiles = map[string]Profile{
	"traefik.io/ingress-controller": {Controller: "Traefik v3.6", Lacks: map[Behaviour]string{
		// Seen on nc-ing (run 9fe9de80): GET /same went to the Prefix
		// /same backend, through the NodePort, twice in a row for 60 s.
		// Checked in v3.6.15's code: pkg/muxer/http/mux.go GetRulePriority
		// is len(rule) (documented in "Rules & Priority" of its routing
		// reference), and with strict prefix matching a Prefix /same is
		// built as (Path("/same") || PathPrefix("/same/"))
		// (pkg/provider/kubernetes/ingress/kubernetes.go
		// buildStrictPrefixMatchingRule), a longer rule than Path("/same").
		ExactOverPrefix: "Traefik ranks routers by the length of their rule (pkg/muxer/http GetRulePriority; docs: routing reference, Rules & Priority), and a strict Prefix /same becomes (Path(\"/same\") || PathPrefix(\"/same/\")), longer than the Exact path's Path(\"/same\"), so the Prefix path takes requests for an Exact path of the same value",
	}},
}

// ProfileFor returns the profile of c's controller (empty when unknown).
func ProfileFor(c *Controller) Profile {
	p, ok := profiles[c.Name]
	if !ok {
		p = Profile{Controller: c.Name}
	}
	return p
}

// Missing says why the controller does not do b ("" when it should).
func (p Profile) Missing(b Behaviour) string {
	if why, ok := p.Lacks[b]; ok {
		return p.Controller + " does not do " + string(b) + ": " + why
	}
	return ""
}
