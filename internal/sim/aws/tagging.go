package simaws

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"

	"github.com/mcobs/mcobs/internal/sim"
)

type taggedResource struct {
	arn, typ string
	tags     []sim.Tag
}

func (s *Server) taggedResources(account, region string) []taggedResource {
	f := s.sim.Fleet()
	var out []taggedResource
	for _, i := range f.InstancesIn(account, region) {
		out = append(out, taggedResource{i.ARN(), "ec2:instance", i.Tags})
	}
	for _, v := range f.VPCsIn(account, region) {
		out = append(out, taggedResource{v.ARN(), "ec2:vpc", v.Tags})
	}
	for _, sn := range f.SubnetsIn(account, region) {
		out = append(out, taggedResource{sn.ARN(), "ec2:subnet", sn.Tags})
	}
	for _, d := range f.DBInstancesIn(account, region) {
		out = append(out, taggedResource{d.ARN(), "rds:db", d.Tags})
	}
	sort.Slice(out, func(a, b int) bool { return out[a].arn < out[b].arn })
	return out
}

type getResourcesInput struct {
	PaginationToken string
	TagFilters      []struct {
		Key    string
		Values []string
	}
	ResourcesPerPage    *int
	ResourceTypeFilters []string
	ResourceARNList     []string
}

type tagJSON struct {
	Key   string
	Value string
}

type resourceTagMapping struct {
	ResourceARN string
	Tags        []tagJSON
}

func (s *Server) getResources(c *call) *apiError {
	var in getResourcesInput
	if len(c.body) > 0 {
		if err := json.Unmarshal(c.body, &in); err != nil {
			return errorf(http.StatusBadRequest, "SerializationException", "decode JSON body: %v", err)
		}
	}
	perPage := 100
	if in.ResourcesPerPage != nil {
		if *in.ResourcesPerPage < 1 || *in.ResourcesPerPage > 100 {
			return invalidParam(c.proto, "ResourcesPerPage must be between 1 and 100")
		}
		perPage = *in.ResourcesPerPage
	}
	for _, t := range in.ResourceTypeFilters {
		svc, _, _ := strings.Cut(t, ":")
		if svc == "" {
			return invalidParam(c.proto, "ResourceTypeFilters value %q is invalid", t)
		}
	}
	var matched []taggedResource
	for _, r := range s.taggedResources(c.principal.Account, c.region) {
		if len(in.ResourceTypeFilters) > 0 && !typeMatches(r.typ, in.ResourceTypeFilters) {
			continue
		}
		if len(in.ResourceARNList) > 0 && !contains(in.ResourceARNList, r.arn) {
			continue
		}
		ok := true
		for _, f := range in.TagFilters {
			if !tagMatches(r.tags, f.Key, f.Values) {
				ok = false
				break
			}
		}
		if ok {
			matched = append(matched, r)
		}
	}
	lo, hi, next, aerr := page(c.proto, "gr", in.PaginationToken, perPage, len(matched))
	if aerr != nil {
		return aerr
	}
	out := struct {
		PaginationToken        string
		ResourceTagMappingList []resourceTagMapping
	}{PaginationToken: next, ResourceTagMappingList: []resourceTagMapping{}}
	for _, r := range matched[lo:hi] {
		m := resourceTagMapping{ResourceARN: r.arn, Tags: []tagJSON{}}
		for _, t := range r.tags {
			m.Tags = append(m.Tags, tagJSON(t))
		}
		out.ResourceTagMappingList = append(out.ResourceTagMappingList, m)
	}
	c.w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	c.w.Header().Set("X-Amzn-Requestid", c.requestID)
	c.w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(c.w).Encode(out)
	return nil
}

// typeMatches accepts "service" or "service:type" filters, as the Tagging API does.
func typeMatches(typ string, filters []string) bool {
	svc, _, _ := strings.Cut(typ, ":")
	for _, f := range filters {
		if f == typ || f == svc {
			return true
		}
	}
	return false
}

// tagMatches: the key must be present; with values, its value must be one of them.
func tagMatches(tags []sim.Tag, key string, values []string) bool {
	for _, t := range tags {
		if t.Key == key && (len(values) == 0 || contains(values, t.Value)) {
			return true
		}
	}
	return false
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
