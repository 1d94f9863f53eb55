//! The refresh-token path of `getTokenSilently` (docs/behaviour.md §2.6), run while the caller
//! holds the per-audience lock: present the newest refresh token exactly once, and make a rotation
//! stick whatever happens to the rest of the response.
//!
//! * Another tab may have rotated the token just before handing over the lock, with its
//!   localStorage write still on the way: a token marked spent is never presented (F6, F10).
//!   Only a cache others can read needs these marks ([`super::Env::cache_shared`]).
//! * What is kept after a response is decided by one rule, [`plan_after_refresh`]; what happens
//!   after a failure by another, [`plan_after_failure`] (both with table tests in
//!   `core::rotation`).

use super::dpop::TokenCall;
use super::iframe::Iframe;
use super::io::{finished, Io, Reply, Step};
use super::clear::{ClearLocalSession, ForgetToken, SyncRemoteLogout};
use super::entries::{rotation_writes, CachedToken, ClientEntries, ReadEntry, ReadIdToken};
use super::store::{same_session, WriteAll};
use super::{clamp_ms, GetTokenOptions, Shared, TokenResult, TokenSource};
use crate::core::cache::{user_key, AccessTokenEntry, CacheKey, IdTokenEntry};
use crate::core::http::HttpResponse;
use crate::core::id_token::{check_refresh_id_token, is_clock_error, verify_id_token, IdTokenExpectations};
use crate::core::options::ParamList;
use crate::core::rotation::{
    is_rotation, keep_refresh_token_if_absent, missing_scopes, mrrt_scope_to_request, plan_after_failure, plan_after_refresh, FailurePlan,
    RefreshFacts, RefreshPlan, RefreshedIdToken,
};
use crate::core::token::{parse_token_response, TokenResponse};
use crate::core::{Error, Result};

/// How long a tab keeps the cross-tab mark of a refresh token it has just used up. Far longer
/// than localStorage takes to reach the other tabs (tens of ms were seen under load).
pub(crate) const SPENT_MARK_HOLD_MS: u32 = 30_000;
/// How long a renewal waits for another tab's rotation to reach this tab's storage before giving
/// up with `TimeoutError` (never sending the spent token).
pub(crate) const SPENT_WAIT_MS: u32 = 2_000;
const SPENT_POLL_MS: u32 = 20;

/// The name of the cross-tab mark of a used refresh token: a SHA-256 fingerprint, never the
/// token itself (lock names are visible to every script of the origin).
pub fn spent_mark_name(client_id: &str, refresh_token: &str) -> String {
    let mut name = String::from("auth0.spent.");
    name.push_str(client_id);
    name.push('.');
    name.push_str(&crate::core::pkce::code_challenge_s256(refresh_token));
    name
}

/// The refresh-token renewal of `key`, falling back to the iframe where the options say so.
pub(super) struct Refresh {
    key: CacheKey,
    params: ParamList,
    options: GetTokenOptions,
    token: String,
    /// The cross-tab spent mark of `token`, when the cache is shared ([`Refresh::choose`]).
    mark: Option<String>,
    generation: u64,
    /// With Multi-Resource Refresh Tokens: the scope asked of the server and whether it may be
    /// granted less (another audience's token, or a wider scope).
    resource: Option<(String, bool)>,
    phase: Phase,
}

enum Phase {
    Reading(ReadEntry),
    Fallback(Box<Iframe>),
    CheckingSpent,
    Polling(u32),
    PolledHit(CachedToken, u32),
    PolledEntry(ReadEntry, u32),
    PolledSpent(String, String, u32),
    Sent(Box<TokenCall>),
    Clock(Result<HttpResponse>),
    Unmarking(Result<TokenResponse>),
    Saving(Box<SaveRefresh>),
    Forgetting(ForgetToken, Error, FailurePlan),
    Ending(ClearLocalSession, Error),
    Done,
}

impl Refresh {
    pub(super) fn new(c: &Shared, key: CacheKey, params: ParamList, options: GetTokenOptions) -> Refresh {
        let read = if c.options.mrrt() { ReadEntry::with_any_refresh_token(c, key.clone()) } else { ReadEntry::new(c, key.clone()) };
        Refresh { key, params, options, token: String::new(), mark: None, generation: 0, resource: None, phase: Phase::Reading(read) }
    }

    // Not inlined into `Silent::step`: a page whose first call is a cache hit (every start-up
    // with a stored session) then never compiles the renewal (docs/performance.md, "Start-up").
    #[inline(never)]
    pub(super) fn step(&mut self, c: &Shared, reply: Reply) -> Step<TokenResult> {
        match self.run(c, reply) {
            // The server's `missing_refresh_token` names no audience or scope: name ours.
            Step::Done(Err(e)) if e.error == "missing_refresh_token" => Step::Done(Err(Error::missing_refresh_token(&self.key.audience, &self.key.scope))),
            other => other,
        }
    }

    fn fallback(&mut self, c: &Shared) -> Phase {
        Phase::Fallback(Box::new(Iframe::new(c, self.key.clone(), &self.params, &self.options)))
    }

    /// Takes `token` as the one to present, with its spent mark when others can read the cache
    /// (`Env::cache_shared`): a token in this client's own memory cannot have been spent
    /// elsewhere, so it needs no mark. The one place that rule is applied.
    fn choose(&mut self, c: &Shared, token: String) {
        self.mark = c.env.cache_shared.then(|| spent_mark_name(c.client_id(), &token));
        self.token = token;
    }

    fn send(&mut self, c: &Shared) -> Step<TokenResult> {
        let redirect_uri = self.params.get_truthy("redirect_uri").unwrap_or(&c.env.page_origin).to_owned();
        let resource = self.resource.as_ref().map(|(scope, _)| (self.key.audience.as_str(), scope.as_str()));
        let request = c.token_endpoint.refresh_token(&self.token, &redirect_uri, self.params.pairs(), resource);
        self.generation = c.session_generation.get();
        let timeout = clamp_ms(self.options.timeout_ms.unwrap_or(c.options.http_timeout_ms));
        // The token is marked spent while the request is on the network (the mark costs a round
        // trip to the browser's lock manager), and unmarked at once unless the server rotated
        // it. Either way the mark is settled before the caller's lock is released, which is when
        // another tab could look.
        let mark = self.mark.clone().map(|mark| (mark, SPENT_MARK_HOLD_MS));
        let mut call = Box::new(TokenCall::new(request, timeout, mark));
        match call.step(c, Reply::Start) {
            Step::Io(io) => {
                self.phase = Phase::Sent(call);
                Step::Io(io)
            }
            Step::Done(response) => {
                self.phase = Phase::Clock(response);
                Step::Io(Io::Now)
            }
        }
    }

    fn run(&mut self, c: &Shared, mut reply: Reply) -> Step<TokenResult> {
        loop {
            match std::mem::replace(&mut self.phase, Phase::Done) {
                Phase::Reading(mut read) => {
                    let entry = match read.step(c, reply) {
                        Step::Io(io) => {
                            self.phase = Phase::Reading(read);
                            return Step::Io(io);
                        }
                        Step::Done(entry) => entry.ok().flatten(),
                    };
                    if c.options.mrrt() {
                        let found = entry.as_ref();
                        let scope = mrrt_scope_to_request(found.and_then(|e| e.audience()), found.and_then(|e| e.scope()), &self.key.audience, &self.key.scope);
                        let may_lack = found.is_some_and(|e| e.audience() != Some(self.key.audience.as_str())) || scope != self.key.scope;
                        self.resource = Some((scope.to_owned(), may_lack));
                    }
                    match entry.and_then(|e| e.refresh_token().map(str::to_owned)) {
                        Some(token) => {
                            self.choose(c, token);
                            let Some(mark) = self.mark.clone() else { return self.send(c) };
                            self.phase = Phase::CheckingSpent;
                            return Step::Io(Io::IsSpent(mark));
                        }
                        None if c.options.use_refresh_tokens_fallback => self.phase = self.fallback(c),
                        None => return Step::Done(Err(Error::missing_refresh_token(&self.key.audience, &self.key.scope))),
                    }
                }
                Phase::Fallback(mut iframe) => match iframe.step(c, reply) {
                    Step::Io(io) => {
                        self.phase = Phase::Fallback(iframe);
                        return Step::Io(io);
                    }
                    done => return done,
                },
                // Another tab may have rotated this token just before handing us the lock, with
                // its localStorage write still on the way here: never present a spent token.
                Phase::CheckingSpent => {
                    if !reply.flag() {
                        return self.send(c);
                    }
                    self.phase = Phase::Polling(0);
                    return Step::Io(Io::Sleep(SPENT_POLL_MS));
                }
                Phase::Polling(waited) => self.phase = Phase::PolledHit(CachedToken::new(c, self.key.clone()), waited + SPENT_POLL_MS),
                Phase::PolledHit(mut cached, waited) => match cached.step(c, reply) {
                    Step::Io(io) => {
                        self.phase = Phase::PolledHit(cached, waited);
                        return Step::Io(io);
                    }
                    Step::Done(Ok(Some(hit))) => return Step::Done(Ok(hit)),
                    Step::Done(_) => self.phase = Phase::PolledEntry(ReadEntry::new(c, self.key.clone()), waited),
                },
                Phase::PolledEntry(mut read, waited) => {
                    let entry = match read.step(c, reply) {
                        Step::Io(io) => {
                            self.phase = Phase::PolledEntry(read, waited);
                            return Step::Io(io);
                        }
                        Step::Done(entry) => entry.ok().flatten(),
                    };
                    match entry.and_then(|e| e.refresh_token().map(str::to_owned)).filter(|t| *t != self.token) {
                        Some(candidate) => {
                            let mark = spent_mark_name(c.client_id(), &candidate);
                            self.phase = Phase::PolledSpent(candidate, mark.clone(), waited);
                            return Step::Io(Io::IsSpent(mark));
                        }
                        None => {
                            if waited >= SPENT_WAIT_MS {
                                return Step::Done(Err(Error::timeout()));
                            }
                            self.phase = Phase::Polling(waited);
                            return Step::Io(Io::Sleep(SPENT_POLL_MS));
                        }
                    }
                }
                Phase::PolledSpent(candidate, mark, waited) => {
                    if !reply.flag() {
                        self.token = candidate;
                        self.mark = Some(mark);
                        return self.send(c);
                    }
                    if waited >= SPENT_WAIT_MS {
                        return Step::Done(Err(Error::timeout()));
                    }
                    self.phase = Phase::Polling(waited);
                    return Step::Io(Io::Sleep(SPENT_POLL_MS));
                }
                Phase::Sent(mut call) => match call.step(c, reply) {
                    Step::Io(io) => {
                        self.phase = Phase::Sent(call);
                        return Step::Io(io);
                    }
                    Step::Done(response) => {
                        self.phase = Phase::Clock(response);
                        return Step::Io(Io::Now);
                    }
                },
                Phase::Clock(response) => {
                    let now = reply.time();
                    let url = c.token_endpoint.url();
                    let outcome = response.and_then(|r| parse_token_response(&r, &url, now));
                    let rotated = matches!(&outcome, Ok(r) if is_rotation(&self.token, r.refresh_token.as_deref()));
                    if let Some(mark) = self.mark.clone().filter(|_| !rotated) {
                        self.phase = Phase::Unmarking(outcome);
                        return Step::Io(Io::UnmarkSpent(mark));
                    }
                    self.phase = Phase::Unmarking(outcome);
                }
                Phase::Unmarking(outcome) => match outcome {
                    Ok(mut response) => {
                        keep_refresh_token_if_absent(&mut response, &self.token);
                        let rotated = is_rotation(&self.token, response.refresh_token.as_deref());
                        let mut save = SaveRefresh::new(c, response, self.key.clone(), self.token.clone(), rotated, self.generation);
                        save.asked = self.resource.clone().filter(|(_, may_lack)| *may_lack).map(|(scope, _)| scope);
                        self.phase = Phase::Saving(Box::new(save));
                    }
                    Err(e) => match plan_after_failure(&e, c.options.use_refresh_tokens_fallback) {
                        FailurePlan::KeepSession => return Step::Done(Err(e)),
                        plan => self.phase = Phase::Forgetting(ForgetToken::new(self.token.clone()), e, plan),
                    },
                },
                Phase::Saving(mut save) => match save.step(c, reply) {
                    Step::Io(io) => {
                        self.phase = Phase::Saving(save);
                        return Step::Io(io);
                    }
                    // A Multi-Resource renewal granted less than asked: the iframe once, where the
                    // options allow it (§2.6 point 7).
                    Step::Done(Err(e)) if e.error == "missing_scopes" && c.options.use_refresh_tokens_fallback => self.phase = self.fallback(c),
                    done => return done,
                },
                // The server refused this refresh token (used, revoked, expired): it must never
                // be sent again (F3). Access tokens that are still valid stay.
                Phase::Forgetting(mut forget, e, plan) => {
                    if let Step::Io(io) = forget.step(c, reply) {
                        self.phase = Phase::Forgetting(forget, e, plan);
                        return Step::Io(io);
                    }
                    match plan {
                        FailurePlan::ForgetTokenAndTryIframe => self.phase = self.fallback(c),
                        FailurePlan::ForgetTokenAndEndSession => self.phase = Phase::Ending(ClearLocalSession::new(Some(c.client_id())), e),
                        FailurePlan::ForgetToken | FailurePlan::KeepSession => return Step::Done(Err(e)),
                    }
                }
                // Reuse detection or revocation: the error keeps auth0-spa-js's code, which apps
                // answer with a new login.
                Phase::Ending(mut end, e) => {
                    if let Step::Io(io) = end.step(c, reply) {
                        self.phase = Phase::Ending(end, e);
                        return Step::Io(io);
                    }
                    return Step::Done(Err(e));
                }
                Phase::Done => return Step::Done(Err(finished())),
            }
            reply = Reply::Start;
        }
    }
}

/// Applies [`plan_after_refresh`] to a refresh response.
struct SaveRefresh {
    /// With a Multi-Resource renewal that may be granted less: the scope asked for.
    asked: Option<String>,
    response: TokenResponse,
    key: CacheKey,
    old_token: String,
    rotated: bool,
    generation: u64,
    phase: SavePhase,
}

enum SavePhase {
    Clock,
    Previous(ReadIdToken, u64),
    Syncing(SyncRemoteLogout, u64, Result<IdTokenEntry>),
    Entries(ClientEntries, u64, RefreshPlan, Result<IdTokenEntry>),
    Storing(WriteAll, AccessTokenEntry, IdTokenEntry),
    Rotating(WriteAll, Error),
    Ending(ClearLocalSession, Error),
    Cookies(TokenResult),
    Done,
}

impl SaveRefresh {
    fn new(c: &Shared, response: TokenResponse, key: CacheKey, old_token: String, rotated: bool, generation: u64) -> SaveRefresh {
        let _ = c;
        SaveRefresh { asked: None, response, key, old_token, rotated, generation, phase: SavePhase::Clock }
    }

    fn expectations(c: &Shared) -> IdTokenExpectations {
        IdTokenExpectations {
            issuer: c.options.issuer.clone(),
            client_id: c.options.client_id.clone(),
            leeway_secs: c.options.leeway_seconds,
            max_age: c.options.max_age,
            nonce: None,
            organization: None,
        }
    }

    fn step(&mut self, c: &Shared, mut reply: Reply) -> Step<TokenResult> {
        loop {
            match std::mem::replace(&mut self.phase, SavePhase::Done) {
                SavePhase::Clock => {
                    if reply == Reply::Start {
                        self.phase = SavePhase::Clock;
                        return Step::Io(Io::Now);
                    }
                    self.phase = SavePhase::Previous(ReadIdToken::new(c), reply.time());
                }
                SavePhase::Previous(mut read, now) => {
                    let previous = match read.step(c, reply) {
                        Step::Io(io) => {
                            self.phase = SavePhase::Previous(read, now);
                            return Step::Io(io);
                        }
                        Step::Done(p) => p.ok().flatten(),
                    };
                    let checked = match &self.response.id_token {
                        Some(raw) => verify_id_token(Some(raw), &Self::expectations(c), now).and_then(|decoded| {
                            if let Some(prev) = &previous {
                                // OIDC Core 12.2: a refreshed ID token must name the same user and issuer (D18, D19).
                                check_refresh_id_token(&prev.decoded.claims, &decoded)?;
                            }
                            Ok(IdTokenEntry::from_decoded(decoded))
                        }),
                        // D20: no ID token on refresh keeps the previous one.
                        None => previous.ok_or_else(|| Error::login_required("No ID token is cached for this session")),
                    };
                    self.phase = SavePhase::Syncing(SyncRemoteLogout::new(), now, checked);
                }
                SavePhase::Syncing(mut sync, now, checked) => {
                    if let Step::Io(io) = sync.step(c, reply) {
                        self.phase = SavePhase::Syncing(sync, now, checked);
                        return Step::Io(io);
                    }
                    let id_token = match &checked {
                        Ok(_) => RefreshedIdToken::Usable,
                        Err(_) if self.response.id_token.is_none() => RefreshedIdToken::Missing,
                        Err(e) if is_clock_error(e) => RefreshedIdToken::ClockSkewed,
                        Err(_) => RefreshedIdToken::Untrusted,
                    };
                    let session = same_session(c, self.generation);
                    let missing: Vec<&str> = self.asked.as_deref().map(|asked| missing_scopes(asked, self.response.scope.as_deref(), c.options.online_refresh())).unwrap_or_default();
                    let facts = RefreshFacts { rotated: self.rotated, id_token, logged_out_meanwhile: session.is_err(), scopes_missing: !missing.is_empty() };
                    let plan = plan_after_refresh(facts);
                    let checked = match (session, checked) {
                        (Err(e), _) => Err(e),
                        (Ok(()), _) if !missing.is_empty() => Err(Error::missing_scopes(&self.key.audience, &missing)),
                        (Ok(()), checked) => checked,
                    };
                    self.phase = SavePhase::Entries(ClientEntries::new(), now, plan, checked);
                }
                SavePhase::Entries(mut entries, now, plan, checked) => {
                    let entries = match entries.step(c, reply) {
                        Step::Io(io) => {
                            self.phase = SavePhase::Entries(entries, now, plan, checked);
                            return Step::Io(io);
                        }
                        Step::Done(e) => e.unwrap_or_default(),
                    };
                    let rotation = |skip: Option<&str>| rotation_writes(c, &self.old_token, self.response.refresh_token.as_deref(), skip, &entries);
                    self.phase = match (plan, checked) {
                        (RefreshPlan::Store, Ok(id)) => {
                            let entry = AccessTokenEntry::from_token_response(&self.response, &self.key, now);
                            let written_key = self.key.to_key();
                            // The fresh entry (with the new refresh token) and the user, then every
                            // other entry that held the old token: one unit, so storage never holds
                            // a part of it.
                            let mut writes = vec![(written_key.clone(), entry.to_json_string()), (user_key(c.client_id()), id.to_json_string())];
                            writes.extend(rotation(Some(&written_key)));
                            SavePhase::Storing(WriteAll::new(writes), entry, id)
                        }
                        (plan, checked) => {
                            let e = checked.err().unwrap_or_else(|| Error::login_required("The refresh result was not stored"));
                            match plan {
                                RefreshPlan::KeepRotationOnly => SavePhase::Rotating(WriteAll::new(rotation(None)), e),
                                RefreshPlan::EndSession => SavePhase::Ending(ClearLocalSession::new(Some(c.client_id())), e),
                                RefreshPlan::Store | RefreshPlan::Discard => return Step::Done(Err(e)),
                            }
                        }
                    };
                }
                SavePhase::Storing(mut write, entry, id) => {
                    if let Step::Io(io) = write.step(c, reply) {
                        self.phase = SavePhase::Storing(write, entry, id);
                        return Step::Io(io);
                    }
                    // The organization hint follows the session's ID token, as after a login.
                    let cookies = c.session_cookies(id.decoded.str_claim("org_id"));
                    self.phase = SavePhase::Cookies(TokenResult::from(&entry, &id, TokenSource::RefreshToken));
                    return Step::Io(cookies);
                }
                SavePhase::Rotating(mut write, e) => {
                    if let Step::Io(io) = write.step(c, reply) {
                        self.phase = SavePhase::Rotating(write, e);
                        return Step::Io(io);
                    }
                    return Step::Done(Err(e));
                }
                SavePhase::Ending(mut end, e) => {
                    if let Step::Io(io) = end.step(c, reply) {
                        self.phase = SavePhase::Ending(end, e);
                        return Step::Io(io);
                    }
                    return Step::Done(Err(e));
                }
                SavePhase::Cookies(result) => return Step::Done(Ok(result)),
                SavePhase::Done => return Step::Done(Err(finished())),
            }
            reply = Reply::Start;
        }
    }
}
