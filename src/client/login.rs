//! Interactive logins (docs/behaviour.md §2.3, §2.5, §2.8): `loginWithRedirect` and its callback,
//! `loginWithPopup` and `getTokenWithPopup`.

use std::rc::Rc;

use super::dpop::Draw;
use super::exchange::{CodeGrant, ExchangeCode};
use super::io::{finished, Frame, Io, Machine, Reply, Step};
use super::entries::ReadEntry;
use super::{clamp_ms, origin_of, prepare, Shared, POPUP_TOKEN_TIMEOUT_MS};
use crate::core::authorize::{PreparedAuthorize, ResponseMode};
use crate::core::cache::CacheKey;
use crate::core::callback::{validate, validate_connect, validate_redirect, AuthorizationResponse, ConnectCompletion};
use crate::core::connect::ConnectTransaction;
use crate::core::json::Json;
use crate::core::options::ParamList;
use crate::core::scope::DEFAULT_AUDIENCE;
use crate::core::transaction::{transaction_key, LoginTransaction};
use crate::core::{Error, Result};

/// Applies a logout another tab announced before a new login starts: a flow that began before it
/// then cannot store its result (K2).
fn noted_remote_logout(c: &Shared, reply: &Reply) {
    if reply.flag() {
        c.bump_session_generation();
    }
}

/// `loginWithRedirect`: stores the transaction and yields the `/authorize` URL for the caller to
/// open (navigation and `openUrl` live in JS).
pub struct LoginWithRedirect {
    c: Rc<Shared>,
    params: ParamList,
    app_state: Option<Json>,
    phase: u8,
    draw: Draw,
    url: String,
}

impl LoginWithRedirect {
    pub(super) fn new(c: Rc<Shared>, params: ParamList, app_state: Option<Json>) -> LoginWithRedirect {
        LoginWithRedirect { c, params, app_state, phase: 0, draw: Draw::new(), url: String::new() }
    }
}

impl Machine for LoginWithRedirect {
    type Output = String;

    fn step(&mut self, mut reply: Reply) -> Step<String> {
        let c = &self.c;
        if self.phase == 1 {
            noted_remote_logout(c, &reply);
            self.phase = 2;
            reply = Reply::Start;
        }
        match self.phase {
            0 => {
                self.phase = 1;
                Step::Io(Io::TakeRemoteLogout)
            }
            2 => match self.draw.step(c, reply) {
                Step::Io(io) => Step::Io(io),
                Step::Done(drawn) => match drawn.and_then(|drawn| prepare(c, &self.params, ResponseMode::Query, drawn)) {
                    Ok(prepared) => {
                        self.phase = 3;
                        self.url = prepared.url.clone();
                        let transaction = prepared.into_transaction(self.app_state.take());
                        Step::Io(Io::PutTransaction(transaction_key(c.client_id()), transaction.to_json_string()))
                    }
                    Err(e) => Step::Done(Err(e)),
                },
            },
            3 => {
                self.phase = 4;
                Step::Done(reply.outcome().map(|()| std::mem::take(&mut self.url)))
            }
            _ => Step::Done(Err(finished())),
        }
    }
}

/// What a `handleRedirectCallback` completed.
#[derive(Debug, PartialEq)]
pub enum Redirected {
    /// A login: the stored `appState`.
    Login(Option<Json>),
    /// An account connection (§2.12): what the My Account API's `complete` endpoint takes, with
    /// the `appState`; the caller makes that request.
    Connect(ConnectCompletion),
}

/// `handleRedirectCallback(url)`: consumes the transaction (before any check, so a callback can
/// never be processed twice, A2/B5), validates the response, and for a login exchanges the code
/// and caches the tokens (yielding the stored `appState`); for an account connection it yields
/// what completes it.
pub struct HandleRedirectCallback {
    c: Rc<Shared>,
    response: Result<AuthorizationResponse>,
    phase: CallbackPhase,
}

enum CallbackPhase {
    Start,
    Taken,
    Exchanging(ExchangeCode, Option<Json>),
    Done,
}

impl HandleRedirectCallback {
    pub(super) fn new(c: Rc<Shared>, url: &str) -> HandleRedirectCallback {
        HandleRedirectCallback { c, response: AuthorizationResponse::from_redirect_url(url), phase: CallbackPhase::Start }
    }
}

impl Machine for HandleRedirectCallback {
    type Output = Redirected;

    fn step(&mut self, reply: Reply) -> Step<Redirected> {
        let c = &self.c;
        match std::mem::replace(&mut self.phase, CallbackPhase::Done) {
            CallbackPhase::Start => {
                if let Err(e) = &self.response {
                    return Step::Done(Err(e.clone()));
                }
                self.phase = CallbackPhase::Taken;
                Step::Io(Io::TakeTransaction(transaction_key(c.client_id())))
            }
            CallbackPhase::Taken => {
                let response = match &self.response {
                    Ok(r) => r,
                    Err(e) => return Step::Done(Err(e.clone())),
                };
                let text = reply.text();
                let Some(transaction) = text.as_deref().and_then(LoginTransaction::parse) else {
                    return Step::Done(match text.as_deref().and_then(ConnectTransaction::parse) {
                        Some(tx) => validate_connect(response, &tx, &c.options.issuer).map(Redirected::Connect),
                        None => Err(Error::missing_transaction()),
                    });
                };
                let validated = match validate_redirect(response, Some(&transaction), &c.options.issuer) {
                    Ok(v) => v,
                    Err(mut e) => {
                        e.app_state = transaction.app_state.clone();
                        return Step::Done(Err(e));
                    }
                };
                let key = CacheKey::new(c.client_id(), Some(&transaction.audience), &transaction.scope);
                let grant = CodeGrant {
                    code: validated.code().to_owned(),
                    code_verifier: transaction.code_verifier,
                    redirect_uri: transaction.redirect_uri,
                    nonce: transaction.nonce,
                    organization: transaction.organization,
                    extra: Vec::new(),
                };
                let exchange = ExchangeCode::new(c, &grant, key, c.session_generation.get());
                self.phase = CallbackPhase::Exchanging(exchange, transaction.app_state);
                self.step(Reply::Start)
            }
            CallbackPhase::Exchanging(mut exchange, app_state) => match exchange.step(c, reply) {
                Step::Io(io) => {
                    self.phase = CallbackPhase::Exchanging(exchange, app_state);
                    Step::Io(io)
                }
                Step::Done(r) => Step::Done(r.map(|_| Redirected::Login(app_state))),
            },
            CallbackPhase::Done => Step::Done(Err(finished())),
        }
    }
}

/// `loginWithPopup`: runs `/authorize` with `web_message` in the popup the driver was given, then
/// exchanges the code. Yields the cache key the tokens were stored under.
pub struct LoginWithPopup {
    c: Rc<Shared>,
    inner: Popup,
}

impl LoginWithPopup {
    pub(super) fn new(c: Rc<Shared>, params: ParamList, timeout_ms: Option<u64>, close_popup: bool) -> LoginWithPopup {
        let inner = Popup::new(&c, params, timeout_ms, close_popup);
        LoginWithPopup { c, inner }
    }
}

impl Machine for LoginWithPopup {
    type Output = CacheKey;

    fn step(&mut self, reply: Reply) -> Step<CacheKey> {
        self.inner.step(&self.c, reply)
    }
}

/// The popup login as a sub-flow.
struct Popup {
    params: ParamList,
    timeout_ms: u64,
    close_popup: bool,
    phase: PopupPhase,
}

enum PopupPhase {
    Start,
    Synced,
    Drawn(Draw),
    Answered(PreparedAuthorize, u64),
    Exchanging(ExchangeCode, CacheKey),
    Done,
}

impl Popup {
    fn new(c: &Shared, params: ParamList, timeout_ms: Option<u64>, close_popup: bool) -> Popup {
        let timeout_ms = timeout_ms.unwrap_or(c.options.authorize_timeout_ms);
        Popup { params, timeout_ms, close_popup, phase: PopupPhase::Start }
    }

    fn step(&mut self, c: &Shared, reply: Reply) -> Step<CacheKey> {
        match std::mem::replace(&mut self.phase, PopupPhase::Done) {
            PopupPhase::Start => {
                self.phase = PopupPhase::Synced;
                Step::Io(Io::TakeRemoteLogout)
            }
            PopupPhase::Synced => {
                noted_remote_logout(c, &reply);
                self.phase = PopupPhase::Drawn(Draw::new());
                self.step(c, Reply::Start)
            }
            PopupPhase::Drawn(mut draw) => match draw.step(c, reply) {
                Step::Io(io) => {
                    self.phase = PopupPhase::Drawn(draw);
                    Step::Io(io)
                }
                Step::Done(drawn) => match drawn.and_then(|drawn| prepare(c, &self.params, ResponseMode::WebMessage, drawn)) {
                Ok(prepared) => {
                    let frame = Frame { url: prepared.url.clone(), origin: origin_of(&c.options.base_url), state: prepared.state.clone(), timeout_ms: clamp_ms(self.timeout_ms) };
                    self.phase = PopupPhase::Answered(prepared, c.session_generation.get());
                    Step::Io(Io::Popup(frame, self.close_popup))
                }
                Err(e) => Step::Done(Err(e)),
                },
            },
            PopupPhase::Answered(prepared, generation) => {
                let validated = match reply.message().and_then(|m| validate(&AuthorizationResponse::from_web_message(&m), &prepared.state, &c.options.issuer)) {
                    Ok(v) => v,
                    Err(e) => return Step::Done(Err(e)),
                };
                let key = CacheKey::new(c.client_id(), Some(&prepared.audience), &prepared.scope);
                let grant = CodeGrant::from_prepared(prepared, validated.code(), Vec::new());
                self.phase = PopupPhase::Exchanging(ExchangeCode::new(c, &grant, key.clone(), generation), key);
                self.step(c, Reply::Start)
            }
            PopupPhase::Exchanging(mut exchange, key) => match exchange.step(c, reply) {
                Step::Io(io) => {
                    self.phase = PopupPhase::Exchanging(exchange, key);
                    Step::Io(io)
                }
                Step::Done(r) => Step::Done(r.map(|_| key)),
            },
            PopupPhase::Done => Step::Done(Err(finished())),
        }
    }
}

/// `getTokenWithPopup`: a popup login for the merged params and computed scope, then the access
/// token from the cache (§1.4; 60 s popup timeout unless given).
pub struct GetTokenWithPopup {
    c: Rc<Shared>,
    key: CacheKey,
    popup: Popup,
    read: Option<ReadEntry>,
}

impl GetTokenWithPopup {
    pub(super) fn new(c: Rc<Shared>, call_params: &ParamList, timeout_ms: Option<u64>, close_popup: bool) -> GetTokenWithPopup {
        let (_, key) = c.request_key(call_params);
        let mut params = call_params.clone();
        params.set("scope", &key.scope);
        params.set("audience", &key.audience);
        if key.audience == DEFAULT_AUDIENCE && call_params.get("audience").is_none() && c.options.audience().is_none() {
            params.remove("audience");
        }
        let popup = Popup::new(&c, params, Some(timeout_ms.unwrap_or(POPUP_TOKEN_TIMEOUT_MS)), close_popup);
        GetTokenWithPopup { c, key, popup, read: None }
    }
}

impl Machine for GetTokenWithPopup {
    type Output = String;

    fn step(&mut self, mut reply: Reply) -> Step<String> {
        let c = &self.c;
        if self.read.is_none() {
            match self.popup.step(c, reply) {
                Step::Io(io) => return Step::Io(io),
                Step::Done(Err(e)) => return Step::Done(Err(e)),
                Step::Done(Ok(_)) => {}
            }
            self.read = Some(ReadEntry::new(c, self.key.clone()));
            reply = Reply::Start;
        }
        let Some(read) = &mut self.read else {
            return Step::Done(Err(finished()));
        };
        match read.step(c, reply) {
            Step::Io(io) => Step::Io(io),
            Step::Done(entry) => {
                let missing = || Error::generic("missing_access_token", "No access token available");
                Step::Done(entry.ok().flatten().and_then(|e| e.access_token().map(str::to_owned)).ok_or_else(missing))
            }
        }
    }
}
