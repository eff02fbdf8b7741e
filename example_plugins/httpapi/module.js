// Minimal frontend so a real Grafana can load the data source: queries go to the Python backend as-is.
define(["@grafana/data", "@grafana/runtime"], function (data, runtime) {
  "use strict";
  class DataSource extends runtime.DataSourceWithBackend {}
  return { plugin: new data.DataSourcePlugin(DataSource) };
});
