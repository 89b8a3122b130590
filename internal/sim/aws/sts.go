package simaws

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

const stsNamespace = "https://sts.amazonaws.com/doc/2011-06-15/"

// queryResponse wraps an AWS query protocol result the way STS and RDS do.
func queryResponse(c *call, op, namespace string, result func(b *xmlBuilder)) {
	var b xmlBuilder
	b.WriteString("<" + op + `Response xmlns="` + namespace + `">`)
	open(&b, op+"Result")
	result(&b)
	closeE(&b, op+"Result")
	open(&b, "ResponseMetadata")
	elem(&b, "RequestId", c.requestID)
	closeE(&b, "ResponseMetadata")
	b.WriteString("</" + op + "Response>")
	writeXML(c, b.String())
}

func accessDenied(c *call, roleArn string) *apiError {
	return errorf(http.StatusForbidden, "AccessDenied",
		"User: %s is not authorized to perform: sts:AssumeRole on resource: %s", c.principal.ARN, roleArn)
}

// assumeRole issues temporary credentials for a configured role when the ExternalId matches;
// the simulator then accepts them for the role's account until they expire on its clock.
func (s *Server) assumeRole(c *call) *apiError {
	roleArn, session := c.form.Get("RoleArn"), c.form.Get("RoleSessionName")
	if roleArn == "" || session == "" {
		return errorf(http.StatusBadRequest, "ValidationError", "RoleArn and RoleSessionName are required")
	}
	if len(session) < 2 || len(session) > 64 {
		return errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must have length between 2 and 64", session)
	}
	duration := time.Hour
	if d := c.form.Get("DurationSeconds"); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil || n < 900 || n > 43200 {
			return errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value '%s' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200", d)
		}
		duration = time.Duration(n) * time.Second
	}
	rest, ok := strings.CutPrefix(roleArn, "arn:aws:iam::")
	account, roleName, ok2 := strings.Cut(rest, ":role/")
	if !ok || !ok2 {
		return errorf(http.StatusBadRequest, "ValidationError", "%s is invalid", roleArn)
	}
	found := false
	for _, a := range s.sim.Config().AWS.Accounts {
		if a.ID != account {
			continue
		}
		for _, r := range a.Roles {
			if r.Name == roleName && (r.ExternalID == "" || r.ExternalID == c.form.Get("ExternalId")) {
				found = true
			}
		}
	}
	if !found {
		return accessDenied(c, roleArn)
	}
	// The simulator enforces expiry on its own (possibly injected) clock, but reports it on the
	// wall clock: the SDK's credential cache compares Expiration with the wall clock and would
	// otherwise re-assume the role before every call when a test's clock is in the past.
	expires := s.sim.Now().Add(duration)
	wireExpires := time.Now().Add(duration).UTC().Truncate(time.Second)
	p := s.creds.issue(account, roleName, session, expires)
	queryResponse(c, "AssumeRole", stsNamespace, func(b *xmlBuilder) {
		open(b, "Credentials")
		elem(b, "AccessKeyId", p.AccessKeyID)
		elem(b, "SecretAccessKey", p.Secret)
		elem(b, "SessionToken", p.SessionToken)
		elem(b, "Expiration", wireExpires.Format(time.RFC3339))
		closeE(b, "Credentials")
		open(b, "AssumedRoleUser")
		elem(b, "Arn", p.ARN)
		elem(b, "AssumedRoleId", p.UserID)
		closeE(b, "AssumedRoleUser")
		elem(b, "PackedPolicySize", "0")
	})
	return nil
}

func (s *Server) getCallerIdentity(c *call) *apiError {
	queryResponse(c, "GetCallerIdentity", stsNamespace, func(b *xmlBuilder) {
		elem(b, "Arn", c.principal.ARN)
		elem(b, "UserId", c.principal.UserID)
		elem(b, "Account", c.principal.Account)
	})
	return nil
}
