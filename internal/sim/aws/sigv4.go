package simaws

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	sigV4Algorithm = "AWS4-HMAC-SHA256"
	amzDateFormat  = "20060102T150405Z"
)

// authHeader is the parsed Authorization header of a SigV4-signed request.
type authHeader struct {
	AccessKeyID   string
	Date          string
	Region        string
	Service       string
	SignedHeaders []string
	Signature     string
}

var errNoAuth = errors.New("request is not signed with SigV4")

// parseAuth parses "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/monitoring/aws4_request,
// SignedHeaders=host;x-amz-date, Signature=hex".
func parseAuth(h string) (authHeader, error) {
	var a authHeader
	rest, ok := strings.CutPrefix(h, sigV4Algorithm+" ")
	if !ok {
		return a, errNoAuth
	}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return a, fmt.Errorf("authorization component %q is not key=value", part)
		}
		switch k {
		case "Credential":
			scope := strings.Split(v, "/")
			if len(scope) != 5 || scope[4] != "aws4_request" {
				return a, fmt.Errorf("credential scope %q is malformed", v)
			}
			a.AccessKeyID, a.Date, a.Region, a.Service = scope[0], scope[1], scope[2], scope[3]
		case "SignedHeaders":
			a.SignedHeaders = strings.Split(v, ";")
		case "Signature":
			a.Signature = v
		}
	}
	if a.AccessKeyID == "" || a.Signature == "" || len(a.SignedHeaders) == 0 {
		return a, errors.New("authorization header lacks Credential, SignedHeaders or Signature")
	}
	return a, nil
}

// verifySignature re-signs a copy of the request that carries only the headers the client
// signed, with the SDK's own signer and the secret the simulator knows for the access key,
// and compares the signatures in constant time.
func verifySignature(r *http.Request, body []byte, a authHeader, creds aws.Credentials) error {
	signTime, err := time.Parse(amzDateFormat, r.Header.Get("X-Amz-Date"))
	if err != nil {
		return fmt.Errorf("X-Amz-Date %q: %w", r.Header.Get("X-Amz-Date"), err)
	}
	if signTime.Format("20060102") != a.Date {
		return fmt.Errorf("credential scope date %q does not match X-Amz-Date %q", a.Date, r.Header.Get("X-Amz-Date"))
	}
	u := *r.URL
	u.Scheme, u.Host = "http", r.Host
	cp, err := http.NewRequestWithContext(context.Background(), r.Method, u.String(), bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("copy request: %w", err)
	}
	cp.Host = r.Host
	cp.ContentLength = int64(len(body))
	for _, h := range a.SignedHeaders {
		if h == "host" || h == "content-length" {
			continue
		}
		cp.Header[http.CanonicalHeaderKey(h)] = r.Header.Values(h)
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, cp, hex.EncodeToString(sum[:]), a.Service, a.Region, signTime); err != nil {
		return fmt.Errorf("sign copy: %w", err)
	}
	want, err := parseAuth(cp.Header.Get("Authorization"))
	if err != nil {
		return fmt.Errorf("parse own signature: %w", err)
	}
	if !hmac.Equal([]byte(want.Signature), []byte(a.Signature)) {
		return errors.New("signature does not match")
	}
	return nil
}
