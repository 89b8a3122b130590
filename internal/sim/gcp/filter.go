package simgcp

import (
	"fmt"
	"strings"
)

// term is one comparison of a Monitoring filter: lhs = "value", lhs = starts_with("p"),
// lhs = one_of("a", "b").
type term struct {
	lhs    string
	fn     string // "", starts_with or one_of
	values []string
}

// filter is a conjunction of terms, the subset of the Monitoring filter language collectors
// use: https://cloud.google.com/monitoring/api/v3/filters.
type filter []term

// parseFilter reads `a = "x" AND b = starts_with("y") AND c = one_of("p", "q")`.
func parseFilter(s string) (filter, error) {
	var f filter
	for _, part := range splitAnd(s) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		lhs, rhs, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("unsupported filter term %q", part)
		}
		t := term{lhs: strings.TrimSpace(lhs)}
		rhs = strings.TrimSpace(rhs)
		if open := strings.Index(rhs, "("); open > 0 && strings.HasSuffix(rhs, ")") {
			t.fn, rhs = rhs[:open], rhs[open+1:len(rhs)-1]
			if t.fn != "starts_with" && t.fn != "one_of" {
				return nil, fmt.Errorf("unsupported filter function %q", t.fn)
			}
		}
		for v := range strings.SplitSeq(rhs, ",") {
			v = strings.TrimSpace(v)
			if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
				return nil, fmt.Errorf("filter value must be a quoted string, got %s", v)
			}
			t.values = append(t.values, v[1:len(v)-1])
		}
		f = append(f, t)
	}
	return f, nil
}

// splitAnd splits on AND outside quotes.
func splitAnd(s string) []string {
	var out []string
	quoted, last := false, 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '"':
			quoted = !quoted
		case !quoted && strings.HasPrefix(s[i:], " AND "):
			out = append(out, s[last:i])
			last = i + len(" AND ")
		}
	}
	return append(out, s[last:])
}

func (t term) match(v string) bool {
	for _, want := range t.values {
		if t.fn == "starts_with" && strings.HasPrefix(v, want) || t.fn != "starts_with" && v == want {
			return true
		}
	}
	return false
}

// value returns the single value of the term on lhs, if any.
func (f filter) value(lhs string) string {
	for _, t := range f {
		if t.lhs == lhs && t.fn == "" && len(t.values) == 1 {
			return t.values[0]
		}
	}
	return ""
}

// field checks every term on lhs against v.
func (f filter) field(lhs, v string) bool {
	for _, t := range f {
		if t.lhs == lhs && !t.match(v) {
			return false
		}
	}
	return true
}

// matches checks every term whose lhs starts with prefix against get, which returns the
// field's value and whether it exists.
func (f filter) matches(prefix string, get func(key string) (string, bool)) bool {
	for _, t := range f {
		key, ok := cutAny(t.lhs, prefix)
		if !ok {
			continue
		}
		v, found := get(strings.Trim(key, `"`))
		if !found || !t.match(v) {
			return false
		}
	}
	return true
}

// cutAny removes prefix with "label." or "labels." (both are accepted) from lhs.
func cutAny(lhs, prefix string) (string, bool) {
	for _, p := range []string{prefix + "label.", prefix + "labels."} {
		if k, ok := strings.CutPrefix(lhs, p); ok {
			return k, true
		}
	}
	if k, ok := strings.CutPrefix(lhs, prefix); ok && prefix == "metadata.user_labels." {
		return k, true
	}
	return "", false
}

// check rejects fields the simulator does not know, as the API rejects them.
func (f filter) check() error {
	for _, t := range f {
		switch {
		case t.lhs == "metric.type", t.lhs == "resource.type",
			strings.HasPrefix(t.lhs, "metric.label"), strings.HasPrefix(t.lhs, "resource.label"),
			strings.HasPrefix(t.lhs, "metadata.user_labels."):
		default:
			return fmt.Errorf("unsupported filter field %q", t.lhs)
		}
	}
	return nil
}
