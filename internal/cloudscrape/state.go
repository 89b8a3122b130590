package cloudscrape

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.opentelemetry.io/collector/extension/xextension/storage"
)

// stateVersion is bumped whenever the checkpoint layout changes; an older one is ignored.
const stateVersion = 1

// State is what a receiver remembers per target: where its last completed range ended, and per
// series the last emitted timestamp and counter total. It is what makes emission exactly-once
// across polls and restarts.
//
// A poll's changes are staged (Accept) and applied only when the pipeline has accepted its
// points (Commit): if the consumer refuses them or the process dies first, the state is still
// the one before the poll, so the next poll emits the same points again.
type State struct {
	Version int       `json:"version"`
	LastEnd time.Time `json:"last_end"`
	// FirstStart is where a first start's backfill began while it is not completed.
	FirstStart time.Time               `json:"first_start,omitzero"`
	Series     map[string]*SeriesState `json:"series"`
	pending    map[string]SeriesState
	dirty      bool
}

// SeriesState is one series' memory.
type SeriesState struct {
	// Last is the timestamp (Unix ms) of the last emitted point.
	Last int64 `json:"last"`
	// Total is the running total of a counter series.
	Total float64 `json:"total,omitempty"`
	// Start is when the running total began (Unix ms), the cumulative start time.
	Start int64 `json:"start,omitempty"`
}

// NewState returns an empty state.
func NewState() *State { return &State{Version: stateVersion, Series: map[string]*SeriesState{}} }

// Accept decides whether the point of series key at ts is new, and returns the value to emit:
// v itself for a gauge, or the running total after adding v for a counter. A point at or before
// the series' last emitted one is a duplicate (overlapping windows, a replayed page) and ok is
// false. Counter points must arrive in time order per series, as every provider API returns
// them when asked. The change is staged until Commit.
func (s *State) Accept(key string, ts time.Time, v float64, counter bool) (out float64, start time.Time, ok bool) {
	ms := ts.UnixMilli()
	ss, staged := s.pending[key]
	if !staged {
		if cur := s.Series[key]; cur != nil {
			ss = *cur
		} else {
			ss = SeriesState{Last: -1 << 62, Start: ms}
		}
	}
	if ms <= ss.Last {
		return 0, time.Time{}, false
	}
	ss.Last = ms
	if counter {
		ss.Total += v
		out, start = ss.Total, time.UnixMilli(ss.Start)
	} else {
		out = v
	}
	if s.pending == nil {
		s.pending = map[string]SeriesState{}
	}
	s.pending[key] = ss
	return out, start, true
}

// Commit applies the staged points and, unless end is zero, records that the range ending at
// end was fully collected.
func (s *State) Commit(end time.Time) {
	for k, ss := range s.pending {
		if cur := s.Series[k]; cur != nil {
			*cur = ss
		} else {
			s.Series[k] = &ss
		}
		s.dirty = true
	}
	clear(s.pending)
	if end.After(s.LastEnd) {
		s.LastEnd = end
		s.FirstStart = time.Time{}
		s.dirty = true
	}
}

// Discard drops the staged points: the pipeline did not take them.
func (s *State) Discard() { clear(s.pending) }

// Forget drops series whose last point is older than before, bounding the state of a fleet
// whose resources come and go.
func (s *State) Forget(before time.Time) {
	ms := before.UnixMilli()
	for k, ss := range s.Series {
		if ss.Last < ms {
			delete(s.Series, k)
			s.dirty = true
		}
	}
}

// Store keeps State per target in the collector's storage extension, or in memory only when
// the receiver has no storage configured (then a restart re-collects up to one interval).
type Store struct {
	client storage.Client
	// mu guards mem: the targets of a poll load and save their states concurrently.
	mu  sync.Mutex
	mem map[string]*State
}

// NewStore wraps client; nil means in memory only.
func NewStore(client storage.Client) *Store {
	return &Store{client: client, mem: map[string]*State{}}
}

// ErrCorruptCheckpoint wraps a checkpoint that could not be read; the caller logs it and goes
// on with an empty state rather than failing.
var ErrCorruptCheckpoint = errors.New("corrupt checkpoint")

// Load returns the state of target, from memory, else storage, else empty. A corrupt or
// outdated checkpoint yields an empty state and an error wrapping ErrCorruptCheckpoint.
func (st *Store) Load(ctx context.Context, target string) (*State, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if s, ok := st.mem[target]; ok {
		return s, nil
	}
	s := NewState()
	st.mem[target] = s
	if st.client == nil {
		return s, nil
	}
	b, err := st.client.Get(ctx, key(target))
	if err != nil || b == nil {
		return s, err
	}
	var loaded State
	if err := json.Unmarshal(b, &loaded); err != nil {
		return s, fmt.Errorf("%w for %q: %w", ErrCorruptCheckpoint, target, err)
	}
	if loaded.Version != stateVersion || loaded.Series == nil {
		return s, fmt.Errorf("%w for %q: version %d, want %d", ErrCorruptCheckpoint, target, loaded.Version, stateVersion)
	}
	// A null series would crash Forget later; only a damaged record holds one.
	for k, ss := range loaded.Series {
		if ss == nil {
			return s, fmt.Errorf("%w for %q: series %q is null", ErrCorruptCheckpoint, target, k)
		}
	}
	st.mem[target] = &loaded
	return &loaded, nil
}

// Save writes the state of target if it changed.
func (st *Store) Save(ctx context.Context, target string, s *State) error {
	if st.client == nil || !s.dirty {
		return nil
	}
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	if err := st.client.Set(ctx, key(target), b); err != nil {
		return fmt.Errorf("save checkpoint for %q: %w", target, err)
	}
	s.dirty = false
	return nil
}

// Close closes the storage client.
func (st *Store) Close(ctx context.Context) error {
	if st.client == nil {
		return nil
	}
	return st.client.Close(ctx)
}

func key(target string) string { return "cloudscrape/v1/" + target }
