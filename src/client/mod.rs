//! auth0-spa-js's `Auth0Client` methods as sans-IO flows: each method returns a [`Machine`] that
//! decides every step and asks a driver for each piece of I/O ([`io`]). One small driver performs
//! the I/O: `browser::driver` in a page, `tests/common` natively, so every flow runs under
//! `cargo test` with a scripted fake and no executor.
//!
//! The decisions live in pure functions of [`crate::core`] with table tests (what to keep after a
//! refresh, when a token is fresh, which errors end a session); the flows only sequence them.
//! Rules that go beyond auth0-spa-js are kept throughout (docs/security-cases.md):
//! * refresh-token entries are read and written only while holding the per-audience lock, and
//!   the cache is re-read after taking it (F6; the multi-tab race in docs/performance.md);
//! * a rotated refresh token is never presented again, whatever happens to the rest of the
//!   response (F1; `core::rotation::plan_after_refresh`);
//! * a dead refresh token (`invalid_grant`) is removed; transient failures (network, timeout,
//!   5xx) leave the session untouched and nothing is re-sent blindly (E14, F3);
//! * a logout seen from another tab discards results that were in flight (K2, K6).

// A flow's phases hold its sub-flows inline: a phase is moved once per step (a few hundred bytes
// at most), which costs less than a heap allocation per sub-flow would.
#![allow(clippy::large_enum_variant)]

use std::cell::{Cell, RefCell};
use std::rc::Rc;

pub mod calls;
pub mod io;
mod connect;
mod dpop;
mod exchange;
mod iframe;
mod login;
mod mfa;
mod passkey;
mod refresh;
mod revoke;
mod session;
mod silent;
mod store;
mod entries;
mod clear;
mod token_exchange;

pub use dpop::{DpopHelper, DPOP_DISABLED_MESSAGE};
pub use io::{CookieOp, Frame, Io, Machine, Reply, Step};
pub use connect::{ConnectStart, ConnectStore};
pub use login::{GetTokenWithPopup, HandleRedirectCallback, LoginWithPopup, LoginWithRedirect, Redirected};
pub use mfa::{MfaGrant, MfaVerify};
pub use refresh::spent_mark_name;
pub use revoke::RevokeRefreshToken;
pub use session::{CheckSession, Logout, ReadSession};
pub use silent::GetTokenSilently;
pub use token_exchange::{CustomTokenExchange, LoginWithGrant};
pub use store::STORAGE_FALLBACK_WARNING;

use crate::core::authorize::{auth0_client_header, prepare_authorize, AuthorizeRequest, PreparedAuthorize, ResponseMode};
use crate::core::cache::{get_token_margin_secs, AccessTokenEntry, CacheKey, IdTokenEntry, MAX_ENTRY_LIFETIME_SECS};
use crate::core::encoding::find;
use crate::core::json::Json;
use crate::core::options::{ClientOptions, ParamList};
use crate::core::rng::Rng;
use crate::core::scope::DEFAULT_AUDIENCE;
use crate::core::token::TokenEndpoint;
use crate::core::{Error, Result};
use store::PageMemory;

/// How long a caller waits for the per-audience lock before `TimeoutError` (docs/behaviour.md
/// §5.2).
pub(crate) const LOCK_TIMEOUT_MS: u32 = 5_000;

/// `getTokenWithPopup`'s popup timeout, which auth0-spa-js fixes at 60 s (§1.4, §10 item 13).
pub(crate) const POPUP_TOKEN_TIMEOUT_MS: u64 = 60_000;

/// auth0-spa-js's message when a cross-origin-isolated page asks for an iframe renewal (§2.7).
pub const CROSS_ORIGIN_ISOLATED_MESSAGE: &str =
    "The application is running in a Cross-Origin Isolated context, silently retrieving a token without refresh token is not possible.";

/// The pre-1.19 name of the session hint, still honoured by `checkSession` (§1.4).
pub(crate) const LEGACY_IS_AUTHENTICATED_COOKIE: &str = "auth0.is.authenticated";

/// Random bytes a flow asks for when it needs a `state`, a `nonce` and a PKCE verifier: three
/// strings of 43 characters drawn with rejection sampling (about 23% of bytes are rejected), so
/// this is enough unless the source is broken, which then fails as it should (C9).
pub(crate) const AUTHORIZE_RANDOM_BYTES: usize = 512;

/// Facts of the page that do not change while it lives, given by the driver at construction.
#[derive(Clone, Debug, Default)]
pub struct Env {
    /// `window.location.origin`: the `redirect_uri` fallback of popup and iframe flows.
    pub page_origin: String,
    /// `window.crossOriginIsolated`: iframes cannot do silent auth there.
    pub cross_origin_isolated: bool,
    /// Whether the cache can list its keys; a custom cache without `allKeys` cannot, and the
    /// client then keeps a key manifest.
    pub cache_lists_keys: bool,
    /// Whether anything outside this client can read its cache: localStorage and custom caches
    /// are shared with other tabs (and other clients); the in-memory cache belongs to this client
    /// alone. Only a shared cache needs the cross-tab spent marks of refresh tokens (§5.2): a
    /// token in this client's memory can be rotated by no one else.
    pub cache_shared: bool,
}

/// `getTokenSilently({ cacheMode })`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CacheMode {
    /// Serve from the cache when fresh, else renew (default).
    On,
    /// Always renew.
    Off,
    /// Only the cache; a miss resolves `undefined`.
    CacheOnly,
}

/// Where a token came from: reported to the demo's renewal log and in detailed responses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenSource {
    /// A fresh cache entry.
    Cache,
    /// The `refresh_token` grant.
    RefreshToken,
    /// The hidden-iframe `prompt=none` flow.
    Iframe,
}

/// The options of one `getTokenSilently` call.
#[derive(Clone, Debug)]
pub struct GetTokenOptions {
    /// `cacheMode`.
    pub cache_mode: CacheMode,
    /// Per-call `authorizationParams` (audience, scope, custom).
    pub authorization_params: ParamList,
    /// `timeoutInSeconds`, in ms: the iframe wait, or the refresh request's timeout.
    pub timeout_ms: Option<u64>,
}

impl Default for GetTokenOptions {
    fn default() -> Self {
        GetTokenOptions { cache_mode: CacheMode::On, authorization_params: ParamList::new(), timeout_ms: None }
    }
}

/// The verbose `getTokenSilently` result (`GetTokenSilentlyVerboseResponse`).
#[derive(Clone, Debug, PartialEq)]
pub struct TokenResult {
    /// The access token.
    pub access_token: String,
    /// The raw ID token of the session.
    pub id_token: String,
    /// `Bearer` (or what the server said).
    pub token_type: String,
    /// The `expires_in` stored when the token was issued (auth0-spa-js returns that, not the rest).
    pub expires_in: f64,
    /// The scope the server granted, when it said.
    pub scope: Option<String>,
    /// Which path produced it.
    pub source: TokenSource,
}

impl TokenResult {
    fn from(entry: &AccessTokenEntry, id: &IdTokenEntry, source: TokenSource) -> TokenResult {
        TokenResult {
            access_token: entry.access_token().unwrap_or_default().to_owned(),
            id_token: id.id_token().to_owned(),
            token_type: entry.token_type().unwrap_or("Bearer").to_owned(),
            expires_in: entry.expires_in().unwrap_or(0.0),
            scope: entry.oauth_token_scope().map(str::to_owned),
            source,
        }
    }
}

/// A served cache hit and the stored texts it was parsed from.
pub(crate) struct HitMemo {
    key: String,
    /// [`Shared::cache_generation`] when the texts were last found unchanged.
    generation: u32,
    entry_text: Rc<str>,
    user_text: Rc<str>,
    entry: AccessTokenEntry,
    result: TokenResult,
}

/// A memoised cache hit, for a caller that answers repeated `getTokenSilently` calls without
/// running a flow (the JS fast path in `js/index.js`): it may serve `result` while all of these
/// still hold, because then [`GetTokenSilently`] would serve the same bytes.
pub struct HitView {
    /// The client's cache generation must still equal this (no write by this client since).
    pub generation: u32,
    /// The storage key of the access-token entry, which must still hold `entry_text`.
    pub key: String,
    /// The storage key of the ID-token entry, which must still hold `user_text`.
    pub user_key: String,
    /// The stored access-token entry the result was parsed from.
    pub entry_text: Rc<str>,
    /// The stored ID-token entry the result was parsed from.
    pub user_text: Rc<str>,
    /// The clock (ms) must be at least this (entries over a year ahead count as expired, E7).
    pub fresh_from_ms: f64,
    /// The clock (ms) must be below this: the renewal margin before `expiresAt`
    /// ([`get_token_margin_secs`]), as the flow computes it.
    pub fresh_until_ms: f64,
    /// What the call returns.
    pub result: TokenResult,
}

/// What every flow of one client shares: the options and this page's state of the client.
pub(crate) struct Shared {
    options: ClientOptions,
    token_endpoint: TokenEndpoint,
    env: Env,
    /// Bumped on every local session clear; a flow that started before a logout must not write
    /// its result afterwards (K2).
    session_generation: Cell<u64>,
    /// Bumped by every cache write or removal, so a memoised hit can tell without reading storage
    /// that this client changed nothing since.
    cache_generation: Cell<u32>,
    /// The last cache hit, keyed by the exact stored texts.
    hit_memo: RefCell<Option<HitMemo>>,
    /// What storage refused, kept for this page, and the keys seen (`store.rs`).
    page_memory: RefCell<PageMemory>,
}

impl Shared {
    fn client_id(&self) -> &str {
        &self.options.client_id
    }

    fn bump_cache_generation(&self) {
        self.cache_generation.set(self.cache_generation.get().wrapping_add(1));
    }

    fn bump_session_generation(&self) {
        self.session_generation.set(self.session_generation.get().wrapping_add(1));
    }

    /// The merged params and the cache key of a token request: audience = call ‖ client ‖
    /// `default`, scope computed as auth0-spa-js does (§2.4).
    fn request_key(&self, call_params: &ParamList) -> (ParamList, CacheKey) {
        let mut merged = self.options.authorization_params.clone();
        merged.extend(call_params);
        let audience = call_params.get_truthy("audience").or(self.options.audience()).unwrap_or(DEFAULT_AUDIENCE).to_owned();
        let scope = self.options.scope.scopes_to_request(call_params.get("scope"), Some(&audience));
        merged.remove("scope");
        (merged, CacheKey::new(self.client_id(), Some(&audience), &scope))
    }

    /// The session cookies after tokens were stored: the session hint, and the organization hint
    /// set to `organization` or removed (§2.5 step 7, §3.9).
    fn session_cookies(&self, organization: Option<&str>) -> Io {
        let days = self.options.session_check_expiry_days.ceil().max(1.0) as u32;
        let hint = organization_hint_cookie(self.client_id());
        let org = match organization {
            Some(org) => CookieOp::Set(hint, Json::str(org).to_json_string(), days),
            None => CookieOp::Remove(hint),
        };
        Io::Cookies(vec![CookieOp::Set(is_authenticated_cookie(self.client_id()), "true".to_owned(), days), org])
    }
}

/// The random source of the authorization secrets: bytes the driver drew ([`Io::Random`]).
pub(crate) struct DrawnBytes(Vec<u8>);

impl Rng for DrawnBytes {
    fn fill(&mut self, buf: &mut [u8]) -> Result<()> {
        if self.0.len() < buf.len() {
            return Err(Error::plain("random_source_failure", "The random number generator keeps returning unusable bytes"));
        }
        let rest = self.0.split_off(buf.len());
        buf.copy_from_slice(&self.0);
        self.0 = rest;
        Ok(())
    }
}

/// An auth0-spa-js client: its options and this page's state. Each method returns the flow of
/// the auth0-spa-js method of the same name, for a driver to run.
#[derive(Clone)]
pub struct Client {
    shared: Rc<Shared>,
}

impl Client {
    /// A client for validated `options` in a page described by `env`.
    pub fn new(options: ClientOptions, env: Env) -> Client {
        let token_endpoint = TokenEndpoint {
            base_url: options.base_url.clone(),
            client_id: options.client_id.clone(),
            auth0_client_header: auth0_client_header(&options.auth0_client),
            use_form_data: options.use_form_data,
        };
        let shared = Shared {
            options,
            token_endpoint,
            env,
            session_generation: Cell::new(0),
            cache_generation: Cell::new(0),
            hit_memo: RefCell::new(None),
            page_memory: RefCell::default(),
        };
        Client { shared: Rc::new(shared) }
    }

    /// The validated options.
    pub fn options(&self) -> &ClientOptions {
        &self.shared.options
    }

    /// `loginWithRedirect`: stores the transaction and yields the `/authorize` URL for the caller
    /// to open (navigation and `openUrl` live in JS).
    pub fn login_with_redirect(&self, params: &ParamList, app_state: Option<Json>) -> LoginWithRedirect {
        LoginWithRedirect::new(self.shared.clone(), params.clone(), app_state)
    }

    /// `handleRedirectCallback(url)`: yields the stored `appState`.
    pub fn handle_redirect_callback(&self, url: &str) -> HandleRedirectCallback {
        HandleRedirectCallback::new(self.shared.clone(), url)
    }

    /// `connectAccountWithRedirect`, step 1 (§2.12): `state`, the PKCE pair and `redirect_uri`
    /// (the call's, else the client's, else the page origin) for the My Account API's `connect`.
    pub fn connect_start(&self, redirect_uri: Option<&str>) -> ConnectStart {
        ConnectStart::new(self.shared.clone(), redirect_uri)
    }

    /// `connectAccountWithRedirect`, step 2: stores the transaction for the `connect` answer.
    pub fn connect_store(&self, started: &Json, answer: &Json, app_state: Option<Json>, connection: Option<String>) -> ConnectStore {
        ConnectStore::new(self.shared.clone(), started, answer, app_state, connection)
    }

    /// `loginWithPopup` in the popup the driver was given; yields the key the tokens went under.
    pub fn login_with_popup(&self, params: &ParamList, timeout_ms: Option<u64>, close_popup: bool) -> LoginWithPopup {
        LoginWithPopup::new(self.shared.clone(), params.clone(), timeout_ms, close_popup)
    }

    /// `getTokenWithPopup`: yields the access token.
    pub fn get_token_with_popup(&self, params: &ParamList, timeout_ms: Option<u64>, close_popup: bool) -> GetTokenWithPopup {
        GetTokenWithPopup::new(self.shared.clone(), params, timeout_ms, close_popup)
    }

    /// `getTokenSilently`; `None` is auth0-spa-js's `undefined` (cache-only miss).
    pub fn get_token_silently(&self, options: &GetTokenOptions) -> GetTokenSilently {
        GetTokenSilently::new(self.shared.clone(), options.clone())
    }

    /// `getUser()`: the ID token's user claims, or `None` when logged out.
    pub fn get_user(&self) -> ReadSession<Option<Json>> {
        ReadSession::new(self.shared.clone(), |id| id.map(|e| e.user))
    }

    /// `getIdTokenClaims()`: all claims plus `__raw`.
    pub fn get_id_token_claims(&self) -> ReadSession<Option<Json>> {
        ReadSession::new(self.shared.clone(), |id| id.map(|e| e.decoded.claims))
    }

    /// `isAuthenticated()`: an ID token is cached (auth0-spa-js does not check its expiry).
    pub fn is_authenticated(&self) -> ReadSession<bool> {
        ReadSession::new(self.shared.clone(), |id| id.is_some())
    }

    /// `checkSession()`: with the session hint cookie, a silent token request whose errors are
    /// all swallowed (§1.4); without it, nothing.
    pub fn check_session(&self, options: &GetTokenOptions) -> CheckSession {
        CheckSession::new(self.shared.clone(), options.clone())
    }

    /// `logout(options)`: clears the local session, tells the other tabs, and yields the
    /// `/v2/logout` URL for JS to open (or not, with `openUrl: false`).
    pub fn logout(&self, logout_options: &Json) -> Logout {
        Logout::new(self.shared.clone(), logout_options)
    }

    /// `loginWithCustomTokenExchange(options)` (and the deprecated `exchangeToken`): an RFC 8693
    /// exchange whose result becomes the session; yields the token response (no refresh token).
    pub fn login_with_custom_token_exchange(&self, options: &Json) -> LoginWithGrant {
        LoginWithGrant::token_exchange(self.shared.clone(), options)
    }

    /// `customTokenExchange(options)`: an RFC 8693 exchange, nothing stored; yields the response.
    pub fn custom_token_exchange(&self, options: &Json) -> CustomTokenExchange {
        CustomTokenExchange::new(self.shared.clone(), options)
    }

    /// `revokeRefreshToken({ audience })`: revokes the audience's refresh tokens at the server
    /// (RFC 7009) and removes them from the cache; a no-op without `useRefreshTokens`.
    pub fn revoke_refresh_token(&self, audience: Option<&str>) -> RevokeRefreshToken {
        RevokeRefreshToken::new(self.shared.clone(), audience)
    }

    /// `mfa.verify(...)`: the MFA grant `{ body, scope, audience? }` (js/mfa.js assembles it from
    /// the `mfa_token`'s context), stored as a login; yields the token response (no refresh token).
    pub fn mfa_verify(&self, args: &Json) -> MfaVerify {
        MfaVerify::new(self.shared.clone(), args)
    }

    /// `client.passkey`'s grant (`signup`, `login`, `getTokenWithPasskey`): `{ authSession,
    /// credential, realm?, organization?, scope?, audience? }` (js/passkey-api.js serialises the
    /// WebAuthn credential), sent as the webauthn grant and stored as a login; yields the token
    /// response (no refresh token).
    pub fn passkey_grant(&self, args: &Json) -> LoginWithGrant {
        LoginWithGrant::new(self.shared.clone(), passkey::passkey_request(&self.shared, args))
    }

    /// The memoised hit that `getTokenSilently(options)` would serve from, with the conditions
    /// under which it still would (see [`HitView`]); `None` when the call would not use the cache
    /// or the memo is for another key.
    pub fn hit_view(&self, options: &GetTokenOptions) -> Option<HitView> {
        if options.cache_mode == CacheMode::Off {
            return None;
        }
        let exact = self.shared.request_key(&options.authorization_params).1.to_key();
        let memo = self.shared.hit_memo.borrow();
        let m = memo.as_ref().filter(|m| m.key == exact)?;
        let expires_at = m.entry.expires_at as f64;
        Some(HitView {
            generation: m.generation,
            key: m.key.clone(),
            user_key: crate::core::cache::user_key(self.shared.client_id()),
            entry_text: m.entry_text.clone(),
            user_text: m.user_text.clone(),
            fresh_from_ms: (expires_at - MAX_ENTRY_LIFETIME_SECS as f64) * 1000.0,
            fresh_until_ms: (expires_at - get_token_margin_secs(&m.entry) as f64 + 1.0) * 1000.0,
            result: m.result.clone(),
        })
    }

    /// `getDpopNonce(id?)`: the stored DPoP nonce of Auth0 or of the API `id`.
    ///
    /// # Errors
    /// A plain `Error` without `useDpop`, as auth0-spa-js throws.
    pub fn get_dpop_nonce(&self, id: Option<&str>) -> Result<DpopHelper> {
        DpopHelper::get_nonce(&self.shared, id)
    }

    /// `setDpopNonce(nonce, id?)`; the flow yields `None`.
    ///
    /// # Errors
    /// A plain `Error` without `useDpop`.
    pub fn set_dpop_nonce(&self, nonce: &str, id: Option<&str>) -> Result<DpopHelper> {
        DpopHelper::set_nonce(&self.shared, nonce, id)
    }

    /// `generateDpopProof({url, method, nonce, accessToken})`: a proof for a resource request.
    ///
    /// # Errors
    /// A plain `Error` without `useDpop`.
    pub fn generate_dpop_proof(&self, url: &str, method: &str, nonce: Option<&str>, access_token: Option<&str>) -> Result<DpopHelper> {
        DpopHelper::proof(&self.shared, url, method, nonce, access_token)
    }

    /// How many cache writes and removals this client has made (see [`HitView`]).
    pub fn cache_generation(&self) -> u32 {
        self.shared.cache_generation.get()
    }
}

/// Draws the secrets of an authorization request from `bytes` and builds it, with `dpop_jkt` when
/// DPoP is on: `redirect_uri` falls back to the page origin for `web_message` (popup, iframe),
/// never for redirects (L1).
pub(crate) fn prepare(c: &Shared, params: &ParamList, mode: ResponseMode, (bytes, jkt): (Vec<u8>, Option<String>)) -> Result<PreparedAuthorize> {
    let fallback = match mode {
        ResponseMode::Query => None,
        ResponseMode::WebMessage => Some(c.env.page_origin.as_str()),
    };
    let request = AuthorizeRequest { options: &c.options, params, response_mode: mode, fallback_redirect_uri: fallback, dpop_jkt: jkt.as_deref() };
    prepare_authorize(&request, &mut DrawnBytes(bytes))
}

/// A timeout in ms as the driver takes it (u32; longer ones are capped, about 49 days).
pub(crate) fn clamp_ms(ms: u64) -> u32 {
    u32::try_from(ms).unwrap_or(u32::MAX)
}

/// `scheme://host[:port]` of a URL, the exact origin web messages must come from (§2.7).
pub fn origin_of(url: &str) -> String {
    let Some(start) = find(url, "://") else {
        return url.to_owned();
    };
    let host_start = start + 3;
    let end = url.bytes().skip(host_start).position(|b| matches!(b, b'/' | b'?' | b'#')).map_or(url.len(), |p| host_start + p);
    url.get(..end).unwrap_or(url).to_owned()
}

/// The `a.b.c` name of the per-audience and iframe locks (§5.2).
pub(crate) fn lock_name(kind: &str, client_id: &str, audience: Option<&str>) -> String {
    let mut name = String::from("auth0.lock.");
    name.push_str(kind);
    name.push('.');
    name.push_str(client_id);
    if let Some(a) = audience {
        name.push('.');
        name.push_str(a);
    }
    name
}

/// `auth0.{clientId}.is.authenticated`: the hint that a session may exist (§3.9).
pub fn is_authenticated_cookie(client_id: &str) -> String {
    let mut name = String::from("auth0.");
    name.push_str(client_id);
    name.push_str(".is.authenticated");
    name
}

/// `auth0.{clientId}.organization_hint` (§3.9).
pub fn organization_hint_cookie(client_id: &str) -> String {
    let mut name = String::from("auth0.");
    name.push_str(client_id);
    name.push_str(".organization_hint");
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_of_keeps_scheme_host_and_port_only() {
        assert_eq!(origin_of("http://127.0.0.1:3001/authorize?x=1"), "http://127.0.0.1:3001");
        assert_eq!(origin_of("https://tenant.auth0.com"), "https://tenant.auth0.com");
        assert_eq!(origin_of("https://a.b#frag"), "https://a.b");
    }

    #[test]
    fn lock_names_match_auth0_spa_js() {
        assert_eq!(lock_name("getTokenSilently", "abc", Some("default")), "auth0.lock.getTokenSilently.abc.default");
        assert_eq!(lock_name("getTokenFromIFrame", "abc", None), "auth0.lock.getTokenFromIFrame.abc");
    }

    #[test]
    fn session_cookie_names_match_auth0_spa_js() {
        assert_eq!(is_authenticated_cookie("abc"), "auth0.abc.is.authenticated");
        assert_eq!(organization_hint_cookie("abc"), "auth0.abc.organization_hint");
    }

    #[test]
    fn drawn_bytes_serve_in_order_and_fail_when_short() {
        let mut rng = DrawnBytes(vec![1, 2, 3, 4, 5]);
        let mut a = [0u8; 2];
        rng.fill(&mut a).unwrap_or_default();
        assert_eq!(a, [1, 2]);
        let mut b = [0u8; 4];
        assert_eq!(rng.fill(&mut b).map_err(|e| e.error.clone()), Err("random_source_failure".to_owned()));
    }
}
