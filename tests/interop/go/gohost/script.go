package main

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/useragent"
)

// Script is the JSON document gohost reads: a default plugin context, extra environment and the calls to make.
type Script struct {
	PluginContext *PluginContextSpec `json:"pluginContext"`
	Env           map[string]string  `json:"env"`
	Calls         []Call             `json:"calls"`
	// TimeoutSeconds bounds each call (default 30).
	TimeoutSeconds float64 `json:"timeoutSeconds"`
}

// Call is one call of the script; Op is Ping, CheckHealth, QueryData, CallResource or CollectMetrics.
type Call struct {
	Op            string             `json:"op"`
	PluginContext *PluginContextSpec `json:"pluginContext"`
	Headers       map[string]string  `json:"headers"`
	// QueryData
	Queries []QuerySpec `json:"queries"`
	Format  string      `json:"format"`
	// CallResource
	Method          string              `json:"method"`
	Path            string              `json:"path"`
	URL             string              `json:"url"`
	ResourceHeaders map[string][]string `json:"resourceHeaders"`
	Body            string              `json:"body"`
}

// QuerySpec is one DataQuery.
type QuerySpec struct {
	RefID         string          `json:"refId"`
	QueryType     string          `json:"queryType"`
	MaxDataPoints int64           `json:"maxDataPoints"`
	IntervalMS    int64           `json:"intervalMs"`
	TimeRange     *TimeRangeSpec  `json:"timeRange"`
	JSON          json.RawMessage `json:"json"`
}

// TimeRangeSpec is a time range in epoch milliseconds.
type TimeRangeSpec struct {
	From int64 `json:"from"`
	To   int64 `json:"to"`
}

// PluginContextSpec is the JSON form of backend.PluginContext.
type PluginContextSpec struct {
	OrgID         int64             `json:"orgId"`
	PluginID      string            `json:"pluginId"`
	PluginVersion string            `json:"pluginVersion"`
	User          *backend.User     `json:"user"`
	DataSource    *DataSourceSpec   `json:"dataSource"`
	GrafanaConfig map[string]string `json:"grafanaConfig"`
	// GrafanaVersion builds the user agent Grafana sends ("Grafana/<version> (linux; amd64)").
	GrafanaVersion string `json:"grafanaVersion"`
}

// DataSourceSpec is the JSON form of backend.DataSourceInstanceSettings.
type DataSourceSpec struct {
	ID               int64             `json:"id"`
	UID              string            `json:"uid"`
	Name             string            `json:"name"`
	URL              string            `json:"url"`
	User             string            `json:"user"`
	Database         string            `json:"database"`
	BasicAuthEnabled bool              `json:"basicAuthEnabled"`
	BasicAuthUser    string            `json:"basicAuthUser"`
	JSONData         json.RawMessage   `json:"jsonData"`
	SecureJSONData   map[string]string `json:"secureJsonData"`
	UpdatedMS        int64             `json:"updatedMs"`
}

func (s *PluginContextSpec) toBackend() (backend.PluginContext, error) {
	if s == nil {
		return backend.PluginContext{}, nil
	}
	pc := backend.PluginContext{
		OrgID: s.OrgID, PluginID: s.PluginID, PluginVersion: s.PluginVersion, User: s.User,
	}
	if s.GrafanaConfig != nil {
		pc.GrafanaConfig = backend.NewGrafanaCfg(s.GrafanaConfig)
	}
	if s.GrafanaVersion != "" {
		ua, err := useragent.New(s.GrafanaVersion, "linux", "amd64")
		if err != nil {
			return pc, fmt.Errorf("grafanaVersion: %w", err)
		}
		pc.UserAgent = ua
	}
	if ds := s.DataSource; ds != nil {
		pc.DataSourceInstanceSettings = &backend.DataSourceInstanceSettings{
			ID: ds.ID, UID: ds.UID, Type: s.PluginID, Name: ds.Name, URL: ds.URL, User: ds.User, Database: ds.Database,
			BasicAuthEnabled: ds.BasicAuthEnabled, BasicAuthUser: ds.BasicAuthUser, JSONData: ds.JSONData,
			DecryptedSecureJSONData: ds.SecureJSONData, Updated: time.UnixMilli(ds.UpdatedMS),
		}
	}
	return pc, nil
}

func (q QuerySpec) toBackend() backend.DataQuery {
	dq := backend.DataQuery{
		RefID: q.RefID, QueryType: q.QueryType, MaxDataPoints: q.MaxDataPoints,
		Interval: time.Duration(q.IntervalMS) * time.Millisecond, JSON: q.JSON,
	}
	tr := TimeRangeSpec{}
	if q.TimeRange != nil {
		tr = *q.TimeRange
	}
	dq.TimeRange = backend.TimeRange{From: time.UnixMilli(tr.From), To: time.UnixMilli(tr.To)}
	if len(dq.JSON) == 0 {
		dq.JSON = json.RawMessage(`{}`)
	}
	return dq
}
