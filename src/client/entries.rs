//! Reading what the cache holds for the flows: one access-token entry (exact key, then a scope
//! superset, or any refresh token under MRRT), the cached ID token, a fresh token for
//! `getTokenSilently` with the cache-hit memo, and every entry of the client. Garbage is a miss
//! that gets cleaned up (security case I1). Built on the storage primitives of `store.rs`.

use std::rc::Rc;

use super::io::{finished, sub, Io, Reply, Step};
use super::store::{AllKeys, Holds, Read, RemoveKeys};
use super::{HitMemo, Shared, TokenResult, TokenSource};
use crate::core::cache::{evaluate, find_matching_key, get_token_margin_secs, user_key, AccessTokenEntry, CacheKey, Freshness, IdTokenEntry};
use crate::core::rotation::propagate_rotation;

/// Parses a stored access-token entry for `key` strictly; garbage (or an entry copied under
/// another audience's or client's key, I8) is removed and reads as absent (I1).
struct ParsedEntry {
    remove: Option<RemoveKeys>,
}

impl ParsedEntry {
    /// `key` is the one asked for; an entry found under another key (a scope superset) must be
    /// consistent with the key it is stored under, not with the narrower one asked for.
    fn parse(stored_key: String, text: &str, key: &CacheKey) -> (Option<AccessTokenEntry>, ParsedEntry) {
        let own = CacheKey::from_key(&stored_key);
        let entry = AccessTokenEntry::parse_for_key(text, own.as_ref().unwrap_or(key));
        let remove = entry.is_none().then(|| RemoveKeys::new(vec![stored_key]));
        (entry, ParsedEntry { remove })
    }
}

/// The entry for `key` (exact, else a scope superset of the same client and audience; with
/// Multi-Resource Refresh Tokens, else any entry of the client holding a refresh token, §3.5),
/// removing unparsable values.
pub(super) struct ReadEntry {
    key: CacheKey,
    any_refresh_token: bool,
    phase: EntryPhase,
}

enum EntryPhase {
    Exact(Read),
    Listing(AllKeys),
    AnyRefreshToken(ClientEntries),
    Matched(String, Read),
    Removing(ParsedEntry),
    Done,
}

impl ReadEntry {
    pub(super) fn new(c: &Shared, key: CacheKey) -> ReadEntry {
        let exact = Read::new(c, vec![key.to_key()]);
        ReadEntry { key, any_refresh_token: false, phase: EntryPhase::Exact(exact) }
    }

    /// [`ReadEntry::new`] that, failing the key's own entries, takes any entry of the client that
    /// holds a refresh token (Multi-Resource Refresh Tokens).
    pub(super) fn with_any_refresh_token(c: &Shared, key: CacheKey) -> ReadEntry {
        ReadEntry { any_refresh_token: true, ..ReadEntry::new(c, key) }
    }

    pub(super) fn step(&mut self, c: &Shared, mut reply: Reply) -> Step<Option<AccessTokenEntry>> {
        loop {
            let (stored_key, text) = match &mut self.phase {
                EntryPhase::Exact(read) => {
                    let texts = sub!(read, c, reply);
                    match texts.into_iter().next().flatten() {
                        Some(text) => (self.key.to_key(), text),
                        None => {
                            self.phase = EntryPhase::Listing(AllKeys::new());
                            reply = Reply::Start;
                            continue;
                        }
                    }
                }
                EntryPhase::Listing(list) => {
                    let keys = sub!(list, c, reply);
                    let Some(matched) = find_matching_key(&keys, &self.key) else {
                        if self.any_refresh_token {
                            self.phase = EntryPhase::AnyRefreshToken(ClientEntries::new());
                            reply = Reply::Start;
                            continue;
                        }
                        return Step::Done(Ok(None));
                    };
                    self.phase = EntryPhase::Matched(matched.clone(), Read::new(c, vec![matched]));
                    reply = Reply::Start;
                    continue;
                }
                EntryPhase::Matched(matched, read) => {
                    let texts = sub!(read, c, reply);
                    match texts.into_iter().next().flatten() {
                        Some(text) => (std::mem::take(matched), text),
                        None => return Step::Done(Ok(None)),
                    }
                }
                EntryPhase::AnyRefreshToken(entries) => {
                    let entries = sub!(entries, c, reply);
                    self.phase = EntryPhase::Done;
                    return Step::Done(Ok(entries.into_iter().map(|(_, e)| e).find(|e| e.refresh_token().is_some())));
                }
                EntryPhase::Removing(parsed) => {
                    if let Some(remove) = &mut parsed.remove {
                        sub!(remove, c, reply);
                    }
                    self.phase = EntryPhase::Done;
                    return Step::Done(Ok(None));
                }
                EntryPhase::Done => return Step::Done(Err(finished())),
            };
            let (entry, parsed) = ParsedEntry::parse(stored_key, &text, &self.key);
            if entry.is_some() {
                self.phase = EntryPhase::Done;
                return Step::Done(Ok(entry));
            }
            self.phase = EntryPhase::Removing(parsed);
            reply = Reply::Start;
        }
    }
}

/// The session's ID-token entry, if any; garbage is removed (I1).
pub(super) struct ReadIdToken {
    read: Read,
    remove: Option<RemoveKeys>,
}

impl ReadIdToken {
    pub(super) fn new(c: &Shared) -> ReadIdToken {
        ReadIdToken { read: Read::new(c, vec![user_key(c.client_id())]), remove: None }
    }

    pub(super) fn step(&mut self, c: &Shared, reply: Reply) -> Step<Option<IdTokenEntry>> {
        if let Some(remove) = &mut self.remove {
            sub!(remove, c, reply);
            return Step::Done(Ok(None));
        }
        let text = sub!(self.read, c, reply).into_iter().next().flatten();
        let Some(text) = text else {
            return Step::Done(Ok(None));
        };
        match IdTokenEntry::parse(&text) {
            Some(entry) => Step::Done(Ok(Some(entry))),
            None => {
                let mut remove = RemoveKeys::new(vec![user_key(c.client_id())]);
                let step = remove.step(c, Reply::Start);
                self.remove = Some(remove);
                step.map_done(|_| None)
            }
        }
    }
}

/// A fresh cached token for `key` (the renewal margin of [`get_token_margin_secs`]), with the
/// session's ID token.
///
/// auth0-spa-js's cache hit is a `Map` lookup; parsing the stored JSON (the ID-token entry is
/// kilobytes) on every call would make ours many times slower. So the last hit is memoised against
/// the exact texts it came from: when storage still holds the same bytes, only the expiry is
/// evaluated again. Any change in storage (another tab, a logout) misses the memo.
pub(super) struct CachedToken {
    key: CacheKey,
    generation: u32,
    phase: CachedPhase,
}

enum CachedPhase {
    Start,
    Memo(Holds, Rc<str>, Rc<str>),
    MemoClock(Rc<str>, Rc<str>),
    Reading(Read),
    Superset(ReadEntry, Option<String>),
    Clock(AccessTokenEntry, Option<(Rc<str>, Rc<str>)>, Option<String>),
    Cleaning(RemoveKeys),
    Done,
}

impl CachedToken {
    pub(super) fn new(c: &Shared, key: CacheKey) -> CachedToken {
        CachedToken { key, generation: c.cache_generation.get(), phase: CachedPhase::Start }
    }

    pub(super) fn step(&mut self, c: &Shared, mut reply: Reply) -> Step<Option<TokenResult>> {
        loop {
            match std::mem::replace(&mut self.phase, CachedPhase::Done) {
                CachedPhase::Start => {
                    let exact = self.key.to_key();
                    let memo = c.hit_memo.borrow().as_ref().filter(|m| m.key == exact).map(|m| (m.entry_text.clone(), m.user_text.clone()));
                    self.phase = match memo {
                        Some((entry, user)) => {
                            let pairs = vec![(exact, entry.clone()), (user_key(c.client_id()), user.clone())];
                            CachedPhase::Memo(Holds::new(pairs), entry, user)
                        }
                        None => CachedPhase::Reading(Read::new(c, vec![exact, user_key(c.client_id())])),
                    };
                }
                CachedPhase::Memo(mut holds, entry, user) => {
                    let step = holds.step(c, reply);
                    match step {
                        Step::Io(io) => {
                            self.phase = CachedPhase::Memo(holds, entry, user);
                            return Step::Io(io);
                        }
                        Step::Done(Ok(true)) => {
                            self.phase = CachedPhase::MemoClock(entry, user);
                            return Step::Io(Io::Now);
                        }
                        Step::Done(_) => self.phase = CachedPhase::Reading(Read::new(c, vec![self.key.to_key(), user_key(c.client_id())])),
                    }
                }
                CachedPhase::MemoClock(entry, user) => {
                    let now = reply.time();
                    let mut memo = c.hit_memo.borrow_mut();
                    // Still the memo that was compared (no other call replaced it meanwhile)?
                    if let Some(m) = memo.as_mut().filter(|m| Rc::ptr_eq(&m.entry_text, &entry) && Rc::ptr_eq(&m.user_text, &user)) {
                        if evaluate(&m.entry, now, get_token_margin_secs(&m.entry)) == Freshness::Fresh {
                            // Found unchanged at this generation (writes to other keys since the
                            // memo was made do not matter): the JS fast path may use it.
                            m.generation = self.generation;
                            return Step::Done(Ok(Some(m.result.clone())));
                        }
                        return Step::Done(Ok(None));
                    }
                    drop(memo);
                    self.phase = CachedPhase::Reading(Read::new(c, vec![self.key.to_key(), user_key(c.client_id())]));
                }
                CachedPhase::Reading(mut read) => {
                    let step = read.step(c, reply);
                    let texts = match step {
                        Step::Io(io) => {
                            self.phase = CachedPhase::Reading(read);
                            return Step::Io(io);
                        }
                        Step::Done(t) => t.unwrap_or_default(),
                    };
                    let mut texts = texts.into_iter();
                    let (entry_text, user_text) = (texts.next().flatten(), texts.next().flatten());
                    match entry_text {
                        // Only a miss on the exact key looks further (scope superset).
                        None => self.phase = CachedPhase::Superset(ReadEntry::new(c, self.key.clone()), user_text),
                        Some(text) => match AccessTokenEntry::parse_for_key(&text, &self.key) {
                            Some(entry) => {
                                let texts = user_text.as_deref().map(|u| (Rc::from(text.as_str()), Rc::from(u)));
                                self.phase = CachedPhase::Clock(entry, texts, user_text);
                                return Step::Io(Io::Now);
                            }
                            None => self.phase = CachedPhase::Cleaning(RemoveKeys::new(vec![self.key.to_key()])),
                        },
                    }
                }
                CachedPhase::Superset(mut read, user_text) => match read.step(c, reply) {
                    Step::Io(io) => {
                        self.phase = CachedPhase::Superset(read, user_text);
                        return Step::Io(io);
                    }
                    Step::Done(Ok(Some(entry))) => {
                        self.phase = CachedPhase::Clock(entry, None, user_text);
                        return Step::Io(Io::Now);
                    }
                    Step::Done(_) => return Step::Done(Ok(None)),
                },
                CachedPhase::Clock(entry, memo_texts, user_text) => {
                    if evaluate(&entry, reply.time(), get_token_margin_secs(&entry)) != Freshness::Fresh {
                        return Step::Done(Ok(None));
                    }
                    let Some(user_text) = user_text else {
                        return Step::Done(Ok(None));
                    };
                    let Some(id) = IdTokenEntry::parse(&user_text) else {
                        self.phase = CachedPhase::Cleaning(RemoveKeys::new(vec![user_key(c.client_id())]));
                        reply = Reply::Start;
                        continue;
                    };
                    let result = TokenResult::from(&entry, &id, TokenSource::Cache);
                    if let Some((entry_text, user_text)) = memo_texts {
                        let key = self.key.to_key();
                        *c.hit_memo.borrow_mut() = Some(HitMemo { key, generation: self.generation, entry_text, user_text, entry, result: result.clone() });
                    }
                    return Step::Done(Ok(Some(result)));
                }
                CachedPhase::Cleaning(mut remove) => match remove.step(c, reply) {
                    Step::Io(io) => {
                        self.phase = CachedPhase::Cleaning(remove);
                        return Step::Io(io);
                    }
                    Step::Done(_) => return Step::Done(Ok(None)),
                },
                CachedPhase::Done => return Step::Done(Err(finished())),
            }
            reply = Reply::Start;
        }
    }
}

/// Every parsable access-token entry of this client (read under the lock by refresh paths).
pub(super) struct ClientEntries {
    list: AllKeys,
    read: Option<(Vec<String>, Read)>,
}

impl ClientEntries {
    pub(super) fn new() -> ClientEntries {
        ClientEntries { list: AllKeys::new(), read: None }
    }

    pub(super) fn step(&mut self, c: &Shared, mut reply: Reply) -> Step<Vec<(String, AccessTokenEntry)>> {
        if self.read.is_none() {
            let keys: Vec<String> = sub!(self.list, c, reply).into_iter().filter(|k| CacheKey::from_key(k).is_some_and(|key| key.client_id == c.client_id())).collect();
            let read = Read::new(c, keys.clone());
            self.read = Some((keys, read));
            reply = Reply::Start;
        }
        let Some((keys, read)) = &mut self.read else {
            return Step::Done(Err(finished()));
        };
        let texts = sub!(read, c, reply);
        Step::Done(Ok(texts_to_entries(keys, texts)))
    }
}

/// The cache writes that hand the new refresh token to every entry of `entries` that held `old`
/// (but `skip`, written apart): [`propagate_rotation`] under this client's options, each entry as
/// the text [`super::store::WriteAll`] stores. The refresh path and `mfa.verify` share it.
pub(super) fn rotation_writes(c: &Shared, old: &str, new: Option<&str>, skip: Option<&str>, entries: &[(String, AccessTokenEntry)]) -> Vec<(String, String)> {
    propagate_rotation(c.client_id(), old, new, skip, entries, c.options.mrrt())
        .into_iter()
        .map(|(k, e)| (k, e.to_json_string()))
        .collect()
}

fn texts_to_entries(keys: &[String], texts: Vec<Option<String>>) -> Vec<(String, AccessTokenEntry)> {
    keys.iter()
        .zip(texts)
        .filter_map(|(key, text)| text.as_deref().and_then(AccessTokenEntry::parse).map(|e| (key.clone(), e)))
        .collect()
}
