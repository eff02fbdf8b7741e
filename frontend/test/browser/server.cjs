// Serves the test page (bundled from page.jsx with Grafana's real packages), the example plugins' module.js,
// and /api/ passed through to a running host with a bearer token.
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');

const esbuild = require('esbuild');

const EXAMPLES = path.resolve(__dirname, '..', '..', '..', 'example_plugins');
const HTML = '<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="/page.css"></head>'
  + '<body><div id="root"></div><script src="/page.js"></script></body></html>';

async function bundlePage() {
  const result = await esbuild.build({
    entryPoints: [path.join(__dirname, 'page.jsx')],
    bundle: true,
    write: false,
    outdir: '/page',
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    jsx: 'transform',
    jsxFactory: 'React.createElement',
    jsxFragment: 'React.Fragment',
    define: { 'process.env.NODE_ENV': '"production"', global: 'window' },
    loader: { '.woff': 'empty', '.woff2': 'empty', '.ttf': 'empty', '.svg': 'dataurl', '.png': 'dataurl' },
    logLevel: 'silent',
  });
  return Object.fromEntries(result.outputFiles.map((f) => [`/${path.basename(f.path)}`, f.contents]));
}

function passToHost(req, res, hostUrl, token) {
  const target = new URL(req.url, hostUrl);
  const upstream = http.request(target, {
    method: req.method,
    headers: { ...req.headers, host: target.host, authorization: `Bearer ${token}` },
  }, (answer) => {
    res.writeHead(answer.statusCode, answer.headers);
    answer.pipe(res);
  });
  upstream.on('error', () => {
    res.writeHead(502).end();
  });
  req.pipe(upstream);
}

/** Start the page server on a free loopback port; resolves to { url, close }. */
async function startServer({ hostUrl, token }) {
  const files = await bundlePage();
  const server = http.createServer((req, res) => {
    const { pathname } = new URL(req.url, 'http://page');
    if (pathname.startsWith('/api/')) {
      passToHost(req, res, hostUrl, token);
      return;
    }
    const plugin = /^\/plugins\/(iot|sqlite|testdata)\/module\.js$/.exec(pathname);
    if (plugin) {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(fs.readFileSync(path.join(EXAMPLES, plugin[1], 'module.js')));
    } else if (pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(HTML);
    } else if (files[pathname]) {
      const type = pathname.endsWith('.css') ? 'text/css' : 'text/javascript';
      res.writeHead(200, { 'content-type': type }).end(files[pathname]);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

module.exports = { startServer };
