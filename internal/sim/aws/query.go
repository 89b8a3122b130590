package simaws

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/mcobs/mcobs/internal/sim"
)

// xmlBuilder writes XML responses; element names are the wire names the SDK deserializers
// match, values are escaped.
type xmlBuilder = strings.Builder

func elem(b *xmlBuilder, name, value string) {
	b.WriteString("<" + name + ">")
	_ = xml.EscapeText(b, []byte(value))
	b.WriteString("</" + name + ">")
}

func open(b *xmlBuilder, name string)   { b.WriteString("<" + name + ">") }
func closeE(b *xmlBuilder, name string) { b.WriteString("</" + name + ">") }

func writeXML(c *call, body string) {
	c.w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	c.w.Header().Set("X-Amzn-Requestid", c.requestID)
	c.w.WriteHeader(http.StatusOK)
	_, _ = c.w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + body))
}

// filter is one EC2/RDS filter: a name and values, any of which may match.
type filter struct {
	Name   string
	Values []string
}

// indexedList reads prefix.1, prefix.2, ... from a form until one is missing.
func indexedList(form url.Values, prefix string) []string {
	var out []string
	for i := 1; ; i++ {
		v, ok := form[prefix+"."+strconv.Itoa(i)]
		if !ok || len(v) == 0 {
			return out
		}
		out = append(out, v[0])
	}
}

// parseFilters reads Filter.N.Name / Filter.N.Value.M (EC2) or
// Filters.Filter.N.Name / Filters.Filter.N.Values.Value.M (RDS).
func parseFilters(form url.Values, prefix, valuesInfix string) []filter {
	var out []filter
	for i := 1; ; i++ {
		p := prefix + "." + strconv.Itoa(i)
		name := form.Get(p + ".Name")
		if name == "" {
			return out
		}
		out = append(out, filter{Name: name, Values: indexedList(form, p+"."+valuesInfix)})
	}
}

// matchFilters reports whether a resource passes all filters. get returns a field's values
// and whether the filter name is known; tag:<key> and tag-key are handled for every resource.
func matchFilters(p protocol, filters []filter, tags []sim.Tag, get func(name string) ([]string, bool)) (bool, *apiError) {
	for _, f := range filters {
		var have []string
		switch {
		case strings.HasPrefix(f.Name, "tag:"):
			for _, t := range tags {
				if t.Key == f.Name[4:] {
					have = append(have, t.Value)
				}
			}
		case f.Name == "tag-key":
			for _, t := range tags {
				have = append(have, t.Key)
			}
		default:
			v, ok := get(f.Name)
			if !ok {
				return false, invalidParam(p, "The filter '%s' is invalid", f.Name)
			}
			have = v
		}
		if !anyMatch(f.Values, have) {
			return false, nil
		}
	}
	return true, nil
}

// anyMatch supports the * and ? wildcards AWS filters accept.
func anyMatch(patterns, have []string) bool {
	for _, p := range patterns {
		for _, h := range have {
			if ok, _ := path.Match(p, h); ok || p == h {
				return true
			}
		}
	}
	return false
}

// page slices n items by a token of the given kind and a page size (0 means all).
func page(p protocol, kind, token string, size, n int) (lo, hi int, next string, err *apiError) {
	if token != "" {
		v, ok := decodeToken(kind, token, 1)
		if !ok || v[0] > n {
			return 0, 0, "", invalidNextToken(p)
		}
		lo = v[0]
	}
	hi = n
	if size > 0 && lo+size < n {
		hi = lo + size
		next = encodeToken(kind, hi)
	}
	return lo, hi, next, nil
}

func intParam(p protocol, form url.Values, key string, lo, hi int) (int, *apiError) {
	s := form.Get(key)
	if s == "" {
		return 0, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < lo || v > hi {
		return 0, invalidParam(p, "Value ( %s ) for parameter %s is invalid. Expecting a value between %d and %d.", s, key, lo, hi)
	}
	return v, nil
}

func boolStr(b bool) string { return strconv.FormatBool(b) }
