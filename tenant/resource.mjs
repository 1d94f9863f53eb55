// A small resource server beside the local tenant, for the tests of `createFetcher()` /
// `fetchWithAuth()`: an API on 127.0.0.1 that accepts the tenant's access tokens.
//
//   const api = await startResourceServer({ tenant });   // tenant: startTenant()'s object
//   GET|POST {api.url}/api/whoami  ->  200 { sub, scope, clientId, method, scheme }
//   api.requests()                   the requests it saw: { method, path, scheme, status, app }
//   api.challengeNextWithNonce(n)    the next request gets a DPoP nonce challenge (RFC 9449 §9):
//                                    401, WWW-Authenticate: DPoP error="use_dpop_nonce", DPoP-Nonce: n
//   await api.stop()
//
// Tokens are checked by looking them up in the tenant (its access tokens are opaque): unknown or
// expired is 401 `invalid_token` (RFC 6750 §3.1); a token bound to a DPoP key (`jkt`) presented
// with the Bearer scheme, or without a `DPoP` proof header, is 401 as well (RFC 9449 §7.1). The
// proof's signature is not verified here: the token endpoint of the tenant does that.
import http from 'node:http';

/** CORS for a page on another origin that sends `authorization`/`dpop` and reads `dpop-nonce`. */
function allowCors(req, res) {
  res.setHeader('access-control-allow-origin', req.headers.origin || '*');
  res.setHeader('access-control-allow-headers', 'authorization, dpop, content-type, x-app');
  res.setHeader('access-control-allow-methods', 'GET, POST, PUT, DELETE');
  res.setHeader('access-control-expose-headers', 'dpop-nonce, www-authenticate');
  res.setHeader('vary', 'origin');
}

/** `Authorization: <scheme> <token>` split, or undefined. */
function credentials(header) {
  const m = /^(\S+) (\S+)$/.exec(header || '');
  return m ? { scheme: m[1], token: m[2] } : undefined;
}

/**
 * Starts the API. `tenant` is the object `startTenant()` resolves to (its `provider` finds tokens).
 * @param {{ tenant: any, port?: number }} options
 */
export async function startResourceServer({ tenant, port = 0 }) {
  let seen = [];
  let nextNonce;
  const answer = (res, status, body, headers = {}) => {
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    res.statusCode = status;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(body));
    return status;
  };
  async function handle(req, res) {
    allowCors(req, res);
    if (req.method === 'OPTIONS') { res.statusCode = 204; res.end(); return; }
    const path = new URL(req.url, 'http://x').pathname;
    const cred = credentials(req.headers.authorization);
    const record = { method: req.method, path, scheme: cred?.scheme, hasProof: !!req.headers.dpop, app: req.headers['x-app'] };
    seen.push(record);
    if (path !== '/api/whoami') { record.status = answer(res, 404, { error: 'not_found' }); return; }
    if (nextNonce !== undefined) {
      const nonce = nextNonce;
      nextNonce = undefined;
      record.status = answer(res, 401, { error: 'use_dpop_nonce' }, { 'www-authenticate': 'DPoP error="use_dpop_nonce"', 'dpop-nonce': nonce });
      return;
    }
    const at = cred ? await tenant.provider.AccessToken.find(cred.token) : undefined;
    const bound = !!at?.jkt;
    const schemeOk = cred && (bound ? cred.scheme === 'DPoP' && !!req.headers.dpop : cred.scheme === 'Bearer');
    if (!at || at.isExpired || !schemeOk) {
      record.status = answer(res, 401, { error: 'invalid_token' }, { 'www-authenticate': `${bound ? 'DPoP' : 'Bearer'} error="invalid_token"` });
      return;
    }
    record.status = answer(res, 200, { sub: at.accountId, scope: at.scope, clientId: at.clientId, method: req.method, scheme: cred.scheme });
  }
  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => { res.statusCode = 500; res.end(); });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => { server.off('error', reject); resolve(); });
  });
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    requests: () => seen.map((r) => ({ ...r })),
    reset() { seen = []; nextNonce = undefined; },
    challengeNextWithNonce(nonce) { nextNonce = nonce; },
    stop: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}
