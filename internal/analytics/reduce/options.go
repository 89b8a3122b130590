package reduce

import (
	"fmt"
	"math"
)

// Algorithm selects which segment kinds the compressor may use.
type Algorithm uint8

const (
	// Auto runs Mixed while it analyses the first samples of a series, then switches to the
	// algorithm its class asks for (see Classify).
	Auto Algorithm = iota
	// Constant uses piecewise-constant segments only (PMC-Mean: the mean clamped into the band).
	Constant
	// Linear uses connected and disconnected linear segments (the swing filter family).
	Linear
	// Mixed lets constant, connected-linear and disconnected-linear segments compete for every
	// segment; the one that covers most samples wins.
	Mixed
	// Counter keeps original samples only, linear between them, and both sides of every reset,
	// so increase() between kept samples is exact.
	Counter
	// Vertex keeps original samples only, linear between them, like Counter without treating a
	// decrease as a reset. Every kept value is exact, so turning points and spikes that become
	// knots keep their height: at a fixed budget (large tolerance) that is what keeps spikes.
	Vertex
	// Hold keeps one sample per piecewise-constant segment, at the segment's first sample, and
	// re-emits so that no two kept samples are more than Lookback apart: read as PromQL reads
	// (the last sample within the lookback), every sample is within the tolerance and no gap
	// appears where the input had none (PMC-MR, placed for last-value reads; see DESIGN.md).
	Hold
)

var algorithmNames = [...]string{"auto", "constant", "linear", "mixed", "counter", "vertex", "hold"}

// Reader says how the store behind reads the kept samples, which decides what the tolerance
// is guaranteed against.
type Reader uint8

const (
	// ReaderLinear rebuilds by straight lines between kept samples (Reconstruct); only a reader
	// that interpolates, not PromQL, sees the bound.
	ReaderLinear Reader = iota
	// ReaderLastValue reads the last kept sample at or before a time, within a lookback, as
	// PromQL does in Prometheus, Mimir, Thanos and VictoriaMetrics (ReadLast).
	ReaderLastValue
)

var readerNames = [...]string{"linear", "last_value"}

// String returns the configuration name of the reader.
func (r Reader) String() string {
	if int(r) < len(readerNames) {
		return readerNames[r]
	}
	return fmt.Sprintf("reader(%d)", uint8(r))
}

// ParseReader maps a configuration name to a Reader.
func ParseReader(s string) (Reader, error) {
	for i, n := range readerNames {
		if n == s {
			return Reader(i), nil
		}
	}
	return 0, fmt.Errorf("unknown reader %q, want one of %v", s, readerNames)
}

// ForReader reports whether the algorithm's guarantee holds for reader r: the linear kinds
// (constant, linear, mixed, vertex) only for a linear reader, hold only for last-value reads,
// auto and counter for both (counter guarantees increase() between kept samples).
func (a Algorithm) ForReader(r Reader) bool {
	switch a {
	case Auto, Counter:
		return true
	case Hold:
		return r == ReaderLastValue
	}
	return r == ReaderLinear
}

// String returns the configuration name of the algorithm.
func (a Algorithm) String() string {
	if int(a) < len(algorithmNames) {
		return algorithmNames[a]
	}
	return fmt.Sprintf("algorithm(%d)", uint8(a))
}

// ParseAlgorithm maps a configuration name to an Algorithm.
func ParseAlgorithm(s string) (Algorithm, error) {
	for i, n := range algorithmNames {
		if n == s {
			return Algorithm(i), nil
		}
	}
	return 0, fmt.Errorf("unknown algorithm %q, want one of %v", s, algorithmNames)
}

// Options configures a Compressor. One Options value is shared by every series of a rule, so
// a series pays only for a pointer.
type Options struct {
	// Algorithm forces segment kinds; Auto chooses per series.
	Algorithm Algorithm
	// Absolute is the largest allowed reconstruction error in the series' unit.
	Absolute float64
	// Relative is the largest allowed error as a fraction of the series' recent range
	// (max-min over the last one to two RangeBlock samples). The effective tolerance is
	// max(Absolute, Relative*range).
	Relative float64
	// RangeBlock is the number of samples per block of the recent-range tracker; 0 means the
	// range of the whole history.
	RangeBlock int
	// Scale, when set, multiplies the tolerance; a budget controller shared by many series
	// moves it to keep a target share of samples. Each sample is then bound by the tolerance
	// in force when it arrived.
	Scale *float64
	// MaxSegment closes a segment that spans longer than this many nanoseconds, so a flat
	// series still emits a sample now and then; 0 means no limit.
	MaxSegment int64
	// Snap ends a linear segment on the last sample's own value when that is feasible, instead
	// of the least-squares fit: knots then fall on real turning points.
	Snap bool
	// AnalysisSamples is how many samples Auto looks at before choosing; 0 means 32.
	AnalysisSamples int
	// Reader is how the kept samples will be read. With ReaderLastValue, Auto runs Hold.
	Reader Reader
	// Lookback, in nanoseconds, is the store's lookback (Prometheus' --query.lookback-delta):
	// Hold, Counter and Vertex keep samples at most this far apart, and keep the last sample
	// before a silence longer than it, so a last-value read has a value wherever the input had
	// one. 0 means unbounded.
	Lookback int64
	// MaxDelay, in nanoseconds, makes Hold send a segment's kept sample once the segment spans
	// this long instead of when it closes, fixing its value: later samples extend the segment
	// only while within the tolerance of that value. It bounds how late a kept sample arrives
	// and what a crash loses (the open segment) at a small cost in samples kept. 0 means
	// when the segment closes (at most one lookback).
	MaxDelay int64
}

// Validate reports options that cannot work.
func (o *Options) Validate() error {
	switch {
	case o.Algorithm > Hold:
		return fmt.Errorf("unknown algorithm %d", o.Algorithm)
	case o.Reader > ReaderLastValue:
		return fmt.Errorf("unknown reader %d", o.Reader)
	case !o.Algorithm.ForReader(o.Reader):
		return fmt.Errorf("algorithm %s is not bounded for %s reads", o.Algorithm, o.Reader)
	case !(o.Absolute >= 0) || math.IsInf(o.Absolute, 0):
		return fmt.Errorf("absolute tolerance must be a finite number >= 0, got %v", o.Absolute)
	case !(o.Relative >= 0) || o.Relative > 1:
		return fmt.Errorf("relative tolerance must be in [0, 1], got %v", o.Relative)
	case o.Absolute == 0 && o.Relative == 0:
		return fmt.Errorf("absolute or relative tolerance must be > 0")
	case o.RangeBlock < 0 || o.MaxSegment < 0 || o.AnalysisSamples < 0 || o.Lookback < 0 || o.MaxDelay < 0:
		return fmt.Errorf("range block, max segment, analysis samples, lookback and max delay must be >= 0")
	}
	return nil
}
