package sim

import (
	"bytes"
	"fmt"
	"net/http"
)

// TruncatingWriter is the malformed-body fault of every provider's server: it forwards headers
// and status but only the first half of the body, so the client's decoder fails as on a cut
// connection. Handlers write into it; Flush sends the cut body.
type TruncatingWriter struct {
	http.ResponseWriter
	buf    bytes.Buffer
	status int
}

// NewTruncatingWriter wraps w.
func NewTruncatingWriter(w http.ResponseWriter) *TruncatingWriter {
	return &TruncatingWriter{ResponseWriter: w}
}

// WriteHeader keeps the status for Flush.
func (t *TruncatingWriter) WriteHeader(code int) { t.status = code }

// Write keeps the body for Flush.
func (t *TruncatingWriter) Write(p []byte) (int, error) { return t.buf.Write(p) }

// Flush sends the status and the first half of the body.
func (t *TruncatingWriter) Flush() {
	if t.status == 0 {
		t.status = http.StatusOK
	}
	b := t.buf.Bytes()
	b = b[:len(b)/2]
	t.ResponseWriter.Header().Set("Content-Length", fmt.Sprint(len(b)))
	t.ResponseWriter.WriteHeader(t.status)
	_, _ = t.ResponseWriter.Write(b)
}
