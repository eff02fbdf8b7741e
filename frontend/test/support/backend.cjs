// Grafana's backend service, reduced to what DataSourceWithBackend uses, over real HTTP to a host (node and browser).
const rxjs = require('rxjs');

/** Requests to `baseUrl` (the page's own origin when empty), with a bearer token when given. */
class HostBackendSrv {
  constructor(baseUrl, token) {
    this.baseUrl = baseUrl;
    this.authorization = token ? { authorization: `Bearer ${token}` } : {};
    this.requests = [];
  }

  async request(options) {
    this.requests.push(options);
    const query = options.params ? `?${new URLSearchParams(options.params)}` : '';
    const sep = options.url.startsWith('/') ? '' : '/';
    const response = await fetch(`${this.baseUrl}${sep}${options.url}${query}`, {
      method: options.method || 'GET',
      headers: { ...options.headers, ...this.authorization, 'content-type': 'application/json' },
      body: options.data === undefined ? undefined : JSON.stringify(options.data),
    });
    const body = await response.json();
    const result = { data: body, status: response.status, statusText: response.statusText, ok: response.ok,
      headers: response.headers, url: response.url, type: 'basic', redirected: false, config: options };
    if (!response.ok) {
      throw result;
    }
    return result;
  }

  fetch(options) {
    return rxjs.from(this.request(options));
  }

  async get(url, params, requestId, options) {
    return (await this.request({ ...options, url, params, requestId, method: 'GET' })).data;
  }

  async post(url, body, options) {
    return (await this.request({ ...options, url, data: body, method: 'POST' })).data;
  }
}

module.exports = { HostBackendSrv };
