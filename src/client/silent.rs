//! `getTokenSilently` (docs/behaviour.md §2.4–§2.7): the cache, then under the per-audience lock
//! the cache again, then the refresh token or the hidden iframe.

use super::iframe::Iframe;
use super::io::{finished, Io, Machine, Reply, Step};
use super::refresh::Refresh;
use super::clear::SyncRemoteLogout;
use super::entries::CachedToken;
use super::{lock_name, CacheMode, GetTokenOptions, Shared, TokenResult, LOCK_TIMEOUT_MS};
use crate::core::cache::CacheKey;
use crate::core::options::ParamList;
use std::rc::Rc;

/// The flow of `getTokenSilently(options)`: `None` is auth0-spa-js's `undefined` (a cache-only
/// miss).
pub struct GetTokenSilently {
    c: Rc<Shared>,
    inner: Silent,
}

impl GetTokenSilently {
    pub(super) fn new(c: Rc<Shared>, options: GetTokenOptions) -> GetTokenSilently {
        let inner = Silent::new(&c, options);
        GetTokenSilently { c, inner }
    }
}

impl Machine for GetTokenSilently {
    type Output = Option<TokenResult>;

    fn step(&mut self, reply: Reply) -> Step<Option<TokenResult>> {
        match self.inner.step(&self.c, reply) {
            Step::Done(Err(e)) => {
                // `client.mfa.verify()` asks again for this request's scope and audience.
                let mut e = e.for_request(&self.inner.key.scope, self.inner.params.get_truthy("audience"));
                // The package entry completes it in a popup (`interactiveErrorHandler: 'popup'`).
                if self.c.options.popup_on_interaction() && e.asks_for_interaction() {
                    e.interactive = true;
                }
                Step::Done(Err(e))
            }
            other => other,
        }
    }
}

/// `getTokenSilently` as a sub-flow (`checkSession` runs it too).
pub(super) struct Silent {
    options: GetTokenOptions,
    params: ParamList,
    key: CacheKey,
    phase: Phase,
}

enum Phase {
    Syncing(SyncRemoteLogout, bool),
    Cached(CachedToken, bool),
    Locking,
    Renewing(Renewal),
    Done,
}

/// The renewal the options choose.
enum Renewal {
    Refresh(Box<Refresh>),
    Iframe(Box<Iframe>),
}

impl Silent {
    pub(super) fn new(c: &Shared, options: GetTokenOptions) -> Silent {
        let (params, key) = c.request_key(&options.authorization_params);
        Silent { options, params, key, phase: Phase::Syncing(SyncRemoteLogout::new(), false) }
    }

    pub(super) fn step(&mut self, c: &Shared, mut reply: Reply) -> Step<Option<TokenResult>> {
        loop {
            match std::mem::replace(&mut self.phase, Phase::Done) {
                // `locked`: whether this is the double check after taking the lock.
                Phase::Syncing(mut sync, locked) => {
                    if let Step::Io(io) = sync.step(c, reply) {
                        self.phase = Phase::Syncing(sync, locked);
                        return Step::Io(io);
                    }
                    if self.options.cache_mode == CacheMode::Off {
                        self.phase = self.after_cache(c, locked);
                        if let Phase::Locking = self.phase {
                            return Step::Io(self.lock(c));
                        }
                    } else {
                        self.phase = Phase::Cached(CachedToken::new(c, self.key.clone()), locked);
                    }
                }
                Phase::Cached(mut cached, locked) => match cached.step(c, reply) {
                    Step::Io(io) => {
                        self.phase = Phase::Cached(cached, locked);
                        return Step::Io(io);
                    }
                    Step::Done(Ok(Some(hit))) => return Step::Done(Ok(Some(hit))),
                    Step::Done(_) if self.options.cache_mode == CacheMode::CacheOnly => return Step::Done(Ok(None)),
                    Step::Done(_) => {
                        self.phase = self.after_cache(c, locked);
                        if let Phase::Locking = self.phase {
                            return Step::Io(self.lock(c));
                        }
                    }
                },
                Phase::Locking => {
                    if let Err(e) = reply.outcome() {
                        return Step::Done(Err(e));
                    }
                    // Double-checked: another caller (this tab or another) may have renewed while
                    // we waited.
                    self.phase = Phase::Syncing(SyncRemoteLogout::new(), true);
                }
                Phase::Renewing(mut renewal) => {
                    let step = match &mut renewal {
                        Renewal::Refresh(r) => r.step(c, reply),
                        Renewal::Iframe(i) => i.step(c, reply),
                    };
                    return match step {
                        Step::Io(io) => {
                            self.phase = Phase::Renewing(renewal);
                            Step::Io(io)
                        }
                        Step::Done(r) => Step::Done(r.map(Some)),
                    };
                }
                Phase::Done => return Step::Done(Err(finished())),
            }
            reply = Reply::Start;
        }
    }

    /// The renewal lock: per audience (§5.2), or one for the client with Multi-Resource Refresh
    /// Tokens, where every audience renews with the same token: renewals for two audiences at
    /// once would otherwise both present it, and the second would be a reuse.
    fn lock(&self, c: &Shared) -> Io {
        let audience = (!c.options.mrrt()).then_some(self.key.audience.as_str());
        // Only a refresh-token renewal over a cache other tabs read checks spent marks (refresh.rs).
        let checks_spent = c.options.use_refresh_tokens && c.env.cache_shared;
        Io::Lock(lock_name("getTokenSilently", c.client_id(), audience), LOCK_TIMEOUT_MS, checks_spent)
    }

    /// After a cache miss: take the lock first, or, holding it, renew.
    fn after_cache(&self, c: &Shared, locked: bool) -> Phase {
        if !locked {
            return Phase::Locking;
        }
        let renewal = if c.options.use_refresh_tokens {
            Renewal::Refresh(Box::new(Refresh::new(c, self.key.clone(), self.params.clone(), self.options.clone())))
        } else {
            Renewal::Iframe(Box::new(Iframe::new(c, self.key.clone(), &self.params, &self.options)))
        };
        Phase::Renewing(renewal)
    }
}
