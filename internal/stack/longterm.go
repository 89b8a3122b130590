package stack

import (
	"fmt"
	"path/filepath"
	"strconv"
	"time"
)

// longTermProcess is the second Prometheus: the downsample processor's reduced stream arrives
// there by remote write, kept for LongTermRetention and read with LongTermLookback, the
// processor's lookback, so a last-value read finds no gap the raw stream does not have. It runs
// without rules: alerting reads the raw stream.
func longTermProcess(o Options, l layout) *Process {
	hp := o.Host + ":" + strconv.Itoa(o.LongTermPort)
	return &Process{
		Name: LongTerm,
		Path: filepath.Join(o.BinDir, "prometheus"),
		Args: []string{
			"--config.file=" + l.LongTermConfig,
			"--storage.tsdb.path=" + l.LongTermData,
			"--storage.tsdb.retention.time=" + promDuration(o.LongTermRetention),
			"--query.lookback-delta=" + promDuration(o.LongTermLookback),
			"--web.listen-address=" + hp,
			"--web.enable-remote-write-receiver",
		},
		Dir:      filepath.Dir(l.LongTermConfig),
		ReadyURL: "http://" + hp + "/-/ready",
	}
}

// promDuration writes d in Prometheus' duration syntax (whole days, hours, minutes or seconds).
func promDuration(d time.Duration) string {
	for _, u := range []struct {
		unit time.Duration
		name string
	}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}} {
		if d%u.unit == 0 {
			return fmt.Sprintf("%d%s", d/u.unit, u.name)
		}
	}
	return fmt.Sprintf("%ds", int64(d.Round(time.Second)/time.Second))
}

// LongTermLateWindow is the long-term Prometheus' out-of-order window, for its configuration
// template: a kept sample reaches it up to one lookback after its own time (the downsampler
// keeps a segment's sample at the segment's start and closes the segment at most a lookback
// later), plus the raw stream's own 4h (backfill, write-ahead-log replay).
func (o Options) LongTermLateWindow() string { return promDuration(o.LongTermLookback + 4*time.Hour) }
