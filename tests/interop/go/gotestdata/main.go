// Command gotestdata is a data source built with grafana-plugin-sdk-go that answers the TestData example
// plugin's benchmark scenarios with the same shapes, so benchmarks can compare plugin runtimes:
//
//   - "random_walk" (the default scenarioId): one frame "<refId>-series" of (time, value), one point per
//     max(intervalMs, range/maxDataPoints) across the range, at most maxDataPoints points;
//   - "large_frame": "rows" rows (default 1,000,000) of (time, value) spread across the range;
//   - "no_data_points": a response without frames.
package main

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/datasource"
	"github.com/grafana/grafana-plugin-sdk-go/backend/instancemgmt"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

const maxRows = 10_000_000

type instance struct{}

func newInstance(context.Context, backend.DataSourceInstanceSettings) (instancemgmt.Instance, error) {
	return &instance{}, nil
}

type queryModel struct {
	ScenarioID string   `json:"scenarioId"`
	Rows       *float64 `json:"rows"`
}

func timeseriesMeta() *data.FrameMeta {
	return &data.FrameMeta{Type: data.FrameTypeTimeSeriesMulti, TypeVersion: data.FrameTypeVersion{0, 1}}
}

// walk is a random walk from start with uniform steps in [-0.5, 0.5).
func walk(n int, start float64) []float64 {
	values := make([]float64, n)
	v := start
	for i := range values {
		if i > 0 {
			v += rand.Float64() - 0.5
		}
		values[i] = v
	}
	return values
}

func randomWalk(q backend.DataQuery) backend.DataResponse {
	from, to := q.TimeRange.From.UnixMilli(), q.TimeRange.To.UnixMilli()
	points := q.MaxDataPoints
	if points <= 0 {
		points = 100
	}
	step := max(q.Interval.Milliseconds(), (to-from)/points, 1)
	var times []time.Time
	for t := from; t < to && int64(len(times)) < points; t += step {
		times = append(times, time.UnixMilli(t).UTC())
	}
	frame := data.NewFrame(q.RefID+"-series",
		data.NewField("time", nil, times), data.NewField("value", nil, walk(len(times), rand.Float64()*100)))
	frame.Meta = timeseriesMeta()
	return backend.DataResponse{Frames: data.Frames{frame}}
}

func largeFrame(q backend.DataQuery, model queryModel) backend.DataResponse {
	rows := 1_000_000
	if model.Rows != nil {
		if *model.Rows < 0 || *model.Rows > maxRows || *model.Rows != float64(int(*model.Rows)) {
			return backend.ErrDataResponse(backend.StatusBadRequest, "rows must be a whole number from 0 to 10000000")
		}
		rows = int(*model.Rows)
	}
	from, to := q.TimeRange.From.UnixMilli(), max(q.TimeRange.From.UnixMilli(), q.TimeRange.To.UnixMilli())
	times := make([]time.Time, rows)
	for i := range times {
		offset := int64(0)
		if rows > 1 {
			offset = int64(i) * (to - from) / int64(rows-1)
		}
		times[i] = time.UnixMilli(from + offset).UTC()
	}
	frame := data.NewFrame("", data.NewField("time", nil, times), data.NewField("value", nil, walk(rows, 50)))
	frame.Meta = timeseriesMeta()
	return backend.DataResponse{Frames: data.Frames{frame}}
}

func (i *instance) QueryData(_ context.Context, req *backend.QueryDataRequest) (*backend.QueryDataResponse, error) {
	resp := backend.NewQueryDataResponse()
	for _, q := range req.Queries {
		var model queryModel
		if err := json.Unmarshal(q.JSON, &model); err != nil {
			resp.Responses[q.RefID] = backend.ErrDataResponse(backend.StatusBadRequest, "invalid query JSON: "+err.Error())
			continue
		}
		switch model.ScenarioID {
		case "", "random_walk":
			resp.Responses[q.RefID] = randomWalk(q)
		case "large_frame":
			resp.Responses[q.RefID] = largeFrame(q, model)
		case "no_data_points":
			resp.Responses[q.RefID] = backend.DataResponse{}
		default:
			resp.Responses[q.RefID] = backend.ErrDataResponse(backend.StatusBadRequest, "unknown scenario "+model.ScenarioID)
		}
	}
	return resp, nil
}

func (i *instance) CheckHealth(context.Context, *backend.CheckHealthRequest) (*backend.CheckHealthResult, error) {
	return &backend.CheckHealthResult{Status: backend.HealthStatusOk, Message: "Data source is working"}, nil
}

func main() {
	if err := datasource.Manage("go-testdata-datasource", newInstance, datasource.ManageOpts{}); err != nil {
		log.DefaultLogger.Error(err.Error())
		os.Exit(1)
	}
}
