module github.com/netconform/netconform/build/cilium

go 1.26.0

require github.com/cilium/cilium v1.20.2

// The gobgp pseudo-version this Cilium asks for is refused by the
// module proxy (403); v4.6.0 is served and builds (resolve with
// GONOSUMDB=github.com/osrg/gobgp).
replace github.com/osrg/gobgp/v4 => github.com/osrg/gobgp/v4 v4.6.0

// sigs.k8s.io/mcs-api/controllers is refused (403); the operator needs
// one constant of it, which our stand-in module provides.
replace sigs.k8s.io/mcs-api/controllers => ./mcsapi
