// Grafana's frontend Live client, run by Node: the `centrifuge` package subscribes to a host channel and
// `@grafana/data` reads each publication as Grafana's StreamingDataFrame does (schema from the subscribe reply or
// the first packet, later packets data only). Prints one JSON report on stdout.
//
// Usage: node live_client.cjs <ws url> <authorization header> <channel> <subscription data JSON> <frames>
//        [<echo channel>]
'use strict';

const { Centrifuge } = require('centrifuge');
const WebSocket = require('ws');
const { dataFrameFromJSON } = require('@grafana/data');

const [url, authorization, channel, data, wanted, echoChannel] = process.argv.slice(2);

class AuthorizedWebSocket extends WebSocket {
  constructor(address, protocols) {
    super(address, protocols, { headers: { Authorization: authorization } });
  }
}

function fail(message) {
  process.stdout.write(JSON.stringify({ error: message }) + '\n');
  process.exit(1);
}

setTimeout(() => fail('timed out'), 30000);

const client = new Centrifuge(url, { websocket: AuthorizedWebSocket, timeout: 10000 });
const report = { connected: null, initialSchema: null, frames: [], echoed: null };
let schema = null;

client.on('connected', (ctx) => {
  report.connected = { client: ctx.client, transport: ctx.transport };
});
client.on('error', (ctx) => fail(`client error: ${JSON.stringify(ctx.error)}`));

function finishIfDone() {
  if (report.frames.length >= Number(wanted) && (!echoChannel || report.echoed)) {
    client.disconnect();
    process.stdout.write(JSON.stringify(report) + '\n');
    process.exit(0);
  }
}

const sub = client.newSubscription(channel, { data: JSON.parse(data) });
sub.on('subscribed', (ctx) => {
  if (ctx.data && ctx.data.schema) {
    schema = ctx.data.schema;
    report.initialSchema = schema;
  }
});
sub.on('error', (ctx) => fail(`subscription error: ${JSON.stringify(ctx.error)}`));
sub.on('publication', (ctx) => {
  if (ctx.data.schema) {
    schema = ctx.data.schema;
  }
  const frame = dataFrameFromJSON({ schema, data: ctx.data.data });
  report.frames.push({
    name: frame.name,
    length: frame.length,
    fields: frame.fields.map((f) => ({ name: f.name, type: f.type, values: Array.from(f.values) })),
  });
  finishIfDone();
});
sub.subscribe();

if (echoChannel) {
  const echo = client.newSubscription(echoChannel);
  echo.on('publication', (ctx) => {
    report.echoed = ctx.data;
    finishIfDone();
  });
  echo.on('subscribed', () => {
    echo.publish({ from: 'centrifuge' }).catch((err) => fail(`publish failed: ${JSON.stringify(err)}`));
  });
  echo.subscribe();
}

client.connect();
