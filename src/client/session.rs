//! The session as a whole (docs/behaviour.md §1.4, §3.6): `getUser`, `getIdTokenClaims`,
//! `isAuthenticated`, `checkSession` and `logout`.

use std::rc::Rc;

use super::io::{finished, CookieOp, Io, Machine, Reply, Step};
use super::silent::Silent;
use super::revoke::{logout_revoke_warning, Revoke};
use crate::core::options::PARITY;
use crate::core::Error;
use super::clear::{ClearLocalSession, SyncRemoteLogout};
use super::entries::ReadIdToken;
use super::{is_authenticated_cookie, GetTokenOptions, Shared, LEGACY_IS_AUTHENTICATED_COOKIE};
use crate::core::anonymous::{wants_anonymous_session, SessionCheck};
use crate::core::cache::IdTokenEntry;
use crate::core::json::Json;
use crate::core::logout::logout_url;
use crate::core::Result;

/// Reads the session's ID token (after applying a logout another tab announced) and yields what
/// `view` makes of it: the user, the claims, or whether there is a session.
pub struct ReadSession<T> {
    c: Rc<Shared>,
    view: fn(Option<IdTokenEntry>) -> T,
    sync: Option<SyncRemoteLogout>,
    read: ReadIdToken,
}

impl<T> ReadSession<T> {
    pub(super) fn new(c: Rc<Shared>, view: fn(Option<IdTokenEntry>) -> T) -> ReadSession<T> {
        let read = ReadIdToken::new(&c);
        ReadSession { c, view, sync: Some(SyncRemoteLogout::new()), read }
    }
}

impl<T> Machine for ReadSession<T> {
    type Output = T;

    fn step(&mut self, mut reply: Reply) -> Step<T> {
        let c = &self.c;
        if let Some(sync) = &mut self.sync {
            if let Step::Io(io) = sync.step(c, reply) {
                return Step::Io(io);
            }
            self.sync = None;
            // The read is prepared after the sync, which may have cleared the cache.
            self.read = ReadIdToken::new(c);
            reply = Reply::Start;
        }
        match self.read.step(c, reply) {
            Step::Io(io) => Step::Io(io),
            Step::Done(id) => Step::Done(Ok((self.view)(id.ok().flatten()))),
        }
    }
}

/// `checkSession()`: with the session hint cookie (or its pre-1.19 name, migrated), a silent
/// token request whose errors are all swallowed (§1.4); without it, nothing (no network). Yields
/// whether JS should start an anonymous session (`createAnonymousSessionOnFailedSilentAuth`,
/// [`wants_anonymous_session`]).
pub struct CheckSession {
    c: Rc<Shared>,
    options: GetTokenOptions,
    phase: CheckPhase,
}

enum CheckPhase {
    Start,
    Hint,
    LegacyHint,
    Migrated,
    Silent(Silent),
    Done,
}

impl CheckSession {
    pub(super) fn new(c: Rc<Shared>, options: GetTokenOptions) -> CheckSession {
        CheckSession { c, options, phase: CheckPhase::Start }
    }
}

impl Machine for CheckSession {
    type Output = bool;

    fn step(&mut self, mut reply: Reply) -> Step<bool> {
        let c = &self.c;
        let anonymous = c.options.anonymous_on_failed_silent_auth;
        loop {
            match std::mem::replace(&mut self.phase, CheckPhase::Done) {
                CheckPhase::Start => {
                    self.phase = CheckPhase::Hint;
                    return Step::Io(Io::CookieGet(is_authenticated_cookie(c.client_id())));
                }
                CheckPhase::Hint => {
                    if reply.text().is_some() {
                        self.phase = CheckPhase::Silent(Silent::new(c, self.options.clone()));
                    } else {
                        self.phase = CheckPhase::LegacyHint;
                        return Step::Io(Io::CookieGet(LEGACY_IS_AUTHENTICATED_COOKIE.to_owned()));
                    }
                }
                CheckPhase::LegacyHint => {
                    if reply.text().is_none() {
                        return Step::Done(Ok(wants_anonymous_session(anonymous, SessionCheck::NoSessionHint)));
                    }
                    // Migrate the pre-1.19 cookie to the per-client name.
                    let days = c.options.session_check_expiry_days.ceil().max(1.0) as u32;
                    self.phase = CheckPhase::Migrated;
                    return Step::Io(Io::Cookies(vec![
                        CookieOp::Set(is_authenticated_cookie(c.client_id()), "true".to_owned(), days),
                        CookieOp::Remove(LEGACY_IS_AUTHENTICATED_COOKIE.to_owned()),
                    ]));
                }
                CheckPhase::Migrated => self.phase = CheckPhase::Silent(Silent::new(c, self.options.clone())),
                CheckPhase::Silent(mut silent) => {
                    return match silent.step(c, reply) {
                        Step::Io(io) => {
                            self.phase = CheckPhase::Silent(silent);
                            Step::Io(io)
                        }
                        Step::Done(outcome) => {
                            let check = match &outcome {
                                Ok(_) => SessionCheck::Renewed,
                                Err(e) => SessionCheck::Failed(e),
                            };
                            Step::Done(Ok(wants_anonymous_session(anonymous, check)))
                        }
                    };
                }
                CheckPhase::Done => return Step::Done(Err(finished())),
            }
            reply = Reply::Start;
        }
    }
}

/// `logout(options)`: clears the local session, tells the other tabs, and yields the
/// `/v2/logout` URL for JS to open (or not, with `openUrl: false`). With `revokeRefreshTokens:
/// true` (beyond auth0-spa-js) the client's refresh tokens are first revoked at the server; a
/// failure there is a `console.warn`, and the local session ends anyway.
pub struct Logout {
    c: Rc<Shared>,
    url: Result<String>,
    own: bool,
    revoke: Option<Revoke>,
    clear: Option<ClearLocalSession>,
    /// With DPoP: the key pair and nonces are still to be deleted (auth0-spa-js, best effort).
    dpop_clear: bool,
}

impl Logout {
    pub(super) fn new(c: Rc<Shared>, logout_options: &Json) -> Logout {
        let url = logout_url(&c.options, logout_options);
        // `clientId: null` clears every client's entries, a string that client's (§1.4, §3.6).
        let target = match logout_options.get("clientId") {
            Some(Json::Null) => None,
            Some(Json::String(id)) => Some(id.clone()),
            _ => Some(c.client_id().to_owned()),
        };
        let own = target.as_deref().is_none_or(|id| id == c.client_id());
        let revoke_asked = own && logout_options.get("revokeRefreshTokens").and_then(Json::as_bool) == Some(true);
        // A lite build cannot revoke: it refuses, ending nothing, rather than log out without
        // revoking (the package entry moves such a call to the full build first).
        let url = if revoke_asked && !PARITY { Err(Error::full_build_needed("logout({ revokeRefreshTokens: true })")) } else { url };
        let revoke = (revoke_asked && url.is_ok()).then(|| Revoke::new(None));
        let clear = url.is_ok().then(|| ClearLocalSession::new(target.as_deref()));
        let dpop_clear = c.options.dpop() && url.is_ok();
        Logout { c, url, own, revoke, clear, dpop_clear }
    }
}

impl Machine for Logout {
    type Output = String;

    fn step(&mut self, mut reply: Reply) -> Step<String> {
        // A lite build never has a revocation to run (Logout::new refuses it); PARITY here lets the
        // compiler drop the revocation's code from that build.
        if let Some(revoke) = self.revoke.as_mut().filter(|_| PARITY) {
            match revoke.step(&self.c, reply) {
                Step::Io(io) => return Step::Io(io),
                Step::Done(outcome) => {
                    self.revoke = None;
                    if let Err(e) = outcome {
                        return Step::Io(Io::Warn(logout_revoke_warning(&e)));
                    }
                    reply = Reply::Start;
                }
            }
        }
        if let Some(clear) = &mut self.clear {
            if let Step::Io(io) = clear.step(&self.c, reply) {
                return Step::Io(io);
            }
            self.clear = None;
            if self.own {
                return Step::Io(Io::BroadcastLogout);
            }
        }
        if std::mem::take(&mut self.dpop_clear) {
            return Step::Io(Io::DpopClear(crate::core::dpop::storage_prefix(self.c.client_id())));
        }
        Step::Done(std::mem::replace(&mut self.url, Err(finished())))
    }
}
