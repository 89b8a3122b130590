package gcpreceiver

import (
	"context"
	"net/http"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/mcobs/mcobs/internal/cloudscrape"
)

// countInterceptor counts every attempt of every Cloud Monitoring call in the loop's
// self-metrics, and bills each ListTimeSeries page that succeeded. It runs per attempt (gax
// retries above it), so throttles the retries absorbed are counted too.
func countInterceptor(tel *cloudscrape.Telemetry, account string) grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		err := invoker(ctx, method, req, reply, cc, opts...)
		if tel == nil {
			return err
		}
		op := method[strings.LastIndex(method, "/")+1:]
		tel.Request(ctx, account, "Monitoring", op, grpcOutcome(err))
		if err == nil && op == "ListTimeSeries" {
			tel.Bill(ctx, account, "Monitoring", op, 1, listPrice)
		}
		return err
	}
}

func grpcOutcome(err error) string {
	if err == nil {
		return "ok"
	}
	switch status.Code(err) {
	case codes.ResourceExhausted:
		return "throttled"
	case codes.Unauthenticated, codes.PermissionDenied:
		return "auth"
	case codes.DeadlineExceeded, codes.Canceled:
		return "timeout"
	}
	return "error"
}

// countTransport counts every attempt of every REST call (Compute Engine, Cloud SQL Admin,
// the token endpoint).
type countTransport struct {
	next    http.RoundTripper
	tel     *cloudscrape.Telemetry
	account string
}

func (c *countTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(req)
	if c.tel != nil {
		service, op := operationOf(req.URL.Path)
		c.tel.Request(req.Context(), c.account, service, op, cloudscrape.HTTPOutcome(resp, err))
	}
	return resp, err
}

// operationOf names a REST request by the API method it calls.
func operationOf(path string) (service, operation string) {
	switch {
	case strings.HasSuffix(path, "/aggregated/instances"):
		return "Compute", "InstancesAggregatedList"
	case strings.HasSuffix(path, "/global/networks"):
		return "Compute", "NetworksList"
	case strings.HasSuffix(path, "/aggregated/subnetworks"):
		return "Compute", "SubnetworksAggregatedList"
	case strings.HasSuffix(path, "/instances"):
		return "SQLAdmin", "InstancesList"
	case strings.HasSuffix(path, "/token"):
		return "OAuth", "Token"
	}
	return "Google", path[strings.LastIndex(path, "/")+1:]
}
