//! `revokeRefreshToken({ audience })` (docs/behaviour.md §2.11, RFC 7009): each distinct refresh
//! token the client holds for the audience is revoked at `/oauth/revoke`, then leaves the cache
//! (access tokens stay). Also what `logout({ revokeRefreshTokens: true })` runs first, for every
//! audience: the tokens then stop working at the server, not only in this browser.

use super::io::{finished, Io, Machine, Reply, Step};
use super::clear::{ClearLocalSession, ForgetToken};
use super::entries::ClientEntries;
use super::{clamp_ms, lock_name, Shared, LOCK_TIMEOUT_MS};
use crate::core::scope::DEFAULT_AUDIENCE;
use crate::core::token::parse_revoke_response;
use crate::core::Error;
use std::rc::Rc;

/// Revokes the refresh tokens of one audience, or of every audience (`None`).
pub(super) struct Revoke {
    audience: Option<String>,
    phase: Phase,
}

enum Phase {
    Start,
    Locked,
    Listing(ClientEntries),
    Revoking(Vec<String>),
    Forgetting(ForgetToken, Vec<String>),
    Done,
}

impl Revoke {
    pub(super) fn new(audience: Option<String>) -> Revoke {
        Revoke { audience, phase: Phase::Start }
    }

    pub(super) fn step(&mut self, c: &Shared, mut reply: Reply) -> Step<()> {
        loop {
            match std::mem::replace(&mut self.phase, Phase::Done) {
                Phase::Start => {
                    // No refresh tokens are kept without useRefreshTokens (auth0-spa-js: a no-op).
                    if !c.options.use_refresh_tokens {
                        return Step::Done(Ok(()));
                    }
                    // Under the audience's refresh lock, so no renewal rotates a token meanwhile.
                    self.phase = Phase::Locked;
                    if let Some(audience) = &self.audience {
                        // The renewal lock of the audience (the client's with MRRT, see silent.rs).
                        let audience = (!c.options.mrrt()).then_some(audience.as_str());
                        return Step::Io(Io::Lock(lock_name("getTokenSilently", c.client_id(), audience), LOCK_TIMEOUT_MS, false));
                    }
                    reply = Reply::Outcome(Ok(()));
                    continue;
                }
                Phase::Locked => {
                    if let Err(e) = reply.outcome() {
                        return Step::Done(Err(e));
                    }
                    self.phase = Phase::Listing(ClientEntries::new());
                }
                Phase::Listing(mut list) => {
                    let entries = match list.step(c, reply) {
                        Step::Io(io) => {
                            self.phase = Phase::Listing(list);
                            return Step::Io(io);
                        }
                        Step::Done(entries) => entries.unwrap_or_default(),
                    };
                    let mut tokens: Vec<String> = Vec::new();
                    for (_, entry) in &entries {
                        let audience_matches = self.audience.as_deref().is_none_or(|a| entry.audience().unwrap_or(DEFAULT_AUDIENCE) == a);
                        if let Some(token) = entry.refresh_token().filter(|_| audience_matches) {
                            if !tokens.iter().any(|t| t == token) {
                                tokens.push(token.to_owned());
                            }
                        }
                    }
                    self.phase = Phase::Revoking(tokens);
                    reply = Reply::Start;
                    continue;
                }
                Phase::Revoking(mut tokens) => {
                    // A reply here answers the request for the last token of the list.
                    if reply != Reply::Start {
                        let Some(done) = tokens.pop() else {
                            return Step::Done(Err(finished()));
                        };
                        if let Err(e) = reply.response().and_then(|r| parse_revoke_response(&r)) {
                            return Step::Done(Err(e));
                        }
                        self.phase = Phase::Forgetting(ForgetToken::new(done), tokens);
                        reply = Reply::Start;
                        continue;
                    }
                    let Some(next) = tokens.last() else {
                        return Step::Done(Ok(()));
                    };
                    let request = c.token_endpoint.revoke(next);
                    self.phase = Phase::Revoking(tokens);
                    return Step::Io(Io::Http(request, clamp_ms(c.options.http_timeout_ms)));
                }
                Phase::Forgetting(mut forget, tokens) => {
                    if let Step::Io(io) = forget.step(c, reply) {
                        self.phase = Phase::Forgetting(forget, tokens);
                        return Step::Io(io);
                    }
                    self.phase = Phase::Revoking(tokens);
                    reply = Reply::Start;
                    continue;
                }
                Phase::Done => return Step::Done(Err(finished())),
            }
            reply = Reply::Start;
        }
    }
}

/// The flow of `revokeRefreshToken({ audience })`: audience = option ‖ client ‖ `default`. In
/// online mode the refresh token is bound to the server session, which its revocation ends, so
/// the local session ends too (auth0-spa-js 2.23+): no stale user or access token stays visible.
pub struct RevokeRefreshToken {
    c: Rc<Shared>,
    revoke: Revoke,
    ending: Option<ClearLocalSession>,
}

impl RevokeRefreshToken {
    pub(super) fn new(c: Rc<Shared>, audience: Option<&str>) -> RevokeRefreshToken {
        let audience = audience.filter(|a| !a.is_empty()).or(c.options.audience()).unwrap_or(DEFAULT_AUDIENCE).to_owned();
        RevokeRefreshToken { c, revoke: Revoke::new(Some(audience)), ending: None }
    }
}

impl Machine for RevokeRefreshToken {
    type Output = ();

    fn step(&mut self, mut reply: Reply) -> Step<()> {
        if self.ending.is_none() {
            match self.revoke.step(&self.c, reply) {
                Step::Done(Ok(())) if self.c.options.online_refresh() && self.c.options.use_refresh_tokens => {
                    self.ending = Some(ClearLocalSession::new(Some(self.c.client_id())));
                    reply = Reply::Start;
                }
                other => return other,
            }
        }
        match &mut self.ending {
            Some(end) => end.step(&self.c, reply),
            None => Step::Done(Err(finished())),
        }
    }
}

/// A failed revocation during `logout({ revokeRefreshTokens: true })`: the local session still
/// ends, and the app is told the tokens may still be valid at the server.
pub(super) fn logout_revoke_warning(e: &Error) -> String {
    let mut m = String::from("auth0-spa-wasm: logout could not revoke the refresh tokens at the server (they may stay valid until they expire): ");
    m.push_str(&e.description);
    m
}

