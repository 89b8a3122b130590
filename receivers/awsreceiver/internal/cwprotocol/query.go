package cwprotocol

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"
)

// queryProtocol is smithy-go's awsQuery protocol, except that modeled errors keep the
// code AWS sent. awsquery maps <Code>InvalidParameterValue</Code> to
// types.InvalidParameterValueException but leaves its ErrorCode() at the shape name
// ("InvalidParameterValueException"), whereas the CBOR and JSON protocols report the
// wire code. The receiver shows ErrorCode() as the cause of a failing collection, so
// the same failure should read the same whatever the protocol.
type queryProtocol struct {
	*awsquery.Protocol
}

func newQuery() smithyhttp.ClientProtocol {
	return queryProtocol{awsquery.New(schemas.GraniteServiceVersion20100801)}
}

// DeserializeResponse implements smithyhttp.ClientProtocol.
func (p queryProtocol) DeserializeResponse(ctx context.Context, schema *smithy.OperationSchema, types *smithy.TypeRegistry, resp *smithyhttp.Response, out smithy.Deserializable) error {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return p.Protocol.DeserializeResponse(ctx, schema, types, resp, out)
	}
	// Error bodies are small; keep a copy to read the code from. The original body
	// stays on resp, for the SDK to close.
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return &smithy.DeserializationError{Err: err}
	}
	hr := *resp.Response
	hr.Body = io.NopCloser(bytes.NewReader(body))
	err = p.Protocol.DeserializeResponse(ctx, schema, types, &smithyhttp.Response{Response: &hr}, out)

	var wire struct {
		Code string `xml:"Error>Code"`
	}
	var ae smithy.APIError
	if xml.Unmarshal(body, &wire) == nil && wire.Code != "" && errors.As(err, &ae) && ae.ErrorCode() != wire.Code {
		setCode(ae, wire.Code)
	}
	return err
}

// setCode sets the ErrorCodeOverride field that every generated CloudWatch error type
// has (smithy-go does the same, by reflection, for the JSON and CBOR protocols).
func setCode(err smithy.APIError, code string) {
	v := reflect.ValueOf(err)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return
	}
	f := v.Elem().FieldByName("ErrorCodeOverride")
	if f.IsValid() && f.CanSet() && f.Type() == reflect.TypeFor[*string]() {
		f.Set(reflect.ValueOf(&code))
	}
}
