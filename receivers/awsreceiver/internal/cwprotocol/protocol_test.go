package cwprotocol

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"
)

func TestValidate(t *testing.T) {
	for _, p := range []string{"", "cbor", "query", "json"} {
		if err := Validate(p); err != nil {
			t.Errorf("Validate(%q) = %v", p, err)
		}
	}
	err := Validate("x")
	if want := "`cloudwatch_protocol` must be one of cbor, query, json, got \"x\""; err == nil || err.Error() != want {
		t.Errorf("Validate(x) = %v, want %s", err, want)
	}
	for _, p := range []string{"", "cbor", "x"} {
		if o := Options(p); o != nil {
			t.Errorf("Options(%q) = %v, want nil", p, o)
		}
	}
}

// reply is one scripted HTTP response of the fake CloudWatch.
type reply struct {
	status int
	header map[string]string
	body   string
}

// seen is one request the fake CloudWatch received.
type seen struct {
	header http.Header
	body   string
}

// fake returns a client speaking proto to a server that answers with replies in
// order, and the requests it received. Retries have no backoff, to keep tests fast.
func fake(t *testing.T, proto string, replies ...reply) (*cloudwatch.Client, func() []seen) {
	t.Helper()
	var mu sync.Mutex
	var reqs []seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		n := len(reqs)
		reqs = append(reqs, seen{r.Header.Clone(), string(b)})
		mu.Unlock()
		if r.URL.Path != "/" || n >= len(replies) {
			http.Error(w, "unexpected request", http.StatusNotFound)
			return
		}
		for k, v := range replies[n].header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(replies[n].status)
		_, _ = io.WriteString(w, replies[n].body)
	}))
	t.Cleanup(srv.Close)
	cfg := aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(srv.URL),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
			})
		},
	}
	return cloudwatch.NewFromConfig(cfg, Options(proto)...), func() []seen {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(reqs)
	}
}

// checkQuery checks an AWS Query request: form-encoded, and holding exactly want.
func checkQuery(t *testing.T, r seen, want url.Values) {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		t.Errorf("Content-Type = %q", ct)
	}
	got, err := url.ParseQuery(r.body)
	if err != nil {
		t.Fatalf("body %q: %v", r.body, err)
	}
	want.Set("Version", "2010-08-01")
	if !reflect.DeepEqual(got, want) {
		t.Errorf("request\n got %v\nwant %v", got, want)
	}
}

// checkJSON checks an awsJson1_0 request: target header, and a body equal to want.
func checkJSON(t *testing.T, r seen, op, want string) {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/x-amz-json-1.0" {
		t.Errorf("Content-Type = %q", ct)
	}
	if tg := r.header.Get("X-Amz-Target"); tg != "GraniteServiceVersion20100801."+op {
		t.Errorf("X-Amz-Target = %q", tg)
	}
	var got, exp any
	if err := json.Unmarshal([]byte(r.body), &got); err != nil {
		t.Fatalf("body %q: %v", r.body, err)
	}
	if err := json.Unmarshal([]byte(want), &exp); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, exp) {
		t.Errorf("request\n got %s\nwant %s", r.body, want)
	}
}

func listMetrics(t *testing.T, cw *cloudwatch.Client) []string {
	t.Helper()
	p := cloudwatch.NewListMetricsPaginator(cw, &cloudwatch.ListMetricsInput{
		Namespace:      aws.String("AWS/EC2"),
		MetricName:     aws.String("CPUUtilization"),
		RecentlyActive: types.RecentlyActivePt3h,
		Dimensions:     []types.DimensionFilter{{Name: aws.String("InstanceId")}},
	})
	var got []string
	for p.HasMorePages() {
		page, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatalf("ListMetrics: %v", err)
		}
		for _, m := range page.Metrics {
			s := aws.ToString(m.Namespace) + " " + aws.ToString(m.MetricName)
			for _, d := range m.Dimensions {
				s += " " + aws.ToString(d.Name) + "=" + aws.ToString(d.Value)
			}
			got = append(got, s)
		}
	}
	return got
}

var wantMetrics = []string{
	"AWS/EC2 CPUUtilization InstanceId=i-1",
	"AWS/EC2 CPUUtilization InstanceId=i-2 AutoScalingGroupName=asg",
}

func TestListMetricsQuery(t *testing.T) {
	cw, reqs := fake(t, "query",
		reply{200, nil, `<ListMetricsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><ListMetricsResult>
<Metrics><member><Namespace>AWS/EC2</Namespace><MetricName>CPUUtilization</MetricName>
<Dimensions><member><Name>InstanceId</Name><Value>i-1</Value></member></Dimensions></member></Metrics>
<NextToken>page2</NextToken></ListMetricsResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></ListMetricsResponse>`},
		reply{200, nil, `<ListMetricsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><ListMetricsResult>
<Metrics><member><Namespace>AWS/EC2</Namespace><MetricName>CPUUtilization</MetricName>
<Dimensions><member><Name>InstanceId</Name><Value>i-2</Value></member><member><Name>AutoScalingGroupName</Name><Value>asg</Value></member></Dimensions></member></Metrics>
</ListMetricsResult></ListMetricsResponse>`})
	if got := listMetrics(t, cw); !slices.Equal(got, wantMetrics) {
		t.Errorf("metrics = %q, want %q", got, wantMetrics)
	}
	r := reqs()
	if len(r) != 2 {
		t.Fatalf("%d requests, want 2", len(r))
	}
	want := url.Values{
		"Action": {"ListMetrics"}, "Namespace": {"AWS/EC2"}, "MetricName": {"CPUUtilization"},
		"RecentlyActive": {"PT3H"}, "Dimensions.member.1.Name": {"InstanceId"},
	}
	checkQuery(t, r[0], want)
	want.Set("NextToken", "page2")
	checkQuery(t, r[1], want)
}

func TestListMetricsJSON(t *testing.T) {
	cw, reqs := fake(t, "json",
		reply{200, nil, `{"Metrics":[{"Namespace":"AWS/EC2","MetricName":"CPUUtilization",
"Dimensions":[{"Name":"InstanceId","Value":"i-1"}]}],"NextToken":"page2"}`},
		reply{200, nil, `{"Metrics":[{"Namespace":"AWS/EC2","MetricName":"CPUUtilization",
"Dimensions":[{"Name":"InstanceId","Value":"i-2"},{"Name":"AutoScalingGroupName","Value":"asg"}]}]}`})
	if got := listMetrics(t, cw); !slices.Equal(got, wantMetrics) {
		t.Errorf("metrics = %q, want %q", got, wantMetrics)
	}
	r := reqs()
	if len(r) != 2 {
		t.Fatalf("%d requests, want 2", len(r))
	}
	const req = `"Namespace":"AWS/EC2","MetricName":"CPUUtilization","RecentlyActive":"PT3H","Dimensions":[{"Name":"InstanceId"}]`
	checkJSON(t, r[0], "ListMetrics", `{`+req+`}`)
	checkJSON(t, r[1], "ListMetrics", `{`+req+`,"NextToken":"page2"}`)
}

var (
	start = time.Date(2024, 1, 2, 3, 0, 0, 0, time.UTC)
	end   = start.Add(10 * time.Minute)
)

// getMetricData runs a two-query GetMetricData through its paginator and returns
// the results by Id.
func getMetricData(t *testing.T, cw *cloudwatch.Client) map[string]types.MetricDataResult {
	t.Helper()
	q := func(id, instance string) types.MetricDataQuery {
		return types.MetricDataQuery{
			Id: aws.String(id),
			MetricStat: &types.MetricStat{
				Metric: &types.Metric{
					Namespace:  aws.String("AWS/EC2"),
					MetricName: aws.String("CPUUtilization"),
					Dimensions: []types.Dimension{{Name: aws.String("InstanceId"), Value: aws.String(instance)}},
				},
				Period: aws.Int32(60),
				Stat:   aws.String("Average"),
			},
			ReturnData: aws.Bool(true),
		}
	}
	p := cloudwatch.NewGetMetricDataPaginator(cw, &cloudwatch.GetMetricDataInput{
		MetricDataQueries: []types.MetricDataQuery{q("m0", "i-1"), q("m1", "i-2")},
		StartTime:         aws.Time(start),
		EndTime:           aws.Time(end),
		ScanBy:            types.ScanByTimestampAscending,
	})
	got := map[string]types.MetricDataResult{}
	for p.HasMorePages() {
		page, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatalf("GetMetricData: %v", err)
		}
		for _, r := range page.MetricDataResults {
			// Pages continue a result: CloudWatch splits long series across pages.
			prev := got[aws.ToString(r.Id)]
			r.Timestamps = append(prev.Timestamps, r.Timestamps...)
			r.Values = append(prev.Values, r.Values...)
			r.Messages = append(prev.Messages, r.Messages...)
			got[aws.ToString(r.Id)] = r
		}
	}
	return got
}

func checkResults(t *testing.T, got map[string]types.MetricDataResult) {
	t.Helper()
	if len(got) != 2 {
		t.Fatalf("results = %+v, want m0 and m1", got)
	}
	m0, m1 := got["m0"], got["m1"]
	ts := []time.Time{start.Add(time.Minute), start.Add(2 * time.Minute), start.Add(3 * time.Minute)}
	if aws.ToString(m0.Label) != "CPUUtilization" || m0.StatusCode != types.StatusCodeComplete ||
		!slices.EqualFunc(m0.Timestamps, ts, time.Time.Equal) || !slices.Equal(m0.Values, []float64{1.5, 2, 0.25}) {
		t.Errorf("m0 = %s %s %v %v", aws.ToString(m0.Label), m0.StatusCode, m0.Timestamps, m0.Values)
	}
	if m1.StatusCode != types.StatusCodePartialData || len(m1.Timestamps) != 0 || len(m1.Values) != 0 ||
		len(m1.Messages) != 1 || aws.ToString(m1.Messages[0].Code) != "ArithmeticError" || aws.ToString(m1.Messages[0].Value) != "no data" {
		t.Errorf("m1 = %s %v %v %+v", m1.StatusCode, m1.Timestamps, m1.Values, m1.Messages)
	}
}

func TestGetMetricDataQuery(t *testing.T) {
	cw, reqs := fake(t, "query",
		reply{200, nil, `<GetMetricDataResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><GetMetricDataResult>
<MetricDataResults>
 <member><Id>m0</Id><Label>CPUUtilization</Label><StatusCode>PartialData</StatusCode>
  <Timestamps><member>2024-01-02T03:01:00Z</member><member>2024-01-02T03:02:00.000Z</member></Timestamps>
  <Values><member>1.5</member><member>2.0</member></Values></member>
 <member><Id>m1</Id><Label>CPUUtilization</Label><StatusCode>PartialData</StatusCode><Timestamps/><Values/>
  <Messages><member><Code>ArithmeticError</Code><Value>no data</Value></member></Messages></member>
</MetricDataResults><Messages/><NextToken>tok2</NextToken></GetMetricDataResult></GetMetricDataResponse>`},
		reply{200, nil, `<GetMetricDataResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><GetMetricDataResult>
<MetricDataResults><member><Id>m0</Id><Label>CPUUtilization</Label><StatusCode>Complete</StatusCode>
  <Timestamps><member>2024-01-02T03:03:00Z</member></Timestamps><Values><member>0.25</member></Values></member></MetricDataResults>
</GetMetricDataResult></GetMetricDataResponse>`})
	checkResults(t, getMetricData(t, cw))
	r := reqs()
	if len(r) != 2 {
		t.Fatalf("%d requests, want 2", len(r))
	}
	want := url.Values{
		"Action": {"GetMetricData"}, "StartTime": {"2024-01-02T03:00:00Z"}, "EndTime": {"2024-01-02T03:10:00Z"},
		"ScanBy": {"TimestampAscending"},
	}
	for i, instance := range []string{"i-1", "i-2"} {
		p := "MetricDataQueries.member." + strconv.Itoa(i+1) + "."
		want.Set(p+"Id", "m"+strconv.Itoa(i))
		want.Set(p+"MetricStat.Metric.Namespace", "AWS/EC2")
		want.Set(p+"MetricStat.Metric.MetricName", "CPUUtilization")
		want.Set(p+"MetricStat.Metric.Dimensions.member.1.Name", "InstanceId")
		want.Set(p+"MetricStat.Metric.Dimensions.member.1.Value", instance)
		want.Set(p+"MetricStat.Period", "60")
		want.Set(p+"MetricStat.Stat", "Average")
		want.Set(p+"ReturnData", "true")
	}
	checkQuery(t, r[0], want)
	want.Set("NextToken", "tok2")
	checkQuery(t, r[1], want)
}

func TestGetMetricDataJSON(t *testing.T) {
	// Timestamps are epoch seconds, as AWS sends them (moto too); fractions are allowed.
	cw, reqs := fake(t, "json",
		reply{200, nil, `{"MetricDataResults":[
 {"Id":"m0","Label":"CPUUtilization","StatusCode":"PartialData","Timestamps":[1704164460,1704164520.0],"Values":[1.5,2]},
 {"Id":"m1","Label":"CPUUtilization","StatusCode":"PartialData","Timestamps":[],"Values":[],
  "Messages":[{"Code":"ArithmeticError","Value":"no data"}]}],"Messages":[],"NextToken":"tok2"}`},
		reply{200, nil, `{"MetricDataResults":[{"Id":"m0","Label":"CPUUtilization","StatusCode":"Complete","Timestamps":[1704164580],"Values":[0.25]}]}`})
	checkResults(t, getMetricData(t, cw))
	r := reqs()
	if len(r) != 2 {
		t.Fatalf("%d requests, want 2", len(r))
	}
	q := func(id, instance string) string {
		return `{"Id":"` + id + `","MetricStat":{"Metric":{"Namespace":"AWS/EC2","MetricName":"CPUUtilization",
"Dimensions":[{"Name":"InstanceId","Value":"` + instance + `"}]},"Period":60,"Stat":"Average"},"ReturnData":true}`
	}
	req := `"MetricDataQueries":[` + q("m0", "i-1") + `,` + q("m1", "i-2") + `],"StartTime":1704164400,"EndTime":1704165000,"ScanBy":"TimestampAscending"`
	checkJSON(t, r[0], "GetMetricData", `{`+req+`}`)
	checkJSON(t, r[1], "GetMetricData", `{`+req+`,"NextToken":"tok2"}`)
}

// minimalInput is the smallest GetMetricData request the SDK's validation lets through.
func minimalInput() *cloudwatch.GetMetricDataInput {
	return &cloudwatch.GetMetricDataInput{
		MetricDataQueries: []types.MetricDataQuery{{Id: aws.String("m0"), Expression: aws.String("1")}},
		StartTime:         aws.Time(start),
		EndTime:           aws.Time(end),
	}
}

// errorReply is, by protocol, an error response as AWS sends it for code.
func errorReply(proto, code string) reply {
	if proto == "query" {
		return reply{400, map[string]string{"Content-Type": "text/xml"}, `<ErrorResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/">
<Error><Type>Sender</Type><Code>` + code + `</Code><Message>oops</Message></Error><RequestId>r</RequestId></ErrorResponse>`}
	}
	// awsJson with @awsQueryCompatible: the query code is in a header, the body
	// names the shape (moto sends the same).
	return reply{400, map[string]string{"X-Amzn-Query-Error": code + ";Sender"},
		`{"__type":"com.amazonaws.cloudwatch#` + code + `Exception","message":"oops"}`}
}

func TestErrors(t *testing.T) {
	for _, proto := range []string{"query", "json"} {
		t.Run(proto, func(t *testing.T) {
			// Throttling is retried (here 3 attempts, the SDK's default) and then
			// surfaces as an APIError that the SDK classifies as a throttle.
			cw, reqs := fake(t, proto, errorReply(proto, "Throttling"), errorReply(proto, "Throttling"), errorReply(proto, "Throttling"))
			_, err := cw.ListMetrics(t.Context(), &cloudwatch.ListMetricsInput{})
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != "Throttling" || ae.ErrorMessage() != "oops" {
				t.Fatalf("err = %v (%T), want APIError Throttling", err, err)
			}
			if retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err) != aws.TrueTernary {
				t.Errorf("%v not classified as a throttle", err)
			}
			if n := len(reqs()); n != 3 {
				t.Errorf("%d attempts, want 3", n)
			}

			// A throttle followed by success is absorbed by the retryer.
			cw, reqs = fake(t, proto, errorReply(proto, "Throttling"), reply{200, nil, map[string]string{
				"query": `<ListMetricsResponse><ListMetricsResult><Metrics/></ListMetricsResult></ListMetricsResponse>`,
				"json":  `{"Metrics":[]}`,
			}[proto]})
			if _, err := cw.ListMetrics(t.Context(), &cloudwatch.ListMetricsInput{}); err != nil || len(reqs()) != 2 {
				t.Errorf("throttle then success: err = %v after %d attempts", err, len(reqs()))
			}

			// A modeled error is its typed error, with the code AWS sent.
			cw, _ = fake(t, proto, errorReply(proto, "InvalidParameterValue"))
			_, err = cw.GetMetricData(t.Context(), minimalInput())
			var ipv *types.InvalidParameterValueException
			if !errors.As(err, &ipv) || ipv.ErrorCode() != "InvalidParameterValue" {
				t.Errorf("err = %v (%T), want InvalidParameterValueException with code InvalidParameterValue", err, err)
			}
		})
	}
}

// TestMalformed checks that bodies that are not what the protocol says give an
// error, never a panic, including every truncation of a valid response.
func TestMalformed(t *testing.T) {
	valid := map[string]string{
		"query": `<GetMetricDataResponse><GetMetricDataResult><MetricDataResults><member><Id>m0</Id>` +
			`<Timestamps><member>2024-01-02T03:01:00Z</member></Timestamps><Values><member>1.5</member></Values>` +
			`<StatusCode>Complete</StatusCode></member></MetricDataResults><NextToken>t</NextToken></GetMetricDataResult></GetMetricDataResponse>`,
		"json": `{"MetricDataResults":[{"Id":"m0","Timestamps":[1704164460],"Values":[1.5],"StatusCode":"Complete"}],"NextToken":"t"}`,
	}
	bad := []reply{
		{200, nil, "<html><body>gateway</body></html>"},
		{200, nil, "{not json"},
		{200, nil, `{"MetricDataResults":[{"Timestamps":["yesterday"],"Values":["x"]}]}`},
		{200, nil, `<GetMetricDataResponse><GetMetricDataResult><MetricDataResults><member><Timestamps><member>yesterday</member></Timestamps><Values><member>x</member></Values></member></MetricDataResults></GetMetricDataResult></GetMetricDataResponse>`},
		{400, nil, "{not json"},
		{400, nil, "<Error"},
	}
	for _, proto := range []string{"query", "json"} {
		for _, b := range bad {
			cw, _ := fake(t, proto, b)
			if _, err := cw.GetMetricData(t.Context(), minimalInput(), func(o *cloudwatch.Options) { o.RetryMaxAttempts = 1 }); err == nil {
				t.Errorf("%s: no error for %d %q", proto, b.status, b.body)
			}
		}
		// Every truncation fails, except, in awsQuery, those that keep the whole
		// <GetMetricDataResult> element: all the data is there.
		v := valid[proto]
		complete := len(v)
		if proto == "query" {
			complete = strings.Index(v, "</GetMetricDataResult>") + len("</GetMetricDataResult>")
		}
		var replies []reply
		for i := 1; i < len(v); i++ {
			replies = append(replies, reply{200, nil, v[:i]})
		}
		cw, _ := fake(t, proto, replies...)
		for _, r := range replies {
			_, err := cw.GetMetricData(t.Context(), minimalInput(), func(o *cloudwatch.Options) { o.RetryMaxAttempts = 1 })
			if err == nil && len(r.body) < complete {
				t.Errorf("%s: no error for truncated %q", proto, r.body)
			}
		}
	}
}
