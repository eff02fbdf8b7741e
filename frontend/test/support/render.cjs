// Rendering a plugin's editors the way Grafana's pages do: the page owns the state and passes it back in.
const { render } = require('@testing-library/react');
const userEvent = require('@testing-library/user-event').default;

const { React } = require('./grafana.cjs');

/** The settings Grafana's data source page holds for a data source being edited. */
function dataSourceSettings(type, overrides = {}) {
  return {
    id: 1, uid: `uid-${type}`, orgId: 1, name: type, type, typeName: type, typeLogoUrl: '', access: 'proxy', url: '',
    user: '', database: '', basicAuth: false, basicAuthUser: '', isDefault: false, jsonData: {}, secureJsonFields: {},
    readOnly: false, withCredentials: false, version: 1, ...overrides,
  };
}

/** Render a ConfigEditor; `calls` records every onOptionsChange payload. */
function renderConfig(plugin, options) {
  const calls = [];
  function Page() {
    const [current, setCurrent] = React.useState(options);
    const onOptionsChange = (next) => {
      calls.push(next);
      setCurrent(next);
    };
    return React.createElement(plugin.components.ConfigEditor, { options: current, onOptionsChange });
  }
  return { calls, user: userEvent.setup(), ...render(React.createElement(Page)) };
}

/** Render a QueryEditor; `changes` records onChange payloads, `runs` counts onRunQuery calls. */
function renderQuery(plugin, datasource, query) {
  const changes = [];
  const runs = { count: 0 };
  function Panel() {
    const [current, setCurrent] = React.useState(query);
    const onChange = (next) => {
      changes.push(next);
      setCurrent(next);
    };
    const onRunQuery = () => {
      runs.count += 1;
    };
    return React.createElement(plugin.components.QueryEditor, { query: current, onChange, onRunQuery, datasource });
  }
  return { changes, runs, user: userEvent.setup(), ...render(React.createElement(Panel)) };
}

module.exports = { dataSourceSettings, renderConfig, renderQuery };
