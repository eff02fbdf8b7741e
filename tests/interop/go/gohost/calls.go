package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/grpcplugin"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"
	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc/status"
)

// CallResult is the outcome of one call. Exactly one of the op-specific parts is set unless Error is.
type CallResult struct {
	Op     string                     `json:"op"`
	Error  *RPCError                  `json:"error,omitempty"`
	Health *HealthResult              `json:"health,omitempty"`
	Data   map[string]json.RawMessage `json:"data,omitempty"`
	Decode map[string]DecodeInfo      `json:"decode,omitempty"`
	// RawFrames holds each refId's frames exactly as received (base64 in JSON), for byte-level checks.
	RawFrames map[string][][]byte `json:"rawFrames,omitempty"`
	Messages  []ResourceMessage   `json:"messages,omitempty"`
	Metrics   *string             `json:"metrics,omitempty"`
}

// RPCError is a failed gRPC call: its status code name and message, plus the error source Grafana reads.
type RPCError struct {
	Code        string `json:"code"`
	Message     string `json:"message"`
	ErrorSource string `json:"errorSource,omitempty"`
}

// HealthResult is a CheckHealth answer.
type HealthResult struct {
	Status  string          `json:"status"`
	Message string          `json:"message"`
	Details json.RawMessage `json:"details,omitempty"`
	// DetailsRaw holds jsonDetails when they are not valid JSON.
	DetailsRaw string `json:"detailsRaw,omitempty"`
}

// DecodeInfo tells how the frames of one refId were decoded.
type DecodeInfo struct {
	Format string `json:"format"`
	Frames int    `json:"frames"`
	Error  string `json:"error,omitempty"`
}

// ResourceMessage is one streamed CallResource message.
type ResourceMessage struct {
	Status     int32               `json:"status"`
	Headers    map[string][]string `json:"headers"`
	Body       *string             `json:"body,omitempty"`
	BodyBase64 []byte              `json:"bodyBase64,omitempty"`
	// ElapsedMS is the time since the call started when the message arrived.
	ElapsedMS float64 `json:"elapsedMs"`
}

type clients struct {
	diagnostics grpcplugin.DiagnosticsClient
	resource    grpcplugin.ResourceClient
	data        grpcplugin.DataClient
}

// dispense asks go-plugin for each client as Grafana's ClientV2 does.
func dispense(rpc goplugin.ClientProtocol) (*clients, error) {
	c := &clients{}
	for name, set := range map[string]func(any){
		"diagnostics": func(raw any) { c.diagnostics, _ = raw.(grpcplugin.DiagnosticsClient) },
		"resource":    func(raw any) { c.resource, _ = raw.(grpcplugin.ResourceClient) },
		"data":        func(raw any) { c.data, _ = raw.(grpcplugin.DataClient) },
		"stream":      func(any) {},
	} {
		raw, err := rpc.Dispense(name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		set(raw)
	}
	return c, nil
}

func rpcError(ctx context.Context, err error) *RPCError {
	st := status.Convert(err)
	e := &RPCError{Code: st.Code().String(), Message: st.Message()}
	if src, ok := backend.ErrorSourceFromGrpcStatusError(ctx, err); ok {
		e.ErrorSource = string(src)
	}
	return e
}

func (c *clients) do(rpc goplugin.ClientProtocol, script *Script, call Call, timeout time.Duration) CallResult {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	spec := script.PluginContext
	if call.PluginContext != nil {
		spec = call.PluginContext
	}
	pc, err := spec.toBackend()
	res := CallResult{Op: call.Op}
	if err != nil {
		res.Error = &RPCError{Code: "ScriptError", Message: err.Error()}
		return res
	}
	protoPC := backend.ToProto().PluginContext(pc)
	switch call.Op {
	case "Ping":
		if err := rpc.Ping(); err != nil {
			res.Error = rpcError(ctx, err)
		}
	case "CheckHealth":
		resp, err := c.diagnostics.CheckHealth(ctx, &pluginv2.CheckHealthRequest{PluginContext: protoPC, Headers: call.Headers})
		if err != nil {
			res.Error = rpcError(ctx, err)
			break
		}
		res.Health = &HealthResult{Status: resp.Status.String(), Message: resp.Message}
		if len(resp.JsonDetails) > 0 {
			if json.Valid(resp.JsonDetails) {
				res.Health.Details = resp.JsonDetails
			} else {
				res.Health.DetailsRaw = string(resp.JsonDetails)
			}
		}
	case "QueryData":
		res.Error = c.queryData(ctx, pc, call, &res)
	case "CallResource":
		res.Error = c.callResource(ctx, pc, call, &res)
	case "CollectMetrics":
		resp, err := c.diagnostics.CollectMetrics(ctx, &pluginv2.CollectMetricsRequest{PluginContext: protoPC})
		if err != nil {
			res.Error = rpcError(ctx, err)
			break
		}
		text := ""
		if resp.Metrics != nil {
			text = string(resp.Metrics.Prometheus)
		}
		res.Metrics = &text
	default:
		res.Error = &RPCError{Code: "ScriptError", Message: "unknown op " + call.Op}
	}
	return res
}

func (c *clients) queryData(ctx context.Context, pc backend.PluginContext, call Call, res *CallResult) *RPCError {
	req := &backend.QueryDataRequest{PluginContext: pc, Headers: call.Headers}
	for _, q := range call.Queries {
		req.Queries = append(req.Queries, q.toBackend())
	}
	if call.Format == "json" {
		req.Format = backend.DataFrameFormat_JSON
	}
	resp, err := c.data.QueryData(ctx, backend.ToProto().QueryDataRequest(req))
	if err != nil {
		return rpcError(ctx, err)
	}
	res.Data = map[string]json.RawMessage{}
	res.Decode = map[string]DecodeInfo{}
	res.RawFrames = map[string][][]byte{}
	for refID, pr := range resp.Responses {
		dr, info := decodeDataResponse(pr)
		b, err := json.Marshal(&dr) // the Go SDK's DataResponse JSON, as Grafana's /api/ds/query writes it
		if err != nil {
			info.Error = "marshal: " + err.Error()
			b = []byte("null")
		}
		res.Data[refID] = b
		res.Decode[refID] = info
		res.RawFrames[refID] = pr.Frames
	}
	return nil
}

// decodeDataResponse mirrors backend.FromProto().QueryDataResponse for one refId, keeping decode errors apart.
func decodeDataResponse(pr *pluginv2.DataResponse) (backend.DataResponse, DecodeInfo) {
	dr := backend.DataResponse{Status: backend.Status(pr.Status)}
	if !dr.Status.IsValid() {
		dr.Status = backend.StatusUnknown
	}
	if pr.Error != "" {
		dr.Error = errors.New(pr.Error)
		dr.ErrorSource = backend.ErrorSource(pr.ErrorSource)
	}
	info := DecodeInfo{Format: pr.Format.String(), Frames: len(pr.Frames)}
	var err error
	switch pr.Format {
	case pluginv2.DataFrameFormat_ARROW:
		dr.Frames, err = data.UnmarshalArrowFrames(pr.Frames)
	case pluginv2.DataFrameFormat_JSON:
		dr.Frames = make(data.Frames, len(pr.Frames))
		for i, b := range pr.Frames {
			if err = json.Unmarshal(b, &dr.Frames[i]); err != nil {
				break
			}
		}
	default:
		err = fmt.Errorf("unknown data frame format %v", pr.Format)
	}
	if err != nil {
		info.Error = err.Error()
		dr.Frames = nil
	}
	return dr, info
}

func (c *clients) callResource(ctx context.Context, pc backend.PluginContext, call Call, res *CallResult) *RPCError {
	method := call.Method
	if method == "" {
		method = "GET"
	}
	url := call.URL
	if url == "" {
		url = call.Path
	}
	req := &backend.CallResourceRequest{
		PluginContext: pc, Path: call.Path, Method: method, URL: url, Headers: call.ResourceHeaders, Body: []byte(call.Body),
	}
	start := time.Now()
	stream, err := c.resource.CallResource(ctx, backend.ToProto().CallResourceRequest(req))
	if err != nil {
		return rpcError(ctx, err)
	}
	res.Messages = []ResourceMessage{}
	for {
		msg, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return rpcError(ctx, err)
		}
		rm := ResourceMessage{Status: msg.Code, Headers: map[string][]string{}, ElapsedMS: float64(time.Since(start).Microseconds()) / 1000}
		for k, v := range msg.Headers {
			rm.Headers[k] = v.Values
		}
		if utf8.Valid(msg.Body) {
			body := string(msg.Body)
			rm.Body = &body
		} else {
			rm.BodyBase64 = msg.Body
		}
		res.Messages = append(res.Messages, rm)
	}
}

// syncWriter serialises writes from go-plugin's logging goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
