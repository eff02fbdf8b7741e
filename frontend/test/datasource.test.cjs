// The plugin's DataSourceWithBackend: queries through a running host's /api/ds/query, live channels for streams.
const assert = require('node:assert/strict');
const { before, test } = require('node:test');

const { HostBackendSrv, RecordingLive, Variables, data, examplePlugin, instanceSettings, runtime, rxjs } =
  require('./support/grafana.cjs');

const HOST = process.env.EDITORS_TEST_HOST_URL;
const NEEDS_HOST = HOST ? false : 'EDITORS_TEST_HOST_URL is not set (tests/frontend/test_frontend.py starts a host)';
let backend;

before(() => {
  runtime.setTemplateSrv(new Variables({ table: 'readings', sensor: 'kitchen' }));
  if (HOST) {
    backend = new HostBackendSrv(HOST, process.env.EDITORS_TEST_HOST_TOKEN);
    runtime.setBackendSrv(backend);
  }
});

function request(targets, overrides = {}) {
  const from = data.dateTime(Date.UTC(2026, 0, 1));
  const to = data.dateTime(Date.UTC(2026, 0, 2));
  return {
    requestId: 'Q1', app: 'dashboard', targets, range: { from, to, raw: { from, to } }, interval: '1m',
    intervalMs: 60000, maxDataPoints: 500, scopedVars: {}, timezone: 'utc', startTime: 0, ...overrides,
  };
}

test('SQLite: template variables interpolated in query fields; request body as Grafana sends it', { skip: NEEDS_HOST }, async () => {
  const ds = new (examplePlugin('sqlite').DataSourceClass)(instanceSettings('python-sqlite', 'python-sqlite-datasource'));
  const sql = "SELECT count(*) AS n FROM $table WHERE sensor = '${sensor}' AND '$keep' = '$keep'";
  const targets = [{ refId: 'A', rawSql: sql, format: 'table', table: '$table' }, { refId: 'B', format: 'table' }];
  const sent = backend.requests.length;
  const response = await rxjs.lastValueFrom(ds.query(request(targets, { scopedVars: { sensor: { text: 'attic', value: 'attic' } } })));

  const [call] = backend.requests.slice(sent);
  assert.equal(call.url, '/api/ds/query?ds_type=python-sqlite-datasource&requestId=Q1');
  assert.equal(call.method, 'POST');
  assert.deepEqual(call.headers, { 'X-Plugin-Id': 'python-sqlite-datasource', 'X-Datasource-Uid': 'python-sqlite' });
  const common = { datasource: { type: 'python-sqlite-datasource', uid: 'python-sqlite' }, datasourceId: 1, intervalMs: 60000, maxDataPoints: 500 };
  assert.deepEqual(call.data, {
    queries: [
      { refId: 'A', rawSql: "SELECT count(*) AS n FROM readings WHERE sensor = 'attic' AND '$keep' = '$keep'", format: 'table', table: 'readings', ...common, queryCachingTTL: undefined },
      { refId: 'B', format: 'table', ...common, queryCachingTTL: undefined },
    ],
    from: String(Date.UTC(2026, 0, 1)),
    to: String(Date.UTC(2026, 0, 2)),
  });

  const [frame] = response.data;
  assert.equal(frame.refId, 'A');
  assert.equal(frame.fields[0].name, 'n');
  assert.ok(frame.fields[0].values[0] > 0, 'the demo database has kitchen readings');
  const errors = response.errors.map((e) => [e.refId, e.status, e.message]);
  assert.deepEqual(errors, [['B', 400, 'invalid query B: rawSql is required']]);
});

test('TestData: a streaming query subscribes to ds/<uid>/<path>; the others still go to the backend', { skip: NEEDS_HOST }, async () => {
  const live = new RecordingLive();
  runtime.setGrafanaLiveSrv(live);
  const ds = new (examplePlugin('testdata').DataSourceClass)(instanceSettings('python-testdata', 'python-testdata-datasource'));
  const targets = [
    { refId: 'L', scenarioId: 'live', interval: 250, startValue: 10, labels: '$table' },
    { refId: 'W', scenarioId: 'random_walk', seriesCount: 2, seed: 7 },
  ];
  const sent = backend.requests.length;
  const responses = await rxjs.lastValueFrom(ds.query(request(targets)).pipe(rxjs.toArray()));

  assert.deepEqual(live.streams, [{
    key: 'python-testdata-L',
    addr: {
      scope: 'ds', namespace: 'python-testdata', path: 'random-walk/250',
      data: { scenarioId: 'live', seriesCount: 1, startValue: 10, spread: 1, noise: 0, labels: 'readings', interval: 250, rows: 1000000 },
    },
    buffer: { maxLength: 500 },
  }]);
  const queried = backend.requests.slice(sent).map((r) => r.data.queries.map((q) => q.refId));
  assert.deepEqual(queried, [['W']]);
  const streamed = responses.find((r) => r.key === 'python-testdata-L');
  assert.equal(streamed.data[0].name, 'random-walk/250');
  const walked = responses.find((r) => r.data.length === 2);
  assert.deepEqual(walked.data.map((f) => f.refId), ['W', 'W']);
});

test('getDefaultQuery gives the declared defaults', () => {
  const ds = new (examplePlugin('sqlite').DataSourceClass)(instanceSettings('python-sqlite', 'python-sqlite-datasource'));
  assert.deepEqual(ds.getDefaultQuery('dashboard'), { format: 'table' });
});
