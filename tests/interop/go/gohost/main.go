// Command gohost launches a backend plugin the way Grafana does (hashicorp/go-plugin with the SDK's
// grpcplugin handshake and client plugin set, gRPC only), runs a JSON script of calls against it, decodes
// frames with the Go SDK, stops the plugin the way Grafana does (Kill: Shutdown, 2 s grace, SIGKILL) and
// prints one JSON report on stdout.
//
//	gohost [-script FILE] [-stderr FILE] -- PLUGIN_EXECUTABLE [ARGS...]
//
// The script is read from stdin when -script is absent. Exit status 0 means the report was written (the
// calls' own failures are in the report); anything else means gohost itself failed.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend/grpcplugin"
	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
)

// Report is what gohost prints.
type Report struct {
	Protocol          string       `json:"protocol"`
	NegotiatedVersion int          `json:"negotiatedVersion"`
	Results           []CallResult `json:"results"`
	Shutdown          *Shutdown    `json:"shutdown"`
	PluginLogs        []PluginLog  `json:"pluginLogs"`
	Error             string       `json:"error,omitempty"`
}

// Shutdown tells how the plugin process ended after Kill.
type Shutdown struct {
	Graceful bool    `json:"graceful"`
	ExitCode int     `json:"exitCode"`
	Signal   string  `json:"signal,omitempty"`
	Seconds  float64 `json:"seconds"`
}

// PluginLog is one line of the plugin's stderr as go-plugin's client logged it.
type PluginLog struct {
	Module  string         `json:"module"`
	Level   string         `json:"level"`
	Message string         `json:"message"`
	Parsed  bool           `json:"parsed"` // the line was valid hclog JSON (go-plugin adds a "timestamp" pair)
	Fields  map[string]any `json:"fields,omitempty"`
}

// handshake is the configuration Grafana's client uses (pkg/plugins/backendplugin/grpcplugin).
var handshake = goplugin.HandshakeConfig{
	ProtocolVersion:  grpcplugin.ProtocolVersion,
	MagicCookieKey:   grpcplugin.MagicCookieKey,
	MagicCookieValue: grpcplugin.MagicCookieValue,
}

// pluginSet is the v2 plugin set Grafana's client defines (without Grafana's own renderer/secrets plugins).
func pluginSet() goplugin.PluginSet {
	return goplugin.PluginSet{
		"diagnostics": &grpcplugin.DiagnosticsGRPCPlugin{},
		"resource":    &grpcplugin.ResourceGRPCPlugin{},
		"data":        &grpcplugin.DataGRPCPlugin{},
		"stream":      &grpcplugin.StreamGRPCPlugin{},
		"admission":   &grpcplugin.AdmissionGRPCPlugin{},
		"conversion":  &grpcplugin.ConversionGRPCPlugin{},
	}
}

const loggerName = "gohost"

func newClient(cmdArgs []string, env map[string]string, logOut io.Writer, stderr io.Writer) (*goplugin.Client, *exec.Cmd) {
	cmd := exec.Command(cmdArgs[0], cmdArgs[1:]...) //nolint:gosec // the plugin to test is the argument
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	logger := hclog.New(&hclog.LoggerOptions{Name: loggerName, Level: hclog.Trace, JSONFormat: true, Output: logOut})
	return goplugin.NewClient(&goplugin.ClientConfig{
		Cmd:              cmd,
		HandshakeConfig:  handshake,
		VersionedPlugins: map[int]goplugin.PluginSet{grpcplugin.ProtocolVersion: pluginSet()},
		Logger:           logger,
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		Stderr:           stderr,
	}), cmd
}

func readScript(path string) (*Script, error) {
	var raw []byte
	var err error
	if path == "" || path == "-" {
		raw, err = io.ReadAll(os.Stdin)
	} else {
		raw, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, err
	}
	var s Script
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("script: %w", err)
	}
	return &s, nil
}

// pluginLogs extracts the lines go-plugin logged on behalf of the plugin.
func pluginLogs(hostLog []byte) []PluginLog {
	logs := []PluginLog{}
	for _, line := range bytes.Split(hostLog, []byte("\n")) {
		var entry map[string]any
		if json.Unmarshal(line, &entry) != nil {
			continue
		}
		// go-plugin logs plugin lines on a sub-logger ("gohost.<executable>"), or under the plugin's own
		// "@module" when the line has one; only gohost's own client messages carry exactly "gohost".
		module, _ := entry["@module"].(string)
		if module == loggerName {
			continue
		}
		pl := PluginLog{Module: module, Fields: map[string]any{}}
		pl.Level, _ = entry["@level"].(string)
		pl.Message, _ = entry["@message"].(string)
		for k, v := range entry {
			if k == "timestamp" {
				pl.Parsed = true
			} else if k[0] != '@' {
				pl.Fields[k] = v
			}
		}
		logs = append(logs, pl)
	}
	return logs
}

func stop(client *goplugin.Client, cmd *exec.Cmd) *Shutdown {
	start := time.Now()
	client.Kill()
	sd := &Shutdown{Seconds: time.Since(start).Seconds(), ExitCode: -1}
	if st := cmd.ProcessState; st != nil {
		sd.ExitCode = st.ExitCode()
		if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			sd.Signal = ws.Signal().String()
		}
	}
	sd.Graceful = sd.Signal == "" && sd.ExitCode == 0
	return sd
}

func run(scriptPath, stderrPath string, cmdArgs []string) (*Report, error) {
	script, err := readScript(scriptPath)
	if err != nil {
		return nil, err
	}
	stderrOut := io.Discard
	if stderrPath != "" {
		f, err := os.Create(stderrPath)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		stderrOut = f
	}
	var hostLog bytes.Buffer
	client, cmd := newClient(cmdArgs, script.Env, &syncWriter{w: &hostLog}, stderrOut)
	report := &Report{Results: []CallResult{}}
	defer func() {
		report.PluginLogs = pluginLogs(hostLog.Bytes())
	}()

	rpcClient, err := client.Client()
	if err != nil {
		client.Kill()
		report.Error = "start: " + err.Error()
		return report, nil
	}
	report.Protocol = string(client.Protocol())
	report.NegotiatedVersion = client.NegotiatedVersion()

	clients, err := dispense(rpcClient)
	if err != nil {
		report.Error = "dispense: " + err.Error()
	} else {
		timeout := 30 * time.Second
		if script.TimeoutSeconds > 0 {
			timeout = time.Duration(script.TimeoutSeconds * float64(time.Second))
		}
		for _, call := range script.Calls {
			report.Results = append(report.Results, clients.do(rpcClient, script, call, timeout))
		}
	}
	report.Shutdown = stop(client, cmd)
	return report, nil
}

func main() {
	scriptPath := flag.String("script", "", "script file (default: stdin)")
	stderrPath := flag.String("stderr", "", "file to copy the plugin's raw stderr to")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: gohost [-script FILE] [-stderr FILE] -- PLUGIN_EXECUTABLE [ARGS...]")
		os.Exit(2)
	}
	report, err := run(*scriptPath, *stderrPath, flag.Args())
	if err != nil {
		fmt.Fprintln(os.Stderr, "gohost:", err)
		os.Exit(1)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(report); err != nil {
		fmt.Fprintln(os.Stderr, "gohost:", err)
		os.Exit(1)
	}
}
