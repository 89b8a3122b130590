package simaws

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/aws/smithy-go/encoding/cbor"
)

// protocol is a wire protocol family.
type protocol int

const (
	protoCBOR     protocol = iota // CloudWatch: Smithy RPC v2 CBOR, AWS query compatible
	protoEC2Query                 // EC2: the EC2 query protocol
	protoAWSQuery                 // STS, RDS: the AWS query protocol
	protoJSON11                   // Resource Groups Tagging API: awsJson1_1
)

// apiError is an error answer in a protocol-neutral form.
type apiError struct {
	Status  int
	Code    string
	Message string
	// Receiver marks server faults (the query protocol's <Type>).
	Receiver bool
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func errorf(status int, code, format string, args ...any) *apiError {
	return &apiError{Status: status, Code: code, Message: fmt.Sprintf(format, args...), Receiver: status >= 500}
}

// cborTypeNames maps query-protocol error codes to the shape names a query-compatible CBOR
// service puts in __type; the SDK reads the code back from X-Amzn-Query-Error.
var cborTypeNames = map[string]string{
	"Throttling":            "ThrottlingException",
	"InvalidParameterValue": "InvalidParameterValueException",
	"ValidationError":       "ValidationException",
	"ExpiredToken":          "ExpiredTokenException",
	"MissingParameter":      "MissingRequiredParameterException",
}

// writeError writes an error in the protocol's real error shape, so the SDK's deserializers
// produce the same error values as against AWS.
func writeError(w http.ResponseWriter, p protocol, requestID string, e *apiError) {
	kind := "Sender"
	if e.Receiver {
		kind = "Receiver"
	}
	switch p {
	case protoCBOR:
		typ := e.Code
		if t, ok := cborTypeNames[e.Code]; ok {
			typ = t
		}
		body := cbor.Encode(cbor.Map{
			"__type":  cbor.String("com.amazonaws.cloudwatch#" + typ),
			"message": cbor.String(e.Message),
		})
		w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
		w.Header().Set("Content-Type", "application/cbor")
		w.Header().Set("X-Amzn-Query-Error", e.Code+";"+kind)
		w.Header().Set("X-Amzn-Requestid", requestID)
		w.WriteHeader(e.Status)
		_, _ = w.Write(body)
	case protoEC2Query:
		w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
		w.WriteHeader(e.Status)
		var b strings.Builder
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
		b.WriteString("<Response><Errors><Error>")
		elem(&b, "Code", e.Code)
		elem(&b, "Message", e.Message)
		b.WriteString("</Error></Errors>")
		elem(&b, "RequestID", requestID)
		b.WriteString("</Response>")
		_, _ = w.Write([]byte(b.String()))
	case protoAWSQuery:
		w.Header().Set("Content-Type", "text/xml")
		w.Header().Set("X-Amzn-Requestid", requestID)
		w.WriteHeader(e.Status)
		var b strings.Builder
		b.WriteString("<ErrorResponse><Error>")
		elem(&b, "Type", kind)
		elem(&b, "Code", e.Code)
		elem(&b, "Message", e.Message)
		b.WriteString("</Error>")
		elem(&b, "RequestId", requestID)
		b.WriteString("</ErrorResponse>")
		_, _ = w.Write([]byte(b.String()))
	case protoJSON11:
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("X-Amzn-Errortype", e.Code)
		w.Header().Set("X-Amzn-Requestid", requestID)
		w.WriteHeader(e.Status)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": e.Code, "message": e.Message})
	}
}

// Error codes per protocol for the simulator's fault kinds and auth failures.
func throttleError(p protocol) *apiError {
	switch p {
	case protoEC2Query:
		return errorf(http.StatusServiceUnavailable, "RequestLimitExceeded", "Request limit exceeded.")
	case protoJSON11:
		return errorf(http.StatusBadRequest, "ThrottledException", "Rate exceeded")
	default:
		return errorf(http.StatusBadRequest, "Throttling", "Rate exceeded")
	}
}

func serverError(p protocol) *apiError {
	if p == protoEC2Query {
		return errorf(http.StatusInternalServerError, "InternalError", "An internal error has occurred")
	}
	return errorf(http.StatusInternalServerError, "InternalFailure", "The request processing has failed because of an unknown error, exception or failure.")
}

func expiredError(p protocol) *apiError {
	if p == protoJSON11 {
		return errorf(http.StatusBadRequest, "ExpiredTokenException", "The security token included in the request is expired")
	}
	return errorf(http.StatusBadRequest, "ExpiredToken", "The security token included in the request is expired")
}

func badSignatureError(p protocol) *apiError {
	if p == protoJSON11 {
		return errorf(http.StatusBadRequest, "InvalidSignatureException", "The request signature we calculated does not match the signature you provided.")
	}
	return errorf(http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.")
}

func unknownKeyError(p protocol) *apiError {
	switch p {
	case protoEC2Query:
		return errorf(http.StatusUnauthorized, "AuthFailure", "AWS was not able to validate the provided access credentials")
	case protoJSON11:
		return errorf(http.StatusBadRequest, "UnrecognizedClientException", "The security token included in the request is invalid.")
	default:
		return errorf(http.StatusForbidden, "InvalidClientTokenId", "The security token included in the request is invalid.")
	}
}

func missingAuthError() *apiError {
	return errorf(http.StatusForbidden, "MissingAuthenticationToken", "Request is missing Authentication Token")
}

func unknownOperationError(p protocol, op string) *apiError {
	switch p {
	case protoEC2Query, protoAWSQuery:
		return errorf(http.StatusBadRequest, "InvalidAction", "The action %s is not valid for this web service.", op)
	default:
		return errorf(http.StatusBadRequest, "UnknownOperationException", "operation %q is not simulated", op)
	}
}

func invalidParam(p protocol, format string, args ...any) *apiError {
	if p == protoJSON11 {
		return errorf(http.StatusBadRequest, "InvalidParameterException", format, args...)
	}
	return errorf(http.StatusBadRequest, "InvalidParameterValue", format, args...)
}
