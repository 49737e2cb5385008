package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// ErrForbiddenAddress means a URL resolves to an address outside the public
// internet (loopback, private, link-local such as 169.254.169.254, …) that
// no allow-list entry permits: sending there would be SSRF.
var ErrForbiddenAddress = errors.New("destination address is not allowed")

// blocked are the ranges a user-supplied URL must not reach by default.
var blocked = mustPrefixes(
	"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
	"192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
	"203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
	"::/128", "::1/128", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001::/32", "2001:db8::/32", "2002::/16",
	"fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
)

func mustPrefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

// Guard decides which addresses outgoing requests may connect to. The zero
// Guard (and a nil *Guard) allows only public addresses.
type Guard struct {
	// Allow lists ranges an admin permits despite being non-public, e.g.
	// 127.0.0.0/8 for `vox demo`'s local receiver or an internal CRM.
	Allow []netip.Prefix
}

// ParseAllow parses a comma- or space-separated list of CIDR ranges or
// single addresses ("127.0.0.1/8, ::1").
func ParseAllow(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("allowed range %q: not a CIDR range or address", f)
		}
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// LoopbackOnly is the allow-list of a local demo: loopback in both families.
var LoopbackOnly = mustPrefixes("127.0.0.0/8", "::1/128")

// CheckAddr returns ErrForbiddenAddress for an address that is not public
// and not allowed. IPv4-mapped IPv6 addresses are judged as IPv4.
func (g *Guard) CheckAddr(a netip.Addr) error {
	a = a.Unmap().WithZone("")
	if g != nil {
		for _, p := range g.Allow {
			if p.Contains(a) {
				return nil
			}
		}
	}
	for _, p := range blocked {
		if p.Contains(a) {
			return fmt.Errorf("%w: %s is in %s", ErrForbiddenAddress, a, p)
		}
	}
	if !a.IsGlobalUnicast() {
		return fmt.Errorf("%w: %s", ErrForbiddenAddress, a)
	}
	return nil
}

// CheckURL validates a URL when it is saved: http(s), a host, no
// credentials, and — when the host is a literal IP — an allowed address.
// Hostnames are checked again at every connection (see Dialer), since DNS
// can change between saving and sending.
func (g *Guard) CheckURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("invalid URL: %w", err)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return nil, errors.New("URL must be http or https")
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, errors.New("URL needs a host")
	}
	if u.User != nil {
		return nil, errors.New("URL must not contain credentials")
	}
	if a, err := netip.ParseAddr(u.Hostname()); err == nil {
		if err := g.CheckAddr(a); err != nil {
			return nil, err
		}
	} else if h := strings.ToLower(strings.TrimSuffix(u.Hostname(), ".")); h == "localhost" || strings.HasSuffix(h, ".localhost") {
		if err := g.CheckAddr(netip.MustParseAddr("127.0.0.1")); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// Dialer returns a dialer that refuses forbidden addresses in its Control
// hook, i.e. after DNS resolution and for every connection attempt: this
// covers hostnames that resolve to private addresses, DNS rebinding between
// check and use, and redirects (each hop dials anew).
func (g *Guard) Dialer(timeout time.Duration) *net.Dialer {
	return &net.Dialer{
		Timeout: timeout,
		Control: func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("%w: %s", ErrForbiddenAddress, address)
			}
			return g.CheckAddr(ap.Addr())
		},
	}
}

// DialContext is Dialer(timeout).DialContext, for http.Transport.
func (g *Guard) DialContext(timeout time.Duration) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return g.Dialer(timeout).DialContext
}
