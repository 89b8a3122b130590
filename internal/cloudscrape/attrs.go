package cloudscrape

import (
	"context"
	"errors"
	"net/http"

	"github.com/mcobs/mcobs/internal/canonical"
)

// MappingAttrs are the data point attributes of a series of mapping mp: the mapping's own
// (a direction, a state) and the native identity of the value (namespace, name, statistic,
// unit), which every provider keeps beside the canonical name.
func MappingAttrs(mp *canonical.Mapping) []Attr {
	attrs := make([]Attr, 0, len(mp.Attrs)+4)
	for _, a := range mp.Attrs {
		attrs = append(attrs, Attr{Key: a.Key, Value: a.Value})
	}
	return append(attrs,
		Attr{Key: canonical.AttrNativeNamespace, Value: mp.Namespace},
		Attr{Key: canonical.AttrNativeName, Value: mp.Native},
		Attr{Key: canonical.AttrNativeStatistic, Value: mp.Statistic},
		Attr{Key: canonical.AttrNativeUnit, Value: mp.NativeUnit})
}

// HTTPOutcome is the `outcome` of the API request self-metric for one HTTP attempt: timeout,
// error (no answer, or a 4xx or 5xx other than these), throttled (429), auth (401, 403), ok.
func HTTPOutcome(resp *http.Response, err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
		return "timeout"
	case err != nil:
		return "error"
	case resp.StatusCode == http.StatusTooManyRequests:
		return "throttled"
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return "auth"
	case resp.StatusCode >= 400:
		return "error"
	}
	return "ok"
}
