package simazure

import (
	"fmt"
	"net/http"
	"time"
)

// apiError is an ARM-shaped error answer: {"error": {"code", "message", "details"}}, which
// azcore turns into an *azcore.ResponseError with ErrorCode set to code.
type apiError struct {
	Status  int
	Code    string
	Message string
	Details []errorDetail
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func apiErrorf(status int, code, format string, args ...any) *apiError {
	return &apiError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

func writeAPIError(w http.ResponseWriter, e *apiError) {
	body := struct {
		Error struct {
			Code    string        `json:"code"`
			Message string        `json:"message"`
			Details []errorDetail `json:"details,omitempty"`
		} `json:"error"`
	}{}
	body.Error.Code, body.Error.Message, body.Error.Details = e.Code, e.Message, e.Details
	writeJSON(w, e.Status, body)
}

// badRequest is the plain 400 the metrics endpoint answers for invalid parameters.
func badRequest(format string, args ...any) *apiError {
	return apiErrorf(http.StatusBadRequest, "BadRequest", format, args...)
}

// throttleError is ARM's 429; the caller adds Retry-After.
func throttleError() *apiError {
	return apiErrorf(http.StatusTooManyRequests, "TooManyRequests",
		"The request is being throttled as the limit has been reached for operation type - Read_ObservationWindow_00:05:00. "+
			"For more information, refer to - https://aka.ms/armthrottling")
}

// serverError alternates between ARM's two transient server failures.
func (srv *server) serverError(c *call) *apiError {
	if srv.errorsN.Add(1)%2 == 0 {
		return apiErrorf(http.StatusServiceUnavailable, "ServiceUnavailable",
			"The server is currently unavailable to handle the request. Please retry. Tracking id '%s'.", c.requestID)
	}
	return apiErrorf(http.StatusInternalServerError, "InternalServerError",
		"Encountered internal server error. Diagnostic information: timestamp '%s', tracking id '%s'.",
		srv.sim.Now().UTC().Format("20060102T150405Z"), c.requestID)
}

func (srv *server) expiredError(_ *http.Request, now time.Time) *apiError {
	return apiErrorf(http.StatusUnauthorized, "ExpiredAuthenticationToken",
		"The access token expiry UTC time '%s' is earlier than current UTC time '%s'.",
		now.UTC().Add(-time.Minute).Format("1/2/2006 3:04:05 PM"), now.UTC().Format("1/2/2006 3:04:05 PM"))
}

// graphError is Resource Graph's answer to a query it cannot run: a BadRequest whose details
// say why.
func graphError(code, format string, args ...any) *apiError {
	const invalid = "Query is invalid. Please refer to the documentation for the Azure Resource Graph service and fix the error before retrying."
	return &apiError{
		Status: http.StatusBadRequest, Code: "BadRequest", Message: invalid,
		Details: []errorDetail{{Code: "InvalidQuery", Message: invalid}, {Code: code, Message: fmt.Sprintf(format, args...)}},
	}
}
