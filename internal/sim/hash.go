package sim

import (
	"hash/fnv"
	"math"
)

// mix is the splitmix64 finalizer: a cheap, well-distributed hash step. Every random-looking
// choice in the simulator is a hash of the seed and names, never a stateful generator, so a
// value depends only on its inputs and not on the order of queries.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// hashOf combines the seed with strings and integers into one 64-bit value.
func hashOf(seed int64, parts ...any) uint64 {
	h := mix(uint64(seed))
	for _, p := range parts {
		switch v := p.(type) {
		case string:
			f := fnv.New64a()
			_, _ = f.Write([]byte(v))
			h = mix(h ^ f.Sum64())
		case int:
			h = mix(h ^ uint64(v))
		case int64:
			h = mix(h ^ uint64(v))
		case uint64:
			h = mix(h ^ v)
		default:
			panic("hashOf: unsupported part type")
		}
	}
	return h
}

// unit maps a hash to [0, 1).
func unit(h uint64) float64 { return float64(h>>11) / (1 << 53) }

// between maps a hash to [lo, hi).
func between(h uint64, lo, hi float64) float64 { return lo + unit(h)*(hi-lo) }

// gauss maps a hash to a standard normal value (Box-Muller on two derived uniforms).
func gauss(h uint64) float64 {
	u1 := unit(mix(h ^ 1))
	u2 := unit(mix(h ^ 2))
	if u1 < 1e-12 {
		u1 = 1e-12
	}
	return math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
}

// pick chooses one element by hash.
func pick[T any](h uint64, xs []T) T { return xs[h%uint64(len(xs))] }
