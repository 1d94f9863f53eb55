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
//! * reading entries is `entries.rs`; forgetting tokens and ending sessions is `clear.rs`.

use std::rc::Rc;

use super::io::{finished, Io, Reply, Step};
use super::Shared;
use crate::core::cache::{manifest_key, manifest_value, parse_manifest};
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

    pub(super) fn forget(&mut self, key: &str) {
        self.entries.retain(|(k, _)| k != key);
    }

    /// Every key the client has read or written on this page.
    pub(super) fn seen_keys(&self) -> &[String] {
        &self.seen_keys
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

/// Whether every key still holds exactly its expected text (the cache-hit memo's check), asked
/// one key at a time and stopping at the first that differs.
pub(super) struct Holds {
    pairs: Vec<(String, Rc<str>)>,
    next: usize,
    asked: bool,
}

impl Holds {
    /// Whether each `(key, expected)` pair holds.
    pub(super) fn new(pairs: Vec<(String, Rc<str>)>) -> Holds {
        Holds { pairs, next: 0, asked: false }
    }

    pub(super) fn step(&mut self, c: &Shared, reply: Reply) -> Step<bool> {
        if self.asked {
            self.asked = false;
            if !reply.flag() {
                return Step::Done(Ok(false));
            }
            self.next += 1;
        }
        while let Some((key, expected)) = self.pairs.get(self.next) {
            match c.page_memory.borrow().get(key) {
                Some(text) if *text != **expected => return Step::Done(Ok(false)),
                Some(_) => self.next += 1,
                None => {
                    self.asked = true;
                    return Step::Io(Io::CacheEquals(key.clone(), expected.clone()));
                }
            }
        }
        Step::Done(Ok(true))
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
