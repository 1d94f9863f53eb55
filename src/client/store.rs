//! The client's view of the token cache: the platform's storage (memory, localStorage or a custom
//! `ICache`) plus this page's memory for whatever storage refused.
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

use crate::core::cache::{belongs_to_client, find_matching_key, manifest_key, manifest_value, parse_manifest, user_key, AccessTokenEntry, CacheKey, IdTokenEntry};
use crate::platform::Platform;

use super::Client;

/// Entries this page keeps because storage refused them, and every key the client has read or
/// written on this page (for a logout that must not depend on the key manifest).
#[derive(Default)]
pub(super) struct PageMemory {
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

impl<P: Platform> Client<P> {
    /// The stored text under `key`: this page's memory first, then storage.
    pub(super) async fn cache_read(&self, key: &str) -> Option<String> {
        if let Some(text) = self.page_memory.borrow().get(key) {
            return Some(text.to_owned());
        }
        let text = self.platform.cache_get(key).await;
        if text.is_some() {
            self.page_memory.borrow_mut().saw(key);
        }
        text
    }

    /// Whether `key` still holds exactly `expected` (the cache-hit memo's check).
    pub(super) async fn cache_holds(&self, key: &str, expected: &str) -> bool {
        if let Some(text) = self.page_memory.borrow().get(key) {
            return text == expected;
        }
        self.platform.cache_equals(key, expected).await
    }

    /// Every cache key: those storage lists (or the key manifest names, for a custom cache
    /// without `allKeys`) and those in this page's memory.
    pub(super) async fn all_keys(&self) -> Vec<String> {
        let mut keys = if self.platform.cache_lists_keys() {
            self.platform.cache_keys().await.unwrap_or_default()
        } else {
            self.cache_read(&manifest_key(self.client_id())).await.as_deref().and_then(parse_manifest).unwrap_or_default()
        };
        for (key, _) in &self.page_memory.borrow().entries {
            if !keys.contains(key) {
                keys.push(key.clone());
            }
        }
        keys
    }

    /// Writes `writes` as one unit (see the module docs): all to storage, or, if storage refuses
    /// one, all to this page's memory with their storage keys removed. Never fails.
    pub(super) async fn write_all(&self, writes: &[(String, String)]) {
        self.bump_cache_generation();
        let mut refused = None;
        for (key, value) in writes {
            self.page_memory.borrow_mut().saw(key);
            match self.platform.cache_set(key, value).await {
                Ok(()) => self.page_memory.borrow_mut().forget(key),
                Err(e) => {
                    refused = Some(e);
                    break;
                }
            }
        }
        if let Some(e) = refused {
            for (key, value) in writes {
                self.page_memory.borrow_mut().put(key, value);
                self.platform.cache_remove(key).await;
            }
            let mut warning = String::from(STORAGE_FALLBACK_WARNING);
            warning.push_str(&e.description);
            self.platform.warn(&warning);
            return;
        }
        if !self.platform.cache_lists_keys() {
            // The manifest is an index; a lost update is covered by the keys logout derives.
            let mkey = manifest_key(self.client_id());
            let mut keys = self.platform.cache_get(&mkey).await.as_deref().and_then(parse_manifest).unwrap_or_default();
            let before = keys.len();
            for (key, _) in writes {
                if !keys.contains(key) {
                    keys.push(key.clone());
                }
            }
            if keys.len() != before {
                let _ = self.platform.cache_set(&mkey, &manifest_value(&keys)).await;
            }
        }
    }

    /// Writes one entry ([`Client::write_all`] of one).
    pub(super) async fn write(&self, key: &str, value: &str) {
        self.write_all(&[(key.to_owned(), value.to_owned())]).await;
    }

    /// Removes `key` from storage, from this page's memory and from the key manifest.
    pub(super) async fn remove(&self, key: &str) {
        self.bump_cache_generation();
        self.page_memory.borrow_mut().forget(key);
        self.platform.cache_remove(key).await;
        if !self.platform.cache_lists_keys() {
            let mkey = manifest_key(self.client_id());
            if let Some(mut keys) = self.platform.cache_get(&mkey).await.as_deref().and_then(parse_manifest) {
                keys.retain(|k| k != key);
                let _ = self.platform.cache_set(&mkey, &manifest_value(&keys)).await;
            }
        }
    }

    /// The entry for `key` (exact, else a scope superset of the same client and audience),
    /// removing unparsable values.
    pub(super) async fn read_entry(&self, key: &CacheKey) -> Option<AccessTokenEntry> {
        let exact = key.to_key();
        let found = match self.cache_read(&exact).await {
            Some(text) => Some((exact, text)),
            None => {
                let keys = self.all_keys().await;
                let matched = find_matching_key(&keys, key)?;
                let text = self.cache_read(&matched).await?;
                Some((matched, text))
            }
        }?;
        self.parse_entry_or_remove(&found.0, &found.1, key).await
    }

    /// Parses the entry stored under `stored_key` strictly; garbage is removed (I1). An entry
    /// copied under another audience's or client's key is refused too (I8).
    pub(super) async fn parse_entry_or_remove(&self, stored_key: &str, text: &str, key: &CacheKey) -> Option<AccessTokenEntry> {
        let entry = AccessTokenEntry::parse_for_key(text, key);
        if entry.is_none() {
            self.remove(stored_key).await;
        }
        entry
    }

    /// Parses the ID-token entry; garbage is removed (I1).
    pub(super) async fn parse_id_token_or_remove(&self, text: &str) -> Option<IdTokenEntry> {
        let entry = IdTokenEntry::parse(text);
        if entry.is_none() {
            self.remove(&user_key(self.client_id())).await;
        }
        entry
    }

    /// The session's ID-token entry, if any.
    pub(super) async fn read_id_token(&self) -> Option<IdTokenEntry> {
        let text = self.cache_read(&user_key(self.client_id())).await?;
        self.parse_id_token_or_remove(&text).await
    }

    /// Every parsable access-token entry of this client (read under the lock by refresh paths).
    pub(super) async fn client_entries(&self) -> Vec<(String, AccessTokenEntry)> {
        let mut out = Vec::new();
        for key in self.all_keys().await {
            match CacheKey::from_key(&key) {
                Some(k) if k.client_id == self.options.client_id => {}
                _ => continue,
            }
            if let Some(entry) = self.cache_read(&key).await.as_deref().and_then(AccessTokenEntry::parse) {
                out.push((key, entry));
            }
        }
        out
    }

    /// The keys this client's entries can live under whatever storage lists: the ID-token key,
    /// the key of a silent call with the configured audience and of each audience the scope
    /// option names, and every key read or written on this page.
    fn derivable_keys(&self) -> Vec<String> {
        let client_id = self.client_id();
        let mut keys = vec![user_key(client_id), self.request_key(&crate::core::options::ParamList::new()).1.to_key()];
        for (audience, _) in self.options.scope.slots() {
            let scope = self.options.scope.scopes_to_request(None, Some(audience));
            keys.push(CacheKey::new(client_id, Some(audience), &scope).to_key());
        }
        keys.extend(self.page_memory.borrow().seen_keys.iter().cloned());
        keys
    }

    /// Removes cache entries of `client_id`, or of every client when `None`
    /// (`logout({ clientId: null })`), wherever they are: listed by storage, named by the key
    /// manifest (which may be stale or missing), derivable from the options, seen on this page,
    /// or kept in this page's memory. Unlike auth0-spa-js's substring match, clearing client
    /// `abc` leaves client `abcd` alone (B6).
    pub(super) async fn clear_cache(&self, client_id: Option<&str>) {
        self.bump_cache_generation();
        let mut keys = self.all_keys().await;
        for key in self.derivable_keys() {
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        for key in keys {
            if client_id.is_none_or(|id| belongs_to_client(&key, id)) {
                self.platform.cache_remove(&key).await;
                self.page_memory.borrow_mut().forget(&key);
            }
        }
        self.platform.cache_remove(&manifest_key(self.client_id())).await;
    }
}
