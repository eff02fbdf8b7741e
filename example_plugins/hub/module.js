// Minimal frontend so a real Grafana can load the app: its pages would call the Python backend's resources.
define(["@grafana/data"], function (data) {
  "use strict";
  return { plugin: new data.AppPlugin() };
});
