package stack

import (
	"errors"
	"fmt"
	"net"
	"strconv"
)

// Port is a listening address a part needs, with the flag that changes it.
type Port struct {
	Part string
	What string
	Flag string
	Port int
}

// CheckPorts reports, all at once, every port already taken, naming the part and the flag, so a
// busy port is a clear message before anything starts instead of a part dying later.
func CheckPorts(host string, ports []Port) error {
	var errs []error
	for _, p := range ports {
		addr := net.JoinHostPort(host, strconv.Itoa(p.Port))
		l, err := net.Listen("tcp", addr)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %s port %s is already in use (change it with --%s)", p.Part, p.What, addr, p.Flag))
			continue
		}
		l.Close()
	}
	return errors.Join(errs...)
}

// FreePort asks the kernel for a free TCP port on host; tests use it to run stacks side by side.
func FreePort(host string) (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
