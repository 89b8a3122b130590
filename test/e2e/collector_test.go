package e2e

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func errorsAs(err error, target any) bool { return err != nil && errors.As(err, target) }

// TestCollectorRejectsInvalidConfig starts otelcol-mcobs with a misspelt key and expects it to
// exit non-zero at start with an error naming that key.
func TestCollectorRejectsInvalidConfig(t *testing.T) {
	bin := binDir(t, "otelcol-mcobs")
	cfg := filepath.Join(t.TempDir(), "bad.yaml")
	err := os.WriteFile(cfg, []byte(`
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:0
exporters:
  prometheus_remote_write:
    endpoint: http://127.0.0.1:9/api/v1/write
    wal:
      directory_path: /tmp/wal
service:
  pipelines:
    metrics:
      receivers: [otlp]
      exporters: [prometheus_remote_write]
`), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b, err := exec.CommandContext(ctx, bin+"/otelcol-mcobs", "--config="+cfg).CombinedOutput()
	var ee *exec.ExitError
	if !errorsAs(err, &ee) || ctx.Err() != nil {
		t.Fatalf("otelcol-mcobs with an invalid config: err %v, want a non-zero exit at start; output:\n%s", err, b)
	}
	if !strings.Contains(string(b), "directory_path") {
		t.Fatalf("error does not name the bad key %q:\n%s", "directory_path", b)
	}
}
