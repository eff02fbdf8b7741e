// Command gocodec exchanges data frames with the Python SDK through the Go SDK's own codecs.
//
//	gocodec read FILE...   decode each Arrow IPC file with data.UnmarshalArrowFrame and print
//	                       [{"file": F, "frame": <Go frame JSON>} | {"file": F, "error": "..."}]
//	gocodec write DIR      write <name>.arrow (Go's Arrow encoder) and <name>.json (Go's frame JSON)
//	                       for every frame of the sample set, and print the names written
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/grafana-plugin-sdk-python/interop/internal/sample"
)

type readResult struct {
	File  string          `json:"file"`
	Frame json.RawMessage `json:"frame,omitempty"`
	Error string          `json:"error,omitempty"`
}

func readOne(path string) readResult {
	res := readResult{File: path}
	b, err := os.ReadFile(path)
	if err == nil {
		var frame *data.Frame
		if frame, err = data.UnmarshalArrowFrame(b); err == nil {
			res.Frame, err = data.FrameToJSON(frame, data.IncludeAll)
		}
	}
	if err != nil {
		res.Error = err.Error()
	}
	return res
}

func write(dir string) ([]string, error) {
	var names []string
	for _, s := range sample.Set() {
		arrowBytes, err := s.Frame.MarshalArrow()
		if err != nil {
			return nil, fmt.Errorf("%s: marshal arrow: %w", s.Name, err)
		}
		jsonBytes, err := data.FrameToJSON(s.Frame, data.IncludeAll)
		if err != nil {
			return nil, fmt.Errorf("%s: marshal json: %w", s.Name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, s.Name+".arrow"), arrowBytes, 0o600); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, s.Name+".json"), jsonBytes, 0o600); err != nil {
			return nil, err
		}
		names = append(names, s.Name)
	}
	return names, nil
}

func run(args []string) (any, error) {
	if len(args) >= 1 && args[0] == "read" {
		results := make([]readResult, 0, len(args)-1)
		for _, path := range args[1:] {
			results = append(results, readOne(path))
		}
		return results, nil
	}
	if len(args) == 2 && args[0] == "write" {
		return write(args[1])
	}
	return nil, fmt.Errorf("usage: gocodec read FILE... | gocodec write DIR")
}

func main() {
	out, err := run(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "gocodec:", err)
		os.Exit(2)
	}
	enc := json.NewEncoder(os.Stdout)
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, "gocodec:", err)
		os.Exit(1)
	}
}
