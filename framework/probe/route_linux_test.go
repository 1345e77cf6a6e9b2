package probe

import (
	"encoding/binary"
	"net"
	"testing"
)

// rtattr encodes one route attribute as the kernel does: length and type,
// the value, padding to 4 bytes.
func rtattr(typ uint16, value []byte) []byte {
	b := make([]byte, 4, 4+len(value)+3)
	binary.NativeEndian.PutUint16(b[0:2], uint16(4+len(value)))
	binary.NativeEndian.PutUint16(b[2:4], typ)
	b = append(b, value...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

func u32(v uint32) []byte { return binary.NativeEndian.AppendUint32(nil, v) }

// The MTU is found among other metrics (RTAX_ADVMSS 8, RTAX_HOPLIMIT 10)
// whatever their order, and absent means 0.
func TestMetricFindsTheMTUAmongOthers(t *testing.T) {
	nested := append(append(rtattr(8, u32(1410)), rtattr(rtaxMTU, u32(1450))...), rtattr(10, u32(64))...)
	if got := metric(nested, rtaxMTU); got != 1450 {
		t.Errorf("metric = %d, want 1450", got)
	}
	if got := metric(rtattr(8, u32(1410)), rtaxMTU); got != 0 {
		t.Errorf("metric without an MTU = %d, want 0", got)
	}
	if got := metric([]byte{0xff, 0xff, 2, 0}, rtaxMTU); got != 0 {
		t.Errorf("metric of a truncated attribute = %d, want 0", got)
	}
}

// On this host the routing table is read: loopback's routes set no MTU.
func TestRouteMTUReadsTheRoutingTable(t *testing.T) {
	lo, err := net.InterfaceByName("lo")
	if err != nil {
		t.Skip("no loopback interface: ", err)
	}
	if got := routeMTU(lo.Index); got != 0 {
		t.Errorf("routeMTU(lo) = %d, want 0 (loopback's routes set no MTU)", got)
	}
}

// A route MTU below the interface's is the pod's; above it, or absent,
// the interface's.
func TestPathMTUIsTheSmallerOfInterfaceAndRoutes(t *testing.T) {
	for _, c := range []struct {
		env  Env
		want int
		says string
	}{
		{Env{Interface: "eth0", MTU: 1500, RouteMTU: 1450}, 1450, "pod interface eth0 has MTU 1500, its routes MTU 1450"},
		{Env{Interface: "eth0", MTU: 1450}, 1450, "pod interface eth0 has MTU 1450"},
		{Env{Interface: "eth0", MTU: 1450, RouteMTU: 9000}, 1450, "pod interface eth0 has MTU 1450"},
	} {
		if got := c.env.PathMTU(); got != c.want {
			t.Errorf("%+v: PathMTU = %d, want %d", c.env, got, c.want)
		}
		if got := c.env.DescribeMTU(); got != c.says {
			t.Errorf("%+v: DescribeMTU = %q, want %q", c.env, got, c.says)
		}
	}
}
