// What Grafana itself provides to a plugin: its shared packages for the AMD loader, and the runtime services
// (backend, template variables, live) that a plugin reaches through @grafana/runtime's getters.
const fs = require('node:fs');
const path = require('node:path');

require('./dom.cjs');
const React = require('react');
const data = require('@grafana/data');
const ui = require('@grafana/ui');
const runtime = require('@grafana/runtime');
const rxjs = require('rxjs');

const { HostBackendSrv } = require('./backend.cjs');

const SHARED = { react: React, '@grafana/data': data, '@grafana/ui': ui, '@grafana/runtime': runtime, rxjs };
const EXAMPLES = path.resolve(__dirname, '..', '..', '..', 'example_plugins');

/** Load a plugin's module.js as Grafana does: an AMD define() whose dependencies are Grafana's shared packages. */
function loadPlugin(file) {
  let exported;
  const define = (deps, factory) => {
    const missing = deps.filter((dep) => !(dep in SHARED));
    if (missing.length) {
      throw new Error(`module asks for packages Grafana does not share: ${missing.join(', ')}`);
    }
    exported = factory(...deps.map((dep) => SHARED[dep]));
  };
  define.amd = {};
  new Function('define', fs.readFileSync(file, 'utf8'))(define);
  return exported.plugin;
}

function examplePlugin(name) {
  return loadPlugin(path.join(EXAMPLES, name, 'module.js'));
}

/** Grafana's template service for a fixed set of dashboard variables ($name and ${name}). */
class Variables {
  constructor(values) {
    this.values = values;
  }

  replace(target, scopedVars) {
    const all = { ...this.values, ...Object.fromEntries(Object.entries(scopedVars || {}).map(([k, v]) => [k, v.value])) };
    return String(target).replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced, bare) => {
      const name = braced || bare;
      return name in all ? String(all[name]) : whole;
    });
  }

  getVariables() {
    return [];
  }

  containsTemplate(target) {
    return /\$/.test(String(target || ''));
  }

  updateTimeRange() {}
}

/** Grafana Live's service, recording each data stream asked for and answering it with one frame. */
class RecordingLive {
  constructor() {
    this.streams = [];
  }

  getDataStream(options) {
    this.streams.push(options);
    const frame = data.toDataFrame({ name: options.addr.path, fields: [{ name: 'value', values: [1] }] });
    return rxjs.of({ data: [frame], key: options.key, state: data.LoadingState.Streaming });
  }
}

/** DataSourceInstanceSettings of a provisioned data source, as Grafana hands them to the plugin's class. */
function instanceSettings(uid, type) {
  return { id: 1, uid, type, name: uid, access: 'proxy', jsonData: {}, readOnly: false,
    meta: { id: type, name: type, type: 'datasource', info: {}, module: '', baseUrl: '', backend: true } };
}

module.exports = { React, data, ui, runtime, rxjs, loadPlugin, examplePlugin, HostBackendSrv, Variables,
  RecordingLive, instanceSettings };
