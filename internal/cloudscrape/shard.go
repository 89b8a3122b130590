package cloudscrape

import (
	"fmt"
	"hash/fnv"
)

// Shard splits targets between N replicas of a receiver: replica Index polls exactly the
// targets whose key hashes to it, so no target is polled twice and none is left out.
type Shard struct {
	// Index of this replica, from 0.
	Index int `mapstructure:"index"`
	// Count of replicas; 0 or 1 means no sharding.
	Count int `mapstructure:"count"`
}

// Validate names the key of any bad value.
func (s Shard) Validate() error {
	if s.Count < 0 {
		return fmt.Errorf("`shard.count` must not be negative, got %d", s.Count)
	}
	if s.Count > 1 && (s.Index < 0 || s.Index >= s.Count) {
		return fmt.Errorf("`shard.index` must be in [0, %d), got %d", s.Count, s.Index)
	}
	return nil
}

// Owns tells whether this replica polls target.
func (s Shard) Owns(target string) bool {
	if s.Count <= 1 {
		return true
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(target))
	return int(h.Sum32()%uint32(s.Count)) == s.Index
}
