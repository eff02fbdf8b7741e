// ConfigEditors of the example plugins, from their built module.js, with Grafana's real packages in jsdom.
const assert = require('node:assert/strict');
const path = require('node:path');
const { afterEach, test } = require('node:test');

// Grafana's environment first: Testing Library binds `screen` to the document when it loads.
const { examplePlugin, loadPlugin } = require('./support/grafana.cjs');
const { cleanup, screen } = require('@testing-library/react');
const { dataSourceSettings, renderConfig } = require('./support/render.cjs');

afterEach(cleanup);

test('SQLite: defaults filled once, text and switch write jsonData, required path marked until set', async () => {
  const options = dataSourceSettings('python-sqlite-datasource', { secureJsonData: { untouched: 'x' } });
  const { calls, user } = renderConfig(examplePlugin('sqlite'), options);
  assert.deepEqual(calls, [{ ...options, jsonData: { demoData: false } }]);
  assert.ok(screen.getByText('Database file is required'));

  await user.type(screen.getByLabelText(/Database file/), '/tmp/a.db');
  assert.deepEqual(calls.at(-1), { ...options, jsonData: { demoData: false, path: '/tmp/a.db' } });
  assert.equal(screen.queryByText('Database file is required'), null);

  await user.click(screen.getByLabelText(/Demo data/));
  assert.deepEqual(calls.at(-1), { ...options, jsonData: { demoData: true, path: '/tmp/a.db' } });
  assert.equal(calls.length, 1 + '/tmp/a.db'.length + 1);
});

test('IoT: a configured API key shows as configured; reset then type writes secureJsonData only', async () => {
  const options = dataSourceSettings('python-iot-datasource', {
    jsonData: { storePath: '/data/iot.sqlite' },
    secureJsonFields: { apiKey: true },
  });
  const { calls, user } = renderConfig(examplePlugin('iot'), options);
  assert.deepEqual(calls, []); // nothing to default
  const configured = screen.getByLabelText(/API key/);
  assert.equal(configured.value, 'configured');
  assert.equal(configured.disabled, true);

  await user.click(screen.getByRole('button', { name: 'Reset' }));
  const reset = { ...options, secureJsonFields: { apiKey: false }, secureJsonData: { apiKey: '' } };
  assert.deepEqual(calls, [reset]);

  const input = screen.getByLabelText(/API key/);
  assert.equal(input.type, 'password');
  await user.type(input, 'k3y');
  assert.deepEqual(calls.at(-1), { ...reset, secureJsonData: { apiKey: 'k3y' } });
  assert.deepEqual(calls.at(-1).jsonData, { storePath: '/data/iot.sqlite' });

  await user.clear(screen.getByLabelText(/Store file/));
  assert.deepEqual(calls.at(-1).jsonData, { storePath: '' });
});

test('IoT: a new data source asks for the key in a password field', async () => {
  renderConfig(examplePlugin('iot'), dataSourceSettings('python-iot-datasource'));
  const input = screen.getByLabelText(/API key/);
  assert.equal(input.type, 'password');
  assert.equal(input.disabled, false);
  assert.equal(screen.queryByRole('button', { name: 'Reset' }), null);
});

test('a module without a declaration renders empty editors', async () => {
  const plugin = loadPlugin(path.resolve(__dirname, '..', '..', 'grafana_plugin_sdk', 'editors', 'module.js'));
  const { calls } = renderConfig(plugin, dataSourceSettings('x'));
  assert.deepEqual(calls, []);
  assert.equal(screen.getByTestId('python-plugin-config-editor').childElementCount, 0);
});
