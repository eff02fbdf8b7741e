package sample

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// Random returns count frames generated from seed: every field type (plain and nullable), NaN/±Inf/-0,
// extremes, integral floats Go writes without a fraction, nulls, and unicode names, labels and strings.
func Random(seed uint64, count int) []Named {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	out := make([]Named, count)
	for i := range out {
		out[i] = Named{fmt.Sprintf("random_%d_%d", seed, i), randomFrame(r)}
	}
	return out
}

func randomFrame(r *rand.Rand) *data.Frame {
	rows := r.IntN(12)
	if r.IntN(8) == 0 {
		rows = r.IntN(300)
	}
	fields := make([]*data.Field, r.IntN(8))
	for i := range fields {
		fields[i] = randomField(r, rows)
	}
	frame := data.NewFrame(text(r, r.IntN(6), false), fields...)
	frame.RefID = text(r, r.IntN(3), false)
	return frame
}

func randomField(r *rand.Rand, n int) *data.Field {
	nullable := r.IntN(2) == 0
	var values any
	switch kind := r.IntN(15); kind {
	case 0:
		values = column(r, n, nullable, signed[int8](r))
	case 1:
		values = column(r, n, nullable, signed[int16](r))
	case 2:
		values = column(r, n, nullable, signed[int32](r))
	case 3:
		values = column(r, n, nullable, signed[int64](r))
	case 4:
		values = column(r, n, nullable, unsigned[uint8](r))
	case 5:
		values = column(r, n, nullable, unsigned[uint16](r))
	case 6:
		values = column(r, n, nullable, unsigned[uint32](r))
	case 7:
		values = column(r, n, nullable, unsigned[uint64](r))
	case 8:
		values = column(r, n, nullable, func() float32 { return float32Value(r) })
	case 9:
		values = column(r, n, nullable, func() float64 { return float64Value(r) })
	case 10:
		values = column(r, n, nullable, func() string { return text(r, r.IntN(20), false) })
	case 11:
		values = column(r, n, nullable, func() bool { return r.IntN(2) == 0 })
	case 12:
		values = column(r, n, nullable, func() time.Time { return timeValue(r) })
	case 13:
		values = column(r, n, nullable, func() json.RawMessage { return jsonValue(r, 3) })
	default:
		values = column(r, n, nullable, func() data.EnumItemIndex { return data.EnumItemIndex(r.Uint32()) })
	}
	var labels data.Labels
	if r.IntN(3) == 0 {
		labels = data.Labels{}
		for range r.IntN(4) {
			labels[text(r, 1+r.IntN(5), false)] = text(r, r.IntN(8), false)
		}
	}
	return data.NewField(text(r, r.IntN(8), false), labels, values)
}

// column is n values of gen, as []T or (nullable, about a quarter null) []*T.
func column[T any](r *rand.Rand, n int, nullable bool, gen func() T) any {
	if !nullable {
		values := make([]T, n)
		for i := range values {
			values[i] = gen()
		}
		return values
	}
	values := make([]*T, n)
	for i := range values {
		if r.IntN(4) != 0 {
			v := gen()
			values[i] = &v
		}
	}
	return values
}

func signed[T int8 | int16 | int32 | int64](r *rand.Rand) func() T {
	bits := uint(8 * sizeOf[T]())
	lo, hi := T(-1<<(bits-1)), T(1<<(bits-1)-1)
	return func() T {
		switch r.IntN(6) {
		case 0:
			return lo
		case 1:
			return hi
		case 2:
			return T(r.IntN(201) - 100)
		default:
			return T(r.Uint64())
		}
	}
}

func unsigned[T uint8 | uint16 | uint32 | uint64](r *rand.Rand) func() T {
	return func() T {
		switch r.IntN(5) {
		case 0:
			return ^T(0)
		case 1:
			return T(r.IntN(100))
		default:
			return T(r.Uint64())
		}
	}
}

func sizeOf[T int8 | int16 | int32 | int64]() int {
	var zero T
	switch any(zero).(type) {
	case int8:
		return 1
	case int16:
		return 2
	case int32:
		return 4
	default:
		return 8
	}
}

var float64Specials = []float64{
	math.NaN(), math.Inf(1), math.Inf(-1), 0, math.Copysign(0, -1), math.MaxFloat64, -math.MaxFloat64,
	math.SmallestNonzeroFloat64, 1e-6, 1e-7, 1e15, 1e20, 1e21, 0.1, 3.2042100405679995e18, 9007199254740993,
}

func float64Value(r *rand.Rand) float64 {
	switch r.IntN(5) {
	case 0:
		return float64Specials[r.IntN(len(float64Specials))]
	case 1: // integral, any size: Go writes values below 1e21 as integers
		return float64(int64(r.Uint64()) >> r.IntN(64))
	case 2:
		return math.Float64frombits(r.Uint64())
	default:
		return (r.Float64()*2 - 1) * math.Pow(10, float64(r.IntN(50)-25))
	}
}

func float32Value(r *rand.Rand) float32 {
	switch r.IntN(5) {
	case 0:
		return float32(float64Specials[r.IntN(len(float64Specials))])
	case 1:
		return float32(int64(r.Uint64()) >> r.IntN(64))
	case 2:
		return math.Float32frombits(r.Uint32())
	default:
		return float32((r.Float64()*2 - 1) * math.Pow(10, float64(r.IntN(50)-25)))
	}
}

// timeValue is any instant int64 nanoseconds hold, often a whole millisecond.
func timeValue(r *rand.Rand) time.Time {
	switch r.IntN(5) {
	case 0:
		return time.Unix(0, []int64{0, math.MinInt64, math.MaxInt64, -1, 1}[r.IntN(5)]).UTC()
	case 1:
		return time.UnixMilli(int64(r.Uint64()) / 1_000_000).UTC()
	default:
		return time.Unix(0, int64(r.Uint64())).UTC()
	}
}

var (
	// Runes for names, labels and string values: ASCII (controls, quotes, HTML), Latin, CJK, RTL, combining, emoji.
	wideRunes = []rune("\x00\x01\x1f\x7f\"\\/<>&'\t\n\r\b\f \u2028\u2029éßøЖω中文字עברית\u0301\u200d\ufeff😀🚀𝄞\U0010ffff")
	// Runes for strings inside JSON values, which we re-encode (writers escape controls and HTML differently).
	safeRunes = []rune("abcXYZ019 _-.éЖ中😀")
)

func text(r *rand.Rand, n int, safe bool) string {
	var b strings.Builder
	for range n {
		switch {
		case safe:
			b.WriteRune(safeRunes[r.IntN(len(safeRunes))])
		case r.IntN(3) == 0:
			b.WriteRune(wideRunes[r.IntN(len(wideRunes))])
		default:
			b.WriteRune(rune('a' + r.IntN(26)))
		}
	}
	return b.String()
}

// jsonValue is a random JSON document (null, bool, number, string, array, object) nested up to depth.
func jsonValue(r *rand.Rand, depth int) json.RawMessage {
	b, err := json.Marshal(jsonAny(r, depth))
	if err != nil {
		panic(err)
	}
	return b
}

func jsonAny(r *rand.Rand, depth int) any {
	kinds := 6
	if depth == 0 {
		kinds = 4
	}
	switch r.IntN(kinds) {
	case 0:
		return nil
	case 1:
		return r.IntN(2) == 0
	case 2: // integers and short decimals, which every writer spells the same way
		if r.IntN(2) == 0 {
			return r.Int64N(1<<53) - 1<<52
		}
		return float64(r.IntN(2_000_000)-1_000_000) / 1000
	case 3:
		return text(r, r.IntN(10), true)
	case 4:
		items := make([]any, r.IntN(4))
		for i := range items {
			items[i] = jsonAny(r, depth-1)
		}
		return items
	default:
		obj := map[string]any{}
		for range r.IntN(4) {
			obj[text(r, 1+r.IntN(5), true)] = jsonAny(r, depth-1)
		}
		return obj
	}
}
