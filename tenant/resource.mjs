// A small resource server beside the local tenant, for the tests of `createFetcher()` /
// `fetchWithAuth()`: an API on 127.0.0.1 that accepts the tenant's access tokens.
//
//   const api = await startResourceServer({ tenant });   // tenant: startTenant()'s object
//   GET|POST {api.url}/api/whoami  ->  200 { sub, scope, clientId, method, scheme }
//   api.requests()                   the requests it saw: { method, path, scheme, hasProof, app, status, proof? }
//   api.challengeNextWithNonce(n)    the next request gets a DPoP nonce challenge (RFC 9449 §9):
//                                    401, WWW-Authenticate: DPoP error="use_dpop_nonce", DPoP-Nonce: n
//   await api.stop()
//
// Tokens are checked by looking them up in the tenant (its access tokens are opaque): unknown or
// expired is 401 `invalid_token` (RFC 6750 §3.1). A token bound to a DPoP key (`jkt`) must come
// with the DPoP scheme and a proof (RFC 9449 §7.1) that `checkProof` accepts: signed by the key
// the token is bound to, for this method and URL, with `ath` of this token, and with the nonce
// this server last asked for; anything else is 401 `invalid_dpop_proof`.
import crypto from 'node:crypto';
import http from 'node:http';

const b64url = (buf) => Buffer.from(buf).toString('base64url');

/** RFC 7638 thumbprint of an EC public JWK. */
function thumbprint(jwk) {
  return b64url(crypto.createHash('sha256').update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })).digest());
}

/**
 * Why a DPoP proof is not acceptable for this request, or '' when it is (RFC 9449 §4.3 and §7.1):
 * its header (`typ`, `alg`, public `jwk`), its signature, `htm`, `htu` (without query and
 * fragment), `ath`, the key's thumbprint against the token's `jkt`, and `nonce` when one was asked.
 */
export function checkProof(proof, { method, url, token, jkt, nonce }) {
  const parts = String(proof || '').split('.');
  if (parts.length !== 3) return 'not a compact JWS';
  let header;
  let claims;
  try {
    header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return 'unreadable header or claims';
  }
  if (header.typ !== 'dpop+jwt' || header.alg !== 'ES256' || !header.jwk || header.jwk.d) return 'bad header';
  const key = crypto.createPublicKey({ key: header.jwk, format: 'jwk' });
  const signed = crypto.verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(parts[2], 'base64url'));
  if (!signed) return 'bad signature';
  const target = new URL(url);
  if (claims.htm !== method || claims.htu !== `${target.origin}${target.pathname}`) return 'htm/htu';
  if (claims.ath !== b64url(crypto.createHash('sha256').update(token).digest())) return 'ath';
  if (thumbprint(header.jwk) !== jkt) return 'not the key the token is bound to';
  if (nonce !== undefined && claims.nonce !== nonce) return 'nonce';
  if (typeof claims.jti !== 'string' || typeof claims.iat !== 'number') return 'jti/iat';
  return '';
}

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
  let askedNonce;
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
      askedNonce = nonce;
      record.status = answer(res, 401, { error: 'use_dpop_nonce' }, { 'www-authenticate': 'DPoP error="use_dpop_nonce"', 'dpop-nonce': nonce });
      return;
    }
    const at = cred ? await tenant.provider.AccessToken.find(cred.token) : undefined;
    const bound = !!at?.jkt;
    const schemeOk = cred && cred.scheme === (bound ? 'DPoP' : 'Bearer');
    if (!at || at.isExpired || !schemeOk) {
      record.status = answer(res, 401, { error: 'invalid_token' }, { 'www-authenticate': `${bound ? 'DPoP' : 'Bearer'} error="invalid_token"` });
      return;
    }
    if (bound) {
      const why = checkProof(req.headers.dpop, { method: req.method, url: `http://${req.headers.host}${req.url}`, token: cred.token, jkt: at.jkt, nonce: askedNonce });
      record.proof = why || 'ok';
      if (why) {
        record.status = answer(res, 401, { error: 'invalid_dpop_proof', error_description: why }, { 'www-authenticate': 'DPoP error="invalid_dpop_proof"' });
        return;
      }
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
    reset() { seen = []; nextNonce = undefined; askedNonce = undefined; },
    challengeNextWithNonce(nonce) { nextNonce = nonce; },
    stop: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}
