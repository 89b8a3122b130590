package downsampleprocessor

import (
	"hash/maphash"
	"math"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// mix is a 64-bit finaliser (splitmix64), so combined hashes spread well.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// hashMap hashes attributes independently of their order, without sorting: the sum of a hash
// per key-value pair (keys are unique within a map, so pairs cannot cancel).
func hashMap(seed maphash.Seed, m pcommon.Map) uint64 {
	var h uint64
	for k, v := range m.All() {
		h += mix(maphash.String(seed, k) ^ hashValue(seed, v))
	}
	return mix(h + uint64(m.Len()))
}

func hashValue(seed maphash.Seed, v pcommon.Value) uint64 {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return maphash.String(seed, v.Str())
	case pcommon.ValueTypeInt:
		return mix(uint64(v.Int()) + 1)
	case pcommon.ValueTypeDouble:
		return mix(math.Float64bits(v.Double()) + 2)
	case pcommon.ValueTypeBool:
		if v.Bool() {
			return 3
		}
		return 4
	}
	return maphash.String(seed, v.AsString()) + uint64(v.Type())
}

func combine(hs ...uint64) uint64 {
	var h uint64 = 0x9e3779b97f4a7c15
	for _, x := range hs {
		h = mix(h ^ x)
	}
	return h
}
