// A test page that does what Grafana's data source pages do: load a plugin's module.js through an AMD define()
// given Grafana's shared packages, and render its ConfigEditor and QueryEditor with Grafana's theme.
import * as React from 'react';
import { createRoot } from 'react-dom/client';
import * as data from '@grafana/data';
import * as ui from '@grafana/ui';
import * as runtime from '@grafana/runtime';
import * as rxjs from 'rxjs';

import { HostBackendSrv } from '../support/backend.cjs';

const SHARED = { react: React, '@grafana/data': data, '@grafana/ui': ui, '@grafana/runtime': runtime, rxjs };

/** Each example's data source as provisioned by `make run`, and what its editors open with. */
const EXAMPLES = {
  sqlite: {
    uid: 'python-sqlite',
    type: 'python-sqlite-datasource',
    jsonData: {},
    secureJsonFields: {},
    query: { refId: 'A', rawSql: 'SELECT time, sensor, temperature\nFROM readings\nWHERE $__timeFilter(time)' },
  },
  iot: {
    uid: 'python-iot',
    type: 'python-iot-datasource',
    jsonData: { storePath: '/var/lib/grafana/iot-devices.sqlite' },
    secureJsonFields: { apiKey: true },
    query: { refId: 'A' },
  },
  testdata: {
    uid: 'python-testdata',
    type: 'python-testdata-datasource',
    jsonData: {},
    secureJsonFields: {},
    query: { refId: 'A', scenarioId: 'live' },
  },
};

function loadPlugin(name) {
  return new Promise((resolve, reject) => {
    window.define = (deps, factory) => resolve(factory(...deps.map((dep) => SHARED[dep])).plugin);
    window.define.amd = {};
    const script = document.createElement('script');
    script.src = `/plugins/${name}/module.js`;
    script.onerror = () => reject(new Error(`cannot load ${script.src}`));
    document.head.appendChild(script);
  });
}

function Page({ plugin, example }) {
  const theme = React.useMemo(() => data.createTheme({ colors: { mode: 'dark' } }), []);
  const [options, setOptions] = React.useState({
    id: 1, uid: example.uid, orgId: 1, name: example.uid, type: example.type, access: 'proxy', jsonData: example.jsonData,
    secureJsonFields: example.secureJsonFields, readOnly: false,
  });
  const [query, setQuery] = React.useState(example.query);
  const datasource = React.useMemo(
    () => new plugin.DataSourceClass({ id: 1, uid: example.uid, type: example.type, name: example.uid, jsonData: {},
      access: 'proxy', meta: { id: example.type, info: {} } }),
    [plugin, example]
  );
  const { ConfigEditor, QueryEditor } = plugin.components;
  const section = { padding: theme.spacing(2), width: 720, background: theme.colors.background.primary };
  return (
    <ui.ThemeContext.Provider value={theme}>
      <ui.GlobalStyles />
      <div id="editors" style={{ ...section, background: theme.colors.background.canvas }}>
        <h3>Settings</h3>
        <div style={section}>
          <ConfigEditor options={options} onOptionsChange={setOptions} />
        </div>
        <h3 style={{ marginTop: theme.spacing(2) }}>Query</h3>
        <div style={section}>
          <QueryEditor query={query} onChange={setQuery} onRunQuery={() => {}} datasource={datasource} />
        </div>
      </div>
      <pre id="state" hidden>{JSON.stringify({ jsonData: options.jsonData, secureJsonData: options.secureJsonData, query })}</pre>
    </ui.ThemeContext.Provider>
  );
}

async function main() {
  const name = new URLSearchParams(window.location.search).get('example');
  runtime.setBackendSrv(new HostBackendSrv('', ''));
  const plugin = await loadPlugin(name);
  createRoot(document.getElementById('root')).render(<Page plugin={plugin} example={EXAMPLES[name]} />);
}

main().catch((err) => {
  document.body.textContent = `page failed: ${err.stack || err}`;
});
