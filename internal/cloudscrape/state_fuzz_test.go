package cloudscrape

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/storagetest"
	"go.opentelemetry.io/collector/component"
)

// FuzzStateLoad feeds arbitrary bytes to the checkpoint decoder, as a damaged storage record
// would. Seeds are in testdata/fuzz/FuzzStateLoad. Load must return a usable state: empty with
// an error wrapping ErrCorruptCheckpoint, or one the collection loop can Accept, Commit and
// Forget on, and that saves and loads back unchanged. It must never panic.
func FuzzStateLoad(f *testing.F) {
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, b []byte) {
		client := storagetest.NewInMemoryClient(component.KindReceiver, component.MustNewID("aws"), "")
		if err := client.Set(ctx, key("t"), b); err != nil {
			t.Fatal(err)
		}
		s, err := NewStore(client).Load(ctx, "t")
		if s == nil || s.Series == nil {
			t.Fatalf("Load returned no usable state (error %v)", err)
		}
		if err != nil {
			if !errors.Is(err, ErrCorruptCheckpoint) {
				t.Fatalf("Load error %v does not wrap ErrCorruptCheckpoint", err)
			}
			if len(s.Series) != 0 || !s.LastEnd.IsZero() {
				t.Fatalf("a corrupt checkpoint left state behind: %+v", s)
			}
			return
		}
		// What a poll does with it: a new point, the commit, and forgetting old series.
		if _, _, ok := s.Accept("fuzz\x00new", t0, 1, true); !ok {
			t.Fatal("a new series' first point was refused")
		}
		s.Commit(t0.Add(time.Minute))
		s.Forget(t0.Add(-time.Hour))

		st := NewStore(client)
		if err := st.Save(ctx, "t", s); err != nil {
			t.Fatalf("a loaded state does not save: %v", err)
		}
		back, err := NewStore(client).Load(ctx, "t")
		if err != nil {
			t.Fatalf("loading a saved state: %v", err)
		}
		if !back.LastEnd.Equal(s.LastEnd) || !back.FirstStart.Equal(s.FirstStart) || !reflect.DeepEqual(back.Series, s.Series) {
			t.Fatalf("state changed in a save and load:\n%+v\n%+v", s, back)
		}
	})
}
