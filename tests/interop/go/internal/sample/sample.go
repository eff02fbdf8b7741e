// Package sample builds the frames the interop tests exchange: one field of every SDK type, in both the
// non-nullable and the nullable variant, with the edge values a codec can get wrong.
package sample

import (
	"encoding/json"
	"math"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

func ptr[T any](v T) *T { return &v }

// Times holds the time values of the time fields: epoch, sub-millisecond, pre-1970 with a sub-ms part, far future.
func Times() []time.Time {
	return []time.Time{
		time.Unix(0, 0).UTC(),
		time.Date(2024, 1, 2, 3, 4, 5, 123456789, time.UTC),
		time.Unix(-1, 999999500).UTC(), // 1969-12-31T23:59:59.9999995Z
		time.Date(2000, 1, 1, 0, 0, 0, 1000, time.UTC),
		time.Date(2262, 4, 11, 23, 47, 16, 854775807, time.UTC), // the largest time int64 ns can hold
	}
}

// AllTypes is a 5-row frame holding a field of every SDK field type, non-nullable then nullable.
func AllTypes() *data.Frame {
	nan32, inf32, ninf32 := float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))
	nan, inf, ninf := math.NaN(), math.Inf(1), math.Inf(-1)
	times := Times()
	enumConfig := &data.FieldConfig{TypeConfig: &data.FieldTypeConfig{Enum: &data.EnumFieldConfig{
		Text: []string{"zero", "one", "two"},
	}}}

	frame := data.NewFrame("many_types",
		data.NewField("int8", nil, []int8{math.MinInt8, -1, 0, 1, math.MaxInt8}),
		data.NewField("int16", nil, []int16{math.MinInt16, -1, 0, 1, math.MaxInt16}),
		data.NewField("int32", nil, []int32{math.MinInt32, -1, 0, 1, math.MaxInt32}),
		data.NewField("int64", nil, []int64{math.MinInt64, -1, 0, 1, math.MaxInt64}),
		data.NewField("uint8", nil, []uint8{0, 1, 2, 128, math.MaxUint8}),
		data.NewField("uint16", nil, []uint16{0, 1, 2, 1 << 15, math.MaxUint16}),
		data.NewField("uint32", nil, []uint32{0, 1, 2, 1 << 31, math.MaxUint32}),
		data.NewField("uint64", nil, []uint64{0, 1, 2, 1 << 63, math.MaxUint64}),
		data.NewField("float32", nil, []float32{0.1, -2.5, nan32, inf32, ninf32}),
		data.NewField("float64", nil, []float64{0.1, -1.5e-300, nan, inf, ninf}),
		data.NewField("string", nil, []string{"", "hello", "ünïcødé ✓ 😀", "quote\" backslash\\ newline\n", "<tag> & \t"}),
		data.NewField("bool", nil, []bool{true, false, true, false, true}),
		data.NewField("time", nil, times),
		data.NewField("json", nil, []json.RawMessage{
			json.RawMessage(`{"a":1}`), json.RawMessage(`[1,2,3]`), json.RawMessage(`"str"`),
			json.RawMessage(`42`), json.RawMessage(`{"nested":{"x":[true,false,null]}}`),
		}),
		data.NewField("enum", nil, []data.EnumItemIndex{0, 1, 2, 1, 0}).SetConfig(enumConfig),

		data.NewField("nullable_int8", nil, []*int8{ptr(int8(math.MinInt8)), nil, ptr(int8(0)), nil, ptr(int8(math.MaxInt8))}),
		data.NewField("nullable_int16", nil, []*int16{nil, ptr(int16(-1)), nil, ptr(int16(1)), ptr(int16(math.MaxInt16))}),
		data.NewField("nullable_int32", nil, []*int32{ptr(int32(math.MinInt32)), nil, nil, nil, ptr(int32(math.MaxInt32))}),
		data.NewField("nullable_int64", nil, []*int64{ptr(int64(math.MinInt64)), nil, ptr(int64(0)), nil, ptr(int64(math.MaxInt64))}),
		data.NewField("nullable_uint8", nil, []*uint8{nil, ptr(uint8(1)), nil, ptr(uint8(128)), ptr(uint8(math.MaxUint8))}),
		data.NewField("nullable_uint16", nil, []*uint16{ptr(uint16(0)), nil, ptr(uint16(2)), nil, ptr(uint16(math.MaxUint16))}),
		data.NewField("nullable_uint32", nil, []*uint32{nil, nil, ptr(uint32(2)), ptr(uint32(1 << 31)), nil}),
		data.NewField("nullable_uint64", nil, []*uint64{ptr(uint64(0)), nil, nil, ptr(uint64(1 << 63)), ptr(uint64(math.MaxUint64))}),
		data.NewField("nullable_float32", nil, []*float32{nil, ptr(nan32), ptr(inf32), nil, ptr(float32(1.25))}),
		data.NewField("nullable_float64", nil, []*float64{ptr(ninf), nil, ptr(nan), ptr(0.1), nil}),
		data.NewField("nullable_string", nil, []*string{ptr("a"), nil, ptr(""), nil, ptr("ω")}),
		data.NewField("nullable_bool", nil, []*bool{nil, ptr(true), ptr(false), nil, ptr(true)}),
		data.NewField("nullable_time", nil, []*time.Time{ptr(times[1]), nil, ptr(times[2]), nil, ptr(times[0])}),
		data.NewField("nullable_json", nil, []*json.RawMessage{ptr(json.RawMessage(`{"b":[]}`)), nil, nil, ptr(json.RawMessage(`true`)), nil}),
		data.NewField("nullable_enum", nil, []*data.EnumItemIndex{nil, ptr(data.EnumItemIndex(2)), nil, ptr(data.EnumItemIndex(0)), nil}).SetConfig(enumConfig),

		// Labels and a config on plain fields, and two fields sharing one name (allowed in frames).
		data.NewField("value", data.Labels{"host": "a", "region": "eu-west"}, []float64{1, 2, 3, 4, 5}).SetConfig(&data.FieldConfig{
			DisplayName: "Value A", Unit: "ms", Decimals: ptr(uint16(2)), Min: ptr(data.ConfFloat64(0)), Max: ptr(data.ConfFloat64(10)),
			Custom: map[string]any{"lineWidth": 2},
		}),
		data.NewField("value", data.Labels{"host": "b"}, []float64{5, 4, 3, 2, 1}),
	)
	frame.RefID = "A"
	frame.Meta = &data.FrameMeta{
		Type:                   data.FrameTypeTable,
		TypeVersion:            data.FrameTypeVersion{0, 1},
		ExecutedQueryString:    "SELECT * FROM everything",
		Custom:                 map[string]any{"source": "go"},
		Notices:                []data.Notice{{Severity: data.NoticeSeverityWarning, Text: "a warning"}},
		PreferredVisualization: data.VisTypeTable,
	}
	return frame
}

// Named is one frame of a codec test set, with a file-friendly name.
type Named struct {
	Name  string
	Frame *data.Frame
}

// Set returns every frame the codec cross-check exchanges.
func Set() []Named {
	noRows := data.NewFrame("no_rows",
		data.NewField("time", nil, []time.Time{}),
		data.NewField("value", nil, []*float64{}),
		data.NewField("label", nil, []string{}),
	)
	allNull := data.NewFrame("all_null",
		data.NewField("n_int64", nil, []*int64{nil, nil}),
		data.NewField("n_float64", nil, []*float64{nil, nil}),
		data.NewField("n_string", nil, []*string{nil, nil}),
		data.NewField("n_time", nil, []*time.Time{nil, nil}),
		data.NewField("n_bool", nil, []*bool{nil, nil}),
	)
	timeseries := data.NewFrame("",
		data.NewField("Time", nil, []time.Time{time.UnixMilli(1700000000000).UTC(), time.UnixMilli(1700000060000).UTC()}),
		data.NewField("cpu", data.Labels{"host": "h1"}, []float64{0.5, 0.75}),
	)
	timeseries.Meta = &data.FrameMeta{Type: data.FrameTypeTimeSeriesWide, TypeVersion: data.FrameTypeVersion{0, 1}}
	return []Named{
		{"all_types", AllTypes()},
		{"no_fields", data.NewFrame("no_fields")},
		{"no_rows", noRows},
		{"all_null", allNull},
		{"timeseries", timeseries},
	}
}
