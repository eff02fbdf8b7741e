// The example plugins' editors in headless Chromium (Debian's), rendered by the test page with Grafana's real
// packages: the fields they show, typing into them, resource options from the host, and a screenshot each.
const assert = require('node:assert/strict');
const path = require('node:path');
const { after, before, test } = require('node:test');

const { chromium } = require('playwright-core');

const { startServer } = require('./server.cjs');

const SHOTS = process.env.EDITORS_SCREENSHOT_DIR;
let server;
let browser;

before(async () => {
  server = await startServer({ hostUrl: process.env.EDITORS_TEST_HOST_URL, token: process.env.EDITORS_TEST_HOST_TOKEN });
  browser = await chromium.launch({
    executablePath: process.env.EDITORS_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function open(example) {
  const page = await browser.newPage({ viewport: { width: 760, height: 900 }, deviceScaleFactor: 1 });
  const errors = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  await page.goto(`${server.url}/?example=${example}`);
  await page.waitForSelector('[data-testid="python-plugin-query-editor"]', { timeout: 30000 });
  return { page, errors };
}

async function labels(page, editor) {
  const texts = await page.locator(`[data-testid="${editor}"] label`).allInnerTexts();
  return texts.filter(Boolean); // a switch draws its knob with an empty label
}

async function state(page) {
  return JSON.parse(await page.locator('#state').textContent());
}

async function shoot(page, example) {
  const file = path.join(SHOTS, `editors-${example}.png`);
  await page.locator('#editors').screenshot({ path: file });
}

test('SQLite in Chromium: settings and SQL editor; the tables select lists the database tables', async () => {
  const { page, errors } = await open('sqlite');
  assert.deepEqual(await labels(page, 'python-plugin-config-editor'), ['Database file *\nOpened read-only', 'Demo data\nCreate the file with demo tables when it does not exist']);
  assert.ok(await page.getByText('Database file is required').isVisible());
  await page.getByLabel(/^Database file/).fill('/var/lib/grafana/demo.sqlite');
  assert.equal(await page.getByText('Database file is required').count(), 0);
  assert.deepEqual((await state(page)).jsonData, { demoData: false, path: '/var/lib/grafana/demo.sqlite' });

  const sql = page.getByLabel(/^SQL/);
  assert.equal(await sql.evaluate((el) => getComputedStyle(el).fontFamily), 'monospace');
  assert.equal(await sql.inputValue(), 'SELECT time, sensor, temperature\nFROM readings\nWHERE $__timeFilter(time)');
  await page.getByLabel(/^Tables/).click();
  await page.getByRole('option', { name: 'readings' }).waitFor();
  const options = await page.getByRole('option').allInnerTexts();
  assert.ok(options.includes('readings'), options.join());
  await page.getByRole('option', { name: 'readings' }).click();
  assert.equal((await state(page)).query.table, 'readings');
  await shoot(page, 'sqlite');
  assert.deepEqual(errors, []);
});

test('IoT in Chromium: API key shown as configured with Reset; the device select lists the devices', async () => {
  const { page, errors } = await open('iot');
  const key = page.getByLabel(/^API key/);
  assert.equal(await key.inputValue(), 'configured');
  assert.ok(await key.isDisabled());
  assert.ok(await page.getByRole('button', { name: 'Reset' }).isVisible());
  await page.getByLabel(/^Device/).click();
  await page.getByRole('option', { name: 'lamp' }).waitFor();
  assert.deepEqual((await page.getByRole('option').allInnerTexts()).sort(), ['fan', 'heater', 'lamp']);
  await page.keyboard.press('Escape');
  await shoot(page, 'iot');
  await page.getByRole('button', { name: 'Reset' }).click();
  await page.getByLabel(/^API key/).fill('a-new-key-of-24-chars!!');
  assert.equal(await page.getByLabel(/^API key/).getAttribute('type'), 'password');
  assert.deepEqual((await state(page)).secureJsonData, { apiKey: 'a-new-key-of-24-chars!!' });
  assert.deepEqual(errors, []);
});

test('TestData in Chromium: the live scenario shows its parameters; switching scenario swaps the fields', async () => {
  const { page, errors } = await open('testdata');
  assert.deepEqual(await labels(page, 'python-plugin-query-editor'), ['Scenario *', 'Start value', 'Seed\nRepeatable values', 'Interval (ms)']);
  await shoot(page, 'testdata');
  await page.getByLabel(/^Scenario/).click();
  await page.getByRole('option', { name: /Random Walk/ }).first().click();
  const shown = await labels(page, 'python-plugin-query-editor');
  assert.deepEqual(shown.slice(0, 3), ['Scenario *', 'Series', 'Start value']);
  await page.getByLabel('Series', { exact: true }).fill('4');
  assert.equal((await state(page)).query.seriesCount, 4);
  assert.deepEqual(errors, []);
});
