// Command gofront is the reference for the host benchmark: the least a Go program needs to serve
// /api/ds/query the way Grafana's own path does, without authentication, database or secrets.
//
// It launches one backend plugin with hashicorp/go-plugin (Grafana's handshake, gRPC only), and either
//
//   - serves POST /api/ds/query on -listen with net/http: the body's queries become a backend.QueryDataRequest
//     for one fixed data source, the Go SDK's client calls QueryData, and the Go SDK's JSON encoder writes the
//     response (like Grafana: 200, or 400 when a refId failed); or
//   - with -load-seconds, calls QueryData itself from -load-callers goroutines for that long and prints one JSON
//     line with the call count and latency percentiles (the plugin-side benchmark, no HTTP involved).
//
//	gofront -listen 127.0.0.1:3001 [-ds-type ID] -- PLUGIN_EXECUTABLE [ARGS...]
//	gofront -load-seconds 5 -load-callers 8 [-query JSON] -- PLUGIN_EXECUTABLE [ARGS...]
//
// When serving, it prints "ready" on stdout once the plugin answered its handshake and the port is open.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/grpcplugin"
	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
)

const maxBody = 10 << 20

var handshake = goplugin.HandshakeConfig{
	ProtocolVersion:  grpcplugin.ProtocolVersion,
	MagicCookieKey:   grpcplugin.MagicCookieKey,
	MagicCookieValue: grpcplugin.MagicCookieValue,
}

// launch starts the plugin as Grafana does and returns its QueryData client.
func launch(args []string) (*goplugin.Client, grpcplugin.DataClient, error) {
	cmd := exec.Command(args[0], args[1:]...) //nolint:gosec // the plugin to run is the argument
	cmd.Env = os.Environ()
	client := goplugin.NewClient(&goplugin.ClientConfig{
		Cmd:              cmd,
		HandshakeConfig:  handshake,
		VersionedPlugins: map[int]goplugin.PluginSet{grpcplugin.ProtocolVersion: {"data": &grpcplugin.DataGRPCPlugin{}}},
		Logger:           hclog.New(&hclog.LoggerOptions{Name: "gofront", Level: hclog.Error, Output: os.Stderr}),
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		Stderr:           io.Discard,
	})
	rpc, err := client.Client()
	if err != nil {
		client.Kill()
		return nil, nil, err
	}
	raw, err := rpc.Dispense("data")
	if err != nil {
		client.Kill()
		return nil, nil, err
	}
	data, ok := raw.(grpcplugin.DataClient)
	if !ok {
		client.Kill()
		return nil, nil, fmt.Errorf("the plugin has no data service")
	}
	return client, data, nil
}

// front holds what every request shares: the plugin's client and the one data source it serves.
type front struct {
	data     grpcplugin.DataClient
	settings *backend.DataSourceInstanceSettings
	pluginID string
}

type queryBody struct {
	Queries []json.RawMessage `json:"queries"`
	From    string            `json:"from"`
	To      string            `json:"to"`
}

type queryFields struct {
	RefID         string `json:"refId"`
	QueryType     string `json:"queryType"`
	MaxDataPoints int64  `json:"maxDataPoints"`
	IntervalMS    int64  `json:"intervalMs"`
}

func (f *front) request(body queryBody) (*backend.QueryDataRequest, error) {
	now := time.Now()
	from, err := parseTime(body.From, now)
	if err != nil {
		return nil, err
	}
	to, err := parseTime(body.To, now)
	if err != nil {
		return nil, err
	}
	req := &backend.QueryDataRequest{PluginContext: backend.PluginContext{
		OrgID: 1, PluginID: f.pluginID, DataSourceInstanceSettings: f.settings,
		User: &backend.User{Login: "admin", Role: "Admin"},
	}}
	for _, raw := range body.Queries {
		var q queryFields
		if err := json.Unmarshal(raw, &q); err != nil {
			return nil, err
		}
		if q.MaxDataPoints == 0 {
			q.MaxDataPoints = 100
		}
		if q.IntervalMS == 0 {
			q.IntervalMS = 1000
		}
		req.Queries = append(req.Queries, backend.DataQuery{
			RefID: q.RefID, QueryType: q.QueryType, MaxDataPoints: q.MaxDataPoints,
			Interval: time.Duration(q.IntervalMS) * time.Millisecond, TimeRange: backend.TimeRange{From: from, To: to},
			JSON: raw,
		})
	}
	return req, nil
}

// parseTime reads "now", "now-<Go duration>" or epoch milliseconds (all a benchmark sends).
func parseTime(text string, now time.Time) (time.Time, error) {
	if ms, err := strconv.ParseInt(text, 10, 64); err == nil {
		return time.UnixMilli(ms), nil
	}
	if text == "now" {
		return now, nil
	}
	if rest, ok := strings.CutPrefix(text, "now-"); ok {
		d, err := time.ParseDuration(rest)
		return now.Add(-d), err
	}
	return time.Time{}, fmt.Errorf("unsupported time %q", text)
}

func writeError(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": message})
}

func (f *front) query(w http.ResponseWriter, r *http.Request) {
	var body queryBody
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody)).Decode(&body); err != nil {
		writeError(w, http.StatusBadRequest, "bad request data")
		return
	}
	req, err := f.request(body)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	msg, err := f.data.QueryData(r.Context(), backend.ToProto().QueryDataRequest(req))
	if err != nil {
		writeError(w, http.StatusInternalServerError, "query data error")
		return
	}
	resp, err := backend.FromProto().QueryDataResponse(msg)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	out, err := json.Marshal(resp)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	status := http.StatusOK
	for _, dr := range resp.Responses {
		if dr.Error != nil {
			status = http.StatusBadRequest
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(out)
}

// loadResult is what -load-seconds prints.
type loadResult struct {
	Callers int     `json:"callers"`
	Calls   int     `json:"calls"`
	Errors  int     `json:"errors"`
	Seconds float64 `json:"seconds"`
	P50MS   float64 `json:"p50Ms"`
	P99MS   float64 `json:"p99Ms"`
}

func percentile(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	return float64(sorted[int(q*float64(len(sorted)-1))].Microseconds()) / 1000
}

// load calls QueryData back to back from `callers` goroutines for `seconds`.
func (f *front) load(callers int, seconds float64, query string) (*loadResult, error) {
	req, err := f.request(queryBody{Queries: []json.RawMessage{json.RawMessage(query)}, From: "now-1h", To: "now"})
	if err != nil {
		return nil, err
	}
	msg := backend.ToProto().QueryDataRequest(req)
	for range 20 { // warm up
		if _, err := f.data.QueryData(context.Background(), msg); err != nil {
			return nil, err
		}
	}
	var mu sync.Mutex
	var all []time.Duration
	errors := 0
	deadline := time.Now().Add(time.Duration(seconds * float64(time.Second)))
	start := time.Now()
	var wg sync.WaitGroup
	for range callers {
		wg.Go(func() {
			var mine []time.Duration
			failed := 0
			for time.Now().Before(deadline) {
				t := time.Now()
				if _, err := f.data.QueryData(context.Background(), msg); err != nil {
					failed++
				}
				mine = append(mine, time.Since(t))
			}
			mu.Lock()
			all = append(all, mine...)
			errors += failed
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	slices.Sort(all)
	return &loadResult{callers, len(all), errors, elapsed, percentile(all, 0.5), percentile(all, 0.99)}, nil
}

func run() error {
	listen := flag.String("listen", "127.0.0.1:3001", "address to serve /api/ds/query on")
	dsType := flag.String("ds-type", "testdata", "plugin id sent in the PluginContext")
	loadSeconds := flag.Float64("load-seconds", 0, "call QueryData for this long instead of serving HTTP")
	loadCallers := flag.Int("load-callers", 1, "concurrent QueryData callers with -load-seconds")
	query := flag.String("query", `{"refId":"A","scenarioId":"random_walk","maxDataPoints":100,"intervalMs":1000}`,
		"query JSON for -load-seconds")
	flag.Parse()
	if flag.NArg() == 0 {
		return fmt.Errorf("usage: gofront [flags] -- PLUGIN_EXECUTABLE [ARGS...]")
	}
	client, data, err := launch(flag.Args())
	if err != nil {
		return err
	}
	defer client.Kill()
	f := &front{data: data, pluginID: *dsType, settings: &backend.DataSourceInstanceSettings{
		ID: 1, UID: "bench", Name: "bench", Type: *dsType, JSONData: json.RawMessage("{}"),
		DecryptedSecureJSONData: map[string]string{}, Updated: time.Now(),
	}}
	if *loadSeconds > 0 {
		result, err := f.load(*loadCallers, *loadSeconds, *query)
		if err != nil {
			return err
		}
		return json.NewEncoder(os.Stdout).Encode(result)
	}
	listener, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/ds/query", f.query)
	server := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-stop
		_ = server.Close()
	}()
	fmt.Println("ready")
	if err := server.Serve(listener); err != nil && err != http.ErrServerClosed {
		return err
	}
	return nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gofront:", err)
		os.Exit(1)
	}
}
