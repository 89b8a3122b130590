//go:build !unix

package downsampleprocessor

import "time"

// cpuTime is not measured on this platform; the benchmark then reports wall-time figures only.
func cpuTime() time.Duration { return 0 }
