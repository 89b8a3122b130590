package cloudscrapetest

import (
	"strings"
	"testing"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"
)

// ConfigCases loads a receiver's test configurations (path, a testdata/config.yaml keyed by
// component id) once and returns a check of one of them: loaded over the defaults def gives
// and validated, it must be valid and pass check when no errors are wanted, else name each
// wanted error exactly once (every problem reported once, by its own key).
func ConfigCases[C component.Config](t *testing.T, path string, def func() component.Config) func(id component.ID, check func(C), wantErrs ...string) {
	t.Helper()
	cm, err := confmaptest.LoadConf(path)
	if err != nil {
		t.Fatal(err)
	}
	return func(id component.ID, check func(C), wantErrs ...string) {
		t.Helper()
		cfg := def()
		sub, err := cm.Sub(id.String())
		if err != nil {
			t.Fatal(err)
		}
		if err := sub.Unmarshal(cfg); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		err = confmap.Validate(cfg)
		if len(wantErrs) == 0 {
			if err != nil {
				t.Fatalf("%s: Validate() = %v", id, err)
			}
			check(cfg.(C))
			return
		}
		if err == nil {
			t.Fatalf("%s: Validate() = nil, want errors", id)
		}
		for _, w := range wantErrs {
			if n := strings.Count(err.Error(), w); n != 1 {
				t.Errorf("%s: error names %q %d times, want once:\n%v", id, w, n, err)
			}
		}
	}
}
