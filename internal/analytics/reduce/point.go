package reduce

// Point is one sample: a Unix-nanosecond timestamp and a value.
type Point struct {
	T int64
	V float64
}

// Status says what the compressor did with a pushed sample.
type Status uint8

const (
	// Accepted means the sample entered the current segment.
	Accepted Status = iota
	// Duplicate means a sample with the same timestamp was already seen; it was dropped and the
	// first one kept.
	Duplicate
	// OutOfOrder means the sample is older than the last one seen; it was dropped.
	OutOfOrder
	// NonFinite means the value is NaN or ±Inf; the open segment was closed and the sample kept
	// verbatim, so gaps and staleness markers survive.
	NonFinite
)

// String names the status for reports and self-metric attributes.
func (s Status) String() string {
	switch s {
	case Accepted:
		return "accepted"
	case Duplicate:
		return "duplicate"
	case OutOfOrder:
		return "out_of_order"
	case NonFinite:
		return "non_finite"
	}
	return "unknown"
}
