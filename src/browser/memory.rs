//! In-memory key/value store: the `cacheLocation: 'memory'` token cache (auth0-spa-js
//! `InMemoryCache`, docs/behaviour.md §3.4), the fallback when `localStorage` is unusable
//! (security case I6), and the storage of native test fakes.

use std::cell::RefCell;

/// A per-client map of cache entries (JSON text by key) that lives as long as the page.
///
/// Single-threaded interior mutability (`RefCell`) because the browser is single-threaded and
/// the platform methods take `&self`. No borrow is held across calls, so
/// nothing can re-enter while borrowed.
/// Entries are a `Vec` sorted by key rather than a `BTreeMap`: a handful of entries, and the
/// B-tree code costs ~5 KB of wasm.
#[derive(Debug, Default)]
pub(crate) struct MemoryCache {
    entries: RefCell<Vec<(String, String)>>,
}

fn position(entries: &[(String, String)], key: &str) -> Result<usize, usize> {
    entries.binary_search_by(|(k, _)| k.as_str().cmp(key))
}

impl MemoryCache {
    /// An empty cache.
    pub fn new() -> MemoryCache {
        MemoryCache::default()
    }

    /// The entry stored under `key`, if any.
    pub fn get(&self, key: &str) -> Option<String> {
        let entries = self.entries.try_borrow().ok()?;
        let i = position(&entries, key).ok()?;
        entries.get(i).map(|(_, v)| v.clone())
    }

    /// Whether `key` holds exactly `expected` (no copy).
    pub fn equals(&self, key: &str, expected: &str) -> bool {
        let Ok(entries) = self.entries.try_borrow() else { return false };
        position(&entries, key).ok().and_then(|i| entries.get(i)).is_some_and(|(_, v)| crate::core::encoding::bytes_equal(v.as_bytes(), expected.as_bytes()))
    }

    /// Stores `value` under `key`, replacing any previous entry.
    pub fn set(&self, key: &str, value: &str) {
        if let Ok(mut entries) = self.entries.try_borrow_mut() {
            match position(&entries, key) {
                Ok(i) => {
                    if let Some(slot) = entries.get_mut(i) {
                        slot.1 = value.to_owned();
                    }
                }
                Err(i) => entries.insert(i, (key.to_owned(), value.to_owned())),
            }
        }
    }

    /// Removes the entry under `key`; removing a missing key is not an error.
    pub fn remove(&self, key: &str) {
        if let Ok(mut entries) = self.entries.try_borrow_mut() {
            if let Ok(i) = position(&entries, key) {
                entries.remove(i);
            }
        }
    }

    /// Every entry, for a client that moves to the package's full module (`BrowserPlatform::memory_entries`).
    pub(crate) fn entries(&self) -> Vec<(String, String)> {
        self.entries.try_borrow().map(|e| e.clone()).unwrap_or_default()
    }

    /// Keys that start with `prefix` (e.g. `@@auth0spajs@@`, §3.1).
    pub(crate) fn keys_with_prefix(&self, prefix: &str) -> Vec<String> {
        match self.entries.try_borrow() {
            Ok(entries) => entries.iter().filter(|(k, _)| k.starts_with(prefix)).map(|(k, _)| k.clone()).collect(),
            Err(_) => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_entry_is_read_back_unchanged() {
        let c = MemoryCache::new();
        c.set("@@auth0spajs@@::a::b::c", "{\"body\":{}}");
        assert_eq!(c.get("@@auth0spajs@@::a::b::c").as_deref(), Some("{\"body\":{}}"));
    }

    #[test]
    fn a_missing_key_is_none() {
        assert_eq!(MemoryCache::new().get("nope"), None);
    }

    #[test]
    fn setting_a_key_again_replaces_the_entry() {
        let c = MemoryCache::new();
        c.set("k", "1");
        c.set("k", "2");
        assert_eq!(c.get("k").as_deref(), Some("2"));
        assert_eq!(c.keys_with_prefix(""), vec!["k".to_owned()]);
    }

    #[test]
    fn removing_deletes_only_that_key_and_missing_keys_are_ignored() {
        let c = MemoryCache::new();
        c.set("a", "1");
        c.set("b", "2");
        c.remove("a");
        c.remove("never-there");
        assert_eq!(c.get("a"), None);
        assert_eq!(c.keys_with_prefix(""), vec!["b".to_owned()]);
    }

    #[test]
    fn keys_lists_every_key_and_prefix_filters_to_sdk_keys() {
        let c = MemoryCache::new();
        c.set("@@auth0spajs@@::x", "1");
        c.set("other", "2");
        c.set("@@auth0spajs@@::y", "3");
        assert_eq!(c.keys_with_prefix("").len(), 3);
        assert_eq!(c.keys_with_prefix("@@auth0spajs@@"), vec!["@@auth0spajs@@::x".to_owned(), "@@auth0spajs@@::y".to_owned()]);
        c.set("@@auth0spajs@@::a", "4");
        assert_eq!(c.keys_with_prefix(""), vec!["@@auth0spajs@@::a".to_owned(), "@@auth0spajs@@::x".to_owned(), "@@auth0spajs@@::y".to_owned(), "other".to_owned()], "sorted");
    }

    #[test]
    fn equals_compares_the_stored_text_exactly() {
        let c = MemoryCache::new();
        c.set("k", "{\"a\":1}");
        assert!(c.equals("k", "{\"a\":1}"));
        assert!(!c.equals("k", "{\"a\":2}"));
        assert!(!c.equals("missing", ""));
    }

    #[test]
    fn separate_caches_do_not_share_entries() {
        let a = MemoryCache::new();
        let b = MemoryCache::new();
        a.set("k", "v");
        assert_eq!(b.get("k"), None);
    }
}
