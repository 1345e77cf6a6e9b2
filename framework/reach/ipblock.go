package reach

import (
	"fmt"
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
)

// ipBlock is a parsed NetworkPolicy ipBlock.
type ipBlock struct {
	cidr   netip.Prefix
	except []netip.Prefix
}

func compileIPBlock(b *networkingv1.IPBlock) (*ipBlock, error) {
	cidr, err := parsePrefix(b.CIDR)
	if err != nil {
		return nil, err
	}
	out := &ipBlock{cidr: cidr}
	for _, e := range b.Except {
		prefix, err := parsePrefix(e)
		if err != nil {
			return nil, fmt.Errorf("except: %w", err)
		}
		out.except = append(out.except, prefix)
	}
	return out, nil
}

// parsePrefix masks host bits: "10.0.0.1/24" means 10.0.0.0/24, which is
// how the API server has long accepted it.
func parsePrefix(s string) (netip.Prefix, error) {
	prefix, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(prefix.Addr().Unmap(), prefix.Bits()).Masked(), nil
}

// contains reports whether addr is in the CIDR and in none of the excepts.
func (b *ipBlock) contains(addr netip.Addr) bool {
	if !b.cidr.Contains(addr) {
		return false
	}
	for _, e := range b.except {
		if e.Contains(addr) {
			return false
		}
	}
	return true
}

// matchesAny reports whether one of addrs, restricted to family when it is
// set, lies in the block. No addresses never match.
func (b *ipBlock) matchesAny(addrs []netip.Addr, family corev1.IPFamily) bool {
	for _, addr := range addrs {
		if inFamily(addr, family) && b.contains(addr) {
			return true
		}
	}
	return false
}

func inFamily(addr netip.Addr, family corev1.IPFamily) bool {
	switch family {
	case corev1.IPv4Protocol:
		return addr.Is4()
	case corev1.IPv6Protocol:
		return addr.Is6()
	default:
		return true
	}
}
