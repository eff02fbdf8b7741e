// A jsdom window as the global environment, set up before Grafana's packages load (they read window at import).
const { JSDOM } = require('jsdom');

require.extensions['.css'] = () => {}; // @grafana/ui imports stylesheets; a browser would load them, node cannot

const dom = new JSDOM('<!doctype html><html><body></body></html>', { url: 'http://localhost/', pretendToBeVisual: true });
const win = dom.window;
// jsdom's own event and abort classes must win over node's, or jsdom refuses node's objects.
const JSDOM_FIRST = new Set(['Event', 'EventTarget', 'CustomEvent', 'KeyboardEvent', 'MouseEvent', 'FocusEvent',
  'InputEvent', 'UIEvent', 'AbortController', 'AbortSignal', 'DOMException', 'Blob', 'File', 'FormData']);
for (const key of Object.getOwnPropertyNames(win)) {
  if (key in globalThis && !JSDOM_FIRST.has(key)) {
    continue;
  }
  try {
    Object.defineProperty(globalThis, key, { value: win[key], configurable: true, writable: true });
  } catch {
    // a read-only global of node's (kept)
  }
}
globalThis.window = win;
globalThis.document = win.document;
Object.defineProperty(globalThis, 'navigator', { value: win.navigator, configurable: true });
// jsdom has no media queries or layout observers; Grafana's components only subscribe to them.
win.matchMedia = globalThis.matchMedia = (query) => ({
  matches: false, media: query, onchange: null,
  addListener() {}, removeListener() {}, addEventListener() {}, removeEventListener() {}, dispatchEvent() { return false; },
});
class NoLayoutObserver { observe() {} unobserve() {} disconnect() {} takeRecords() { return []; } }
for (const name of ['ResizeObserver', 'IntersectionObserver']) {
  win[name] = globalThis[name] = NoLayoutObserver;
}
globalThis.IS_REACT_ACT_ENVIRONMENT = true;
// What Grafana's index page defines before any plugin loads (@grafana/runtime's config reads it).
win.grafanaBootData = { settings: { featureToggles: {} }, user: {}, navTree: [] };

module.exports = { window: win };
