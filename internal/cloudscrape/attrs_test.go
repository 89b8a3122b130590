package cloudscrape

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/mcobs/mcobs/internal/canonical"
)

func TestMappingAttrs(t *testing.T) {
	mp := canonical.Mapping{Namespace: "AWS/EC2", Native: "NetworkIn", Statistic: "Sum", NativeUnit: "Bytes",
		Attrs: []canonical.Attr{{Key: canonical.AttrNetworkDirection, Value: "receive"}}}
	got := fmt.Sprint(MappingAttrs(&mp))
	want := "[{network.io.direction receive} {cloud.metric.namespace AWS/EC2} {cloud.metric.name NetworkIn} {cloud.metric.statistic Sum} {cloud.metric.unit Bytes}]"
	if got != want {
		t.Errorf("MappingAttrs = %s, want %s", got, want)
	}
}

func TestHTTPOutcome(t *testing.T) {
	f := func(status int, err error, want string) {
		t.Helper()
		var resp *http.Response
		if err == nil {
			resp = &http.Response{StatusCode: status}
		}
		if got := HTTPOutcome(resp, err); got != want {
			t.Errorf("HTTPOutcome(%d, %v) = %q, want %q", status, err, got, want)
		}
	}
	f(200, nil, "ok")
	f(429, nil, "throttled")
	f(401, nil, "auth")
	f(403, nil, "auth")
	f(404, nil, "error")
	f(503, nil, "error")
	f(0, fmt.Errorf("get: %w", context.DeadlineExceeded), "timeout")
	f(0, errors.New("connection refused"), "error")
}
