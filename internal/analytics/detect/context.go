package detect

// The context detector, in the spirit of the Contextual Anomaly Detector (CAD OSE, Smirnov and
// Fedorov): the value is quantised into a few bins of the adaptive range, the recent sequence of
// bins forms contexts of increasing length ending at the new point, and the point is as novel as
// the share of its contexts that were never seen before, less the share the series usually has.
// Unlike CAD OSE, which is given each file's minimum and maximum, the bins follow the range the
// extreme detector keeps, and the memory is a fixed-size table of 16-bit fingerprints, so the
// state stays a fixed size and old contexts are forgotten when newer ones take their slot.
const (
	ctxBins  = 8   // value bins over the adaptive range
	ctxDepth = 4   // contexts per point: the new bin after the last 1..ctxDepth bins
	ctxSlots = 256 // fingerprints in the table (2 bytes each)

	ctxOffset = 14695981039346656037 // FNV-1a offset basis and prime, to hash a context
	ctxPrime  = 1099511628211
)

// ctxAlpha smooths the series' usual share of new contexts, so that a noisy series, where most
// contexts are new, is not always surprising.
const ctxAlpha = 0.01

// ctxScale is the default critical surprise: a point all of whose contexts are new is critical
// only in a series where at most 5% of contexts are usually new. Measured on NAB's held-out
// halves, see the README.
const ctxScale = 0.95

// contextSurprise quantises v (already inside [Min, Max]), returns how much larger the share of
// its never-seen contexts is than the series' usual share, and learns the contexts.
func (s *state) contextSurprise(v float64) float64 {
	rng := s.Max - s.Min
	b := uint8(0)
	if rng > 0 {
		b = uint8(min(ctxBins-1, int(ctxBins*(v-s.Min)/rng)))
	}
	if s.N <= ctxDepth+1 {
		// The history does not hold real bins yet: learning it would teach contexts that never
		// happened.
		s.pushBin(b)
		return 0
	}
	// Depth 1 is keyed by the bits of the bin code that flipped since the previous point (CAD
	// encodes a value by the bits of its bin, each bit a fact; these are the facts that changed),
	// so a jump reads the same wherever it starts in the range; each further depth adds the bin
	// one point earlier.
	h := uint64(ctxOffset)
	unseen := 0
	for k := range ctxDepth {
		key := s.CtxBins[ctxDepth-1-k]
		if k == 0 {
			key ^= b
		}
		h = (h ^ uint64(key) ^ uint64(k+1)<<8) * ctxPrime
		if !s.remember(mix(h)) {
			unseen++
		}
	}
	s.pushBin(b)
	share := float64(unseen) / ctxDepth
	surprise := share - s.CtxUsual
	s.CtxUsual += ctxAlpha * (share - s.CtxUsual)
	return max(0, surprise)
}

// mix spreads the bits of a context's hash, so that its two slots and its tag are independent.
func mix(h uint64) uint64 {
	h ^= h >> 29
	h *= 0xbf58476d1ce4e5b9
	return h ^ h>>32
}

// pushBin appends the newest bin to the history.
func (s *state) pushBin(b uint8) {
	copy(s.CtxBins[:], s.CtxBins[1:])
	s.CtxBins[ctxDepth-1] = b
}

// remember reports whether the context with hash m is in the table, and puts it there. Each
// context has two candidate slots (two-choice hashing): with one slot, two contexts of the same
// recurring pattern that share it would evict each other for ever, and the pattern would never
// look known. A new context takes a free candidate, else one of the two in turn.
func (s *state) remember(m uint64) bool {
	a, b, tag := m%ctxSlots, (m>>16)%ctxSlots, uint16(m>>48)|1
	if s.CtxTab[a] == tag || s.CtxTab[b] == tag {
		return true
	}
	switch {
	case s.CtxTab[a] == 0:
	case s.CtxTab[b] == 0 || s.N&1 == 1:
		a = b
	}
	s.CtxTab[a] = tag
	return false
}
