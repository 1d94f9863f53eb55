//! `client.mfa` (auth0-spa-js 2.28.3's `MfaApiClient`, docs/behaviour.md §1.5): the MFA context
//! kept per `mfa_token` when a token request answers `mfa_required`, and `verify`, whose MFA grant
//! is stored like a login. Listing, enrolling and challenging authenticators are JavaScript
//! loaded on first use (`js/mfa-api.js`); they read the context through [`MfaLookup`].

use std::rc::Rc;

use super::entries::{ClientEntries, ReadEntry};
use super::exchange::ExchangeCode;
use super::io::{finished, Io, Machine, Reply, Step};
use super::store::WriteAll;
use super::Shared;
use crate::core::cache::CacheKey;
use crate::core::json::Json;
use crate::core::mfa::{enrollment_factors, verify_body, verify_grant_type, MfaContext, CONTEXT_NOT_FOUND, LIST_CONTEXT_NOT_FOUND, NO_GRANT_TYPE};
use crate::core::rotation::propagate_rotation;
use crate::core::scope::DEFAULT_AUDIENCE;
use crate::core::token::TokenResponse;
use crate::core::{Error, ErrorClass};

/// Remembers the context of an `mfa_required` answer, as auth0-spa-js's `_requestToken` does for
/// every grant but `authorization_code`: a flow hands it its failure ([`NoteMfa::fail`]); an
/// `MfaRequiredError` with a token waits for the clock, is recorded, then returned.
pub(super) struct NoteMfa {
    scope: Option<String>,
    audience: Option<String>,
    held: Option<Error>,
}

impl NoteMfa {
    /// For a request of `scope` and `audience` (`None`: the client's default).
    pub(super) fn new(scope: Option<String>, audience: Option<String>) -> NoteMfa {
        NoteMfa { scope, audience, held: None }
    }

    /// Ends the flow with `e`; an `mfa_required` with a token asks for the clock first.
    pub(super) fn fail<T>(&mut self, e: Error) -> Step<T> {
        if e.class == ErrorClass::MfaRequired && e.mfa_token.is_some() {
            self.held = Some(e);
            return Step::Io(Io::Now);
        }
        Step::Done(Err(e))
    }

    /// Whether an error waits for the clock ([`NoteMfa::finish`] takes the reply).
    pub(super) fn holding(&self) -> bool {
        self.held.is_some()
    }

    /// Records the held error's context at the clock's time and returns the error.
    pub(super) fn finish<T>(&mut self, c: &Shared, reply: Reply) -> Step<T> {
        let Some(e) = self.held.take() else {
            return Step::Done(Err(finished()));
        };
        if let Some(token) = e.mfa_token.as_deref() {
            let context = MfaContext::new(self.scope.clone(), self.audience.clone(), e.mfa_requirements.clone());
            c.mfa.borrow_mut().remember(token, context, reply.time());
        }
        Step::Done(Err(e))
    }
}

/// What [`MfaLookup`] answers for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MfaLookupFor {
    /// `getAuthenticators`: the context (its `mfaRequirements.challenge` filters the list).
    Authenticators,
    /// `getEnrollmentFactors`: the `enroll` list.
    EnrollmentFactors,
}

/// Reads the context of an `mfa_token` at the client's clock, for the JS half of
/// `getAuthenticators` and for `getEnrollmentFactors`, with auth0-spa-js's errors when none is
/// kept.
pub struct MfaLookup {
    c: Rc<Shared>,
    token: String,
    purpose: MfaLookupFor,
}

impl MfaLookup {
    pub(super) fn new(c: Rc<Shared>, token: &str, purpose: MfaLookupFor) -> MfaLookup {
        MfaLookup { c, token: token.to_owned(), purpose }
    }
}

impl Machine for MfaLookup {
    type Output = Json;

    fn step(&mut self, reply: Reply) -> Step<Json> {
        if reply == Reply::Start {
            return Step::Io(Io::Now);
        }
        let mut contexts = self.c.mfa.borrow_mut();
        let context = contexts.get(&self.token, reply.time());
        Step::Done(match self.purpose {
            MfaLookupFor::Authenticators => context.map(MfaContext::to_json).ok_or_else(|| Error::new(ErrorClass::MfaListAuthenticators, "invalid_request", LIST_CONTEXT_NOT_FOUND)),
            MfaLookupFor::EnrollmentFactors => enrollment_factors(context),
        })
    }
}

/// `mfa.setMFAAuthDetails(mfaToken, scope, audience, mfaRequirements)`: records a context at the
/// client's clock.
pub struct MfaRemember {
    c: Rc<Shared>,
    token: String,
    context: Option<MfaContext>,
}

impl MfaRemember {
    pub(super) fn new(c: Rc<Shared>, token: &str, context: MfaContext) -> MfaRemember {
        MfaRemember { c, token: token.to_owned(), context: Some(context) }
    }
}

impl Machine for MfaRemember {
    type Output = ();

    fn step(&mut self, reply: Reply) -> Step<()> {
        if reply == Reply::Start {
            return Step::Io(Io::Now);
        }
        match self.context.take() {
            Some(context) => {
                self.c.mfa.borrow_mut().remember(&self.token, context, reply.time());
                Step::Done(Ok(()))
            }
            None => Step::Done(Err(finished())),
        }
    }
}

/// `mfa.verify({ mfaToken, otp | oobCode (+ bindingCode) | recoveryCode })`: the MFA grant for
/// the context's scope and audience, checked and stored as a login is (ID token, cache entry and
/// user, session cookies); a new refresh token then replaces the one the cache held for that key
/// in every entry (auth0-spa-js's `_propagateRotatedRefreshToken`). Yields the token response
/// without its refresh token, which stays in the cache, out of the page's reach (as
/// `loginWithCustomTokenExchange` does). The MFA grant consumes no refresh token, so no refresh
/// token the server rotated away can be presented here, and no lock is taken (as auth0-spa-js).
pub struct MfaVerify {
    c: Rc<Shared>,
    /// The `mfa_token`. Secret: never printed.
    token: String,
    params: Json,
    note: NoteMfa,
    phase: Phase,
}

enum Phase {
    Clock,
    Previous(ReadEntry, CacheKey, &'static str),
    Exchanging(Box<ExchangeCode>, CacheKey, Option<String>),
    Entries(ClientEntries, CacheKey, (String, String), Json),
    Rotating(WriteAll, Json),
    Done,
}

impl MfaVerify {
    pub(super) fn new(c: Rc<Shared>, params: &Json) -> MfaVerify {
        let token = params.str_field("mfaToken").unwrap_or_default().to_owned();
        MfaVerify { c, token, params: params.clone(), note: NoteMfa::new(None, None), phase: Phase::Clock }
    }

    fn fail(code: &str, description: &str) -> Step<Json> {
        Step::Done(Err(Error::new(ErrorClass::MfaVerify, code, description)))
    }

    /// The answer: the token response without its refresh token.
    fn answer(response: Option<&TokenResponse>) -> Json {
        let mut body = response.map(TokenResponse::to_json).unwrap_or(Json::Null);
        body.remove("refresh_token");
        body
    }

    fn run(&mut self, mut reply: Reply) -> Step<Json> {
        let c = &*self.c;
        loop {
            match std::mem::replace(&mut self.phase, Phase::Done) {
                Phase::Clock => {
                    if reply == Reply::Start {
                        self.phase = Phase::Clock;
                        return Step::Io(Io::Now);
                    }
                    let Some(context) = c.mfa.borrow_mut().get(&self.token, reply.time()).cloned() else {
                        return Self::fail("mfa_context_not_found", CONTEXT_NOT_FOUND);
                    };
                    let Some(grant) = verify_grant_type(&self.params) else {
                        return Self::fail("invalid_request", NO_GRANT_TYPE);
                    };
                    let audience = context.audience.as_deref().unwrap_or(DEFAULT_AUDIENCE);
                    let scope = match &context.scope {
                        Some(s) => s.clone(),
                        None => c.options.scope.scopes_to_request(None, Some(audience)),
                    };
                    let key = CacheKey::new(c.client_id(), Some(audience), &scope);
                    // A second `mfa_required` (another factor) is remembered for the same request.
                    self.note = NoteMfa::new(Some(scope), context.audience.clone());
                    self.phase = Phase::Previous(ReadEntry::new(c, key.clone()), key, grant);
                }
                Phase::Previous(mut read, key, grant) => {
                    let previous = match read.step(c, reply) {
                        Step::Io(io) => {
                            self.phase = Phase::Previous(read, key, grant);
                            return Step::Io(io);
                        }
                        Step::Done(entry) => entry.ok().flatten().and_then(|e| e.refresh_token().map(str::to_owned)),
                    };
                    let request = c.token_endpoint.grant(&verify_body(grant, &self.params, &self.token));
                    let exchange = ExchangeCode::with_request(c, request, None, None, key.clone(), c.session_generation.get()).refused_as(ErrorClass::MfaVerify).keeping(previous.clone());
                    self.phase = Phase::Exchanging(Box::new(exchange), key, previous);
                }
                Phase::Exchanging(mut exchange, key, previous) => match exchange.step(c, reply) {
                    Step::Io(io) => {
                        self.phase = Phase::Exchanging(exchange, key, previous);
                        return Step::Io(io);
                    }
                    Step::Done(Err(e)) => return self.note.fail(e),
                    Step::Done(Ok(_)) => {
                        c.mfa.borrow_mut().remove(&self.token);
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
                    let writes: Vec<(String, String)> = propagate_rotation(c.client_id(), &old, Some(&new), Some(&key.to_key()), &entries, c.options.use_mrrt)
                        .into_iter()
                        .map(|(k, e)| (k, e.to_json_string()))
                        .collect();
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

impl Machine for MfaVerify {
    type Output = Json;

    fn step(&mut self, reply: Reply) -> Step<Json> {
        if self.note.holding() {
            return self.note.finish(&self.c, reply);
        }
        self.run(reply)
    }
}
