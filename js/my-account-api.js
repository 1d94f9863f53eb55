// @ts-check
// The My Account API calls of `client.myAccount` (auth0-spa-js 2.28.3's `MyAccountApiClient`,
// docs/behaviour.md §1.4 "Sub-clients" and §2.12): one request each to `{domainUrl}/me/v1/…`
// through the client's fetcher, whose access tokens are for the audience `{domainUrl}/me/` with
// the scope each endpoint needs. A non-2xx answer is a `MyAccountApiError` with its RFC 7807
// problem details (`type`, `status`, `title`, `detail`, `validation_errors`); an answer that is not
// JSON is one of `type: 'invalid_json'`.
//
// Loaded on first use (`import()` from js/my-account.js), so apps that never call the My Account
// API never download it; scripts/build.sh ships it as a file of its own. It imports nothing: the
// error class comes in as an argument (a static import of a module the entry also imports would
// make esbuild split that module into a chunk every app fetches at start-up).

/** The scope of each endpoint (Auth0 My Account API). */
export const SCOPES = Object.freeze({
  connect: 'create:me:connected_accounts',
  readFactors: 'read:me:factors',
  read: 'read:me:authentication_methods',
  remove: 'delete:me:authentication_methods',
  update: 'update:me:authentication_methods',
  create: 'create:me:authentication_methods'
});

/**
 * @typedef {{ fetchWithAuth: (info: string, init?: RequestInit, authParams?: { scope?: string[], audience?: string }) => Promise<Response> }} TokenFetcher
 * @typedef {new (problem: { type: string, status: number, title: string, detail: string, validation_errors?: any }) => Error} ApiErrorClass
 */

/**
 * The body of `response` as JSON when the status is 2xx; otherwise, or when it is not JSON, the
 * `MyAccountApiError` auth0-spa-js throws (its `_handleResponse`).
 * @param {Response} response @param {ApiErrorClass} ApiError
 * @returns {Promise<any>}
 */
export async function readAnswer(response, ApiError) {
  /** @type {any} */
  let body;
  try {
    body = await response.text();
    body = JSON.parse(body);
  } catch (err) {
    throw new ApiError({ type: 'invalid_json', status: response.status, title: 'Invalid JSON response', detail: body || String(err) });
  }
  if (response.ok) return body;
  throw new ApiError(body);
}

/**
 * The last path segment of a `Location` header, decoded: the id of an enrollment
 * (`…/authentication-methods/{id}`), as auth0-spa-js reads it.
 * @param {string} location
 */
export function idOfLocation(location) {
  return decodeURIComponent(location.split('/').pop() || '');
}

/**
 * The nine methods of `client.myAccount` over `fetcher`, for the API at `base`
 * (`{domainUrl}/me/`, with its trailing slash).
 * @param {TokenFetcher} fetcher @param {string} base @param {ApiErrorClass} ApiError
 */
export function myAccountApi(fetcher, base, ApiError) {
  /**
   * @param {string} url @param {string} method @param {string} scope @param {unknown} [body]
   */
  const send = (url, method, scope, body) =>
    fetcher.fetchWithAuth(
      url,
      body === undefined ? { method } : { method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) },
      { scope: [scope] }
    );
  /** @param {string} url @param {string} method @param {string} scope @param {unknown} [body] */
  const call = async (url, method, scope, body) => readAnswer(await send(url, method, scope, body), ApiError);
  const methods = `${base}v1/authentication-methods`;
  /** @param {string} id */
  const method = (id) => `${methods}/${encodeURIComponent(id)}`;
  return {
    /** `POST /me/v1/connected-accounts/connect`: a ticket for connecting an account. @param {object} params */
    connectAccount: (params) => call(`${base}v1/connected-accounts/connect`, 'POST', SCOPES.connect, params),
    /** `POST /me/v1/connected-accounts/complete`: the connected account. @param {object} params */
    completeAccount: (params) => call(`${base}v1/connected-accounts/complete`, 'POST', SCOPES.connect, params),
    /** `GET /me/v1/factors` → its `factors`. */
    getFactors: async () => (await call(`${base}v1/factors`, 'GET', SCOPES.readFactors)).factors,
    /** `GET /me/v1/authentication-methods[?type=]` → its `authentication_methods`. @param {string} [type] */
    getAuthenticationMethods: async (type) =>
      (await call(methods + (type ? `?${new URLSearchParams({ type })}` : ''), 'GET', SCOPES.read)).authentication_methods,
    /** `GET /me/v1/authentication-methods/{id}`. @param {string} id */
    getAuthenticationMethod: (id) => call(method(id), 'GET', SCOPES.read),
    /** `DELETE /me/v1/authentication-methods/{id}`; a 2xx answer's body is not read. @param {string} id */
    deleteAuthenticationMethod: async (id) => {
      const response = await send(method(id), 'DELETE', SCOPES.remove);
      if (!response.ok) await readAnswer(response, ApiError);
    },
    /** `PATCH /me/v1/authentication-methods/{id}`. @param {string} id @param {object} data */
    updateAuthenticationMethod: (id, data) => call(method(id), 'PATCH', SCOPES.update, data),
    /**
     * `POST /me/v1/authentication-methods`: starts an enrollment; the answer plus the `id` and
     * `location` of its `Location` header.
     * @param {object} options
     */
    enrollmentChallenge: async (options) => {
      const response = await send(methods, 'POST', SCOPES.create, options);
      const answer = await readAnswer(response, ApiError);
      const location = response.headers.get('location') ?? '';
      return { ...answer, id: idOfLocation(location), location };
    },
    /**
     * `POST {location}/verify`: confirms an enrollment with everything but `location` and `type`.
     * @param {{ location: string, type?: string, [key: string]: unknown }} options
     */
    enrollmentVerify: (options) => {
      const { location, type: _type, ...body } = options;
      return call(`${location}/verify`, 'POST', SCOPES.create, body);
    }
  };
}
