//! The orchestrator: auth0-spa-js's `Auth0Client` methods as async Rust, generic over the
//! [`Platform`] port so every flow runs natively under `cargo test` with a scripted fake.
//!
//! Each method strings together pure decisions from [`crate::core`] and the I/O the platform
//! performs. Rules that go beyond auth0-spa-js (docs/security-cases.md) are called out where they are
//! applied:
//! * refresh-token entries are read and written only while holding the per-audience lock, and
//!   the cache is re-read after taking it (F6; the multi-tab race in docs/performance.md);
//! * a rotated refresh token replaces the old one in every entry before the lock is released
//!   (F1, F18); a response without one keeps the current one (F2);
//! * a dead refresh token (`invalid_grant`) is removed; transient failures (network, timeout,
//!   5xx) leave the session untouched and nothing is re-sent blindly (E14, F3);
//! * a logout seen from another tab discards results that were in flight (K2, K6).
//!
//! No `RefCell` borrow is ever held across an `.await`, so concurrent calls from JS are safe.

use std::cell::{Cell, RefCell};

mod refresh;
mod store;

pub use refresh::spent_mark_name;
pub use store::STORAGE_FALLBACK_WARNING;
use store::PageMemory;

use crate::core::authorize::{auth0_client_header, prepare_authorize, AuthorizeRequest, PreparedAuthorize, ResponseMode};
use crate::core::cache::{
    evaluate, user_key, AccessTokenEntry, CacheKey,
    get_token_margin_secs, Freshness, IdTokenEntry, MAX_ENTRY_LIFETIME_SECS,
};
use crate::core::callback::{validate, validate_redirect, AuthorizationResponse};
use crate::core::encoding::find;
use crate::core::http::HttpRequest;
use crate::core::id_token::{verify_id_token, IdTokenExpectations};
use crate::core::json::Json;
use crate::core::logout::logout_url;
use crate::core::options::{ClientOptions, ParamList};
use crate::core::rng::Rng;
use crate::core::scope::DEFAULT_AUDIENCE;
use crate::core::token::{parse_token_response, TokenEndpoint, TokenResponse};
use crate::core::transaction::{transaction_key, LoginTransaction};
use crate::core::{Error, Result};
use crate::platform::Platform;

/// How long a caller waits for the per-audience lock before `TimeoutError` (auth0-spa-js §5.2).
pub(crate) const LOCK_TIMEOUT_MS: u32 = 5_000;
/// `getTokenWithPopup`'s popup timeout, which auth0-spa-js fixes at 60 s (§1.4, §10 item 13).
pub(crate) const POPUP_TOKEN_TIMEOUT_MS: u64 = 60_000;
/// auth0-spa-js's message when a cross-origin-isolated page asks for an iframe renewal (§2.7).
pub const CROSS_ORIGIN_ISOLATED_MESSAGE: &str =
    "The application is running in a Cross-Origin Isolated context, silently retrieving a token without refresh token is not possible.";

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

impl TokenSource {
    /// Lower-case name for JS.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenSource::Cache => "cache",
            TokenSource::RefreshToken => "refresh_token",
            TokenSource::Iframe => "iframe",
        }
    }
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

/// One authorization-code exchange: what the token request sends and what the ID token must say.
struct CodeGrant<'a> {
    code: &'a str,
    code_verifier: &'a str,
    /// The `redirect_uri` sent on `/authorize`, verbatim (A13).
    redirect_uri: Option<&'a str>,
    nonce: &'a str,
    organization: Option<&'a str>,
    /// Custom params the iframe flow also sends to the token endpoint (§2.5).
    extra: &'a [(String, String)],
}

/// The auth0-spa-js client, generic over its environment.
pub struct Client<P: Platform> {
    platform: P,
    options: ClientOptions,
    token_endpoint: TokenEndpoint,
    /// Bumped on every local session clear; a flow that started before a logout must not write
    /// its result afterwards (K2).
    session_generation: Cell<u64>,
    /// The last cache hit, keyed by the exact stored texts (see [`Client::cached_token`]).
    hit_memo: RefCell<Option<HitMemo>>,
    /// Bumped by every cache write or removal this client makes, so a memoised hit can tell
    /// without reading storage that this client changed nothing since (see [`Client::hit_view`]).
    cache_generation: Cell<u32>,
    /// What storage refused, kept for this page, and the keys seen (see `store.rs`).
    page_memory: RefCell<PageMemory>,
}

/// A served cache hit and the stored texts it was parsed from.
struct HitMemo {
    key: String,
    /// [`Client::cache_generation`] before the texts were read.
    generation: u32,
    entry_text: std::rc::Rc<str>,
    user_text: std::rc::Rc<str>,
    entry: AccessTokenEntry,
    result: TokenResult,
}

/// A memoised cache hit, for a caller that answers repeated `getTokenSilently` calls without
/// entering the client (the JS fast path in `js/index.js`): it may serve `result` while all of
/// these still hold, because then [`Client::get_token_silently`] would serve the same bytes.
pub struct HitView {
    /// [`Client::cache_generation`] must still equal this (no write by this client since).
    pub generation: u32,
    /// The storage key of the access-token entry, which must still hold `entry_text`.
    pub key: String,
    /// The storage key of the ID-token entry, which must still hold `user_text`.
    pub user_key: String,
    /// The stored access-token entry the result was parsed from.
    pub entry_text: std::rc::Rc<str>,
    /// The stored ID-token entry the result was parsed from.
    pub user_text: std::rc::Rc<str>,
    /// The clock (ms) must be at least this (entries over a year ahead count as expired, E7).
    pub fresh_from_ms: f64,
    /// The clock (ms) must be below this: the renewal margin before `expiresAt`
    /// ([`get_token_margin_secs`]), as [`evaluate`] computes it.
    pub fresh_until_ms: f64,
    /// What the call returns.
    pub result: TokenResult,
}

/// Adapts the platform's random source to the core's [`Rng`] trait.
struct PlatformRng<'a, P: Platform>(&'a P);

impl<P: Platform> Rng for PlatformRng<'_, P> {
    fn fill(&mut self, buf: &mut [u8]) -> Result<()> {
        self.0.fill_random(buf)
    }
}

/// `scheme://host[:port]` of a URL, the exact origin web messages must come from (§2.7).
pub(crate) fn origin_of(url: &str) -> String {
    let Some(start) = find(url, "://") else {
        return url.to_owned();
    };
    let host_start = start + 3;
    let end = url.bytes().skip(host_start).position(|b| matches!(b, b'/' | b'?' | b'#')).map_or(url.len(), |p| host_start + p);
    url.get(..end).unwrap_or(url).to_owned()
}

/// The `a.b.c` name of the per-audience lock (auth0-spa-js §5.2).
fn lock_name(kind: &str, client_id: &str, audience: Option<&str>) -> String {
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
pub(crate) fn is_authenticated_cookie(client_id: &str) -> String {
    let mut name = String::from("auth0.");
    name.push_str(client_id);
    name.push_str(".is.authenticated");
    name
}

/// `auth0.{clientId}.organization_hint` (§3.9).
pub(crate) fn organization_hint_cookie(client_id: &str) -> String {
    let mut name = String::from("auth0.");
    name.push_str(client_id);
    name.push_str(".organization_hint");
    name
}

/// The pre-1.19 name of the session hint, still honoured by `checkSession` (§1.4).
pub(crate) const LEGACY_IS_AUTHENTICATED_COOKIE: &str = "auth0.is.authenticated";

fn clamp_ms(ms: u64) -> u32 {
    u32::try_from(ms).unwrap_or(u32::MAX)
}

impl<P: Platform> Client<P> {
    /// A client for validated `options`, doing its I/O through `platform`.
    pub fn new(options: ClientOptions, platform: P) -> Client<P> {
        let token_endpoint = TokenEndpoint {
            base_url: options.base_url.clone(),
            client_id: options.client_id.clone(),
            auth0_client_header: auth0_client_header(&options.auth0_client),
            use_form_data: options.use_form_data,
        };
        Client { platform, options, token_endpoint, session_generation: Cell::new(0), hit_memo: RefCell::new(None), cache_generation: Cell::new(0), page_memory: RefCell::default() }
    }

    /// The validated options.
    pub fn options(&self) -> &ClientOptions {
        &self.options
    }

    /// The platform (for the facade's own needs, e.g. opening popups).
    pub fn platform(&self) -> &P {
        &self.platform
    }

    fn client_id(&self) -> &str {
        &self.options.client_id
    }

    fn prepare(&self, params: &ParamList, mode: ResponseMode) -> Result<PreparedAuthorize> {
        let origin = self.platform.page_origin();
        let fallback = match mode {
            ResponseMode::Query => None,
            ResponseMode::WebMessage => Some(origin.as_str()),
        };
        let request = AuthorizeRequest { options: &self.options, params, response_mode: mode, fallback_redirect_uri: fallback, dpop_jkt: None };
        prepare_authorize(&request, &mut PlatformRng(&self.platform))
    }

    fn expectations(&self, nonce: Option<String>, organization: Option<String>) -> IdTokenExpectations {
        IdTokenExpectations {
            issuer: self.options.issuer.clone(),
            client_id: self.options.client_id.clone(),
            leeway_secs: self.options.leeway_seconds,
            max_age: self.options.max_age,
            nonce,
            organization,
        }
    }

    // ----------------------------------------------------------------------------------------
    // Redirect login

    /// `loginWithRedirect`: stores the transaction and returns the `/authorize` URL for the
    /// caller to open (navigation and `openUrl` live in JS).
    pub fn login_with_redirect(&self, params: &ParamList, app_state: Option<Json>) -> Result<String> {
        self.sync_remote_logout_flag();
        let prepared = self.prepare(params, ResponseMode::Query)?;
        let url = prepared.url.clone();
        let transaction = prepared.into_transaction(app_state);
        self.platform.transaction_set(&transaction_key(self.client_id()), &transaction.to_json_string())?;
        Ok(url)
    }

    /// `handleRedirectCallback(url)`: consumes the transaction (before any check, so a callback
    /// can never be processed twice, A2/B5), validates the response, exchanges the code and
    /// caches the tokens. Returns the stored `appState`.
    pub async fn handle_redirect_callback(&self, url: &str) -> Result<Option<Json>> {
        let response = AuthorizationResponse::from_redirect_url(url)?;
        let key = transaction_key(self.client_id());
        let stored = self.platform.transaction_get(&key);
        self.platform.transaction_remove(&key);
        let transaction = stored.as_deref().and_then(LoginTransaction::parse).ok_or_else(Error::missing_transaction)?;
        let validated = validate_redirect(&response, Some(&transaction), &self.options.issuer).map_err(|mut e| {
            e.app_state = transaction.app_state.clone();
            e
        })?;
        let cache_key = CacheKey::new(self.client_id(), Some(&transaction.audience), &transaction.scope);
        let grant = CodeGrant { code: validated.code(), code_verifier: &transaction.code_verifier, redirect_uri: transaction.redirect_uri.as_deref(), nonce: &transaction.nonce, organization: transaction.organization.as_deref(), extra: &[] };
        self.exchange_code(&grant, &cache_key, self.session_generation.get()).await?;
        Ok(transaction.app_state)
    }

    // ----------------------------------------------------------------------------------------
    // Popup login

    /// `loginWithPopup`: runs `/authorize` in the pre-opened `popup` with `web_message`, then
    /// exchanges the code. Returns the cache key the tokens were stored under.
    pub async fn login_with_popup(&self, popup: P::Popup, params: &ParamList, timeout_ms: Option<u64>, close_popup: bool) -> Result<CacheKey> {
        self.sync_remote_logout_flag();
        let prepared = self.prepare(params, ResponseMode::WebMessage)?;
        let origin = origin_of(&self.options.base_url);
        let timeout = timeout_ms.unwrap_or(self.options.authorize_timeout_ms);
        let message = self.platform.run_popup(popup, &prepared.url, &origin, &prepared.state, clamp_ms(timeout), close_popup).await?;
        let response = AuthorizationResponse::from_web_message(&message);
        let validated = validate(&response, &prepared.state, &self.options.issuer)?;
        let cache_key = CacheKey::new(self.client_id(), Some(&prepared.audience), &prepared.scope);
        let grant = CodeGrant { code: validated.code(), code_verifier: &prepared.code_verifier, redirect_uri: prepared.redirect_uri.as_deref(), nonce: &prepared.nonce, organization: prepared.organization.as_deref(), extra: &[] };
        self.exchange_code(&grant, &cache_key, self.session_generation.get()).await?;
        Ok(cache_key)
    }

    /// `getTokenWithPopup`: a popup login for the merged params and computed scope, then the
    /// access token from the cache (§1.4; 60 s popup timeout unless given).
    pub async fn get_token_with_popup(&self, popup: P::Popup, call_params: &ParamList, timeout_ms: Option<u64>, close_popup: bool) -> Result<String> {
        let (_, key) = self.request_key(call_params);
        let mut params = call_params.clone();
        params.set("scope", &key.scope);
        params.set("audience", &key.audience);
        if key.audience == DEFAULT_AUDIENCE && call_params.get("audience").is_none() && self.options.audience().is_none() {
            params.remove("audience");
        }
        self.login_with_popup(popup, &params, Some(timeout_ms.unwrap_or(POPUP_TOKEN_TIMEOUT_MS)), close_popup).await?;
        let entry = self.read_entry(&key).await.ok_or_else(|| Error::generic("missing_access_token", "No access token available"))?;
        entry.access_token().map(str::to_owned).ok_or_else(|| Error::generic("missing_access_token", "No access token available"))
    }

    // ----------------------------------------------------------------------------------------
    // Silent tokens

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

    /// `getTokenSilently`. `Ok(None)` is auth0-spa-js's `undefined` (cache-only miss).
    pub async fn get_token_silently(&self, options: &GetTokenOptions) -> Result<Option<TokenResult>> {
        self.sync_remote_logout().await;
        let (params, key) = self.request_key(&options.authorization_params);
        if options.cache_mode != CacheMode::Off {
            if let Some(hit) = self.cached_token(&key).await {
                return Ok(Some(hit));
            }
        }
        if options.cache_mode == CacheMode::CacheOnly {
            return Ok(None);
        }
        let audience_for_lock = Some(key.audience.as_str());
        let guard = self.platform.lock(&lock_name("getTokenSilently", self.client_id(), audience_for_lock), LOCK_TIMEOUT_MS).await?;
        // Double-checked: another caller (this tab or another) may have renewed while we waited.
        self.sync_remote_logout().await;
        if options.cache_mode != CacheMode::Off {
            if let Some(hit) = self.cached_token(&key).await {
                drop(guard);
                return Ok(Some(hit));
            }
        }
        let result = if self.options.use_refresh_tokens {
            self.renew_with_refresh_token(&key, &params, options).await
        } else {
            self.renew_with_iframe(&key, &params, options).await
        };
        drop(guard);
        result.map(Some)
    }

    /// A fresh cached token for `key` (60 s early expiry), with the session's ID token.
    ///
    /// auth0-spa-js's cache hit is a `Map` lookup; parsing the stored JSON (the ID-token entry is
    /// kilobytes) on every call would make ours many times slower. So the last hit is memoised
    /// against the exact texts it came from: when storage still holds the same bytes, only the
    /// expiry is evaluated again. Any change in storage (another tab, a logout) misses the memo.
    async fn cached_token(&self, key: &CacheKey) -> Option<TokenResult> {
        let exact = key.to_key();
        let user = user_key(self.client_id());
        let generation = self.cache_generation.get();
        // Clone the memo's texts out first: no RefCell borrow may live across an await.
        let memo = self.hit_memo.borrow().as_ref().filter(|m| m.key == exact).map(|m| (m.entry_text.clone(), m.user_text.clone()));
        if let Some((entry_text, user_text)) = memo {
            if self.cache_holds(&exact, &entry_text).await && self.cache_holds(&user, &user_text).await {
                let now = self.now().await;
                let mut memo = self.hit_memo.borrow_mut();
                // Still the memo we compared (no other call replaced it meanwhile)?
                if let Some(m) = memo.as_mut().filter(|m| std::rc::Rc::ptr_eq(&m.entry_text, &entry_text) && std::rc::Rc::ptr_eq(&m.user_text, &user_text)) {
                    if evaluate(&m.entry, now, get_token_margin_secs(&m.entry)) == Freshness::Fresh {
                        // The texts were just found unchanged at `generation` (writes to other
                        // keys since the memo was made do not matter): the JS fast path may use it.
                        m.generation = generation;
                        return Some(m.result.clone());
                    }
                    return None;
                }
            }
        }
        let entry_text = self.cache_read(&exact).await;
        // Parse what was just read; only a miss on the exact key looks further (scope superset).
        let entry = match &entry_text {
            Some(text) => self.parse_entry_or_remove(&exact, text, key).await?,
            None => self.read_entry(key).await?,
        };
        if evaluate(&entry, self.now().await, get_token_margin_secs(&entry)) != Freshness::Fresh {
            return None;
        }
        let user_text = self.cache_read(&user).await;
        let id = self.parse_id_token_or_remove(user_text.as_deref()?).await?;
        let result = Self::result_from(&entry, &id, TokenSource::Cache);
        if let (Some(entry_text), Some(user_text)) = (entry_text, user_text) {
            *self.hit_memo.borrow_mut() = Some(HitMemo { key: exact, generation, entry_text: entry_text.into(), user_text: user_text.into(), entry, result: result.clone() });
        }
        Some(result)
    }

    /// The memoised hit that `getTokenSilently(options)` would serve from, with the conditions
    /// under which it still would (see [`HitView`]); `None` when the call would not use the cache
    /// or the memo is for another key.
    pub fn hit_view(&self, options: &GetTokenOptions) -> Option<HitView> {
        if options.cache_mode == CacheMode::Off {
            return None;
        }
        let exact = self.request_key(&options.authorization_params).1.to_key();
        let memo = self.hit_memo.borrow();
        let m = memo.as_ref().filter(|m| m.key == exact)?;
        let expires_at = m.entry.expires_at as f64;
        Some(HitView {
            generation: m.generation,
            key: m.key.clone(),
            user_key: user_key(self.client_id()),
            entry_text: m.entry_text.clone(),
            user_text: m.user_text.clone(),
            fresh_from_ms: (expires_at - MAX_ENTRY_LIFETIME_SECS as f64) * 1000.0,
            fresh_until_ms: (expires_at - get_token_margin_secs(&m.entry) as f64 + 1.0) * 1000.0,
            result: m.result.clone(),
        })
    }

    /// How many cache writes and removals this client has made; `None` while a logout announced
    /// by another tab is still to be applied (the next call through the client applies it).
    pub fn cache_generation(&self) -> Option<u32> {
        if self.platform.remote_logout_pending() {
            return None;
        }
        Some(self.cache_generation.get())
    }

    fn bump_cache_generation(&self) {
        self.cache_generation.set(self.cache_generation.get().wrapping_add(1));
    }

    fn result_from(entry: &AccessTokenEntry, id: &IdTokenEntry, source: TokenSource) -> TokenResult {
        TokenResult {
            access_token: entry.access_token().unwrap_or_default().to_owned(),
            id_token: id.id_token().to_owned(),
            token_type: entry.token_type().unwrap_or("Bearer").to_owned(),
            expires_in: entry.expires_in().unwrap_or(0.0),
            scope: entry.oauth_token_scope().map(str::to_owned),
            source,
        }
    }

    /// The hidden-iframe path (§2.7): `prompt=none`, `web_message`, serialised per client.
    async fn renew_with_iframe(&self, key: &CacheKey, params: &ParamList, options: &GetTokenOptions) -> Result<TokenResult> {
        if self.platform.cross_origin_isolated() {
            return Err(Error::login_required(CROSS_ORIGIN_ISOLATED_MESSAGE));
        }
        let timeout = options.timeout_ms.unwrap_or(self.options.authorize_timeout_ms);
        let _frame_guard = self.platform.lock(&lock_name("getTokenFromIFrame", self.client_id(), None), LOCK_TIMEOUT_MS).await?;
        let mut call_params = params.clone();
        call_params.set("scope", &key.scope);
        if key.audience != DEFAULT_AUDIENCE {
            call_params.set("audience", &key.audience);
        }
        call_params.set("prompt", "none");
        if call_params.get_truthy("organization").is_none() {
            if let Some(hint) = self.platform.cookie_get(&organization_hint_cookie(self.client_id())).and_then(|v| Json::parse(&v).ok()) {
                if let Some(org) = hint.as_str() {
                    call_params.set("organization", org);
                }
            }
        }
        let prepared = self.prepare(&call_params, ResponseMode::WebMessage)?;
        let origin = origin_of(&self.options.base_url);
        let generation = self.session_generation.get();
        let message = self.platform.run_iframe(&prepared.url, &origin, &prepared.state, clamp_ms(timeout)).await?;
        let response = AuthorizationResponse::from_web_message(&message);
        let validated = match validate(&response, &prepared.state, &self.options.issuer) {
            Ok(v) => v,
            Err(e) => {
                if e.error == "login_required" {
                    // auth0-spa-js logs out locally when the server session is gone (§2.7).
                    self.clear_local_session(Some(self.client_id())).await;
                }
                return Err(e);
            }
        };
        let mut extra = call_params.clone();
        extra.remove("prompt");
        let grant = CodeGrant { code: validated.code(), code_verifier: &prepared.code_verifier, redirect_uri: prepared.redirect_uri.as_deref(), nonce: &prepared.nonce, organization: prepared.organization.as_deref(), extra: extra.pairs() };
        let (entry, id) = self.exchange_code(&grant, key, generation).await?;
        Ok(Self::result_from(&entry, &id, TokenSource::Iframe))
    }

    // ----------------------------------------------------------------------------------------
    // Token responses

    async fn request_tokens(&self, request: &HttpRequest, timeout_ms: u64) -> Result<TokenResponse> {
        let response = self.platform.http(request, clamp_ms(timeout_ms)).await?;
        parse_token_response(&response, &request.url, self.now().await)
    }

    /// The clock: `nowProvider` (awaited when it returns a Promise, as auth0-spa-js does) or
    /// `Date.now()`.
    async fn now(&self) -> crate::core::UnixMillis {
        self.platform.now_ms().await
    }

    /// Fails when a logout happened (here or in another tab) since `generation` was taken: the
    /// result of a flow that started before it must not bring the session back (K2).
    async fn ensure_same_session(&self, generation: u64) -> Result<()> {
        self.sync_remote_logout().await;
        if self.session_generation.get() != generation {
            return Err(Error::login_required("The session ended (logout) while the request was in flight"));
        }
        Ok(())
    }

    /// The `authorization_code` grant (RFC 6749 §4.1.3) shared by the redirect, popup and
    /// iframe flows, then validation and storage of its result.
    async fn exchange_code(&self, grant: &CodeGrant<'_>, key: &CacheKey, generation: u64) -> Result<(AccessTokenEntry, IdTokenEntry)> {
        let request = self.token_endpoint.authorization_code(grant.code, grant.code_verifier, grant.redirect_uri, grant.extra);
        let expect = self.expectations(Some(grant.nonce.to_owned()), grant.organization.map(str::to_owned));
        let response = self.request_tokens(&request, self.options.http_timeout_ms).await?;
        self.save_code_flow(response, key, &expect, generation).await
    }

    /// Validates and stores the result of an authorization-code exchange (§2.5 post-processing).
    async fn save_code_flow(&self, response: TokenResponse, key: &CacheKey, expect: &IdTokenExpectations, generation: u64) -> Result<(AccessTokenEntry, IdTokenEntry)> {
        let now = self.now().await;
        let decoded = verify_id_token(response.id_token.as_deref(), expect, now)?;
        self.ensure_same_session(generation).await?;
        // A different user logged in: drop everything of the previous one first (2.11.1).
        if let Some(previous) = self.read_id_token().await {
            if previous.decoded.str_claim("sub") != decoded.str_claim("sub") {
                self.clear_cache(Some(self.client_id())).await;
            }
        }
        let organization = expect.organization.clone().or_else(|| decoded.str_claim("org_id").map(str::to_owned));
        let id = IdTokenEntry::from_decoded(decoded);
        let entry = AccessTokenEntry::from_token_response(&response, key, now);
        // One unit: should storage refuse either (QuotaExceededError), both stay in this page's
        // memory and neither stays half-written in storage; the login still succeeds (I5).
        self.write_all(&[(key.to_key(), entry.to_json_string()), (user_key(self.client_id()), id.to_json_string())]).await;
        self.set_session_cookies(organization.as_deref());
        Ok((entry, id))
    }

    fn set_session_cookies(&self, organization: Option<&str>) {
        let days = self.options.session_check_expiry_days.ceil().max(1.0) as u32;
        self.platform.cookie_set(&is_authenticated_cookie(self.client_id()), "true", days);
        let hint = organization_hint_cookie(self.client_id());
        match organization {
            Some(org) => self.platform.cookie_set(&hint, &Json::str(org).to_json_string(), days),
            None => self.platform.cookie_remove(&hint),
        }
    }

    /// `_clearLocalSession` (§3.6): tokens, user, transaction and cookies; ends in-flight flows.
    pub(crate) async fn clear_local_session(&self, client_id: Option<&str>) {
        self.session_generation.set(self.session_generation.get().wrapping_add(1));
        self.clear_cache(client_id).await;
        self.platform.transaction_remove(&transaction_key(self.client_id()));
        self.platform.cookie_remove(&is_authenticated_cookie(self.client_id()));
        self.platform.cookie_remove(&organization_hint_cookie(self.client_id()));
    }

    fn sync_remote_logout_flag(&self) -> bool {
        if self.platform.take_remote_logout() {
            self.session_generation.set(self.session_generation.get().wrapping_add(1));
            return true;
        }
        false
    }

    /// Applies a logout announced by another tab (K6): this tab's copy of the session goes too.
    async fn sync_remote_logout(&self) {
        if self.sync_remote_logout_flag() {
            self.clear_cache(Some(self.client_id())).await;
        }
    }

    // ----------------------------------------------------------------------------------------
    // Session queries

    /// `getUser()`: the ID token's user claims, or `None` when logged out.
    pub async fn get_user(&self) -> Option<Json> {
        self.sync_remote_logout().await;
        self.read_id_token().await.map(|e| e.user)
    }

    /// `getIdTokenClaims()`: all claims plus `__raw`.
    pub async fn get_id_token_claims(&self) -> Option<Json> {
        self.sync_remote_logout().await;
        self.read_id_token().await.map(|e| e.decoded.claims)
    }

    /// `isAuthenticated()`: an ID token is cached (auth0-spa-js does not check its expiry).
    pub async fn is_authenticated(&self) -> bool {
        self.get_user().await.is_some()
    }

    /// `checkSession()`: with the session hint cookie, a silent token request whose errors are
    /// all swallowed (§1.4); without it, nothing (no network).
    pub async fn check_session(&self, options: &GetTokenOptions) {
        let cookie = is_authenticated_cookie(self.client_id());
        if self.platform.cookie_get(&cookie).is_none() {
            if self.platform.cookie_get(LEGACY_IS_AUTHENTICATED_COOKIE).is_none() {
                return;
            }
            // Migrate the pre-1.19 cookie to the per-client name.
            let days = self.options.session_check_expiry_days.ceil().max(1.0) as u32;
            self.platform.cookie_set(&cookie, "true", days);
            self.platform.cookie_remove(LEGACY_IS_AUTHENTICATED_COOKIE);
        }
        let _ = self.get_token_silently(options).await;
    }

    /// `logout(options)`: clears the local session, tells the other tabs, and returns the
    /// `/v2/logout` URL for JS to open (or not, with `openUrl: false`).
    pub async fn logout(&self, logout_options: &Json) -> Result<String> {
        let url = logout_url(&self.options, logout_options)?;
        // `clientId: null` clears every client's entries, a string that client's (§1.4, §3.6).
        let target = match logout_options.get("clientId") {
            Some(Json::Null) => None,
            Some(Json::String(id)) => Some(id.as_str()),
            _ => Some(self.client_id()),
        };
        self.clear_local_session(target).await;
        if target.is_none_or(|id| id == self.client_id()) {
            self.platform.broadcast_logout();
        }
        Ok(url)
    }
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
}
