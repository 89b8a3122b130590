package actions

import (
	"bytes"
	"encoding/json"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The seed corpora are in testdata/fuzz/<target>/; `make test` (scripts/test-fuzz.sh) runs each
// target for a bounded time, and a plain `go test` runs the seeds as regression cases.

// FuzzDecodeMessage feeds arbitrary bodies to the webhook decoder: it returns an error or a
// message that passes its own validation, re-encodes and decodes to the same message, and
// whose alerts can be fingerprinted and matched, never a panic.
func FuzzDecodeMessage(f *testing.F) {
	cfg, err := ParseConfig([]byte(`
scenarios:
  - name: disk
    matchers: ['alertname=~"Disk.*"', 'severity!="info"']
    stages: [{name: chat, actions: [{http: {url: "http://127.0.0.1:1/"}}]}]
`))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := decodeMessage(body)
		if err != nil {
			if m != nil {
				t.Fatalf("decodeMessage returned a message with error %v", err)
			}
			return
		}
		if err := m.validate(); err != nil {
			t.Fatalf("decoded message fails validation: %v", err)
		}
		m2 := fixedPoint(t, m, json.Marshal, decodeMessage)
		for i := range m.Alerts {
			a := &m.Alerts[i]
			if fp := a.fingerprint(); fp == "" || fp != m2.Alerts[i].fingerprint() {
				t.Fatalf("alert %d fingerprint %q, after a round trip %q", i, fp, m2.Alerts[i].fingerprint())
			}
			_ = cfg.Match(labelSet(a.Labels))
		}
	})
}

// FuzzParseConfig feeds arbitrary documents to the scenarios parser: it returns an error or a
// valid config, which encodes to YAML that parses back to the same config.
func FuzzParseConfig(f *testing.F) {
	f.Fuzz(func(t *testing.T, doc []byte) {
		cfg, err := ParseConfig(doc)
		if err != nil {
			if cfg != nil {
				t.Fatalf("ParseConfig returned a config with error %v", err)
			}
			return
		}
		if err := cfg.Validate(); err != nil {
			t.Fatalf("a parsed config fails validation again: %v", err)
		}
		fixedPoint(t, cfg, yaml.Marshal, ParseConfig)
		for _, sc := range cfg.Scenarios {
			if len(sc.matchers) != len(sc.Matchers) {
				t.Fatalf("scenario %q: %d matchers compiled of %d", sc.Name, len(sc.matchers), len(sc.Matchers))
			}
		}
	})
}

// fixedPoint checks that v encodes, that the encoding parses, and that the parsed value encodes
// to the same bytes, and returns the parsed value.
func fixedPoint[T any](t *testing.T, v T, encode func(any) ([]byte, error), parse func([]byte) (T, error)) T {
	t.Helper()
	enc, err := encode(v)
	if err != nil {
		t.Fatalf("a parsed value does not encode: %v", err)
	}
	v2, err := parse(enc)
	if err != nil {
		t.Fatalf("re-parsing the encoding:\n%s\n%v", enc, err)
	}
	enc2, err := encode(v2)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(enc, enc2) {
		t.Fatalf("parse(encode(v)) encodes differently:\n%s\n---\n%s", enc, enc2)
	}
	return v2
}
