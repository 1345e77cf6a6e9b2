package probe

import (
	"context"
	"fmt"
	"net"
	"strings"
)

// resolver is Go's own stub resolver, so resolv.conf (search list, ndots,
// nameservers) is read exactly as written in the pod, with no libc in the
// way; the agent is a static binary anyway.
var resolver = &net.Resolver{PreferGo: true}

func probeDNS(ctx context.Context, name, qtype string) Result {
	qtype = strings.ToUpper(strings.TrimSpace(qtype))
	switch qtype {
	case "", DNSTypeA:
		return lookupAddrs(ctx, name, DNSTypeA)
	case DNSTypeAAAA:
		return lookupAddrs(ctx, name, DNSTypeAAAA)
	case DNSTypeSRV:
		return lookupSRV(ctx, name)
	case DNSTypeCNAME:
		cname, err := resolver.LookupCNAME(ctx, name)
		if err != nil {
			return fail(fmt.Errorf("dns CNAME %s: %w", name, err))
		}
		return Result{Verdict: Connected, CNAME: cname}
	}
	return Result{Verdict: Failed, Error: fmt.Sprintf("dns %s: unsupported record type %q", name, qtype)}
}

// lookupAddrs asks only for the one family, so a broken AAAA setup cannot
// fail an A probe (or the other way round).
func lookupAddrs(ctx context.Context, name, qtype string) Result {
	network := "ip4"
	if qtype == DNSTypeAAAA {
		network = "ip6"
	}
	ips, err := resolver.LookupNetIP(ctx, network, name)
	if err != nil {
		return fail(fmt.Errorf("dns %s %s: %w", qtype, name, err))
	}
	var addrs []string
	for _, ip := range ips {
		ip = ip.Unmap()
		if (network == "ip4") == ip.Is4() {
			addrs = append(addrs, ip.String())
		}
	}
	if len(addrs) == 0 {
		return inconclusive("dns %s %s: answer without addresses of that family", qtype, name)
	}
	return Result{Verdict: Connected, Addrs: addrs}
}

// lookupSRV takes the full record name (_port._proto.svc.ns.svc.cluster.local
// or a short form the search list completes), hence empty service and proto.
func lookupSRV(ctx context.Context, name string) Result {
	_, recs, err := resolver.LookupSRV(ctx, "", "", name)
	if err != nil {
		return fail(fmt.Errorf("dns SRV %s: %w", name, err))
	}
	if len(recs) == 0 {
		return inconclusive("dns SRV %s: empty answer", name)
	}
	out := make([]SRV, len(recs))
	for i, s := range recs {
		out[i] = SRV{Target: s.Target, Port: s.Port, Priority: s.Priority, Weight: s.Weight}
	}
	return Result{Verdict: Connected, SRV: out}
}
