//! The thin `#[wasm_bindgen]` facade: one class, `WasmClient`, that `js/index.js` wraps into
//! auth0-spa-js's `Auth0Client`. It only converts: JSON text in (parsed by the core's small JSON
//! reader, so no serde reaches the browser build), JSON text or strings out, and every
//! [`Error`] into a plain `{class, error, description, ...}` object that `js/errors.js` turns
//! into the matching auth0-spa-js error class. The contract is written out at the top of
//! `js/index.js`.

use std::rc::Rc;

use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::browser::driver::run;
use crate::browser::{BrowserConfig, BrowserPlatform, CacheKind};
use crate::client::calls::{parse_json, popup_call, token_options, verbose_response};
use crate::client::{Client, Env, Machine, Redirected, Reply, Step};
use crate::core::json::Json;
use crate::core::options::{CacheLocation, ClientOptions, ParamList, PARITY};
use crate::core::{Error, ErrorClass};

/// The JS-side error object for `e` (see `toJsError` in `js/errors.js`).
fn error_to_js(e: &Error) -> JsValue {
    let object = Object::new();
    let set = |k: &str, v: &JsValue| {
        let _ = Reflect::set(&object, &JsValue::from_str(k), v);
    };
    let class = match e.class {
        ErrorClass::Plain => "Plain",
        ErrorClass::Generic => "Generic",
        ErrorClass::Authentication => "Authentication",
        ErrorClass::Connect => "Connect",
        ErrorClass::Timeout => "Timeout",
        ErrorClass::PopupTimeout => "PopupTimeout",
        ErrorClass::PopupCancelled => "PopupCancelled",
        ErrorClass::PopupOpen => "PopupOpen",
        ErrorClass::MfaRequired => "MfaRequired",
        ErrorClass::MissingRefreshToken => "MissingRefreshToken",
        ErrorClass::MissingScopes => "MissingScopes",
        ErrorClass::InvalidConfiguration => "InvalidConfiguration",
        ErrorClass::UseDpopNonce => "UseDpopNonce",
        ErrorClass::MfaVerify => "MfaVerify",
    };
    set("class", &JsValue::from_str(class));
    set("error", &JsValue::from_str(&e.error));
    set("description", &JsValue::from_str(&e.description));
    if e.interactive {
        set("interactive", &JsValue::TRUE);
    }
    let optional = [("state", &e.state), ("mfa_token", &e.mfa_token), ("audience", &e.audience), ("scope", &e.scope), ("connection", &e.connection)];
    for (name, value) in optional {
        if let Some(v) = value {
            set(name, &JsValue::from_str(v));
        }
    }
    if let Some(v) = &e.dpop_nonce {
        set("newDpopNonce", &JsValue::from_str(v));
    }
    if let Some(v) = &e.mfa_requirements {
        set("mfa_requirements", &JsValue::from_str(&v.to_json_string()));
    }
    if let Some(v) = &e.app_state {
        set("appState", &JsValue::from_str(&v.to_json_string()));
    }
    object.into()
}

/// A flow whose result becomes a `JsValue`: every method goes through one driver and one
/// `future_to_promise` instantiation instead of one per result type (each costs kilobytes).
struct Answer<M: Machine> {
    flow: M,
    map: fn(M::Output) -> JsValue,
}

impl<M: Machine> Machine for Answer<M> {
    type Output = JsValue;

    fn step(&mut self, reply: Reply) -> Step<JsValue> {
        match self.flow.step(reply) {
            Step::Io(io) => Step::Io(io),
            Step::Done(result) => Step::Done(result.map(self.map)),
        }
    }
}

/// A method settled before any flow: its options did not parse, or it needs no I/O.
struct Settled(Option<Result<JsValue, Error>>);

impl Machine for Settled {
    type Output = JsValue;

    fn step(&mut self, _reply: Reply) -> Step<JsValue> {
        Step::Done(self.0.take().unwrap_or_else(|| Err(Error::generic("internal_error", "A finished flow was stepped again"))))
    }
}

/// JSON text as a `JsValue` string.
fn json_text(json: Json) -> JsValue {
    JsValue::from_str(&json.to_json_string())
}

/// The client class behind `js/index.js`'s `Auth0Client`.
#[wasm_bindgen]
pub struct WasmClient {
    client: Client,
    platform: Rc<BrowserPlatform>,
}

impl WasmClient {
    /// Runs `flow` through the driver into a Promise whose rejection is always an error object
    /// (never a string or trap).
    fn call(&self, flow: Box<dyn Machine<Output = JsValue>>, popup: Option<web_sys::Window>) -> Promise {
        let platform = self.platform.clone();
        future_to_promise(async move {
            let mut flow = flow;
            run(&platform, popup, &mut *flow).await.map_err(|e| error_to_js(&e))
        })
    }

    fn answer<M: Machine + 'static>(&self, flow: M, map: fn(M::Output) -> JsValue) -> Promise {
        self.call(Box::new(Answer { flow, map }), None)
    }

    fn failed(&self, e: Error) -> Promise {
        self.call(Box::new(Settled(Some(Err(e)))), None)
    }

    /// `run()` in the full build; the lite build refuses `feature` (and the compiler drops `run`).
    fn full_only(&self, feature: &str, run: impl FnOnce() -> Promise) -> Promise {
        if PARITY {
            run()
        } else {
            self.failed(Error::full_build_needed(feature))
        }
    }
}

#[wasm_bindgen]
impl WasmClient {
    /// `new WasmClient(optionsJson, cache, nowProvider)`: validates the options (throwing an
    /// `InvalidConfigurationError` object naming the bad one) and picks the cache.
    #[wasm_bindgen(constructor)]
    pub fn new(options_json: &str, cache: JsValue, now_provider: JsValue) -> Result<WasmClient, JsValue> {
        let build = || -> Result<WasmClient, Error> {
            let options = ClientOptions::from_json(&parse_json(options_json, "options")?)?;
            if !PARITY && options.need_full_build() {
                return Err(Error::full_build_needed("the features these options turn on"));
            }
            let mut config = BrowserConfig::new(&options.client_id);
            config.cache = if cache.is_object() {
                CacheKind::Custom(Object::from(cache.clone()))
            } else {
                match options.cache_location {
                    CacheLocation::Memory => CacheKind::Memory,
                    CacheLocation::LocalStorage => CacheKind::LocalStorage,
                }
            };
            config.use_cookies_for_transactions = options.use_cookies_for_transactions;
            config.cookie_domain = options.cookie_domain.clone();
            config.legacy_same_site_cookie = options.legacy_same_site_cookie;
            config.now_provider = now_provider.clone().dyn_into().ok();
            let platform = BrowserPlatform::new(config);
            let env = Env { page_origin: platform.page_origin(), cross_origin_isolated: platform.cross_origin_isolated(), cache_lists_keys: platform.cache_lists_keys(), cache_shared: !platform.cache_is_own_memory() };
            Ok(WasmClient { client: Client::new(options, env), platform: Rc::new(platform) })
        };
        build().map_err(|e| error_to_js(&e))
    }

    /// `loginWithRedirect({authorizationParams, appState})` → the `/authorize` URL to open.
    #[wasm_bindgen(js_name = loginWithRedirect)]
    pub fn login_with_redirect(&self, options_json: &str) -> Promise {
        let parsed = parse_json(options_json, "loginWithRedirect options")
            .and_then(|json| Ok((ParamList::from_json(json.get("authorizationParams"), "authorizationParams")?, json.get("appState").cloned())));
        match parsed {
            Ok((params, app_state)) => self.answer(self.client.login_with_redirect(&params, app_state), |url| JsValue::from_str(&url)),
            Err(e) => self.failed(e),
        }
    }

    /// `handleRedirectCallback(url)` → JSON text `{"appState": ...}`, plus for an account
    /// connection `"connect": {auth_session, connect_code, redirect_uri, code_verifier}`, the
    /// body of the My Account API's `complete` request that JS then makes.
    #[wasm_bindgen(js_name = handleRedirectCallback)]
    pub fn handle_redirect_callback(&self, url: &str) -> Promise {
        self.answer(self.client.handle_redirect_callback(url), |redirected| {
            let mut result = Json::Object(Vec::new());
            let app_state = match redirected {
                Redirected::Login(app_state) => app_state,
                Redirected::Connect(done) => {
                    let mut body = Json::Object(Vec::with_capacity(4));
                    body.set("auth_session", Json::String(done.auth_session));
                    body.set("connect_code", Json::String(done.connect_code));
                    body.set("redirect_uri", Json::String(done.redirect_uri));
                    body.set("code_verifier", Json::String(done.code_verifier));
                    result.set("connect", body);
                    done.app_state
                }
            };
            if let Some(state) = app_state {
                result.set("appState", state);
            }
            json_text(result)
        })
    }

    /// `connectAccountWithRedirect`'s steps (§2.12), in one export for size, with JSON text
    /// arguments: `op` 0 `{redirectUri?}` → JSON text `{state, code_verifier, code_challenge,
    /// code_challenge_method, redirect_uri}` (a Promise); 1 `{started, answer, appState?,
    /// connection?}` → stores the transaction (a Promise of undefined); 2 → the My
    /// Account API's base and audience `{domainUrl}/me/` (a string, synchronously).
    pub fn connect(&self, op: u32, args_json: &str) -> JsValue {
        if op == 2 {
            return JsValue::from_str(&[self.client.options().base_url.as_str(), "/me/"].concat());
        }
        let args = match parse_json(args_json, "connectAccountWithRedirect arguments") {
            Ok(args) => args,
            Err(e) => return self.failed(e).into(),
        };
        let promise = if op == 0 {
            self.answer(self.client.connect_start(args.str_field("redirectUri")), json_text)
        } else {
            let null = Json::Null;
            let (started, answer) = (args.get("started").unwrap_or(&null), args.get("answer").unwrap_or(&null));
            let flow = self.client.connect_store(started, answer, args.get("appState").cloned(), args.str_field("connection").map(str::to_owned));
            self.answer(flow, |()| JsValue::UNDEFINED)
        };
        promise.into()
    }

    /// `loginWithPopup(options, {popup, timeoutInSeconds, closePopup})`; `popup` is already open.
    #[wasm_bindgen(js_name = loginWithPopup)]
    pub fn login_with_popup(&self, options_json: &str, popup: web_sys::Window, config_json: &str) -> Promise {
        match popup_call(options_json, config_json) {
            Ok((params, timeout, close)) => {
                let flow = Answer { flow: self.client.login_with_popup(&params, timeout, close), map: |_| JsValue::UNDEFINED };
                self.call(Box::new(flow), Some(popup))
            }
            Err(e) => self.failed(e),
        }
    }

    /// `getTokenWithPopup(options, config)` → the access token.
    #[wasm_bindgen(js_name = getTokenWithPopup)]
    pub fn get_token_with_popup(&self, options_json: &str, popup: web_sys::Window, config_json: &str) -> Promise {
        match popup_call(options_json, config_json) {
            Ok((params, timeout, close)) => {
                let flow = Answer { flow: self.client.get_token_with_popup(&params, timeout, close), map: |token| JsValue::from_str(&token) };
                self.call(Box::new(flow), Some(popup))
            }
            Err(e) => self.failed(e),
        }
    }

    /// `getTokenSilently(options)` → the access token, the JSON text of the verbose response
    /// (`detailedResponse: true`), or `undefined` for a cache-only miss.
    #[wasm_bindgen(js_name = getTokenSilently)]
    pub fn get_token_silently(&self, options_json: &str) -> Promise {
        match token_options(options_json) {
            Ok((options, false)) => self.answer(self.client.get_token_silently(&options), |t| t.map_or(JsValue::UNDEFINED, |t| JsValue::from_str(&t.access_token))),
            Ok((options, true)) => self.answer(self.client.get_token_silently(&options), |t| t.map_or(JsValue::UNDEFINED, |t| json_text(verbose_response(&t)))),
            Err(e) => self.failed(e),
        }
    }

    /// The memoised cache hit that `getTokenSilently(optionsJson)` would serve now, as JSON text
    /// `{"g": generation, "l": entries are in localStorage, "n"/"f": fresh from/until (ms),
    /// "r": the detailed response}` plus, with localStorage only, `"k"`/`"u"` (the keys) and
    /// `"e"`/`"t"` (their texts), so that `js/index.js` can answer repeated calls without entering
    /// wasm while the conditions of `HitView` hold; `undefined` when there is none or the client
    /// must decide. The in-memory cache's texts never leave wasm: they hold the refresh token,
    /// which page scripts must not reach through the client object.
    #[wasm_bindgen(js_name = hitMemo)]
    pub fn hit_memo(&self, options_json: &str) -> Option<String> {
        let local = self.platform.outside_hit_check()?;
        let (options, _) = token_options(options_json).ok()?;
        let view = self.client.hit_view(&options)?;
        let mut memo = Json::Object(vec![
            ("g".to_owned(), Json::Number(f64::from(view.generation))),
            ("l".to_owned(), Json::Bool(local)),
            ("n".to_owned(), Json::Number(view.fresh_from_ms)),
            ("f".to_owned(), Json::Number(view.fresh_until_ms)),
            ("r".to_owned(), verbose_response(&view.result)),
        ]);
        if local {
            memo.set("k", Json::str(&view.key));
            memo.set("u", Json::str(&view.user_key));
            memo.set("e", Json::str(&view.entry_text));
            memo.set("t", Json::str(&view.user_text));
        }
        Some(memo.to_json_string())
    }

    /// The client's cache generation (see `hitMemo`), or -1 while a logout announced by another
    /// tab waits to be applied. Synchronous and cheap: the JS fast path calls it on every hit.
    #[wasm_bindgen(js_name = cacheGeneration)]
    pub fn cache_generation(&self) -> f64 {
        if self.platform.remote_logout_pending() {
            return -1.0;
        }
        f64::from(self.client.cache_generation())
    }

    /// `getUser()` → JSON text of the user claims, or `undefined`.
    #[wasm_bindgen(js_name = getUser)]
    pub fn get_user(&self) -> Promise {
        self.answer(self.client.get_user(), |user| user.map_or(JsValue::UNDEFINED, json_text))
    }

    /// `getIdTokenClaims()` → JSON text of all claims with `__raw`, or `undefined`.
    #[wasm_bindgen(js_name = getIdTokenClaims)]
    pub fn get_id_token_claims(&self) -> Promise {
        self.answer(self.client.get_id_token_claims(), |claims| claims.map_or(JsValue::UNDEFINED, json_text))
    }

    /// `isAuthenticated()`.
    #[wasm_bindgen(js_name = isAuthenticated)]
    pub fn is_authenticated(&self) -> Promise {
        self.answer(self.client.is_authenticated(), JsValue::from_bool)
    }

    /// `checkSession(options)`: never rejects for "not logged in" (§1.4); resolves to `true` when
    /// JS should start an anonymous session (`createAnonymousSessionOnFailedSilentAuth`).
    #[wasm_bindgen(js_name = checkSession)]
    pub fn check_session(&self, options_json: &str) -> Promise {
        match token_options(options_json) {
            Ok((options, _)) => self.answer(self.client.check_session(&options), JsValue::from_bool),
            Err(e) => self.failed(e),
        }
    }

    /// `loginWithCustomTokenExchange(options)` → JSON text of the token response.
    #[wasm_bindgen(js_name = loginWithCustomTokenExchange)]
    pub fn login_with_custom_token_exchange(&self, options_json: &str) -> Promise {
        self.full_only("loginWithCustomTokenExchange", || match parse_json(options_json, "token exchange options") {
            Ok(json) => self.answer(self.client.login_with_custom_token_exchange(&json), json_text),
            Err(e) => self.failed(e),
        })
    }

    /// `customTokenExchange(options)` → JSON text of the token response.
    #[wasm_bindgen(js_name = customTokenExchange)]
    pub fn custom_token_exchange(&self, options_json: &str) -> Promise {
        self.full_only("customTokenExchange", || match parse_json(options_json, "token exchange options") {
            Ok(json) => self.answer(self.client.custom_token_exchange(&json), json_text),
            Err(e) => self.failed(e),
        })
    }

    /// `revokeRefreshToken({audience})` → undefined.
    #[wasm_bindgen(js_name = revokeRefreshToken)]
    pub fn revoke_refresh_token(&self, options_json: &str) -> Promise {
        self.full_only("revokeRefreshToken", || match parse_json(options_json, "revokeRefreshToken options") {
            Ok(json) => self.answer(self.client.revoke_refresh_token(json.str_field("audience")), |()| JsValue::UNDEFINED),
            Err(e) => self.failed(e),
        })
    }

    /// The DPoP helpers, in one export for size, with JSON text arguments: `op` 0 is
    /// `getDpopNonce({id})` → the nonce or `undefined`; 1 is `setDpopNonce({nonce, id})`; 2 is
    /// `generateDpopProof({url, method, nonce, accessToken})` → the proof. Throws (synchronously,
    /// as auth0-spa-js) without `useDpop`.
    pub fn dpop(&self, op: u32, args_json: &str) -> Result<Promise, JsValue> {
        if !PARITY {
            return Err(error_to_js(&Error::full_build_needed("DPoP")));
        }
        let started = parse_json(args_json, "DPoP arguments").and_then(|a| {
            let field = |k| a.str_field(k);
            match op {
                0 => self.client.get_dpop_nonce(field("id")),
                1 => self.client.set_dpop_nonce(field("nonce").unwrap_or_default(), field("id")),
                _ => self.client.generate_dpop_proof(field("url").unwrap_or_default(), field("method").unwrap_or_default(), field("nonce"), field("accessToken")),
            }
        });
        match started {
            Ok(flow) => Ok(self.answer(flow, |v| v.map_or(JsValue::UNDEFINED, |v| JsValue::from_str(&v)))),
            Err(e) => Err(error_to_js(&e)),
        }
    }

    /// `client.mfa` (docs/behaviour.md §1.5) and `client.passkey` (§1.6), in one export for size,
    /// with JSON text arguments: `op` 0 is `verify`'s grant `{body: [[name, value], ...], scope,
    /// audience?}` (js/mfa.js) → JSON text of the token response; 1 is what `js/mfa-api.js` and
    /// `js/passkey-api.js` need → JSON text `{baseUrl, clientId, timeoutMs}`; 2 is the passkey
    /// grant `{authSession, credential, realm?, organization?, scope?, audience?}` → JSON text of
    /// the token response.
    pub fn mfa(&self, op: u32, args_json: &str) -> Promise {
        let args = match parse_json(args_json, "mfa arguments") {
            Ok(a) => a,
            Err(e) => return self.failed(e),
        };
        match op {
            0 => self.full_only("client.mfa.verify", || self.answer(self.client.mfa_verify(&args), json_text)),
            2 => self.full_only("client.passkey's grant", || self.answer(self.client.passkey_grant(&args), json_text)),
            _ => {
                let o = self.client.options();
                let settings = Json::Object(vec![
                    ("baseUrl".to_owned(), Json::str(&o.base_url)),
                    ("clientId".to_owned(), Json::str(&o.client_id)),
                    ("timeoutMs".to_owned(), Json::Number(o.http_timeout_ms as f64)),
                ]);
                self.call(Box::new(Settled(Some(Ok(json_text(settings))))), None)
            }
        }
    }

    /// The in-memory cache's entries as JSON text `[[key, value], ...]`, or, given such a text,
    /// stores them: how js/index.js moves a client from the lite module to the full one without
    /// losing a session kept in memory (docs/module-split.md).
    #[wasm_bindgen(js_name = memoryEntries)]
    pub fn memory_entries(&self, load: Option<String>) -> Option<String> {
        match load {
            Some(text) => {
                if let Ok(json) = Json::parse(&text) {
                    self.platform.load_memory_entries(&json);
                }
                None
            }
            None => Some(self.platform.memory_entries()),
        }
    }

    /// `logout({clientId, logoutParams, revokeRefreshTokens})` → the `/v2/logout` URL (JS decides
    /// whether to open it).
    pub fn logout(&self, options_json: &str) -> Promise {
        match parse_json(options_json, "logout options") {
            Ok(json) => self.answer(self.client.logout(&json), |url| JsValue::from_str(&url)),
            Err(e) => self.failed(e),
        }
    }
}
