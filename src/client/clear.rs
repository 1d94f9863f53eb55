//! Forgetting: a dead refresh token leaves every entry, a client's keys leave the cache, the local
//! session ends (cookies, transaction, memory), and a logout announced by another tab is applied.
//! `logout()` removes every key the client can know of, not only those storage lists or a key
//! manifest names (K1, docs/behaviour.md §3.7). Built on the storage primitives of `store.rs`.

use super::entries::ClientEntries;
use super::io::{sub, Io, Reply, Step};
use super::store::{AllKeys, RemoveKeys, WriteAll};
use super::{CookieOp, Shared};
use crate::core::cache::{belongs_to_client, manifest_key, user_key, CacheKey};
use crate::core::options::ParamList;
use crate::core::transaction::transaction_key;

/// Removes a refresh token from every entry that holds it (the server refused it, F3, or it was
/// revoked): entries with a live access token keep that; refresh-only stubs disappear.
pub(super) struct ForgetToken {
    dead: String,
    entries: Option<ClientEntries>,
    write: Option<WriteAll>,
    remove: Option<RemoveKeys>,
}

impl ForgetToken {
    pub(super) fn new(dead: String) -> ForgetToken {
        ForgetToken { dead, entries: Some(ClientEntries::new()), write: None, remove: None }
    }

    pub(super) fn step(&mut self, c: &Shared, mut reply: Reply) -> Step<()> {
        if let Some(entries) = &mut self.entries {
            let entries = sub!(entries, c, reply);
            self.entries = None;
            let (mut writes, mut removes) = (Vec::new(), Vec::new());
            for (key, entry) in entries.into_iter().filter(|(_, e)| e.refresh_token() == Some(self.dead.as_str())) {
                let mut copy = entry;
                copy.body.remove("refresh_token");
                if copy.access_token().is_some() {
                    writes.push((key, copy.to_json_string()));
                } else {
                    removes.push(key);
                }
            }
            self.write = Some(WriteAll::new(writes));
            self.remove = Some(RemoveKeys::new(removes));
            reply = Reply::Start;
        }
        if let Some(write) = &mut self.write {
            sub!(write, c, reply);
            self.write = None;
            reply = Reply::Start;
        }
        if let Some(remove) = &mut self.remove {
            sub!(remove, c, reply);
            self.remove = None;
        }
        Step::Done(Ok(()))
    }
}

/// Removes cache entries of `client_id`, or of every client when `None`
/// (`logout({ clientId: null })`), wherever they are: listed by storage, named by the key manifest
/// (which may be stale or missing), derivable from the options, seen on this page, or kept in
/// this page's memory. Unlike auth0-spa-js's substring match, clearing client `abc` leaves client
/// `abcd` alone (B6).
pub(super) struct ClearCache {
    client_id: Option<String>,
    list: Option<AllKeys>,
}

impl ClearCache {
    pub(super) fn new(client_id: Option<&str>) -> ClearCache {
        ClearCache { client_id: client_id.map(str::to_owned), list: Some(AllKeys::new()) }
    }

    pub(super) fn step(&mut self, c: &Shared, reply: Reply) -> Step<()> {
        let Some(list) = &mut self.list else {
            return Step::Done(Ok(()));
        };
        let mut keys = sub!(list, c, reply);
        self.list = None;
        c.bump_cache_generation();
        for key in derivable_keys(c) {
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        keys.retain(|key| self.client_id.as_deref().is_none_or(|id| belongs_to_client(key, id)));
        let mut memory = c.page_memory.borrow_mut();
        for key in &keys {
            memory.forget(key);
        }
        keys.push(manifest_key(c.client_id()));
        Step::Io(Io::CacheRemove(keys))
    }
}

/// The keys this client's entries can live under whatever storage lists: the ID-token key, the key
/// of a silent call with the configured audience and of each audience the scope option names, and
/// every key read or written on this page.
fn derivable_keys(c: &Shared) -> Vec<String> {
    let client_id = c.client_id();
    let mut keys = vec![user_key(client_id), c.request_key(&ParamList::new()).1.to_key()];
    for (audience, _) in c.options.scope.slots() {
        let scope = c.options.scope.scopes_to_request(None, Some(audience));
        keys.push(CacheKey::new(client_id, Some(audience), &scope).to_key());
    }
    keys.extend(c.page_memory.borrow().seen_keys().iter().cloned());
    keys
}

/// `_clearLocalSession` (§3.6): tokens, user, transaction and cookies; ends in-flight flows.
pub(super) struct ClearLocalSession {
    clear: ClearCache,
    started: bool,
    phase: u8,
}

impl ClearLocalSession {
    pub(super) fn new(client_id: Option<&str>) -> ClearLocalSession {
        ClearLocalSession { clear: ClearCache::new(client_id), started: false, phase: 0 }
    }

    pub(super) fn step(&mut self, c: &Shared, reply: Reply) -> Step<()> {
        if !self.started {
            // When the clearing runs, not when it is planned: a flow in flight before this point
            // must see its session end.
            self.started = true;
            c.bump_session_generation();
        }
        if self.phase == 0 {
            sub!(self.clear, c, reply);
            self.phase = 1;
            return Step::Io(Io::DropTransaction(transaction_key(c.client_id())));
        }
        if self.phase == 1 {
            self.phase = 2;
            let cookies = [super::is_authenticated_cookie(c.client_id()), super::organization_hint_cookie(c.client_id())];
            return Step::Io(Io::Cookies(cookies.into_iter().map(CookieOp::Remove).collect()));
        }
        Step::Done(Ok(()))
    }
}

/// Applies a logout announced by another tab (K6): this tab's copy of the session goes too.
/// Yields whether there was one.
pub(super) struct SyncRemoteLogout {
    clear: Option<ClearCache>,
    asked: bool,
}

impl SyncRemoteLogout {
    pub(super) fn new() -> SyncRemoteLogout {
        SyncRemoteLogout { clear: None, asked: false }
    }

    pub(super) fn step(&mut self, c: &Shared, reply: Reply) -> Step<bool> {
        if !self.asked {
            self.asked = true;
            return Step::Io(Io::TakeRemoteLogout);
        }
        if let Some(clear) = &mut self.clear {
            sub!(clear, c, reply);
            return Step::Done(Ok(true));
        }
        if !reply.flag() {
            return Step::Done(Ok(false));
        }
        c.bump_session_generation();
        let mut clear = ClearCache::new(Some(c.client_id()));
        let step = clear.step(c, Reply::Start);
        self.clear = Some(clear);
        step.map_done(|_| true)
    }
}
