// @ts-check
// `client.createFetcher(config)` and `fetcher.fetchWithAuth(info, init, authParams)`, as
// auth0-spa-js 2.28.3 has them (docs/behaviour.md §1.4, "createFetcher"): a `fetch` that adds the
// client's access token to a request for the app's own API.
//
// This is JavaScript, not Rust, because all of it is about the app's own `Request`, `Headers` and
// `fetch` objects; the only protocol decisions (which URL, which scheme, whether a 401 is a DPoP
// nonce challenge worth one retry) are the small pure functions exported below, each with a table
// test in js/tests/fetcher.test.mjs. Tokens come from the client (`getTokenSilently`), so the
// Rust core decides everything about them as for any other call.

import { GenericError, UseDpopNonceError } from './errors.js';

/** The response header a server names its next DPoP nonce in (RFC 9449 §8.1). */
export const DPOP_NONCE_HEADER = 'dpop-nonce';

/** `http://…`, `https://…` or `//…`: a URL that `baseUrl` does not apply to. */
const ABSOLUTE_URL = /^(https?:)?\/\//i;

/**
 * The URL to request: `url` itself when absolute, else `url` below `baseUrl` (one slash between
 * them). Without either, the call is a programming error: a `TypeError`, as in auth0-spa-js.
 * @param {string | undefined} baseUrl @param {string | undefined} url
 */
export function resolveUrl(baseUrl, url) {
  if (url && ABSOLUTE_URL.test(url)) return url;
  if (url && baseUrl) return `${baseUrl.replace(/\/?\/$/, '')}/${url.replace(/^\/+/, '')}`;
  throw new TypeError('`url` must be absolute or `baseUrl` non-empty.');
}

/**
 * The token and its scheme from what the token source gave: a detailed response names its own
 * `token_type`; a bare string is `DPoP` when the fetcher has a DPoP nonce slot, else `Bearer`.
 * Nothing is `GenericError('missing_access_token')`.
 * @param {string | { access_token: string, token_type?: string } | undefined} got
 * @param {boolean} dpopSlot
 * @returns {{ scheme: string, token: string }}
 */
export function tokenAndScheme(got, dpopSlot) {
  if (got === undefined) throw new GenericError('missing_access_token', 'No access token available');
  if (typeof got === 'string') return { scheme: dpopSlot ? 'DPoP' : 'Bearer', token: got };
  return { scheme: got.token_type || 'Bearer', token: got.access_token };
}

/**
 * A header of a response whose headers may be a `Headers`-like object, a plain record or a list
 * of pairs (a custom `fetch` may return any of them); `''` when absent.
 * @param {any} headers @param {string} name
 */
export function headerOf(headers, name) {
  if (!headers) return '';
  if (Array.isArray(headers)) return new Headers(headers).get(name) || '';
  if (typeof headers.get === 'function') return headers.get(name) || '';
  return headers[name] || '';
}

/**
 * Whether a response is the resource server's DPoP nonce challenge (RFC 9449 §9): a 401 whose
 * `WWW-Authenticate` names `use_dpop_nonce` (or the older `invalid_dpop_nonce`).
 * @param {{ status: number, headers: any }} response
 */
export function isNonceChallenge(response) {
  if (response.status !== 401) return false;
  const challenge = headerOf(response.headers, 'www-authenticate');
  return challenge.includes('use_dpop_nonce') || challenge.includes('invalid_dpop_nonce');
}

/**
 * What a fetcher needs from its client: the token source and, for DPoP, the nonce slot and the
 * proof maker (the client's own `getDpopNonce`/`setDpopNonce`/`generateDpopProof`).
 * @typedef {{
 *   getAccessToken: (authParams?: { scope?: string[], audience?: string }) => Promise<any>,
 *   getDpopNonce: () => Promise<string | undefined>,
 *   setDpopNonce: (nonce: string) => Promise<void>,
 *   generateDpopProof: (params: { url: string, method: string, nonce?: string, accessToken: string }) => Promise<string>
 * }} FetcherHooks
 */

/** Calls the app's API with the client's access token attached (auth0-spa-js's `Fetcher`). */
export class Fetcher {
  /**
   * @param {{ baseUrl?: string, fetch?: (req: Request) => Promise<any>, getAccessToken?: FetcherHooks['getAccessToken'], dpopNonceId?: string }} config
   * @param {FetcherHooks} hooks
   */
  constructor(config, hooks) {
    /** @private */
    this.config = { ...config, fetch: config.fetch || globalThis.fetch.bind(globalThis) };
    /** @private */
    this.hooks = hooks;
  }

  /**
   * `fetch(info, init)` with `authorization: <scheme> <token>` (and a DPoP proof bound to the
   * token when the scheme is DPoP and the fetcher has a nonce slot); after a nonce challenge that
   * brought a new nonce it tries once more, else it rejects with `UseDpopNonceError`.
   * @param {RequestInfo | URL} info @param {RequestInit} [init]
   * @param {{ scope?: string[], audience?: string }} [authParams]
   */
  fetchWithAuth(info, init, authParams) {
    return this.attempt(info, init, authParams, true);
  }

  /**
   * @private
   * @param {RequestInfo | URL} info @param {RequestInit | undefined} init
   * @param {{ scope?: string[], audience?: string } | undefined} authParams @param {boolean} mayRetry
   * @returns {Promise<any>}
   */
  async attempt(info, init, authParams, mayRetry) {
    const request = this.request(info, init);
    const source = this.config.getAccessToken || this.hooks.getAccessToken;
    const { scheme, token } = tokenAndScheme(await source(authParams), !!this.config.dpopNonceId);
    request.headers.set('authorization', `${scheme} ${token}`);
    if (scheme === 'DPoP' && this.config.dpopNonceId) {
      const nonce = await this.hooks.getDpopNonce();
      const proof = await this.hooks.generateDpopProof({ accessToken: token, method: request.method, nonce, url: request.url });
      request.headers.set('dpop', proof);
    }
    const response = await this.config.fetch(request);
    const newNonce = headerOf(response.headers, DPOP_NONCE_HEADER);
    if (newNonce) await this.hooks.setDpopNonce(newNonce);
    if (!isNonceChallenge(response)) return response;
    if (!newNonce || !mayRetry) throw new UseDpopNonceError(newNonce);
    return this.attempt(info, init, authParams, false);
  }

  /**
   * A fresh `Request` from `info` and `init` (so `init` overrides `info` as in `fetch`), its URL
   * resolved against `baseUrl` when one is configured.
   * @private
   * @param {RequestInfo | URL} info @param {RequestInit | undefined} init
   */
  request(info, init) {
    if (!this.config.baseUrl) return new Request(info, init);
    const url = typeof info === 'string' ? info : info instanceof URL ? info.href : info.url;
    const resolved = resolveUrl(this.config.baseUrl, url);
    return new Request(info instanceof Request ? new Request(resolved, info) : resolved, init);
  }
}
