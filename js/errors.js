// @ts-check
// Error classes with the names, fields, messages and inheritance of @auth0/auth0-spa-js v2
// (docs/behaviour.md §6), so that `e instanceof PopupTimeoutError`, `e instanceof GenericError` and
// `e.error === 'login_required'` keep working in apps that switch to this package.
//
// Like auth0-spa-js, every constructor calls Object.setPrototypeOf(this, X.prototype): code
// compiled to ES5 by an app's toolchain subclasses Error by calling it as a function, which
// returns a plain Error; resetting the prototype keeps `instanceof` right in that case too.
// `name` is left as Error's ('Error'), as in auth0-spa-js.

/** Base of every SDK error: an OAuth/SDK `error` code plus `error_description` (= message). */
export class GenericError extends Error {
  /** @param {string} error @param {string} error_description */
  constructor(error, error_description) {
    super(error_description);
    this.error = error;
    this.error_description = error_description;
    Object.setPrototypeOf(this, GenericError.prototype);
  }

  /**
   * Builds a GenericError from an OAuth error payload `{ error, error_description }`.
   * @param {{ error: string, error_description: string }} payload
   */
  static fromPayload({ error, error_description }) {
    return new GenericError(error, error_description);
  }
}

/** Invalid option combination found at construction; `error_description` = message + suggestion. */
export class InvalidConfigurationError extends GenericError {
  /** @param {string} message @param {string} suggestion */
  constructor(message, suggestion) {
    super('invalid_configuration', message + ' ' + suggestion);
    this.suggestion = suggestion;
    Object.setPrototypeOf(this, InvalidConfigurationError.prototype);
  }
}

/** `error` returned to the redirect callback (handleRedirectCallback). */
export class AuthenticationError extends GenericError {
  /** @param {string} error @param {string} error_description @param {string | undefined} state @param {any} [appState] */
  constructor(error, error_description, state, appState = null) {
    super(error, error_description);
    this.state = state;
    this.appState = appState;
    Object.setPrototypeOf(this, AuthenticationError.prototype);
  }
}

/** `error` returned to the connect-account callback (connectAccountWithRedirect). */
export class ConnectError extends GenericError {
  /**
   * @param {string} error @param {string} error_description @param {string | undefined} connection
   * @param {string | undefined} state @param {any} [appState]
   */
  constructor(error, error_description, connection, state, appState = null) {
    super(error, error_description);
    this.connection = connection;
    this.state = state;
    this.appState = appState;
    Object.setPrototypeOf(this, ConnectError.prototype);
  }
}

/** Silent authentication (iframe) or lock acquisition timed out. */
export class TimeoutError extends GenericError {
  constructor() {
    super('timeout', 'Timeout');
    Object.setPrototypeOf(this, TimeoutError.prototype);
  }
}

/** The login popup did not answer in time; `popup` is the window. */
export class PopupTimeoutError extends TimeoutError {
  /** @param {Window | undefined} popup */
  constructor(popup) {
    super();
    this.popup = popup;
    Object.setPrototypeOf(this, PopupTimeoutError.prototype);
  }
}

/** The user closed the login popup; `popup` is the window. */
export class PopupCancelledError extends GenericError {
  /** @param {Window | undefined} popup */
  constructor(popup) {
    super('cancelled', 'Popup closed');
    this.popup = popup;
    Object.setPrototypeOf(this, PopupCancelledError.prototype);
  }
}

/** `window.open` returned null (popup blocked). */
export class PopupOpenError extends GenericError {
  constructor() {
    super('popup_open', 'Unable to open a popup for loginWithPopup - window.open returned `null`');
    Object.setPrototypeOf(this, PopupOpenError.prototype);
  }
}

/** The token endpoint answered `mfa_required`. */
export class MfaRequiredError extends GenericError {
  /** @param {string} error @param {string} error_description @param {string} mfa_token @param {any} mfa_requirements */
  constructor(error, error_description, mfa_token, mfa_requirements) {
    super(error, error_description);
    this.mfa_token = mfa_token;
    this.mfa_requirements = mfa_requirements;
    Object.setPrototypeOf(this, MfaRequiredError.prototype);
  }
}

// auth0-spa-js shows '' instead of an absent value, and '' instead of the audience 'default'.
/** @param {string | undefined} value @param {string} [hidden] */
const shown = (value, hidden) => (value && value !== hidden ? value : '');

/** No refresh token for the requested audience and scope. */
export class MissingRefreshTokenError extends GenericError {
  /** @param {string | undefined} audience @param {string | undefined} scope */
  constructor(audience, scope) {
    super(
      'missing_refresh_token',
      "Missing Refresh Token (audience: '" + shown(audience, 'default') + "', scope: '" + shown(scope) + "')"
    );
    this.audience = audience;
    this.scope = scope;
    Object.setPrototypeOf(this, MissingRefreshTokenError.prototype);
  }
}

/** A refreshed token lacks requested scopes (MRRT). */
export class MissingScopesError extends GenericError {
  /** @param {string | undefined} audience @param {string | undefined} scope */
  constructor(audience, scope) {
    super(
      'missing_scopes',
      "Missing requested scopes after refresh (audience: '" + shown(audience, 'default') +
        "', missing scope: '" + shown(scope) + "')"
    );
    this.audience = audience;
    this.scope = scope;
    Object.setPrototypeOf(this, MissingScopesError.prototype);
  }
}

/** The token endpoint still asked for a DPoP nonce after the one retry (RFC 9449 §8); `newDpopNonce` is its latest. */
export class UseDpopNonceError extends GenericError {
  /** @param {string | undefined} newDpopNonce */
  constructor(newDpopNonce) {
    super('use_dpop_nonce', 'Server rejected DPoP proof: wrong nonce');
    this.newDpopNonce = newDpopNonce;
    Object.setPrototypeOf(this, UseDpopNonceError.prototype);
  }
}

// Sets a field after construction, so that the error's own text (description) wins over the
// class's default message while the class, prototype chain and extra fields stay right.
/** @template {GenericError} E @param {E} e @param {unknown} error @param {unknown} description @returns {E} */
function describe(e, error, description) {
  if (typeof error === 'string') e.error = error;
  if (typeof description === 'string') {
    e.error_description = description;
    e.message = description;
  }
  return e;
}

const str = (/** @type {unknown} */ v) => (v == null ? '' : String(v));

// JSON text or a value: mfa_requirements / appState may arrive either way from the wasm side.
/** @param {unknown} v @returns {any} */
function value(v) {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

/**
 * The plain error object the wasm side rejects with (the contract at the top of js/index.js).
 * @typedef {{
 *   class?: string, error?: unknown, description?: unknown, error_description?: unknown,
 *   state?: string, appState?: unknown, connection?: string, mfa_token?: string,
 *   mfa_requirements?: unknown, audience?: string, scope?: string, suggestion?: string,
 *   newDpopNonce?: string, interactive?: boolean
 * }} WasmError
 */

/**
 * @internal Turns the plain error object the wasm side rejects with,
 * `{ class, error, description, state?, appState?, connection?, mfa_token?, mfa_requirements?,
 * audience?, scope?, suggestion? }`, into an instance of the matching class. `popup` is the window of the
 * current popup call (the wasm side does not hand it back). Unknown classes become GenericError.
 * @param {WasmError} obj @param {Window} [popup] @returns {Error}
 */
export function toJsError(obj, popup) {
  const e = classify(obj, popup);
  if (obj.interactive === true) INTERACTIVE.add(e);
  return e;
}

/** Errors the wasm side marked `interactive`: the popup handler may complete their call. */
/** @type {WeakSet<any>} */
const INTERACTIVE = new WeakSet();

/**
 * @internal Whether `e` came from a silent renewal that only the user can complete and the
 * client's `interactiveErrorHandler: 'popup'` asks to complete in a popup (the Rust core decides:
 * `Error::asks_for_interaction`).
 * @param {unknown} e
 */
export function asksForPopup(e) {
  return INTERACTIVE.has(e);
}

/** @param {WasmError} obj @param {Window} [popup] @returns {Error} */
function classify(obj, popup) {
  const error = str(obj.error);
  const description = str(obj.description != null ? obj.description : obj.error_description);
  switch (obj.class) {
    case 'Plain': {
      const e = /** @type {Error & { error?: string }} */ (new Error(description));
      e.error = error;
      return e;
    }
    case 'Authentication':
      return new AuthenticationError(error, description, obj.state, obj.appState === undefined ? null : value(obj.appState));
    case 'Connect':
      return new ConnectError(error, description, obj.connection, obj.state, obj.appState === undefined ? null : value(obj.appState));
    case 'Timeout':
      return describe(new TimeoutError(), error, description);
    case 'PopupTimeout':
      return describe(new PopupTimeoutError(popup), error, description);
    case 'PopupCancelled':
      return describe(new PopupCancelledError(popup), error, description);
    case 'PopupOpen':
      return describe(new PopupOpenError(), error, description);
    case 'MfaRequired':
      // The Rust core's mfa_required error always has its mfa_token.
      return new MfaRequiredError(error, description, /** @type {string} */ (obj.mfa_token), value(obj.mfa_requirements) || {});
    case 'MissingRefreshToken':
      return describe(new MissingRefreshTokenError(obj.audience, obj.scope), error, description);
    case 'MissingScopes':
      return describe(new MissingScopesError(obj.audience, obj.scope), error, description);
    case 'UseDpopNonce':
      return describe(new UseDpopNonceError(obj.newDpopNonce), error, description);
    case 'InvalidConfiguration': {
      const e = new InvalidConfigurationError(description, str(obj.suggestion));
      return obj.suggestion ? e : describe(e, error || undefined, description);
    }
    default:
      return new GenericError(error, description);
  }
}
