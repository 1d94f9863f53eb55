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
use auth0_spa_wasm::platform::Platform;
use futures::lock::{Mutex, OwnedMutexGuard};

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
    pub transactions: RefCell<BTreeMap<String, String>>,
    pub cookies: RefCell<BTreeMap<String, String>>,
    pub requests: RefCell<Vec<HttpRequest>>,
    pub frames: RefCell<Vec<String>>,
    pub popups: RefCell<Vec<String>>,
    pub http: RefCell<Option<HttpHandler>>,
    pub frame: RefCell<Option<FrameHandler>>,
    pub queued: RefCell<VecDeque<Result<HttpResponse>>>,
    pub locks: RefCell<BTreeMap<String, Arc<Mutex<()>>>>,
    pub rng_counter: Cell<u8>,
    pub remote_logout: Cell<bool>,
    /// How many logouts this platform announced to other tabs.
    pub broadcasts: Cell<u32>,
    pub cross_origin_isolated: Cell<bool>,
    pub spent: RefCell<Vec<String>>,
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
}

use std::sync::Arc;

/// A scripted platform: an in-memory browser whose network and frames answer from closures.
#[derive(Clone)]
pub struct FakePlatform(pub Rc<FakeState>);

impl FakePlatform {
    pub fn new() -> FakePlatform {
        let state = FakeState::default();
        state.now.set(NOW_MS);
        state.cache_lists_keys.set(true);
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

/// A pre-opened popup in the fake: just a marker.
pub struct FakePopup;

impl Platform for FakePlatform {
    type LockGuard = OwnedMutexGuard<()>;
    type Popup = FakePopup;

    async fn now_ms(&self) -> UnixMillis {
        self.0.clock_reads.set(self.0.clock_reads.get() + 1);
        self.0.now.get()
    }
    fn fill_random(&self, buf: &mut [u8]) -> Result<()> {
        // Deterministic but varied bytes (all below 198, so none are rejected).
        for b in buf.iter_mut() {
            let n = self.0.rng_counter.get().wrapping_add(37) % 197;
            self.0.rng_counter.set(n);
            *b = n;
        }
        Ok(())
    }
    async fn cache_get(&self, key: &str) -> Option<String> {
        self.0.cache.borrow().get(key).cloned()
    }
    async fn cache_set(&self, key: &str, value: &str) -> Result<()> {
        if self.0.refuse_write.borrow().as_ref().is_some_and(|refuse| refuse(key)) {
            return Err(Error::plain("storage_error", "QuotaExceededError: the quota has been exceeded"));
        }
        self.0.cache.borrow_mut().insert(key.to_owned(), value.to_owned());
        Ok(())
    }
    async fn cache_remove(&self, key: &str) {
        self.0.cache.borrow_mut().remove(key);
    }
    fn cache_lists_keys(&self) -> bool {
        self.0.cache_lists_keys.get()
    }
    async fn cache_keys(&self) -> Option<Vec<String>> {
        if !self.0.cache_lists_keys.get() {
            return None;
        }
        Some(self.0.cache.borrow().keys().filter(|k| k.starts_with("@@auth0spajs@@")).cloned().collect())
    }
    fn transaction_get(&self, key: &str) -> Option<String> {
        self.0.transactions.borrow().get(key).cloned()
    }
    fn transaction_set(&self, key: &str, value: &str) -> Result<()> {
        self.0.transactions.borrow_mut().insert(key.to_owned(), value.to_owned());
        Ok(())
    }
    fn transaction_remove(&self, key: &str) {
        self.0.transactions.borrow_mut().remove(key);
    }
    fn cookie_get(&self, name: &str) -> Option<String> {
        self.0.cookies.borrow().get(name).cloned()
    }
    fn cookie_set(&self, name: &str, value: &str, _days: u32) {
        self.0.cookies.borrow_mut().insert(name.to_owned(), value.to_owned());
    }
    fn cookie_remove(&self, name: &str) {
        self.0.cookies.borrow_mut().remove(name);
    }
    async fn http(&self, request: &HttpRequest, _timeout_ms: u32) -> Result<HttpResponse> {
        self.0.requests.borrow_mut().push(request.clone());
        // Yield once so concurrent callers really interleave.
        YieldOnce(false).await;
        if let Some(queued) = self.0.queued.borrow_mut().pop_front() {
            return queued;
        }
        match &*self.0.http.borrow() {
            Some(handler) => handler(request),
            None => Err(Error::plain("request_error", "no HTTP handler scripted")),
        }
    }
    async fn lock(&self, name: &str, _timeout_ms: u32) -> Result<Self::LockGuard> {
        let mutex = self.0.locks.borrow_mut().entry(name.to_owned()).or_insert_with(|| Arc::new(Mutex::new(()))).clone();
        Ok(mutex.lock_owned().await)
    }
    async fn run_iframe(&self, url: &str, _origin: &str, state: &str, _timeout_ms: u32) -> Result<Json> {
        self.0.frames.borrow_mut().push(url.to_owned());
        match &*self.0.frame.borrow() {
            Some(handler) => handler(url, state),
            None => Err(Error::timeout()),
        }
    }
    async fn run_popup(&self, _popup: FakePopup, url: &str, _origin: &str, state: &str, _timeout_ms: u32, _close: bool) -> Result<Json> {
        self.0.popups.borrow_mut().push(url.to_owned());
        match &*self.0.frame.borrow() {
            Some(handler) => handler(url, state),
            None => Err(Error::popup_timeout()),
        }
    }
    async fn mark_spent(&self, name: &str, _hold_ms: u32) {
        self.0.spent.borrow_mut().push(name.to_owned());
    }
    fn unmark_spent(&self, name: &str) {
        self.0.spent.borrow_mut().retain(|n| n != name);
    }
    async fn is_spent(&self, name: &str) -> bool {
        self.0.spent.borrow().iter().any(|n| n == name)
    }
    async fn sleep(&self, _ms: u32) {
        self.0.sleeps.set(self.0.sleeps.get() + 1);
        let arriving = std::mem::take(&mut *self.0.arriving_writes.borrow_mut());
        self.0.cache.borrow_mut().extend(arriving);
        YieldOnce(false).await;
    }
    fn page_origin(&self) -> String {
        ORIGIN.to_owned()
    }
    fn cross_origin_isolated(&self) -> bool {
        self.0.cross_origin_isolated.get()
    }
    fn warn(&self, message: &str) {
        self.0.warnings.borrow_mut().push(message.to_owned());
    }
    fn broadcast_logout(&self) {
        self.0.broadcasts.set(self.0.broadcasts.get() + 1);
    }
    fn take_remote_logout(&self) -> bool {
        self.0.remote_logout.replace(false)
    }

    fn remote_logout_pending(&self) -> bool {
        self.0.remote_logout.get()
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
    HttpResponse { status: 200, body: body.to_json_string() }
}

/// An OAuth error response (RFC 6749 §5.2).
pub fn oauth_error(status: u16, error: &str, description: &str) -> HttpResponse {
    let body = Json::Object(vec![("error".into(), Json::str(error)), ("error_description".into(), Json::str(description))]);
    HttpResponse { status, body: body.to_json_string() }
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

/// Runs a future to completion on this thread.
pub fn run<F: std::future::Future>(future: F) -> F::Output {
    futures::executor::block_on(future)
}

/// A future that returns `Pending` once, so concurrent tasks interleave at that point.
struct YieldOnce(bool);

impl std::future::Future for YieldOnce {
    type Output = ();
    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<()> {
        if self.0 {
            std::task::Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    }
}
