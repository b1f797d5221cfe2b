'use strict'
// @actions/http-client imports ProxyAgent only for getAgentDispatcher(), the fetch() path.
// release-gate sends every request through HttpClient.request(), which uses node:http and tunnel,
// so this class must never be constructed; if a future change does, fail loudly instead of silently.
class ProxyAgent {
  constructor() {
    throw new Error('release-gate bundles a stub of undici: HttpClient.getAgentDispatcher() is not available')
  }
}
module.exports = { ProxyAgent }
