//! The hidden-iframe path of `getTokenSilently` (docs/behaviour.md §2.7): `/authorize` with
//! `prompt=none` and `response_mode=web_message`, serialised per client, then the code exchange.

use super::exchange::{CodeGrant, ExchangeCode};
use super::dpop::Draw;
use super::io::{finished, Frame, Io, Reply, Step};
use super::clear::ClearLocalSession;
use super::{clamp_ms, lock_name, organization_hint_cookie, prepare, GetTokenOptions, Shared, TokenResult, TokenSource, CROSS_ORIGIN_ISOLATED_MESSAGE, LOCK_TIMEOUT_MS};
use crate::core::authorize::{PreparedAuthorize, ResponseMode};
use crate::core::cache::CacheKey;
use crate::core::callback::{validate, AuthorizationResponse};
use crate::core::json::Json;
use crate::core::options::ParamList;
use crate::core::scope::DEFAULT_AUDIENCE;
use crate::core::Error;

/// One silent authentication through the hidden iframe, its result stored under `key`.
pub(super) struct Iframe {
    key: CacheKey,
    params: ParamList,
    timeout_ms: u64,
    generation: u64,
    phase: Phase,
}

enum Phase {
    Start,
    Locked,
    Hint,
    Drawn(Draw),
    Answered(PreparedAuthorize),
    Ending(ClearLocalSession, Error),
    Exchanging(ExchangeCode),
    Done,
}

impl Iframe {
    pub(super) fn new(c: &Shared, key: CacheKey, params: &ParamList, options: &GetTokenOptions) -> Iframe {
        let mut call = params.clone();
        call.set("scope", &key.scope);
        if key.audience != DEFAULT_AUDIENCE {
            call.set("audience", &key.audience);
        }
        call.set("prompt", "none");
        let timeout_ms = options.timeout_ms.unwrap_or(c.options.authorize_timeout_ms);
        Iframe { key, params: call, timeout_ms, generation: 0, phase: Phase::Start }
    }

    // Not inlined into `Silent::step`: a page whose first call is a cache hit (every start-up
    // with a stored session) then never compiles the renewal (docs/performance.md, "Start-up").
    #[inline(never)]
    pub(super) fn step(&mut self, c: &Shared, mut reply: Reply) -> Step<TokenResult> {
        loop {
            match std::mem::replace(&mut self.phase, Phase::Done) {
                Phase::Start => {
                    if c.env.cross_origin_isolated {
                        return Step::Done(Err(Error::login_required(CROSS_ORIGIN_ISOLATED_MESSAGE)));
                    }
                    self.phase = Phase::Locked;
                    return Step::Io(Io::Lock(lock_name("getTokenFromIFrame", c.client_id(), None), LOCK_TIMEOUT_MS, false));
                }
                Phase::Locked => {
                    if let Err(e) = reply.outcome() {
                        return Step::Done(Err(e));
                    }
                    if self.params.get_truthy("organization").is_some() {
                        self.phase = Phase::Hint;
                        reply = Reply::Texts(Vec::new());
                        continue;
                    }
                    self.phase = Phase::Hint;
                    return Step::Io(Io::CookieGet(organization_hint_cookie(c.client_id())));
                }
                Phase::Hint => {
                    let hint = reply.text().and_then(|v| Json::parse(&v).ok());
                    if let Some(org) = hint.as_ref().and_then(Json::as_str) {
                        self.params.set("organization", org);
                    }
                    self.phase = Phase::Drawn(Draw::new());
                }
                Phase::Drawn(mut draw) => {
                    let drawn = match draw.step(c, reply) {
                        Step::Io(io) => {
                            self.phase = Phase::Drawn(draw);
                            return Step::Io(io);
                        }
                        Step::Done(drawn) => drawn,
                    };
                    let prepared = match drawn.and_then(|drawn| prepare(c, &self.params, ResponseMode::WebMessage, drawn)) {
                        Ok(p) => p,
                        Err(e) => return Step::Done(Err(e)),
                    };
                    self.generation = c.session_generation.get();
                    let frame = Frame {
                        url: prepared.url.clone(),
                        origin: super::origin_of(&c.options.base_url),
                        state: prepared.state.clone(),
                        timeout_ms: clamp_ms(self.timeout_ms),
                    };
                    self.phase = Phase::Answered(prepared);
                    return Step::Io(Io::Iframe(frame));
                }
                Phase::Answered(prepared) => {
                    let validated = reply.message().and_then(|m| validate(&AuthorizationResponse::from_web_message(&m), &prepared.state, &c.options.issuer));
                    let validated = match validated {
                        Ok(v) => v,
                        // auth0-spa-js logs out locally when the server session is gone
                        // (§2.7), but keeps it for an MFA step-up the popup handler will do.
                        Err(e) if e.error == "login_required" && !(c.options.popup_on_interaction() && e.is_mfa_step_up()) => {
                            self.phase = Phase::Ending(ClearLocalSession::new(Some(c.client_id())), e);
                            reply = Reply::Start;
                            continue;
                        }
                        Err(e) => return Step::Done(Err(e)),
                    };
                    let mut extra = self.params.clone();
                    extra.remove("prompt");
                    let grant = CodeGrant::from_prepared(prepared, validated.code(), extra.pairs().to_vec());
                    self.phase = Phase::Exchanging(ExchangeCode::new(c, &grant, self.key.clone(), self.generation));
                }
                Phase::Ending(mut end, e) => {
                    if let Step::Io(io) = end.step(c, reply) {
                        self.phase = Phase::Ending(end, e);
                        return Step::Io(io);
                    }
                    return Step::Done(Err(e));
                }
                Phase::Exchanging(mut exchange) => {
                    return match exchange.step(c, reply) {
                        Step::Io(io) => {
                            self.phase = Phase::Exchanging(exchange);
                            Step::Io(io)
                        }
                        Step::Done(r) => Step::Done(r.map(|(entry, id)| TokenResult::from(&entry, &id, TokenSource::Iframe))),
                    };
                }
                Phase::Done => return Step::Done(Err(finished())),
            }
            reply = Reply::Start;
        }
    }
}
