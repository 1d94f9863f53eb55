//! The flows' view of the token cache: the driver's storage (memory, localStorage or a custom
//! `ICache`) plus this page's memory for whatever storage refused. Each piece is a small sub-flow
//! that the method flows compose.
//!
//! Rules kept here, for every flow:
//! * garbage is a miss that gets cleaned up (security case I1);
//! * a set of writes that belong together (a login's access token and user, a refresh result and
//!   its rotation) is stored as a unit: when storage refuses any of them (`QuotaExceededError`,
//!   a custom cache that throws), all of them stay in this page's memory instead and their keys
//!   are removed from storage, with one `console.warn`. So storage never holds half a result,
//!   and never the entry a result replaces, such as one holding a rotated-away refresh token
//!   (I5; docs/behaviour.md §2.6, §3.4). The session then lives as long as the page;
//! * `logout()` removes every key the client can know of, not only those storage lists or a key
//!   manifest names (K1, docs/behaviour.md §3.7).

use std::rc::Rc;

use super::io::{finished, sub, Io, Reply, Step};
use super::{CookieOp, HitMemo, Shared, TokenResult, TokenSource};
use crate::core::cache::{
    belongs_to_client, evaluate, find_matching_key, get_token_margin_secs, manifest_key, manifest_value, parse_manifest, user_key, AccessTokenEntry,
    CacheKey, Freshness, IdTokenEntry,
};
use crate::core::options::ParamList;
use crate::core::transaction::transaction_key;
use crate::core::Result;

/// Entries this page keeps because storage refused them, and every key the client has read or
/// written on this page (for a logout that must not depend on the key manifest).
#[derive(Default)]
pub(crate) struct PageMemory {
    entries: Vec<(String, String)>,
    seen_keys: Vec<String>,
}

impl PageMemory {
    fn get(&self, key: &str) -> Option<&str> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    fn put(&mut self, key: &str, value: &str) {
        match self.entries.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => value.clone_into(&mut slot.1),
            None => self.entries.push((key.to_owned(), value.to_owned())),
        }
    }

    fn forget(&mut self, key: &str) {
        self.entries.retain(|(k, _)| k != key);
    }

    fn saw(&mut self, key: &str) {
        if !self.seen_keys.iter().any(|k| k == key) {
            self.seen_keys.push(key.to_owned());
        }
    }
}

/// What `console.warn` says when storage refuses a write; the storage's own message follows.
pub const STORAGE_FALLBACK_WARNING: &str =
    "auth0-spa-wasm: the token cache refused a write, so this page keeps the session in memory (it will not survive a reload): ";

/// Reads cache entries: this page's memory first, then storage.
pub(super) struct Read {
    keys: Vec<String>,
    found: Vec<Option<String>>,
    asked: bool,
}

impl Read {
    pub(super) fn new(c: &Shared, keys: Vec<String>) -> Read {
        let memory = c.page_memory.borrow();
        let found = keys.iter().map(|k| memory.get(k).map(str::to_owned)).collect();
        Read { keys, found, asked: false }
    }

    pub(super) fn step(&mut self, c: &Shared, reply: Reply) -> Step<Vec<Option<String>>> {
        if !self.asked {
            self.asked = true;
            let missing: Vec<String> = self.keys.iter().zip(&self.found).filter(|(_, f)| f.is_none()).map(|(k, _)| k.clone()).collect();
            if !missing.is_empty() {
                return Step::Io(Io::CacheGet(missing));
            }
        } else {
            let mut texts = reply.texts().into_iter();
            let mut memory = c.page_memory.borrow_mut();
            for (key, slot) in self.keys.iter().zip(self.found.iter_mut()) {
                if slot.is_none() {
                    *slot = texts.next().flatten();
                    if slot.is_some() {
                        memory.saw(key);
                    }
                }
            }
        }
        Step::Done(Ok(std::mem::take(&mut self.found)))
    }
}

/// Whether `key` still holds exactly `expected` (the cache-hit memo's check).
pub(super) struct Holds {
    key: String,
    expected: Rc<str>,
    asked: bool,
}

impl Holds {
    fn step(&mut self, c: &Shared, reply: Reply) -> Step<bool> {
        if self.asked {
            return Step::Done(Ok(reply.flag()));
        }
        if let Some(text) = c.page_memory.borrow().get(&self.key) {
            return Step::Done(Ok(*text == *self.expected));
        }
        self.asked = true;
        Step::Io(Io::CacheEquals(self.key.clone(), self.expected.clone()))
    }
}

/// Every cache key: those storage lists (or the key manifest names, for a custom cache without
/// `allKeys`) and those in this page's memory.
pub(super) struct AllKeys {
    asked: bool,
}

impl AllKeys {
    pub(super) fn new() -> AllKeys {
        AllKeys { asked: false }
    }

    pub(super) fn step(&mut self, c: &Shared, reply: Reply) -> Step<Vec<String>> {
        if !self.asked {
            self.asked = true;
            return Step::Io(if c.env.cache_lists_keys { Io::CacheKeys } else { Io::CacheGet(vec![manifest_key(c.client_id())]) });
        }
        let mut keys = if c.env.cache_lists_keys { reply.keys().unwrap_or_default() } else { reply.text().as_deref().and_then(parse_manifest).unwrap_or_default() };
        for (key, _) in &c.page_memory.borrow().entries {
            if !keys.contains(key) {
                keys.push(key.clone());
            }
        }
        Step::Done(Ok(keys))
    }
}

/// Writes entries as one unit (see the module docs): all to storage, or, if storage refuses one,
/// all to this page's memory with their storage keys removed. Never fails.
pub(super) struct WriteAll {
    writes: Vec<(String, String)>,
    phase: WritePhase,
}

enum WritePhase {
    Start,
    Writing,
    Removing(String),
    Warned,
    ReadingManifest,
    Done,
}

impl WriteAll {
    pub(super) fn new(writes: Vec<(String, String)>) -> WriteAll {
        WriteAll { writes, phase: WritePhase::Start }
    }

    pub(super) fn step(&mut self, c: &Shared, reply: Reply) -> Step<()> {
        let keys = || self.writes.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>();
        match std::mem::replace(&mut self.phase, WritePhase::Done) {
            WritePhase::Start => {
                if self.writes.is_empty() {
                    return Step::Done(Ok(()));
                }
                c.bump_cache_generation();
                let mut memory = c.page_memory.borrow_mut();
                for (key, _) in &self.writes {
                    memory.saw(key);
                }
                self.phase = WritePhase::Writing;
                Step::Io(Io::CacheSet(self.writes.clone()))
            }
            WritePhase::Writing => match reply.outcome() {
                Ok(()) => {
                    let mut memory = c.page_memory.borrow_mut();
                    for (key, _) in &self.writes {
                        memory.forget(key);
                    }
                    drop(memory);
                    if c.env.cache_lists_keys {
                        return Step::Done(Ok(()));
                    }
                    self.phase = WritePhase::ReadingManifest;
                    Step::Io(Io::CacheGet(vec![manifest_key(c.client_id())]))
                }
                Err(e) => {
                    let mut memory = c.page_memory.borrow_mut();
                    for (key, value) in &self.writes {
                        memory.put(key, value);
                    }
                    let mut warning = String::from(STORAGE_FALLBACK_WARNING);
                    warning.push_str(&e.description);
                    self.phase = WritePhase::Removing(warning);
                    Step::Io(Io::CacheRemove(keys()))
                }
            },
            WritePhase::Removing(warning) => {
                self.phase = WritePhase::Warned;
                Step::Io(Io::Warn(warning))
            }
            WritePhase::ReadingManifest => {
                // The manifest is an index; a lost update is covered by the keys logout derives.
                let mut listed = reply.text().as_deref().and_then(parse_manifest).unwrap_or_default();
                let before = listed.len();
                for (key, _) in &self.writes {
                    if !listed.contains(key) {
                        listed.push(key.clone());
                    }
                }
                if listed.len() == before {
                    return Step::Done(Ok(()));
                }
                self.phase = WritePhase::Warned;
                Step::Io(Io::CacheSet(vec![(manifest_key(c.client_id()), manifest_value(&listed))]))
            }
            WritePhase::Warned => Step::Done(Ok(())),
            WritePhase::Done => Step::Done(Err(finished())),
        }
    }
}

/// Removes entries from storage, from this page's memory and from the key manifest.
pub(super) struct RemoveKeys {
    keys: Vec<String>,
    phase: u8,
}

impl RemoveKeys {
    pub(super) fn new(keys: Vec<String>) -> RemoveKeys {
        RemoveKeys { keys, phase: 0 }
    }

    pub(super) fn step(&mut self, c: &Shared, reply: Reply) -> Step<()> {
        self.phase += 1;
        match self.phase {
            1 => {
                c.bump_cache_generation();
                let mut memory = c.page_memory.borrow_mut();
                for key in &self.keys {
                    memory.forget(key);
                }
                Step::Io(Io::CacheRemove(self.keys.clone()))
            }
            2 if !c.env.cache_lists_keys => Step::Io(Io::CacheGet(vec![manifest_key(c.client_id())])),
            3 => match reply.text().as_deref().and_then(parse_manifest) {
                Some(mut listed) => {
                    listed.retain(|k| !self.keys.contains(k));
                    Step::Io(Io::CacheSet(vec![(manifest_key(c.client_id()), manifest_value(&listed))]))
                }
                None => Step::Done(Ok(())),
            },
            _ => Step::Done(Ok(())),
        }
    }
}

/// Parses a stored access-token entry for `key` strictly; garbage (or an entry copied under
/// another audience's or client's key, I8) is removed and reads as absent (I1).
struct ParsedEntry {
    remove: Option<RemoveKeys>,
}

impl ParsedEntry {
    fn parse(stored_key: String, text: &str, key: &CacheKey) -> (Option<AccessTokenEntry>, ParsedEntry) {
        let entry = AccessTokenEntry::parse_for_key(text, key);
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
    MemoEntry(Holds, Rc<str>, Rc<str>),
    MemoUser(Holds, Rc<str>, Rc<str>),
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
                        Some((entry, user)) => CachedPhase::MemoEntry(Holds { key: exact, expected: entry.clone(), asked: false }, entry, user),
                        None => CachedPhase::Reading(Read::new(c, vec![exact, user_key(c.client_id())])),
                    };
                }
                CachedPhase::MemoEntry(mut holds, entry, user) => {
                    let step = holds.step(c, reply);
                    match step {
                        Step::Io(io) => {
                            self.phase = CachedPhase::MemoEntry(holds, entry, user);
                            return Step::Io(io);
                        }
                        Step::Done(Ok(true)) => {
                            let check = Holds { key: user_key(c.client_id()), expected: user.clone(), asked: false };
                            self.phase = CachedPhase::MemoUser(check, entry, user);
                        }
                        Step::Done(_) => self.phase = CachedPhase::Reading(Read::new(c, vec![self.key.to_key(), user_key(c.client_id())])),
                    }
                }
                CachedPhase::MemoUser(mut holds, entry, user) => {
                    let step = holds.step(c, reply);
                    match step {
                        Step::Io(io) => {
                            self.phase = CachedPhase::MemoUser(holds, entry, user);
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

fn texts_to_entries(keys: &[String], texts: Vec<Option<String>>) -> Vec<(String, AccessTokenEntry)> {
    keys.iter()
        .zip(texts)
        .filter_map(|(key, text)| text.as_deref().and_then(AccessTokenEntry::parse).map(|e| (key.clone(), e)))
        .collect()
}

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
    keys.extend(c.page_memory.borrow().seen_keys.iter().cloned());
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

impl<T> Step<T> {
    /// Maps the result of a finished step.
    pub(super) fn map_done<U>(self, f: impl FnOnce(T) -> U) -> Step<U> {
        match self {
            Step::Io(io) => Step::Io(io),
            Step::Done(r) => Step::Done(r.map(f)),
        }
    }
}

/// Fails unless `generation` is still the session's: a flow that started before a logout (here
/// or in another tab) must not bring the session back (K2).
pub(super) fn same_session(c: &Shared, generation: u64) -> Result<()> {
    if c.session_generation.get() == generation {
        Ok(())
    } else {
        Err(crate::core::Error::login_required("The session ended (logout) while the request was in flight"))
    }
}
