package feature

import (
	"sort"
	"strings"
)

// Support is whether the cluster supports a feature, and why.
type Support struct {
	Supported bool   `json:"supported"`
	Reason    string `json:"reason"`
}

// Set is the detected support of every feature. A feature with no entry is
// supported: a cluster is held to the whole contract unless a detector says
// otherwise.
type Set map[Feature]Support

// Supports reports whether the feature is supported, and why.
func (s Set) Supports(f Feature) (bool, string) {
	sup, ok := s[f]
	if !ok {
		return true, "no detector found it missing"
	}
	return sup.Supported, sup.Reason
}

// Missing records that the cluster lacks f. One detector's "missing" wins
// over another's "present": a feature is only as supported as its weakest
// part (an SCTP-capable CNI on kernels without SCTP).
func (s Set) Missing(f Feature, reason string) {
	if cur, ok := s[f]; ok && !cur.Supported {
		s[f] = Support{false, join(cur.Reason, reason)}
		return
	}
	s[f] = Support{false, reason}
}

// Present records that the cluster has f, unless a detector found it missing.
func (s Set) Present(f Feature, reason string) {
	cur, ok := s[f]
	switch {
	case !ok:
		s[f] = Support{true, reason}
	case cur.Supported:
		s[f] = Support{true, join(cur.Reason, reason)}
	}
}

func join(a, b string) string {
	if a == "" || a == b {
		return b
	}
	return a + "; " + b
}

// Entry is one feature of a Set, for listing.
type Entry struct {
	Feature Feature
	Support
}

// Entries lists the set sorted by feature name.
func (s Set) Entries() []Entry {
	out := make([]Entry, 0, len(s))
	for f, sup := range s {
		out = append(out, Entry{f, sup})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Feature < out[j].Feature })
	return out
}

// String lists the set one feature per line.
func (s Set) String() string {
	var b strings.Builder
	for _, e := range s.Entries() {
		state := "unsupported"
		if e.Supported {
			state = "supported"
		}
		b.WriteString(string(e.Feature) + ": " + state + " (" + e.Reason + ")\n")
	}
	return b.String()
}
