//go:build unix

package downsampleprocessor

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time this process has used (user and system, all threads), so a
// benchmark can report throughput per CPU-second, which other work on a shared machine does
// not distort the way it distorts wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
