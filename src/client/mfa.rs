//! `client.mfa.verify()` (auth0-spa-js 2.28.3's `MfaApiClient`, docs/behaviour.md §1.5): the MFA
//! grant, stored like a login. Everything else of `client.mfa` is JavaScript: the context kept per
//! `mfa_token` (js/mfa.js, from the `scope` and `audience` an `mfa_required` error names,
//! [`crate::core::Error::for_request`]), and, loaded on first use, the choice of grant and its body
//! and the `/mfa/authenticators`, `/mfa/associate` and `/mfa/challenge` calls (js/mfa-api.js).

use std::rc::Rc;

use super::entries::{rotation_writes, ClientEntries, ReadEntry};
use super::exchange::ExchangeCode;
use super::io::{finished, Machine, Reply, Step};
use super::store::WriteAll;
use super::Shared;
use crate::core::cache::CacheKey;
use crate::core::json::Json;
use crate::core::scope::DEFAULT_AUDIENCE;
use crate::core::token::TokenResponse;
use crate::core::{Error, ErrorClass, Result};

/// What `verify` sends and where its answer goes: the grant's body after `client_id` (assembled by
/// js/mfa-api.js: `grant_type`, the code, `mfa_token`), and the scope and audience of the request
/// that answered `mfa_required` (its context), which name the cache key (no scope: the client's
/// for that audience, as a `setMFAAuthDetails` without one leaves it).
pub struct MfaGrant {
    body: Vec<(String, String)>,
    scope: Option<String>,
    audience: Option<String>,
}

impl std::fmt::Debug for MfaGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The body holds the mfa_token and the code: never printed.
        write!(f, "MfaGrant({} fields, scope {:?}, audience {:?})", self.body.len(), self.scope, self.audience)
    }
}

impl MfaGrant {
    /// Reads `{ body: [[name, value], ...], scope?, audience? }` (js/mfa.js). A body that is not a
    /// list of text pairs is an `invalid_request` before anything is sent.
    pub fn from_json(args: &Json) -> Result<MfaGrant> {
        let invalid = || Error::new(ErrorClass::MfaVerify, "invalid_request", "mfa.verify: malformed grant");
        let pair = |p: &Json| match p {
            Json::Array(kv) => match kv.as_slice() {
                [Json::String(k), Json::String(v)] => Some((k.clone(), v.clone())),
                _ => None,
            },
            _ => None,
        };
        let body = match args.get("body") {
            Some(Json::Array(pairs)) if !pairs.is_empty() => pairs.iter().map(pair).collect::<Option<Vec<_>>>().ok_or_else(invalid)?,
            _ => return Err(invalid()),
        };
        let scope = args.str_field("scope").filter(|s| !s.is_empty()).map(str::to_owned);
        let audience = args.str_field("audience").filter(|a| !a.is_empty()).map(str::to_owned);
        Ok(MfaGrant { body, scope, audience })
    }
}

/// `mfa.verify(...)`: the MFA grant, checked and stored as a login is (ID token, cache entry and
/// user, session cookies); a new refresh token then replaces the one the cache held for that key
/// in every entry (auth0-spa-js's `_propagateRotatedRefreshToken`). Yields the token response
/// without its refresh token, which stays in the cache, out of the page's reach (as
/// `loginWithCustomTokenExchange` does). The MFA grant consumes no refresh token, so no refresh
/// token the server rotated away can be presented here, and no lock is taken (as auth0-spa-js).
pub struct MfaVerify {
    c: Rc<Shared>,
    grant: Result<MfaGrant>,
    /// The scope of the cache key (the grant's, or the client's default).
    scope: String,
    phase: Phase,
}

enum Phase {
    Previous(ReadEntry, CacheKey),
    Exchanging(Box<ExchangeCode>, CacheKey, Option<String>),
    Entries(ClientEntries, CacheKey, (String, String), Json),
    Rotating(WriteAll, Json),
    Done,
}

impl MfaVerify {
    pub(super) fn new(c: Rc<Shared>, args: &Json) -> MfaVerify {
        let grant = MfaGrant::from_json(args);
        let (scope, phase) = match &grant {
            Ok(g) => {
                let audience = g.audience.as_deref().unwrap_or(DEFAULT_AUDIENCE);
                let scope = g.scope.clone().unwrap_or_else(|| c.options.scope.scopes_to_request(None, Some(audience)));
                let key = CacheKey::new(c.client_id(), Some(audience), &scope);
                (scope, Phase::Previous(ReadEntry::new(&c, key.clone()), key))
            }
            Err(_) => (String::new(), Phase::Done),
        };
        MfaVerify { c, grant, scope, phase }
    }

    /// The answer: the token response without its refresh token.
    fn answer(response: Option<&TokenResponse>) -> Json {
        let mut body = response.map(TokenResponse::to_json).unwrap_or(Json::Null);
        body.remove("refresh_token");
        body
    }
}

impl Machine for MfaVerify {
    type Output = Json;

    fn step(&mut self, mut reply: Reply) -> Step<Json> {
        let c = &*self.c;
        if self.grant.is_err() {
            // Malformed arguments: refused before anything is sent (then, if stepped again, finished).
            return Step::Done(Err(std::mem::replace(&mut self.grant, Err(finished())).err().unwrap_or_else(finished)));
        }
        let Ok(grant) = &self.grant else { return Step::Done(Err(finished())) };
        loop {
            match std::mem::replace(&mut self.phase, Phase::Done) {
                Phase::Previous(mut read, key) => {
                    let previous = match read.step(c, reply) {
                        Step::Io(io) => {
                            self.phase = Phase::Previous(read, key);
                            return Step::Io(io);
                        }
                        Step::Done(entry) => entry.ok().flatten().and_then(|e| e.refresh_token().map(str::to_owned)),
                    };
                    let request = c.token_endpoint.grant(&grant.body);
                    let exchange = ExchangeCode::with_request(c, request, None, None, key.clone(), c.session_generation.get()).refused_as(ErrorClass::MfaVerify).keeping(previous.clone());
                    self.phase = Phase::Exchanging(Box::new(exchange), key, previous);
                }
                Phase::Exchanging(mut exchange, key, previous) => match exchange.step(c, reply) {
                    Step::Io(io) => {
                        self.phase = Phase::Exchanging(exchange, key, previous);
                        return Step::Io(io);
                    }
                    // A second factor may be asked for: the same request's context again.
                    Step::Done(Err(e)) => return Step::Done(Err(e.for_request(&self.scope, grant.audience.as_deref()))),
                    Step::Done(Ok(_)) => {
                        let answer = Self::answer(exchange.response());
                        let new = exchange.response().and_then(|r| r.refresh_token.clone());
                        match (previous, new) {
                            (Some(old), Some(new)) if old != new => self.phase = Phase::Entries(ClientEntries::new(), key, (old, new), answer),
                            _ => return Step::Done(Ok(answer)),
                        }
                    }
                },
                Phase::Entries(mut entries, key, (old, new), answer) => {
                    let entries = match entries.step(c, reply) {
                        Step::Io(io) => {
                            self.phase = Phase::Entries(entries, key, (old, new), answer);
                            return Step::Io(io);
                        }
                        Step::Done(e) => e.unwrap_or_default(),
                    };
                    // Every other entry that held the old refresh token gets the new one.
                    let writes = rotation_writes(c, &old, Some(&new), Some(&key.to_key()), &entries);
                    if writes.is_empty() {
                        return Step::Done(Ok(answer));
                    }
                    self.phase = Phase::Rotating(WriteAll::new(writes), answer);
                }
                Phase::Rotating(mut write, answer) => {
                    if let Step::Io(io) = write.step(c, reply) {
                        self.phase = Phase::Rotating(write, answer);
                        return Step::Io(io);
                    }
                    return Step::Done(Ok(answer));
                }
                Phase::Done => return Step::Done(Err(finished())),
            }
            reply = Reply::Start;
        }
    }
}
