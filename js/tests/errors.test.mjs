// node --test js/tests/ : the error classes keep auth0-spa-js's names, fields, messages and
// inheritance (docs/behaviour.md §6), and toJsError maps the wasm side's error objects onto them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  GenericError,
  InvalidConfigurationError,
  AuthenticationError,
  ConnectError,
  TimeoutError,
  PopupTimeoutError,
  PopupCancelledError,
  PopupOpenError,
  MfaRequiredError,
  MissingRefreshTokenError,
  MissingScopesError,
  UseDpopNonceError,
  toJsError
} from '../errors.js';

test('GenericError carries error and error_description, and the description is the message', () => {
  const e = new GenericError('login_required', 'Login required');
  assert.ok(e instanceof Error);
  assert.equal(e.error, 'login_required');
  assert.equal(e.error_description, 'Login required');
  assert.equal(e.message, 'Login required');
  assert.equal(e.name, 'Error');
  assert.ok(typeof e.stack === 'string');
});

test('GenericError.fromPayload builds from an OAuth error payload', () => {
  const e = GenericError.fromPayload({ error: 'invalid_grant', error_description: 'Unknown or invalid refresh token.' });
  assert.ok(e instanceof GenericError);
  assert.equal(e.error, 'invalid_grant');
  assert.equal(e.message, 'Unknown or invalid refresh token.');
});

test('every subclass is a GenericError and an Error, and PopupTimeoutError is a TimeoutError', () => {
  const popup = { closed: false };
  const all = [
    new InvalidConfigurationError('m', 's'),
    new AuthenticationError('access_denied', 'no', 'st'),
    new ConnectError('e', 'd', 'github', 'st'),
    new TimeoutError(),
    new PopupTimeoutError(popup),
    new PopupCancelledError(popup),
    new PopupOpenError(),
    new MfaRequiredError('mfa_required', 'Multifactor authentication required', 'tok', {}),
    new MissingRefreshTokenError('default', 'openid'),
    new MissingScopesError('api', 'read'),
    new UseDpopNonceError('n')
  ];
  for (const e of all) {
    assert.ok(e instanceof GenericError, e.constructor.name);
    assert.ok(e instanceof Error, e.constructor.name);
    assert.equal(e.message, e.error_description, e.constructor.name);
  }
  assert.ok(new PopupTimeoutError(popup) instanceof TimeoutError);
  assert.ok(!(new PopupCancelledError(popup) instanceof TimeoutError));
});

test('fixed codes and messages match auth0-spa-js', () => {
  const popup = {};
  assert.deepEqual([new TimeoutError().error, new TimeoutError().message], ['timeout', 'Timeout']);
  const pt = new PopupTimeoutError(popup);
  assert.deepEqual([pt.error, pt.message, pt.popup], ['timeout', 'Timeout', popup]);
  const pc = new PopupCancelledError(popup);
  assert.deepEqual([pc.error, pc.message, pc.popup], ['cancelled', 'Popup closed', popup]);
  const po = new PopupOpenError();
  assert.equal(po.error, 'popup_open');
  assert.equal(po.message, 'Unable to open a popup for loginWithPopup - window.open returned `null`');
  const dpop = new UseDpopNonceError(undefined);
  assert.deepEqual([dpop.error, dpop.message], ['use_dpop_nonce', 'Server rejected DPoP proof: wrong nonce']);
});

test('InvalidConfigurationError joins message and suggestion and keeps the suggestion', () => {
  const e = new InvalidConfigurationError('`refreshTokenMode: "online"` requires the refresh-token grant.', 'Set `useRefreshTokens: true`.');
  assert.equal(e.error, 'invalid_configuration');
  assert.equal(e.message, '`refreshTokenMode: "online"` requires the refresh-token grant. Set `useRefreshTokens: true`.');
  assert.equal(e.suggestion, 'Set `useRefreshTokens: true`.');
});

test('AuthenticationError keeps state and defaults appState to null', () => {
  const e = new AuthenticationError('access_denied', 'User did not authorize', 'xyz');
  assert.equal(e.state, 'xyz');
  assert.equal(e.appState, null);
  assert.deepEqual(new AuthenticationError('a', 'b', 'c', { to: '/' }).appState, { to: '/' });
});

test('MissingRefreshTokenError shows the audience blank when it is default', () => {
  const d = new MissingRefreshTokenError('default', 'openid offline_access');
  assert.equal(d.message, "Missing Refresh Token (audience: '', scope: 'openid offline_access')");
  assert.equal(d.audience, 'default');
  assert.equal(d.error, 'missing_refresh_token');
  const a = new MissingRefreshTokenError('https://api', 'openid');
  assert.equal(a.message, "Missing Refresh Token (audience: 'https://api', scope: 'openid')");
  const none = new MissingRefreshTokenError(undefined, undefined);
  assert.equal(none.message, "Missing Refresh Token (audience: '', scope: '')");
});

test('MissingScopesError names the missing scopes', () => {
  const e = new MissingScopesError('https://api', 'read,write');
  assert.equal(e.error, 'missing_scopes');
  assert.equal(e.message, "Missing requested scopes after refresh (audience: 'https://api', missing scope: 'read,write')");
});

test('each constructor resets the prototype to its own class, like auth0-spa-js', () => {
  // TimeoutError's constructor sets TimeoutError.prototype; PopupTimeoutError's must set it back.
  assert.equal(Object.getPrototypeOf(new PopupTimeoutError({})), PopupTimeoutError.prototype);
  assert.equal(Object.getPrototypeOf(new MissingRefreshTokenError('a', 'b')), MissingRefreshTokenError.prototype);
});

test('toJsError maps every class the wasm side names', () => {
  const popup = { name: 'popup' };
  const cases = [
    ['Generic', GenericError],
    ['Authentication', AuthenticationError],
    ['Connect', ConnectError],
    ['Timeout', TimeoutError],
    ['PopupTimeout', PopupTimeoutError],
    ['PopupCancelled', PopupCancelledError],
    ['PopupOpen', PopupOpenError],
    ['MfaRequired', MfaRequiredError],
    ['MissingRefreshToken', MissingRefreshTokenError],
    ['MissingScopes', MissingScopesError],
    ['UseDpopNonce', UseDpopNonceError],
    ['InvalidConfiguration', InvalidConfigurationError]
  ];
  for (const [cls, Type] of cases) {
    const e = toJsError({ class: cls, error: 'code_' + cls, description: 'text of ' + cls }, popup);
    assert.equal(Object.getPrototypeOf(e), Type.prototype, cls);
    assert.equal(e.message, 'text of ' + cls, cls);
    assert.equal(e.error_description, 'text of ' + cls, cls);
    assert.equal(e.error, 'code_' + cls, cls);
  }
});

test('toJsError gives UseDpopNonceError the server\'s latest nonce', () => {
  const e = toJsError({ class: 'UseDpopNonce', error: 'use_dpop_nonce', description: 'Server rejected DPoP proof: wrong nonce', newDpopNonce: 'n-2' });
  assert.ok(e instanceof UseDpopNonceError && e instanceof GenericError);
  assert.equal(e.newDpopNonce, 'n-2');
  assert.equal(e.message, 'Server rejected DPoP proof: wrong nonce');
  assert.equal(toJsError({ class: 'UseDpopNonce', error: 'use_dpop_nonce', description: 'x' }).newDpopNonce, undefined);
});

test('toJsError turns Plain into a plain Error that still has an error code', () => {
  const e = toJsError({ class: 'Plain', error: 'invalid_id_token', description: 'Issuer (iss) claim mismatch' });
  assert.equal(Object.getPrototypeOf(e), Error.prototype);
  assert.ok(!(e instanceof GenericError));
  assert.equal(e.message, 'Issuer (iss) claim mismatch');
  assert.equal(e.error, 'invalid_id_token');
});

test('toJsError attaches the popup to popup errors and the extra fields to the others', () => {
  const popup = {};
  assert.equal(toJsError({ class: 'PopupTimeout', error: 'timeout', description: 'Timeout' }, popup).popup, popup);
  assert.equal(toJsError({ class: 'PopupCancelled', error: 'cancelled', description: 'Popup closed' }, popup).popup, popup);

  const auth = toJsError({ class: 'Authentication', error: 'access_denied', description: 'no', state: 's1', appState: '{"to":"/x"}' });
  assert.equal(auth.state, 's1');
  assert.deepEqual(auth.appState, { to: '/x' });
  assert.equal(toJsError({ class: 'Authentication', error: 'a', description: 'b', state: 's' }).appState, null);

  const mfa = toJsError({
    class: 'MfaRequired',
    error: 'mfa_required',
    description: 'Multifactor authentication required',
    mfa_token: 'tok',
    mfa_requirements: '{"challenge":[{"type":"otp"}]}'
  });
  assert.equal(mfa.mfa_token, 'tok');
  assert.deepEqual(mfa.mfa_requirements, { challenge: [{ type: 'otp' }] });
  const mfaObj = toJsError({ class: 'MfaRequired', error: 'mfa_required', description: 'd', mfa_token: 't', mfa_requirements: { enroll: [] } });
  assert.deepEqual(mfaObj.mfa_requirements, { enroll: [] });

  const mrt = toJsError({
    class: 'MissingRefreshToken',
    error: 'missing_refresh_token',
    description: "Missing Refresh Token (audience: '', scope: 'openid')",
    audience: 'default',
    scope: 'openid'
  });
  assert.deepEqual([mrt.audience, mrt.scope], ['default', 'openid']);
  assert.equal(mrt.message, "Missing Refresh Token (audience: '', scope: 'openid')");
});

test('toJsError keeps an InvalidConfiguration description as is, or joins it with a suggestion', () => {
  const plain = toJsError({ class: 'InvalidConfiguration', error: 'invalid_configuration', description: 'leeway must be a finite number' });
  assert.equal(plain.message, 'leeway must be a finite number');
  assert.equal(plain.error, 'invalid_configuration');
  assert.equal(plain.suggestion, '');
  const withHint = toJsError({ class: 'InvalidConfiguration', error: 'invalid_configuration', description: 'Bad.', suggestion: 'Fix it.' });
  assert.equal(withHint.message, 'Bad. Fix it.');
  assert.equal(withHint.suggestion, 'Fix it.');
});

test('toJsError makes a GenericError of an unknown class and tolerates missing fields', () => {
  const e = toJsError({ class: 'SomethingNew', error: 'x' });
  assert.equal(Object.getPrototypeOf(e), GenericError.prototype);
  assert.equal(e.error, 'x');
  assert.equal(e.message, '');
});

test('toJsError gives ConnectError its connection, state and appState (null when none)', () => {
  const e = toJsError({ class: 'Connect', error: 'access_denied', description: 'no', connection: 'google-oauth2', state: 's1', appState: '{"to":"/x"}' });
  assert.ok(e instanceof ConnectError && e instanceof GenericError);
  assert.deepEqual([e.error, e.message, e.connection, e.state, e.appState], ['access_denied', 'no', 'google-oauth2', 's1', { to: '/x' }]);
  assert.equal(toJsError({ class: 'Connect', error: 'e', description: 'd' }).appState, null);
});
