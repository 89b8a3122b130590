package simaws

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/mcobs/mcobs/internal/sim"
)

// principal is who signed a request: an account's long-term key or an assumed role session.
type principal struct {
	Account      string
	AccessKeyID  string
	Secret       string
	SessionToken string
	// Expires is zero for long-term keys.
	Expires time.Time
	ARN     string
	UserID  string
}

func (p principal) credentials() aws.Credentials {
	return aws.Credentials{AccessKeyID: p.AccessKeyID, SecretAccessKey: p.Secret, SessionToken: p.SessionToken}
}

// credStore holds the configured keys and the temporary credentials AssumeRole issued.
type credStore struct {
	seed int64
	mu   sync.Mutex
	keys map[string]principal
	n    int
}

func newCredStore(cfg sim.Config) *credStore {
	c := &credStore{seed: cfg.Seed, keys: map[string]principal{}}
	for _, a := range cfg.AWS.Accounts {
		c.keys[a.AccessKeyID] = principal{
			Account: a.ID, AccessKeyID: a.AccessKeyID, Secret: a.SecretAccessKey,
			ARN:    fmt.Sprintf("arn:aws:iam::%s:user/mcobs-sim", a.ID),
			UserID: "AIDA" + strings.ToUpper(a.AccessKeyID[4:]),
		}
	}
	return c
}

func (c *credStore) lookup(accessKeyID string) (principal, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.keys[accessKeyID]
	return p, ok
}

// issue creates temporary credentials for an assumed role session. Keys are derived from the
// seed and the issue ordinal, so a seed replays the same keys.
func (c *credStore) issue(account, roleName, session string, expires time.Time) principal {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	h := fmt.Sprintf("%016X", uint64(c.seed)*0x9e3779b97f4a7c15+uint64(c.n)*0xbf58476d1ce4e5b9)
	roleID := "AROA" + h
	p := principal{
		Account:      account,
		AccessKeyID:  "ASIA" + h,
		Secret:       "sim-session-secret-" + h,
		SessionToken: fmt.Sprintf("sim-session-token-%s-%d", h, c.n),
		Expires:      expires,
		ARN:          fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", account, roleName, session),
		UserID:       roleID + ":" + session,
	}
	c.keys[p.AccessKeyID] = p
	return p
}
