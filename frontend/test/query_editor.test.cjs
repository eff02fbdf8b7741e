// QueryEditors of the example plugins; resource-backed options come from the plugins through a running host.
const assert = require('node:assert/strict');
const { afterEach, before, test } = require('node:test');

// Grafana's environment first: Testing Library binds `screen` to the document when it loads.
const { HostBackendSrv, examplePlugin, instanceSettings, runtime } = require('./support/grafana.cjs');
const { cleanup, screen, waitFor, within } = require('@testing-library/react');
const { renderQuery } = require('./support/render.cjs');

const HOST = process.env.EDITORS_TEST_HOST_URL;
const NEEDS_HOST = HOST ? false : 'EDITORS_TEST_HOST_URL is not set (tests/frontend/test_frontend.py starts a host)';

before(() => {
  if (HOST) {
    runtime.setBackendSrv(new HostBackendSrv(HOST, process.env.EDITORS_TEST_HOST_TOKEN));
  }
});
afterEach(cleanup);

function datasource(plugin, uid, type) {
  return new plugin.DataSourceClass(instanceSettings(uid, type));
}

/** Pick an option of a Grafana Select by typing its label and pressing Enter. */
async function choose(user, input, label) {
  await user.click(input);
  await user.type(input, `${label}{Enter}`);
}

test('TestData: defaults, scenario select, number and multi-line fields, fields per scenario', async () => {
  const plugin = examplePlugin('testdata');
  const ds = datasource(plugin, 'python-testdata', 'python-testdata-datasource');
  const { changes, runs, user } = renderQuery(plugin, ds, { refId: 'A' });
  const defaults = { refId: 'A', scenarioId: 'random_walk', seriesCount: 1, spread: 1, noise: 0, interval: 500, rows: 1000000 };
  assert.deepEqual(changes, [defaults]);
  const labels = [...document.querySelectorAll('label')].map((l) => l.textContent);
  assert.deepEqual(labels, ['Scenario *', 'Series', 'Start value', 'Min', 'Max', 'Spread', 'Noise', 'SeedRepeatable values', 'Labels', 'Alias']);

  const series = screen.getByLabelText('Series');
  await user.clear(series);
  assert.equal('seriesCount' in changes.at(-1), false); // an emptied number is unset, not 0
  await user.type(series, '3');
  assert.deepEqual(changes.at(-1), { ...defaults, seriesCount: 3 });
  await user.type(screen.getByLabelText('Min'), '-2.5');
  assert.deepEqual(changes.at(-1), { ...defaults, seriesCount: 3, min: -2.5 });
  assert.equal(runs.count, 1); // leaving Series for Min ran the query
  await user.tab();
  assert.equal(runs.count, 2);

  await choose(user, screen.getByLabelText(/Scenario/), 'CSV Content');
  assert.equal(changes.at(-1).scenarioId, 'csv_content');
  assert.equal(runs.count, 4); // leaving Max, then choosing a scenario (a select runs the query at once)
  assert.equal(screen.queryByLabelText('Series'), null);
  assert.ok(screen.getByText('CSV is required'));
  const csv = screen.getByLabelText(/CSV/);
  assert.equal(csv.tagName, 'TEXTAREA');
  await user.type(csv, 'a,b{Enter}1,2');
  assert.deepEqual(changes.at(-1), { ...defaults, seriesCount: 3, min: -2.5, scenarioId: 'csv_content', csvContent: 'a,b\n1,2' });
  assert.equal(screen.queryByText('CSV is required'), null);
});

test('SQLite: SQL code editor, fixed format select, table select filled from the tables resource', { skip: NEEDS_HOST }, async () => {
  const plugin = examplePlugin('sqlite');
  const ds = datasource(plugin, 'python-sqlite', 'python-sqlite-datasource');
  const { changes, user } = renderQuery(plugin, ds, { refId: 'B' });
  assert.deepEqual(changes, [{ refId: 'B', format: 'table' }]);
  const sql = screen.getByLabelText(/^SQL/);
  assert.equal(sql.tagName, 'TEXTAREA');
  assert.equal(sql.dataset.language, 'sql');
  await user.type(sql, 'SELECT 1');
  assert.deepEqual(changes.at(-1), { refId: 'B', format: 'table', rawSql: 'SELECT 1' });

  await choose(user, screen.getByLabelText('Format'), 'Time series');
  assert.deepEqual(changes.at(-1), { refId: 'B', format: 'time_series', rawSql: 'SELECT 1' });

  const tables = screen.getByLabelText(/^Tables/);
  await user.click(tables);
  const menu = await screen.findByLabelText('Select options menu');
  await waitFor(() => assert.ok(within(menu).getByText('readings')));
  await user.click(within(menu).getByText('readings'));
  assert.deepEqual(changes.at(-1), { refId: 'B', format: 'time_series', rawSql: 'SELECT 1', table: 'readings' });
  const resources = runtime.getBackendSrv().requests.filter((r) => r.url.includes('/resources/'));
  assert.deepEqual(resources.map((r) => [r.method, r.url]), [['GET', '/api/datasources/uid/python-sqlite/resources/tables']]);
});

test('IoT: device select filled from the devices resource (objects read by id)', { skip: NEEDS_HOST }, async () => {
  const plugin = examplePlugin('iot');
  const ds = datasource(plugin, 'python-iot', 'python-iot-datasource');
  const { changes, user } = renderQuery(plugin, ds, { refId: 'C' });
  assert.deepEqual(changes, []);
  await user.click(screen.getByLabelText(/Device/));
  const menu = await screen.findByLabelText('Select options menu');
  await waitFor(() => assert.ok(within(menu).getByText('heater')));
  const names = within(menu).getAllByRole('option').map((o) => o.textContent);
  assert.deepEqual(names.sort(), ['fan', 'heater', 'lamp']);
  await user.click(within(menu).getByText('heater'));
  assert.deepEqual(changes, [{ refId: 'C', device: 'heater' }]);
});
