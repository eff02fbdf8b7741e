// Command gocodec exchanges data frames with the Python SDK through the Go SDK's own codecs.
//
//	gocodec read FILE...   decode each Arrow IPC file with data.UnmarshalArrowFrame and print
//	                       [{"file": F, "frame": <Go frame JSON>} | {"file": F, "error": "..."}]
//	gocodec write DIR      write <name>.arrow (Go's Arrow encoder) and <name>.json (Go's frame JSON)
//	                       for every frame of the sample set, and print the names written
//	gocodec random DIR SEED COUNT
//	                       the same for COUNT random frames generated from SEED (sample.Random)
//	gocodec check DIR NAME...
//	                       decode DIR/NAME.py.arrow (the Python SDK's Arrow) and compare Go's frame JSON of it,
//	                       byte for byte, with DIR/NAME.json; print [{"name": N, "error": "..."}] for each mismatch
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

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

func write(dir string, frames []sample.Named) ([]string, error) {
	names := []string{}
	for _, s := range frames {
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

type mismatch struct {
	Name  string `json:"name"`
	Error string `json:"error"`
}

func check(dir string, names []string) []mismatch {
	found := []mismatch{}
	for _, name := range names {
		want, err := os.ReadFile(filepath.Join(dir, name+".json"))
		if err != nil {
			found = append(found, mismatch{name, err.Error()})
			continue
		}
		got := readOne(filepath.Join(dir, name+".py.arrow"))
		if got.Error != "" {
			found = append(found, mismatch{name, got.Error})
		} else if string(got.Frame) != string(want) {
			found = append(found, mismatch{name, firstDifference(want, got.Frame)})
		}
	}
	return found
}

func firstDifference(want, got []byte) string {
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	from := max(i-60, 0)
	return fmt.Sprintf("differs at byte %d: want ...%s... got ...%s...",
		i, want[from:min(i+60, len(want))], got[from:min(i+60, len(got))])
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
		return write(args[1], sample.Set())
	}
	if len(args) == 4 && args[0] == "random" {
		seed, err := strconv.ParseUint(args[2], 10, 64)
		if err != nil {
			return nil, err
		}
		count, err := strconv.Atoi(args[3])
		if err != nil {
			return nil, err
		}
		return write(args[1], sample.Random(seed, count))
	}
	if len(args) >= 2 && args[0] == "check" {
		return check(args[1], args[2:]), nil
	}
	return nil, fmt.Errorf("usage: gocodec read FILE... | write DIR | random DIR SEED COUNT | check DIR NAME...")
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
