// Command goplugin is a data source plugin built with grafana-plugin-sdk-go, for the interop tests.
//
// QueryData: the query JSON's "scenario" picks the answer: "all_types" (a frame of every field type),
// "error" (a downstream error, status 400), "panic" (a panic the SDK recovers), anything else "echo" (a
// key/value frame describing the request as the plugin saw it). CheckHealth: OK with details, ERROR when
// jsonData.health is "error". CallResource through httpadapter: GET /ping, POST /echo, GET /stream
// (flushed chunks), GET /status/{code}.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/datasource"
	"github.com/grafana/grafana-plugin-sdk-go/backend/instancemgmt"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
	"github.com/grafana/grafana-plugin-sdk-go/backend/resource/httpadapter"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/grafana-plugin-sdk-python/interop/internal/sample"
)

const pluginID = "go-interop-datasource"

type settings struct {
	Health string `json:"health"`
}

type instance struct {
	backend.CallResourceHandler
	settings settings
	uid      string
}

func newInstance(_ context.Context, s backend.DataSourceInstanceSettings) (instancemgmt.Instance, error) {
	inst := &instance{uid: s.UID}
	if len(s.JSONData) > 0 {
		if err := json.Unmarshal(s.JSONData, &inst.settings); err != nil {
			return nil, fmt.Errorf("invalid jsonData: %w", err)
		}
	}
	inst.CallResourceHandler = httpadapter.New(routes())
	log.DefaultLogger.Info("interop instance created", "uid", s.UID)
	return inst, nil
}

func (i *instance) Dispose() {
	log.DefaultLogger.Info("interop instance disposed", "uid", i.uid)
}

func secureKeys(pc backend.PluginContext) []string {
	var keys []string
	if ds := pc.DataSourceInstanceSettings; ds != nil {
		for k := range ds.DecryptedSecureJSONData {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

func (i *instance) CheckHealth(_ context.Context, req *backend.CheckHealthRequest) (*backend.CheckHealthResult, error) {
	if i.settings.Health == "error" {
		details, _ := json.Marshal(map[string]any{"reason": "configured to fail"})
		return &backend.CheckHealthResult{Status: backend.HealthStatusError, Message: "health check failed as configured", JSONDetails: details}, nil
	}
	details, err := json.Marshal(map[string]any{"uid": i.uid, "secureKeys": secureKeys(req.PluginContext), "headers": req.Headers})
	if err != nil {
		return nil, err
	}
	return &backend.CheckHealthResult{Status: backend.HealthStatusOk, Message: "Go interop plugin is working", JSONDetails: details}, nil
}

type queryModel struct {
	Scenario string `json:"scenario"`
}

func (i *instance) QueryData(_ context.Context, req *backend.QueryDataRequest) (*backend.QueryDataResponse, error) {
	resp := backend.NewQueryDataResponse()
	for _, q := range req.Queries {
		var qm queryModel
		if err := json.Unmarshal(q.JSON, &qm); err != nil {
			resp.Responses[q.RefID] = backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, "invalid query JSON: "+err.Error())
			continue
		}
		switch qm.Scenario {
		case "all_types":
			frame := sample.AllTypes()
			frame.RefID = q.RefID
			resp.Responses[q.RefID] = backend.DataResponse{Frames: data.Frames{frame}}
		case "error":
			resp.Responses[q.RefID] = backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, "scenario error for "+q.RefID)
		case "panic":
			panic("scenario panic for " + q.RefID)
		default:
			resp.Responses[q.RefID] = backend.DataResponse{Frames: data.Frames{echoFrame(req, q)}}
		}
	}
	return resp, nil
}

// echoFrame describes the request as the plugin received it, as key/value rows (secret values never included).
func echoFrame(req *backend.QueryDataRequest, q backend.DataQuery) *data.Frame {
	pc := req.PluginContext
	headers, _ := json.Marshal(req.Headers)
	rows := [][2]string{
		{"refId", q.RefID},
		{"queryType", q.QueryType},
		{"from", q.TimeRange.From.UTC().Format(time.RFC3339Nano)},
		{"to", q.TimeRange.To.UTC().Format(time.RFC3339Nano)},
		{"maxDataPoints", strconv.FormatInt(q.MaxDataPoints, 10)},
		{"intervalMs", strconv.FormatInt(q.Interval.Milliseconds(), 10)},
		{"json", string(q.JSON)},
		{"orgId", strconv.FormatInt(pc.OrgID, 10)},
		{"pluginId", pc.PluginID},
		{"headers", string(headers)},
	}
	if ds := pc.DataSourceInstanceSettings; ds != nil {
		rows = append(rows, [][2]string{
			{"dsUid", ds.UID}, {"dsName", ds.Name}, {"dsUrl", ds.URL}, {"dsJsonData", string(ds.JSONData)},
			{"dsSecureKeys", fmt.Sprint(secureKeys(pc))},
		}...)
	}
	if pc.User != nil {
		rows = append(rows, [][2]string{{"userLogin", pc.User.Login}, {"userRole", pc.User.Role}}...)
	}
	keys := make([]string, len(rows))
	values := make([]string, len(rows))
	for n, row := range rows {
		keys[n], values[n] = row[0], row[1]
	}
	frame := data.NewFrame("echo", data.NewField("key", nil, keys), data.NewField("value", nil, values))
	frame.RefID = q.RefID
	return frame
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ping", func(w http.ResponseWriter, r *http.Request) {
		login := ""
		if u := backend.UserFromContext(r.Context()); u != nil {
			login = u.Login
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"message": "pong", "method": r.Method, "path": r.URL.Path, "query": r.URL.RawQuery, "user": login,
			"datasourceUid": backend.PluginConfigFromContext(r.Context()).DataSourceInstanceSettings.UID,
			"xTest":         r.Header.Get("X-Test"),
		})
	})
	mux.HandleFunc("POST /echo", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"message": err.Error()})
			return
		}
		if ct := r.Header.Get("Content-Type"); ct != "" {
			w.Header().Set("Content-Type", ct)
		}
		w.Header().Set("X-Echo-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write(body)
	})
	mux.HandleFunc("GET /stream", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(r.URL.Query().Get("n"))
		if err != nil || n < 1 {
			n = 3
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		flusher := w.(http.Flusher)
		for i := range n {
			_, _ = fmt.Fprintf(w, "chunk %d\n", i)
			flusher.Flush()
			time.Sleep(50 * time.Millisecond)
		}
	})
	mux.HandleFunc("GET /status/{code}", func(w http.ResponseWriter, r *http.Request) {
		code, err := strconv.Atoi(r.PathValue("code"))
		if err != nil || code < 200 || code > 599 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"message": "bad status code"})
			return
		}
		writeJSON(w, code, map[string]int{"status": code})
	})
	return mux
}

func main() {
	if err := datasource.Manage(pluginID, newInstance, datasource.ManageOpts{}); err != nil {
		log.DefaultLogger.Error(err.Error())
		os.Exit(1)
	}
}
