package sim

import (
	"fmt"
	"regexp"
)

// GCPConfig describes the simulated Google Cloud projects: the service account that may get
// tokens, the projects and the resources in each of them.
type GCPConfig struct {
	// ServiceAccount is the e-mail of the service account whose key the simulator writes out
	// and whose signed assertions its token endpoint accepts.
	ServiceAccount string `yaml:"service_account"`
	// Projects are the simulated projects; each holds its own copy of the fleet.
	Projects []GCPProjectConfig `yaml:"projects"`
	// Zones lists the zones (e.g. us-central1-a) every project has instances in; their
	// regions hold the subnetworks and Cloud SQL instances.
	Zones []string `yaml:"zones"`
	// Instances is the number of Compute Engine instances per project, spread over the zones.
	Instances int `yaml:"instances"`
	// StoppedFraction is the share of instances that are not running (TERMINATED and
	// SUSPENDED alternately, 0 to 1); when it is above 0, one more instance of at least 4 is
	// STAGING.
	StoppedFraction float64 `yaml:"stopped_fraction"`
	// AgentFraction is the share of instances that run the Ops Agent (agent.googleapis.com
	// metrics), 0 to 1.
	AgentFraction float64 `yaml:"agent_fraction"`
	// SQLInstances is the number of Cloud SQL instances per project and region.
	SQLInstances int `yaml:"sql_instances"`
	// MaxPointsPerPage caps the points of one ListTimeSeries page before it pages with
	// next_page_token (Cloud Monitoring: 100,000).
	MaxPointsPerPage int `yaml:"max_points_per_page"`
}

// GCPProjectConfig is one simulated project.
type GCPProjectConfig struct {
	// ID is the project id (6 to 30 lowercase letters, digits and hyphens).
	ID string `yaml:"id"`
	// Number is the project number.
	Number int64 `yaml:"number"`
}

var (
	gcpProjectRe = regexp.MustCompile(`^[a-z][a-z0-9-]{4,28}[a-z0-9]$`)
	gcpZoneRe    = regexp.MustCompile(`^[a-z]+-[a-z]+[0-9]+-[a-z]$`)
)

// validate checks the gcp section, each error naming its key.
func (g GCPConfig) validate() []error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if g.ServiceAccount == "" {
		add("`gcp.service_account` must be set")
	}
	if len(g.Projects) == 0 {
		add("`gcp.projects` must list at least one project")
	}
	seen := map[string]bool{}
	for i, p := range g.Projects {
		if !gcpProjectRe.MatchString(p.ID) {
			add("`gcp.projects[%d].id` must be a project id like my-project-1, got %q", i, p.ID)
		}
		if seen[p.ID] {
			add("`gcp.projects[%d].id` repeats %q", i, p.ID)
		}
		seen[p.ID] = true
		if p.Number <= 0 {
			add("`gcp.projects[%d].number` must be positive, got %d", i, p.Number)
		}
	}
	if len(g.Zones) == 0 {
		add("`gcp.zones` must list at least one zone")
	}
	for i, z := range g.Zones {
		if !gcpZoneRe.MatchString(z) {
			add("`gcp.zones[%d]` must be a zone name like us-central1-a, got %q", i, z)
		}
	}
	if g.Instances < 0 {
		add("`gcp.instances` must not be negative, got %d", g.Instances)
	}
	if g.StoppedFraction < 0 || g.StoppedFraction > 1 {
		add("`gcp.stopped_fraction` must be between 0 and 1, got %v", g.StoppedFraction)
	}
	if g.AgentFraction < 0 || g.AgentFraction > 1 {
		add("`gcp.agent_fraction` must be between 0 and 1, got %v", g.AgentFraction)
	}
	if g.SQLInstances < 0 {
		add("`gcp.sql_instances` must not be negative, got %d", g.SQLInstances)
	}
	if g.MaxPointsPerPage < 1 {
		add("`gcp.max_points_per_page` must be positive, got %d", g.MaxPointsPerPage)
	}
	return errs
}
