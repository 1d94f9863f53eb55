//! Shared fixtures for native integration tests: a scripted [`FakePlatform`] standing in for the
//! browser (the real one is exercised in headless Chromium by the browser and end-to-end tests),
//! and builders for token responses and unsigned ID tokens.
#![allow(dead_code)]

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;

use auth0_spa_wasm::core::encoding::base64url_encode;
use auth0_spa_wasm::core::http::{HttpRequest, HttpResponse};
use auth0_spa_wasm::core::json::Json;
use auth0_spa_wasm::core::{Error, Result, UnixMillis};
use auth0_spa_wasm::client::{CookieOp, Env, Io, Reply};

mod driver;

/// Test constants shared by the flow tests.
pub const DOMAIN: &str = "tenant.example.com";
pub const BASE: &str = "https://tenant.example.com";
pub const ISSUER: &str = "https://tenant.example.com/";
pub const CLIENT_ID: &str = "test-client";
pub const ORIGIN: &str = "https://app.example.com";
pub const NOW_MS: UnixMillis = 1_700_000_000_000;

type HttpHandler = Box<dyn Fn(&HttpRequest) -> Result<HttpResponse>>;
type FrameHandler = Box<dyn Fn(&str, &str) -> Result<Json>>;
type KeyFilter = Box<dyn Fn(&str) -> bool>;

/// Everything observable about a fake browser.
#[derive(Default)]
pub struct FakeState {
    pub now: Cell<UnixMillis>,
    pub cache: RefCell<BTreeMap<String, String>>,
    pub cache_lists_keys: Cell<bool>,
    /// Whether the cache is shared with other tabs (localStorage, the default here) or the
    /// client's own memory.
    pub cache_shared: Cell<bool>,
    pub transactions: RefCell<BTreeMap<String, String>>,
    pub cookies: RefCell<BTreeMap<String, String>>,
    pub requests: RefCell<Vec<HttpRequest>>,
    pub frames: RefCell<Vec<String>>,
    pub popups: RefCell<Vec<String>>,
    pub http: RefCell<Option<HttpHandler>>,
    pub frame: RefCell<Option<FrameHandler>>,
    pub queued: RefCell<VecDeque<Result<HttpResponse>>>,
    pub rng_counter: Cell<u8>,
    pub remote_logout: Cell<bool>,
    /// How many logouts this platform announced to other tabs.
    pub broadcasts: Cell<u32>,
    pub cross_origin_isolated: Cell<bool>,
    pub spent: RefCell<Vec<String>>,
    /// Every lock asked for, with whether the flow asked for the lock manager's state at the grant.
    pub locks_taken: RefCell<Vec<(String, bool)>>,
    /// Cache writes another tab made that reach this tab only at its next sleep (the way
    /// Chromium's localStorage propagates between tabs).
    pub arriving_writes: RefCell<Vec<(String, String)>>,
    pub sleeps: Cell<u32>,
    /// Cache writes for which this answers true fail like a full localStorage.
    pub refuse_write: RefCell<Option<KeyFilter>>,
    /// What the client passed to `console.warn`.
    pub warnings: RefCell<Vec<String>>,
    /// How many times the clock was read.
    pub clock_reads: Cell<u32>,
    /// The locks the driver's flows hold now.
    pub held_locks: RefCell<Vec<String>>,
    /// The DPoP key pairs (IndexedDB `keypair`): key → public JWK text.
    pub dpop_keys: RefCell<BTreeMap<String, String>>,
    /// The DPoP nonces (IndexedDB `nonce`).
    pub dpop_nonces: RefCell<BTreeMap<String, String>>,
    /// Every text the DPoP key signed.
    pub dpop_signed: RefCell<Vec<String>>,
}

/// The public JWK the fake's DPoP key pairs have (RFC 9449 §4.1's example key).
pub const DPOP_JWK: &str = r#"{"kty":"EC","crv":"P-256","x":"l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs","y":"9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA","ext":true}"#;
/// Its RFC 7638 thumbprint.
pub const DPOP_JKT: &str = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";


/// A scripted platform: an in-memory browser whose network and frames answer from closures.
#[derive(Clone)]
pub struct FakePlatform(pub Rc<FakeState>);

impl FakePlatform {
    pub fn new() -> FakePlatform {
        let state = FakeState::default();
        state.now.set(NOW_MS);
        state.cache_lists_keys.set(true);
        state.cache_shared.set(true);
        FakePlatform(Rc::new(state))
    }
    /// Answers every HTTP request with `handler`.
    pub fn on_http(&self, handler: impl Fn(&HttpRequest) -> Result<HttpResponse> + 'static) {
        *self.0.http.borrow_mut() = Some(Box::new(handler));
    }
    /// Queues one response (used before the handler).
    pub fn queue_http(&self, response: Result<HttpResponse>) {
        self.0.queued.borrow_mut().push_back(response);
    }
    /// Answers iframe and popup runs with `handler(url, state)`.
    pub fn on_frame(&self, handler: impl Fn(&str, &str) -> Result<Json> + 'static) {
        *self.0.frame.borrow_mut() = Some(Box::new(handler));
    }
    pub fn advance_secs(&self, secs: u64) {
        self.0.now.set(self.0.now.get() + secs * 1000);
    }
    pub fn requests(&self) -> Vec<HttpRequest> {
        self.0.requests.borrow().clone()
    }
    pub fn cache_snapshot(&self) -> BTreeMap<String, String> {
        self.0.cache.borrow().clone()
    }
    /// Makes cache writes whose key satisfies `refuse` fail with `QuotaExceededError`.
    pub fn refuse_writes(&self, refuse: impl Fn(&str) -> bool + 'static) {
        *self.0.refuse_write.borrow_mut() = Some(Box::new(refuse));
    }
    /// Lets every cache write succeed again.
    pub fn accept_writes(&self) {
        *self.0.refuse_write.borrow_mut() = None;
    }
}

impl Default for FakePlatform {
    fn default() -> Self {
        FakePlatform::new()
    }
}

/// A pre-opened popup in the fake: just a marker (the driver holds the real one in a page).
pub struct FakePopup;

impl Perform for FakePlatform {
    fn env(&self) -> Env {
        Env { page_origin: ORIGIN.to_owned(), cross_origin_isolated: self.0.cross_origin_isolated.get(), cache_lists_keys: self.0.cache_lists_keys.get(), cache_shared: self.0.cache_shared.get() }
    }

    fn remote_logout_pending(&self) -> bool {
        self.0.remote_logout.get()
    }

    fn note_locks(&self, held: Vec<String>) {
        *self.0.held_locks.borrow_mut() = held;
    }

    fn note_lock_request(&self, name: &str, checks_spent: bool) {
        self.0.locks_taken.borrow_mut().push((name.to_owned(), checks_spent));
    }

    fn perform(&self, io: &Io) -> Reply {
        let s = &self.0;
        match io {
            Io::Now => {
                s.clock_reads.set(s.clock_reads.get() + 1);
                Reply::Time(s.now.get())
            }
            Io::Random(n) => {
                // Deterministic but varied bytes (all below 198, so none are rejected).
                let mut bytes = vec![0u8; *n];
                for b in bytes.iter_mut() {
                    let next = s.rng_counter.get().wrapping_add(37) % 197;
                    s.rng_counter.set(next);
                    *b = next;
                }
                Reply::Bytes(Ok(bytes))
            }
            Io::CacheGet(keys) => Reply::Texts(keys.iter().map(|k| s.cache.borrow().get(k).cloned()).collect()),
            Io::CacheEquals(key, expected) => Reply::Flag(s.cache.borrow().get(key).is_some_and(|v| **v == **expected)),
            Io::CacheSet(writes) => {
                for (key, value) in writes {
                    if s.refuse_write.borrow().as_ref().is_some_and(|refuse| refuse(key)) {
                        return Reply::Outcome(Err(Error::plain("storage_error", "QuotaExceededError: the quota has been exceeded")));
                    }
                    s.cache.borrow_mut().insert(key.clone(), value.clone());
                }
                Reply::Outcome(Ok(()))
            }
            Io::CacheRemove(keys) => {
                for key in keys {
                    s.cache.borrow_mut().remove(key);
                }
                Reply::Unit
            }
            Io::CacheKeys => Reply::Keys(s.cache_lists_keys.get().then(|| s.cache.borrow().keys().filter(|k| k.starts_with("@@auth0spajs@@")).cloned().collect())),
            Io::TakeTransaction(key) => Reply::Texts(vec![s.transactions.borrow_mut().remove(key)]),
            Io::PutTransaction(key, value) => {
                s.transactions.borrow_mut().insert(key.clone(), value.clone());
                Reply::Outcome(Ok(()))
            }
            Io::DropTransaction(key) => {
                s.transactions.borrow_mut().remove(key);
                Reply::Unit
            }
            Io::CookieGet(name) => Reply::Texts(vec![s.cookies.borrow().get(name).cloned()]),
            Io::Cookies(ops) => {
                for op in ops {
                    match op {
                        CookieOp::Set(name, value, _days) => {
                            s.cookies.borrow_mut().insert(name.clone(), value.clone());
                        }
                        CookieOp::Remove(name) => {
                            s.cookies.borrow_mut().remove(name);
                        }
                    }
                }
                Reply::Unit
            }
            Io::Http(request, _) => Reply::Response(self.answer(request)),
            Io::HttpMarkingSpent(request, _, mark, _) => {
                s.spent.borrow_mut().push(mark.clone());
                Reply::Response(self.answer(request))
            }
            Io::Lock(..) => Reply::Outcome(Ok(())),
            Io::UnmarkSpent(mark) => {
                s.spent.borrow_mut().retain(|n| n != mark);
                Reply::Unit
            }
            Io::IsSpent(mark) => Reply::Flag(s.spent.borrow().iter().any(|n| n == mark)),
            Io::Sleep(_) => {
                s.sleeps.set(s.sleeps.get() + 1);
                let arriving = std::mem::take(&mut *s.arriving_writes.borrow_mut());
                s.cache.borrow_mut().extend(arriving);
                Reply::Unit
            }
            Io::Iframe(frame) => {
                s.frames.borrow_mut().push(frame.url.clone());
                Reply::Message(match &*s.frame.borrow() {
                    Some(handler) => handler(&frame.url, &frame.state),
                    None => Err(Error::timeout()),
                })
            }
            Io::Popup(frame, _) => {
                s.popups.borrow_mut().push(frame.url.clone());
                Reply::Message(match &*s.frame.borrow() {
                    Some(handler) => handler(&frame.url, &frame.state),
                    None => Err(Error::popup_timeout()),
                })
            }
            Io::Warn(message) => {
                s.warnings.borrow_mut().push(message.clone());
                Reply::Unit
            }
            Io::BroadcastLogout => {
                s.broadcasts.set(s.broadcasts.get() + 1);
                Reply::Unit
            }
            Io::TakeRemoteLogout => Reply::Flag(s.remote_logout.replace(false)),
            Io::DpopKey(key) => Reply::Text(Ok(s.dpop_keys.borrow_mut().entry(key.clone()).or_insert_with(|| DPOP_JWK.to_owned()).clone())),
            Io::DpopSign(key, input) => {
                if !s.dpop_keys.borrow().contains_key(key) {
                    return Reply::Bytes(Err(Error::plain("dpop_key_error", "no key pair")));
                }
                s.dpop_signed.borrow_mut().push(input.clone());
                Reply::Bytes(Ok(vec![7u8; 64]))
            }
            Io::DpopNonceGet(key) => Reply::Texts(vec![s.dpop_nonces.borrow().get(key).cloned()]),
            Io::DpopNonceSet(key, nonce) => {
                s.dpop_nonces.borrow_mut().insert(key.clone(), nonce.clone());
                Reply::Outcome(Ok(()))
            }
            Io::DpopClear(prefix) => {
                s.dpop_keys.borrow_mut().retain(|k, _| !k.starts_with(prefix.as_str()));
                s.dpop_nonces.borrow_mut().retain(|k, _| !k.starts_with(prefix.as_str()));
                Reply::Unit
            }
        }
    }
}

impl FakePlatform {
    fn answer(&self, request: &HttpRequest) -> Result<HttpResponse> {
        self.0.requests.borrow_mut().push(request.clone());
        if let Some(queued) = self.0.queued.borrow_mut().pop_front() {
            return queued;
        }
        match &*self.0.http.borrow() {
            Some(handler) => handler(request),
            None => Err(Error::plain("request_error", "no HTTP handler scripted")),
        }
    }
}

/// An unsigned compact JWT with an RS256 header (the SDK, like auth0-spa-js, checks claims only).
pub fn jwt(claims: &str) -> String {
    let mut out = base64url_encode(br#"{"alg":"RS256","typ":"JWT"}"#);
    out.push('.');
    out.push_str(&base64url_encode(claims.as_bytes()));
    out.push_str(".c2lnbmF0dXJl");
    out
}

/// Valid ID-token claims for the test tenant, issued now, with `extra` JSON members appended.
pub fn id_token_claims(nonce: Option<&str>, extra: &str) -> String {
    let now = NOW_MS / 1000;
    let mut claims = String::from(r#"{"iss":"https://tenant.example.com/","sub":"auth0|alice","aud":"test-client","name":"Alice","email":"alice@example.com""#);
    claims.push_str(&[r#","iat":"#, &now.to_string(), r#","exp":"#, &(now + 36_000).to_string()].concat());
    if let Some(n) = nonce {
        claims.push_str(&[r#","nonce":""#, n, "\""].concat());
    }
    claims.push_str(extra);
    claims.push('}');
    claims
}

/// A 200 token response.
pub fn token_response(access_token: &str, refresh_token: Option<&str>, id_token: Option<&str>, expires_in: u64) -> HttpResponse {
    let mut body = Json::Object(vec![
        ("access_token".into(), Json::str(access_token)),
        ("token_type".into(), Json::str("Bearer")),
        ("expires_in".into(), Json::Number(expires_in as f64)),
    ]);
    if let Some(rt) = refresh_token {
        body.set("refresh_token", Json::str(rt));
    }
    if let Some(id) = id_token {
        body.set("id_token", Json::str(id));
    }
    HttpResponse { status: 200, body: body.to_json_string(), dpop_nonce: None }
}

/// An OAuth error response (RFC 6749 §5.2).
pub fn oauth_error(status: u16, error: &str, description: &str) -> HttpResponse {
    let body = Json::Object(vec![("error".into(), Json::str(error)), ("error_description".into(), Json::str(description))]);
    HttpResponse { status, body: body.to_json_string(), dpop_nonce: None }
}

/// The value of form field `name` in a request body.
pub fn form_field(request: &HttpRequest, name: &str) -> Option<String> {
    auth0_spa_wasm::core::encoding::form_parse(&request.body).into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

/// The value of query parameter `name` in a URL.
pub fn query_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or("");
    auth0_spa_wasm::core::encoding::form_parse(query).into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

/// The test tenant's client options (`extra`: more option members, each starting with a comma).
pub fn tenant_options(extra: &str) -> auth0_spa_wasm::core::options::ClientOptions {
    let text = ["{\"domain\":\"tenant.example.com\",\"clientId\":\"test-client\"", extra, "}"].concat();
    auth0_spa_wasm::core::options::ClientOptions::from_json(&Json::parse(&text).expect("options JSON")).expect("valid options")
}

/// A client of the test tenant ([`tenant_options`]) over a fresh fake platform.
pub fn tenant_client(extra: &str) -> (Client<FakePlatform>, FakePlatform) {
    let platform = FakePlatform::new();
    (Client::new(tenant_options(extra), platform.clone()), platform)
}

/// A client of the test tenant ([`tenant_options`]) that has logged in through the redirect
/// flow; the login's token response carried `refresh_token`. The platform's request log starts
/// empty.
pub fn logged_in(extra: &str, refresh_token: Option<&'static str>) -> (Client<FakePlatform>, FakePlatform) {
    let (client, platform) = tenant_client(extra);
    let url = client.login_with_redirect(&auth0_spa_wasm::core::options::ParamList::new(), None).expect("authorize URL");
    let nonce = query_param(&url, "nonce").expect("nonce");
    let id = jwt(&id_token_claims(Some(&nonce), ""));
    platform.on_http(move |_| Ok(token_response("at-login", refresh_token, Some(&id), 86_400)));
    let state = query_param(&url, "state").expect("state");
    run(client.handle_redirect_callback(&[ORIGIN, "/?code=c&state=", &auth0_spa_wasm::core::encoding::form_encode(&state)].concat())).expect("login");
    platform.0.requests.borrow_mut().clear();
    (client, platform)
}

pub use driver::*;
