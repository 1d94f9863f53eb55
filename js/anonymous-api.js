// @ts-check
// The part of `client.anonymous` (auth0-spa-js 2.27/2.28's AnonymousSessionApiClient over
// @auth0/auth0-auth-js's AnonymousSessionClient, docs/behaviour.md §1.7) that an app needs only
// once it uses anonymous sessions: the requests to Auth0's `/anonymous/token` and
// `/anonymous/logout`, their answers and errors, and the renewal rule (a cached access token until
// 60 s before it expires, then a new one from the session token, under the Web Lock
// `anonymous::{clientId}`).
//
// Loaded on first use by js/anonymous.js with a dynamic import(), so that apps that never start an
// anonymous session do not download it. esbuild bundles it on its own (scripts/build.sh), with its
// own copies of what it imports here; everything tied to the client (its store, the tenant's URL,
// fetch as captured at the package's import, the error classes) comes in as `deps`.

import { send } from './mfa-api.js';
import { storedSession, storedSlot } from './anonymous-store.js';
import { heldNames, lockRequest, markSpent } from './platform.js';

// The store over localStorage or the client's memory, made here so that the entry carries only its read.
export { anonymousStore } from './anonymous-store.js';

/**
 * @typedef {import('./anonymous-store.js').AnonymousStore} AnonymousStore
 * @typedef {import('./anonymous-store.js').TokenSlot} TokenSlot
 * @typedef {new (code: string, message: string, cause?: any) => Error & { code: string }} AnonymousErrorClass
 * @typedef {{
 *   baseUrl: string,
 *   clientId: string,
 *   timeoutMs: number,
 *   fetch: typeof fetch,
 *   errors: { session: AnonymousErrorClass, timeout: new () => Error }
 * }} AnonymousHttp
 *   What the requests need: the tenant's URL, the client, the timeout, fetch, the error classes.
 * @typedef {AnonymousHttp & {
 *   store: AnonymousStore,
 *   keys: ReturnType<typeof import('./anonymous-store.js').anonymousKeys>
 * }} AnonymousDeps
 *   What `client.anonymous` adds: where the session is kept.
 * @typedef {{ sessionToken: string, accessToken: string, expiresAt: number, sessionTokenExpiresAt?: number, scope?: string }} AnonymousSession
 * @typedef {{ audience?: string, scope?: string, metadata?: Record<string, string> }} CreateOptions
 */

/** A cached access token is used until this long (seconds) before it expires (auth0-spa-js's `EXPIRY_LEEWAY_SECONDS`). */
export const EXPIRY_LEEWAY_SECONDS = 60;

/** How long a renewal waits for the lock `anonymous::{clientId}` before a `TimeoutError` (auth0-spa-js: 5000 ms). */
export const LOCK_TIMEOUT_MS = 5000;

/** The `audience` that asks `/anonymous/token` for a transfer token instead of an access token. */
export const TRANSFER_AUDIENCE = 'urn:auth0:anon_transfer';

/** auth0-spa-js's message once the server has declared the session expired. */
export const SESSION_EXPIRED_MESSAGE = 'The anonymous session has expired. Call createSession() to start a new one.';

/** How long a write mark stays in the lock manager: far longer than storage takes to reach another tab. */
export const WRITE_MARK_MS = 5000;

/** How long a lock holder waits for its storage to show a write another tab marked, then goes on. */
export const CATCH_UP_MS = 2000;

/** The answers that end a session for good: the local copy goes and is marked expired. */
const SESSION_ENDING_CODES = ['session_expired', 'invalid_session_token'];

/**
 * Whether a cached access token may still be used at `nowMs`: more than the leeway left.
 * @param {TokenSlot | null} slot @param {number} nowMs
 */
export function isFresh(slot, nowMs) {
  return !!slot && slot.expiresAt - EXPIRY_LEEWAY_SECONDS > nowMs / 1000;
}

// ---------------------------------------------------------------------------------------------
// Write marks. The lock `anonymous::{clientId}` alone does not make one renewal per expired token
// across tabs in Chromium: a localStorage write reaches the other tabs' processes asynchronously,
// and the next holder may read the old slot (and renew again) or no session (and start a second
// identity). So a tab that writes the session's keys also holds, for a few seconds, a shared Web
// Lock named after each write (`anonymous.wrote.{clientId}.{key}.{time}.{text}`, fingerprints), and
// a holder of the lock first waits (at most CATCH_UP_MS) until its storage shows the latest marked
// text of each key it reads: the lock manager is one for all tabs, so the marks are there at the
// grant. The same idea as the refresh path's spent marks (docs/behaviour.md §5.2). Only for
// localStorage: a store in memory belongs to one client.

/**
 * A short fingerprint of `text` (FNV-1a, 32 bits, base 36): it names a write in the lock manager.
 * Not a secret: any script of the origin reads the stored text itself.
 * @param {string} text
 */
export function fingerprint(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(36);
}

/** What every write mark of a client starts with. @param {string} clientId */
const markPrefix = (clientId) => `anonymous.wrote.${clientId}.`;

/**
 * The mark of writing `text` under `key` at `time` (ms; a removal writes '').
 * @param {string} clientId @param {string} key @param {string} text @param {number} time
 */
export const writeMark = (clientId, key, text, time) => `${markPrefix(clientId)}${fingerprint(key)}.${time}.${fingerprint(text)}`;

/**
 * The latest marked write of each key among held lock `names`: key fingerprint → text fingerprint.
 * @param {string[]} names @param {string} clientId @returns {Map<string, string>}
 */
export function latestWrites(names, clientId) {
  const prefix = markPrefix(clientId);
  /** @type {Map<string, { time: number, text: string }>} */
  const latest = new Map();
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const [key, time, text, extra] = name.slice(prefix.length).split('.');
    const t = Number(time);
    if (!key || !text || extra !== undefined || !Number.isFinite(t)) continue;
    const seen = latest.get(key);
    if (!seen || t >= seen.time) latest.set(key, { time: t, text });
  }
  return new Map([...latest].map(([k, v]) => [k, v.text]));
}

/** Marks the current texts of `keys` as just written (shared store only). @param {AnonymousDeps} deps @param {string[]} keys */
async function markWrites(deps, keys) {
  if (!deps.store.shared) return;
  const now = Date.now();
  await Promise.all(keys.map((k) => markSpent(writeMark(deps.clientId, k, deps.store.get(k) || '', now), WRITE_MARK_MS)));
}

/**
 * Waits until the store shows the latest marked write of each of `keys` (shared store only), at
 * most CATCH_UP_MS; then the caller reads them.
 * @param {AnonymousDeps} deps @param {string[]} keys
 */
async function catchUp(deps, keys) {
  if (!deps.store.shared) return;
  const latest = latestWrites(await heldNames(markPrefix(deps.clientId)), deps.clientId);
  const behind = () => keys.some((k) => {
    const want = latest.get(fingerprint(k));
    return want !== undefined && want !== fingerprint(deps.store.get(k) || '');
  });
  const deadline = Date.now() + CATCH_UP_MS;
  while (behind() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

/**
 * A 2xx answer of `/anonymous/token` as auth0-auth-js reads it: `access_token` (a non-empty
 * string) and `expires_in` (a finite number) are required, anything else is
 * `AnonymousSessionError('server_error')`; times become seconds since the epoch.
 * @param {any} body @param {number} nowMs @param {AnonymousErrorClass} Refused
 */
export function tokensFrom(body, nowMs, Refused) {
  const b = body && typeof body === 'object' ? body : {};
  const now = Math.floor(nowMs / 1000);
  if (typeof b.access_token !== 'string' || !b.access_token) {
    throw new Refused('server_error', 'access_token missing or invalid in anonymous token response');
  }
  if (typeof b.expires_in !== 'number' || !Number.isFinite(b.expires_in)) {
    throw new Refused('server_error', 'expires_in missing or invalid in anonymous token response');
  }
  /** @type {{ accessToken: string, expiresAt: number, scope?: string, sessionToken?: string, sessionTokenExpiresAt?: number }} */
  const t = { accessToken: b.access_token, expiresAt: now + b.expires_in };
  if (b.scope !== undefined) t.scope = b.scope;
  if (typeof b.session_token === 'string' && b.session_token) t.sessionToken = b.session_token;
  if (typeof b.session_expires_in === 'number' && Number.isFinite(b.session_expires_in)) t.sessionTokenExpiresAt = now + b.session_expires_in;
  return t;
}

/**
 * A non-2xx answer as auth0-auth-js reads it: `error` (else `server_error`) and
 * `error_description` (else `Request failed with status N`).
 * @param {Response} response @param {AnonymousErrorClass} Refused
 */
async function refusal(response, Refused) {
  let body;
  try {
    body = JSON.parse(await response.text());
  } catch {
    body = undefined;
  }
  const b = body && typeof body === 'object' ? body : {};
  const cause = {
    error: typeof b.error === 'string' ? b.error : 'server_error',
    error_description: typeof b.error_description === 'string' ? b.error_description : `Request failed with status ${response.status}`
  };
  return new Refused(cause.error, cause.error_description, cause);
}

/**
 * `POST /anonymous/token` with `fields` after `client_id` (JSON, with the tenant's `auth0_anon`
 * cookie, redirects refused), read into tokens.
 * @param {AnonymousHttp} deps @param {Record<string, unknown>} fields
 */
async function postToken(deps, fields) {
  const Refused = deps.errors.session;
  const response = await send(deps, '/anonymous/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    credentials: 'include',
    redirect: 'error',
    body: JSON.stringify({ client_id: deps.clientId, ...fields })
  });
  if (!response.ok) throw await refusal(response, Refused);
  let body;
  try {
    body = JSON.parse(await response.text());
  } catch {
    throw new Refused('server_error', 'Invalid response from anonymous token endpoint');
  }
  return tokensFrom(body, Date.now(), Refused);
}

/** `audience`, `scope` (and `metadata`) when given, as the request body names them. @param {CreateOptions | undefined} o */
function requested(o) {
  /** @type {Record<string, unknown>} */
  const out = {};
  if (o && o.audience) out.audience = o.audience;
  if (o && o.scope) out.scope = o.scope;
  if (o && o.metadata) out.metadata = o.metadata;
  return out;
}

/**
 * A new session (auth0-auth-js's `createSession`): the answer must carry a session token.
 * @param {AnonymousHttp} deps @param {CreateOptions} [options] @returns {Promise<AnonymousSession>}
 */
export async function newSession(deps, options) {
  const t = await postToken(deps, requested(options));
  if (!t.sessionToken) throw new deps.errors.session('server_error', 'session_token missing from create session response');
  return { sessionToken: t.sessionToken, accessToken: t.accessToken, expiresAt: t.expiresAt, sessionTokenExpiresAt: t.sessionTokenExpiresAt, scope: t.scope };
}

/**
 * A new access token of the session `sessionToken` (auth0-auth-js's `getAccessToken` with one);
 * the session token is not reissued.
 * @param {AnonymousHttp} deps @param {string} sessionToken @param {{ audience?: string, scope?: string }} [options]
 * @returns {Promise<AnonymousSession>}
 */
export async function renewSession(deps, sessionToken, options) {
  const t = await postToken(deps, { session_token: sessionToken, ...requested({ audience: options && options.audience, scope: options && options.scope }) });
  return { sessionToken, accessToken: t.accessToken, expiresAt: t.expiresAt, sessionTokenExpiresAt: t.sessionTokenExpiresAt, scope: t.scope };
}

/**
 * A single-use transfer token (30 s) of the session `sessionToken`, or null on any failure
 * (auth0-auth-js's `mintTransferToken`: no cookie sent).
 * @param {AnonymousHttp} deps @param {string} sessionToken @returns {Promise<string | null>}
 */
export async function transferToken(deps, sessionToken) {
  try {
    const response = await send(deps, '/anonymous/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      redirect: 'error',
      body: JSON.stringify({ client_id: deps.clientId, session_token: sessionToken, audience: TRANSFER_AUDIENCE })
    });
    if (!response.ok) return null;
    const body = JSON.parse(await response.text());
    return body && typeof body.anon_transfer_token === 'string' ? body.anon_transfer_token : null;
  } catch {
    return null;
  }
}

/**
 * `POST /anonymous/logout`: the tenant finds the session by its `auth0_anon` cookie and clears it;
 * a refusal is an `AnonymousSessionError`.
 * @param {AnonymousHttp} deps
 */
export async function endSession(deps) {
  const response = await send(deps, '/anonymous/logout', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    credentials: 'include',
    redirect: 'error',
    body: JSON.stringify({ client_id: deps.clientId })
  });
  if (!response.ok) throw await refusal(response, deps.errors.session);
}

/**
 * auth0-auth-js's `getAccessToken`: a new access token of `options.sessionToken`'s session, or a
 * new session without one.
 * @param {AnonymousHttp} http @param {{ sessionToken?: string, audience?: string, scope?: string }} [options]
 */
export function accessToken(http, options) {
  const o = options || {};
  return o.sessionToken ? renewSession(http, o.sessionToken, o) : newSession(http, { audience: o.audience, scope: o.scope });
}

/** A slot as stored and returned (`scope` only when the server named one). @param {{ accessToken: string, expiresAt: number, scope?: string }} t */
const slotOf = (t) => /** @type {TokenSlot} */ ({ accessToken: t.accessToken, expiresAt: t.expiresAt, ...(t.scope !== undefined && { scope: t.scope }) });

/** Stores the session token (which clears an expiry mark). @param {AnonymousDeps} deps @param {string} token @param {number} [expiresAt] */
function keepSession(deps, token, expiresAt) {
  deps.store.set(deps.keys.session, JSON.stringify({ sessionToken: token, ...(expiresAt !== undefined && { sessionTokenExpiresAt: expiresAt }) }));
  deps.store.remove(deps.keys.expired);
}

/**
 * `anonymous.createSession({ audience?, scope?, metadata? })`: a new anonymous identity; the
 * session token and the access token are stored, and the whole session is returned.
 * @param {AnonymousDeps} deps @param {CreateOptions} [options] @returns {Promise<AnonymousSession>}
 */
export async function createSession(deps, options) {
  const session = await newSession(deps, options);
  const slot = deps.keys.slot(options && options.audience, options && options.scope);
  keepSession(deps, session.sessionToken, session.sessionTokenExpiresAt);
  deps.store.set(slot, JSON.stringify(slotOf(session)));
  await markWrites(deps, [deps.keys.session, deps.keys.expired, slot]);
  return session;
}

/**
 * `anonymous.getTokenSilently({ audience?, scope? })`: the cached token of that audience and scope
 * while fresh; otherwise, under the lock, the cache again, then a new token from the stored
 * session token, or a new session when there is none. A session the server declared ended
 * (`session_expired`, `invalid_session_token`) is removed and marked, and every later call gives
 * `session_expired` until `createSession()` or `logout()`.
 * @param {AnonymousDeps} deps @param {{ audience?: string, scope?: string }} [options]
 * @returns {Promise<TokenSlot>}
 */
export async function getTokenSilently(deps, options) {
  const audience = options && options.audience;
  const scope = options && options.scope;
  const key = deps.keys.slot(audience, scope);
  const cached = storedSlot(deps.store.get(key));
  if (isFresh(cached, Date.now())) return /** @type {TokenSlot} */ (cached);
  const lock = lockRequest(`anonymous::${deps.clientId}`, LOCK_TIMEOUT_MS);
  try {
    await lock.p;
  } catch {
    lock.drop();
    throw new deps.errors.timeout();
  }
  try {
    await catchUp(deps, [deps.keys.expired, deps.keys.session, key]);
    if (deps.store.get(deps.keys.expired) !== null) throw new deps.errors.session('session_expired', SESSION_EXPIRED_MESSAGE);
    const again = storedSlot(deps.store.get(key));
    if (isFresh(again, Date.now())) return /** @type {TokenSlot} */ (again);
    const session = storedSession(deps.store.get(deps.keys.session));
    let t;
    try {
      t = session ? await renewSession(deps, session.sessionToken, { audience, scope }) : await newSession(deps, { audience, scope });
    } catch (e) {
      if (session && SESSION_ENDING_CODES.includes(/** @type {any} */ (e).code)) {
        removeAll(deps);
        deps.store.set(deps.keys.expired, 'true');
        await markWrites(deps, [deps.keys.expired, deps.keys.session, key]);
      }
      throw e;
    }
    const slot = slotOf(t);
    deps.store.set(key, JSON.stringify(slot));
    if (!session) keepSession(deps, t.sessionToken, t.sessionTokenExpiresAt);
    await markWrites(deps, session ? [key] : [key, deps.keys.session, deps.keys.expired]);
    return slot;
  } finally {
    lock.drop();
  }
}

/**
 * `anonymous.mintTransferToken()`: a single-use transfer token (30 s) for the stored session, which
 * a login sends to `/authorize` as `anon_transfer_token`; null without a session or on any
 * failure, so that a login is never held up by it.
 * @param {AnonymousDeps} deps @returns {Promise<string | null>}
 */
export async function mintTransferToken(deps) {
  const session = storedSession(deps.store.get(deps.keys.session));
  return session ? transferToken(deps, session.sessionToken) : null;
}

/**
 * `anonymous.logout()`: the session ends at the tenant ({@link endSession}), then every stored key
 * of it goes. A refusal keeps them, as in auth0-spa-js.
 * @param {AnonymousDeps} deps
 */
export async function logout(deps) {
  await endSession(deps);
  removeAll(deps);
  await markWrites(deps, [deps.keys.session, deps.keys.expired]);
}

/** Removes every stored key of the session (the token, the mark, every slot). @param {AnonymousDeps} deps */
export function removeAll(deps) {
  for (const k of deps.store.keys(deps.keys.prefix)) deps.store.remove(k);
}
