package probe

import (
	"encoding/binary"
	"syscall"
)

// Route attributes the kernel's rtnetlink uses (linux/rtnetlink.h); the
// syscall package names the attribute types but not the metric.
const rtaxMTU = 2 // RTAX_MTU, inside RTA_METRICS

// routeMTU is the smallest MTU metric of the routes (IPv4 and IPv6, every
// table) that leave by the interface with index ifindex, 0 when none sets
// one or the routes cannot be read.
func routeMTU(ifindex int) int {
	rib, err := syscall.NetlinkRIB(syscall.RTM_GETROUTE, syscall.AF_UNSPEC)
	if err != nil {
		return 0
	}
	msgs, err := syscall.ParseNetlinkMessage(rib)
	if err != nil {
		return 0
	}
	smallest := 0
	for _, m := range msgs {
		if m.Header.Type != syscall.RTM_NEWROUTE {
			continue
		}
		attrs, err := syscall.ParseNetlinkRouteAttr(&m)
		if err != nil {
			continue
		}
		oif, mtu := 0, 0
		for _, a := range attrs {
			switch a.Attr.Type {
			case syscall.RTA_OIF:
				if len(a.Value) >= 4 {
					oif = int(binary.NativeEndian.Uint32(a.Value))
				}
			case syscall.RTA_METRICS:
				mtu = metric(a.Value, rtaxMTU)
			}
		}
		if oif == ifindex && mtu > 0 && (smallest == 0 || mtu < smallest) {
			smallest = mtu
		}
	}
	return smallest
}

// metric reads one metric from RTA_METRICS' nested attributes (each a
// 4-byte header, length and type, then a uint32), 0 when absent.
func metric(b []byte, typ uint16) int {
	for len(b) >= syscall.SizeofRtAttr {
		l := int(binary.NativeEndian.Uint16(b[0:2]))
		t := binary.NativeEndian.Uint16(b[2:4])
		if l < syscall.SizeofRtAttr || l > len(b) {
			return 0
		}
		if t == typ && l >= syscall.SizeofRtAttr+4 {
			return int(binary.NativeEndian.Uint32(b[syscall.SizeofRtAttr:]))
		}
		b = b[(l+syscall.RTA_ALIGNTO-1) & ^(syscall.RTA_ALIGNTO-1):]
	}
	return 0
}
