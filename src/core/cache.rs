//! The token cache format and policy, byte-compatible with auth0-spa-js (docs/behaviour.md §3.1–3.5),
//! so an app can switch SDKs without logging its users out, and both can share one localStorage.
//!
//! Pure values and decisions only: keys ([`CacheKey`], [`user_key`], [`manifest_key`]), entry
//! values ([`AccessTokenEntry`], [`IdTokenEntry`]) built from a token response and parsed back
//! strictly, the lookup rule ([`find_matching_key`]) and the expiry rule ([`evaluate`]). Reading
//! and writing the storage is the caller's job.
//!
//! Where auth0-spa-js is unsafe, this module is stricter (security cases I1, I8, E7):
//! * a stored value that is not exactly the expected shape (garbage JSON, wrong types, a
//!   `null`/missing/negative `expiresAt`) parses as `None`: the caller treats it as absent and
//!   removes it, instead of serving it or crashing;
//! * lookups never cross client or audience, and an empty requested scope only matches exactly;
//! * an `expiresAt` more than a year ahead ([`MAX_ENTRY_LIFETIME_SECS`]) counts as expired, so
//!   a corrupted or tampered entry cannot live forever;
//! * [`belongs_to_client`] matches a client's keys exactly, where auth0-spa-js's `clear` removes
//!   every key that merely *contains* the client id (so clearing `abc` also cleared `abcd`).

use super::encoding::find;
use super::json::Json;
use super::jwt::{user_claims, DecodedToken};
use super::scope::DEFAULT_AUDIENCE;
use super::token::{TokenResponse, MAX_EXPIRES_IN_SECS};
use super::UnixMillis;

/// Prefix of every cache key (`CACHE_KEY_PREFIX`, §3.1).
pub(crate) const CACHE_KEY_PREFIX: &str = "@@auth0spajs@@";
/// Last part of the ID-token key (`CACHE_KEY_ID_TOKEN_SUFFIX`, §3.3).
pub(crate) const ID_TOKEN_KEY_SUFFIX: &str = "@@user@@";
/// Early expiry for `getTokenSilently` cache reads: 60 s, not `leeway` (§3.5); shorter for
/// tokens that live less than twice as long (see [`get_token_margin_secs`]).
pub const GET_TOKEN_EARLY_EXPIRY_SECS: u64 = 60;
/// An entry whose `expiresAt` is further ahead than this is treated as expired (security cases
/// E7, I4: nothing lives forever). Equal to the longest lifetime we ever write.
pub(crate) const MAX_ENTRY_LIFETIME_SECS: u64 = MAX_EXPIRES_IN_SECS;

const SEPARATOR: &str = "::";

/// Identifies one access-token entry: `@@auth0spajs@@::{clientId}::{audience}::{scope}` (§3.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CacheKey {
    /// The client id.
    pub client_id: String,
    /// The API audience, or `default`.
    pub audience: String,
    /// The requested (computed, §2.4) scope string, space-separated, as requested, not as granted.
    pub scope: String,
}

impl CacheKey {
    /// A key for `client_id`, `audience` (absent or empty → `default`, as auth0-spa-js's
    /// `audience || 'default'`) and the requested scope.
    pub fn new(client_id: &str, audience: Option<&str>, scope: &str) -> CacheKey {
        let audience = match audience {
            Some(a) if !a.is_empty() => a,
            _ => DEFAULT_AUDIENCE,
        };
        CacheKey { client_id: client_id.to_owned(), audience: audience.to_owned(), scope: scope.to_owned() }
    }

    /// The storage key, exactly as auth0-spa-js's `CacheKey.toKey()` (empty parts are dropped).
    pub fn to_key(&self) -> String {
        join_key(&[CACHE_KEY_PREFIX, &self.client_id, &self.audience, &self.scope])
    }

    /// Parses an access-token key. Stricter than auth0-spa-js's `fromKey`: the prefix must be
    /// ours and there must be exactly four non-empty parts, so the ID-token key, the manifest key
    /// and anything else in storage is `None` (never mistaken for a token entry, I8).
    pub fn from_key(key: &str) -> Option<CacheKey> {
        // `key.split("::")`, without core's substring searcher (wasm size).
        let mut parts = Vec::new();
        let mut rest = key;
        while let Some(i) = find(rest, SEPARATOR) {
            parts.push(rest.get(..i)?);
            rest = rest.get(i + SEPARATOR.len()..)?;
        }
        parts.push(rest);
        match parts.as_slice() {
            &[CACHE_KEY_PREFIX, client, audience, scope]
                if !client.is_empty() && !audience.is_empty() && !scope.is_empty() && audience != ID_TOKEN_KEY_SUFFIX =>
            {
                Some(CacheKey { client_id: client.to_owned(), audience: audience.to_owned(), scope: scope.to_owned() })
            }
            _ => None,
        }
    }
}

fn join_key(parts: &[&str]) -> String {
    let mut out = String::new();
    for part in parts.iter().filter(|p| !p.is_empty()) {
        if !out.is_empty() {
            out.push_str(SEPARATOR);
        }
        out.push_str(part);
    }
    out
}

/// Key of the client's single ID-token entry: `@@auth0spajs@@::{clientId}::@@user@@` (§3.3).
pub fn user_key(client_id: &str) -> String {
    join_key(&[CACHE_KEY_PREFIX, client_id, ID_TOKEN_KEY_SUFFIX])
}

/// Key of the key manifest `@@auth0spajs@@::{clientId}` → `{"keys":[…]}`, kept only for caches
/// that cannot list their keys (custom `ICache` without `allKeys`, §3.1, §3.7).
pub(crate) fn manifest_key(client_id: &str) -> String {
    join_key(&[CACHE_KEY_PREFIX, client_id])
}

/// Reads a manifest value; `None` unless it is `{"keys":[strings…]}` (I1).
pub(crate) fn parse_manifest(text: &str) -> Option<Vec<String>> {
    let value = Json::parse(text).ok()?;
    value.get("keys")?.as_array()?.iter().map(|k| k.as_str().map(str::to_owned)).collect()
}

/// Writes a manifest value as auth0-spa-js does: `{"keys":[…]}`.
pub(crate) fn manifest_value(keys: &[String]) -> String {
    let items = keys.iter().map(|k| Json::str(k)).collect();
    Json::Object(vec![("keys".to_owned(), Json::Array(items))]).to_json_string()
}

/// True when `key` is one of `client_id`'s cache keys (its entries, its ID token, its manifest).
/// Used to clear one client's session without touching another client's (security case B6).
pub(crate) fn belongs_to_client(key: &str, client_id: &str) -> bool {
    if client_id.is_empty() {
        return false;
    }
    let manifest = manifest_key(client_id);
    key == manifest || (key.starts_with(&manifest) && key.get(manifest.len()..).is_some_and(|rest| rest.starts_with(SEPARATOR)))
}

/// Which stored key serves `wanted` (§3.1 `matchExistingCacheKey`): the exact key if present,
/// else the first key of the same client and audience whose scope set contains every requested
/// scope. Never a key of another client or audience (security case I8). An empty requested
/// scope only matches exactly.
pub fn find_matching_key(keys: &[String], wanted: &CacheKey) -> Option<String> {
    let exact = wanted.to_key();
    if keys.contains(&exact) {
        return Some(exact);
    }
    wanted.scope.split_whitespace().next()?;
    keys.iter()
        .find(|key| match CacheKey::from_key(key) {
            Some(candidate) => {
                candidate.client_id == wanted.client_id
                    && candidate.audience == wanted.audience
                    && wanted.scope.split_whitespace().all(|s| candidate.scope.split_whitespace().any(|have| have == s))
            }
            None => false,
        })
        .cloned()
}

/// An access-token entry `{"body":{…},"expiresAt":seconds}` (§3.2).
///
/// `body` is kept as the JSON object it is, in order, so a parsed entry serialises back to the
/// same bytes; the accessors give typed, validated views.
#[derive(Clone, PartialEq)]
pub struct AccessTokenEntry {
    /// The body object: `access_token`, `refresh_token`?, `token_type`, `expires_in`, `scope`
    /// (requested), `audience`, `oauthTokenScope`? (granted), `client_id`, and any other response
    /// member except `id_token`, in the order auth0-spa-js writes them.
    pub body: Json,
    /// Absolute expiry, seconds since the epoch: `floor(now/1000) + expires_in` at write time.
    pub expires_at: u64,
}

impl std::fmt::Debug for AccessTokenEntry {
    /// Redacted: tokens never reach logs (invariant I6).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessTokenEntry")
            .field("audience", &self.audience())
            .field("scope", &self.scope())
            .field("has_access_token", &self.access_token().is_some())
            .field("has_refresh_token", &self.refresh_token().is_some())
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl AccessTokenEntry {
    /// The entry auth0-spa-js's `_requestToken` → `cacheManager.set` writes for a token response
    /// (§2.5 step 5, §3.2): the response members in server order minus `id_token`, then `scope` :=
    /// the requested scope, `audience`, `oauthTokenScope` := the granted scope (when non-empty),
    /// `client_id` (each replacing a same-named member in place, like `Object.assign`), and
    /// `expiresAt = floor(now/1000) + expires_in` using the validated lifetime of
    /// [`TokenResponse`] (never "forever", E7; relative to local receipt time, J3).
    pub fn from_token_response(response: &TokenResponse, key: &CacheKey, now_ms: UnixMillis) -> AccessTokenEntry {
        let members = response.fields().iter().filter(|(k, _)| k != "id_token").cloned().collect();
        let mut body = Json::Object(members);
        body.set("scope", Json::str(&key.scope));
        body.set("audience", Json::str(&key.audience));
        if let Some(granted) = response.scope.as_deref().filter(|s| !s.is_empty()) {
            body.set("oauthTokenScope", Json::str(granted));
        }
        body.set("client_id", Json::str(&key.client_id));
        AccessTokenEntry { body, expires_at: now_ms / 1000 + response.expires_in }
    }

    /// Parses a stored value strictly; `None` means "treat as absent and remove it" (I1). Needs a
    /// JSON object with a `body` object and a finite, non-negative numeric `expiresAt`; the body
    /// needs a non-empty `access_token` or `refresh_token`, and every known member that is present
    /// must have its type (strings; `expires_in` a number).
    pub fn parse(text: &str) -> Option<AccessTokenEntry> {
        let value = Json::parse(text).ok()?;
        let expires_at = match value.get("expiresAt")? {
            Json::Number(n) if n.is_finite() && *n >= 0.0 => n.floor() as u64,
            _ => return None,
        };
        let body = value.get("body")?;
        body.as_object()?;
        for key in ["access_token", "refresh_token", "token_type", "scope", "audience", "oauthTokenScope", "client_id"] {
            if body.get(key).is_some_and(|v| v.as_str().is_none()) {
                return None;
            }
        }
        if body.get("expires_in").is_some_and(|v| v.as_f64().is_none()) {
            return None;
        }
        let has = |k: &str| body.str_field(k).is_some_and(|s| !s.is_empty());
        if !has("access_token") && !has("refresh_token") {
            return None;
        }
        Some(AccessTokenEntry { body: body.clone(), expires_at })
    }

    /// [`Self::parse`], plus a check that the body's `client_id`, `audience` and `scope` (when
    /// present) are those of the key it was stored under: an entry copied under another key is
    /// never served for it (security case I8).
    pub fn parse_for_key(text: &str, key: &CacheKey) -> Option<AccessTokenEntry> {
        let entry = AccessTokenEntry::parse(text)?;
        let consistent = |field: &str, expected: &str| entry.body.str_field(field).is_none_or(|v| v == expected);
        if consistent("client_id", &key.client_id) && consistent("audience", &key.audience) && consistent("scope", &key.scope) {
            Some(entry)
        } else {
            None
        }
    }

    /// The stored value, as `JSON.stringify(entry)` writes it.
    pub fn to_json_string(&self) -> String {
        let entry = Json::Object(vec![
            ("body".to_owned(), self.body.clone()),
            ("expiresAt".to_owned(), Json::Number(self.expires_at as f64)),
        ]);
        entry.to_json_string()
    }

    fn non_empty(&self, key: &str) -> Option<&str> {
        self.body.str_field(key).filter(|s| !s.is_empty())
    }

    /// `access_token`, if any (a refresh-only stub has none).
    pub fn access_token(&self) -> Option<&str> {
        self.non_empty("access_token")
    }

    /// `refresh_token`, if any.
    pub fn refresh_token(&self) -> Option<&str> {
        self.non_empty("refresh_token")
    }

    /// `token_type` as stored (`getTokenSilently` reports `Bearer` when absent, §1.4).
    pub fn token_type(&self) -> Option<&str> {
        self.non_empty("token_type")
    }

    /// The requested scope the entry is stored under.
    pub fn scope(&self) -> Option<&str> {
        self.body.str_field("scope")
    }

    /// The audience (`default` when none was requested).
    pub fn audience(&self) -> Option<&str> {
        self.body.str_field("audience")
    }

    /// The scope the server granted (`oauthTokenScope`), reported as `scope` by the verbose
    /// `getTokenSilently` response (§1.4).
    pub(crate) fn oauth_token_scope(&self) -> Option<&str> {
        self.non_empty("oauthTokenScope")
    }

    /// The original `expires_in` (not the remaining lifetime, §10 item 2).
    pub fn expires_in(&self) -> Option<f64> {
        self.body.get("expires_in").and_then(Json::as_f64)
    }

    /// `client_id`.
    pub fn client_id(&self) -> Option<&str> {
        self.body.str_field("client_id")
    }

    /// A copy holding `refresh_token` in place of the current one (same position, same
    /// `expiresAt`, same access token): the rotation write of security cases F1/F18.
    pub(crate) fn with_refresh_token(&self, refresh_token: &str) -> AccessTokenEntry {
        let mut copy = self.clone();
        copy.body.set("refresh_token", Json::str(refresh_token));
        copy
    }

    /// The refresh-only stub auth0-spa-js writes over an expired entry that has a refresh token
    /// (§3.5): `{"body":{"refresh_token","audience","scope"},"expiresAt":<same>}`. `None`
    /// without a refresh token.
    pub(crate) fn refresh_only(&self) -> Option<AccessTokenEntry> {
        let refresh_token = self.refresh_token()?;
        let mut members = vec![("refresh_token".to_owned(), Json::str(refresh_token))];
        if let Some(audience) = self.body.get("audience") {
            members.push(("audience".to_owned(), audience.clone()));
        }
        if let Some(scope) = self.body.get("scope") {
            members.push(("scope".to_owned(), scope.clone()));
        }
        Some(AccessTokenEntry { body: Json::Object(members), expires_at: self.expires_at })
    }
}

/// What a cached access-token entry is good for at a given time (§3.5).
#[derive(Clone, Debug, PartialEq)]
pub enum Freshness {
    /// Serve the access token.
    Fresh,
    /// Expired (or no access token), but a refresh token is there: use it to renew. Holds the
    /// stub auth0-spa-js writes back under the key where the entry was found. Writing it is
    /// optional; do it only while holding the refresh lock and after re-reading the entry, or an
    /// older refresh token read before another tab rotated it can be written back (the multi-tab
    /// race of docs/performance.md, security case F6).
    RefreshOnly(AccessTokenEntry),
    /// Expired without a refresh token: remove the entry (and its manifest line).
    Expired,
}

/// The expiry decision (§3.5): the entry is expired when `expiresAt - early_secs <
/// floor(now/1000)`; use [`get_token_margin_secs`] for `getTokenSilently` reads and 0 for
/// refresh-token lookups. An entry without an access token, or whose `expiresAt` is more than
/// [`MAX_ENTRY_LIFETIME_SECS`] ahead, counts as expired (E7, I4).
pub fn evaluate(entry: &AccessTokenEntry, now_ms: UnixMillis, early_secs: u64) -> Freshness {
    let now_s = now_ms / 1000;
    let expired = entry.expires_at < now_s.saturating_add(early_secs)
        || entry.expires_at > now_s.saturating_add(MAX_ENTRY_LIFETIME_SECS)
        || entry.access_token().is_none();
    if !expired {
        return Freshness::Fresh;
    }
    match entry.refresh_only() {
        Some(stub) => Freshness::RefreshOnly(stub),
        None => Freshness::Expired,
    }
}

/// How long before `expiresAt` `getTokenSilently` stops serving `entry` and renews it: 60 s, as
/// auth0-spa-js does, or half the token's lifetime (`expires_in`) when that is shorter.
///
/// auth0-spa-js's fixed 60 s makes every token that lives 60 s or less look expired the moment it
/// is cached, so each call renews it: a request per call against the tenant's rate limits. Here a
/// 30 s token is served for 15 s and renewed in its second half, still before it expires
/// (docs/behaviour.md §3.5). An entry without a usable `expires_in` keeps the 60 s; the margin
/// is never under a second.
pub(crate) fn get_token_margin_secs(entry: &AccessTokenEntry) -> u64 {
    let half_life = entry.expires_in().filter(|n| n.is_finite() && *n >= 0.0).map_or(u64::MAX, |n| (n / 2.0) as u64);
    // At least a second, so a token without a lifetime (`expires_in: 0`) is never served (E7).
    GET_TOKEN_EARLY_EXPIRY_SECS.min(half_life).max(1)
}

/// The client's ID-token entry `{"id_token","decodedToken":{"encoded":{header,payload,
/// signature},"header","claims","user"}}` (§3.3), which `getUser`, `getIdTokenClaims` and
/// `isAuthenticated` read.
#[derive(Clone, PartialEq)]
pub struct IdTokenEntry {
    /// The decoded token (`raw` is `id_token`; `claims` includes `__raw`).
    pub decoded: DecodedToken,
    /// `decodedToken.user`: the profile `getUser()` returns.
    pub user: Json,
}

impl std::fmt::Debug for IdTokenEntry {
    /// Redacted: tokens and profile data never reach logs (invariant I6).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IdTokenEntry { .. }")
    }
}

impl IdTokenEntry {
    /// The entry for a freshly verified ID token; `user` = claims minus protocol claims (§4).
    pub fn from_decoded(decoded: DecodedToken) -> IdTokenEntry {
        let user = user_claims(&decoded.claims);
        IdTokenEntry { decoded, user }
    }

    /// The raw ID token (`id_token`).
    pub fn id_token(&self) -> &str {
        &self.decoded.raw
    }

    /// Parses a stored value strictly (every member present with its type); `None` → absent (I1).
    pub fn parse(text: &str) -> Option<IdTokenEntry> {
        let value = Json::parse(text).ok()?;
        let id_token = value.str_field("id_token").filter(|s| !s.is_empty())?;
        let decoded = value.get("decodedToken")?;
        let encoded = decoded.get("encoded")?;
        let part = |k: &str| encoded.str_field(k).filter(|s| !s.is_empty()).map(str::to_owned);
        let object = |k: &str| decoded.get(k).filter(|v| v.as_object().is_some()).cloned();
        Some(IdTokenEntry {
            decoded: DecodedToken {
                raw: id_token.to_owned(),
                encoded_header: part("header")?,
                encoded_payload: part("payload")?,
                signature: part("signature")?,
                header: object("header")?,
                claims: object("claims")?,
            },
            user: object("user")?,
        })
    }

    /// The stored value, as `JSON.stringify(entry)` writes it.
    pub fn to_json_string(&self) -> String {
        let d = &self.decoded;
        let encoded = Json::Object(vec![
            ("header".to_owned(), Json::str(&d.encoded_header)),
            ("payload".to_owned(), Json::str(&d.encoded_payload)),
            ("signature".to_owned(), Json::str(&d.signature)),
        ]);
        let decoded_token = Json::Object(vec![
            ("encoded".to_owned(), encoded),
            ("header".to_owned(), d.header.clone()),
            ("claims".to_owned(), d.claims.clone()),
            ("user".to_owned(), self.user.clone()),
        ]);
        Json::Object(vec![("id_token".to_owned(), Json::str(&d.raw)), ("decodedToken".to_owned(), decoded_token)]).to_json_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::http::HttpResponse;
    use crate::core::jwt::decode;
    use crate::core::token::parse_token_response;

    const NOW_MS: u64 = 1_750_000_000_000;
    const NOW_S: u64 = NOW_MS / 1000;

    fn key(aud: Option<&str>, scope: &str) -> CacheKey {
        CacheKey::new("abc", aud, scope)
    }

    fn keys(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    fn response(body: &str) -> TokenResponse {
        parse_token_response(&HttpResponse { status: 200, body: body.into(), dpop_nonce: None }, "https://t/oauth/token", NOW_MS).unwrap()
    }

    fn entry(expires_at: u64, rt: Option<&str>) -> AccessTokenEntry {
        let mut body = Json::Object(vec![("access_token".into(), Json::str("at"))]);
        if let Some(rt) = rt {
            body.set("refresh_token", Json::str(rt));
        }
        body.set("token_type", Json::str("Bearer"));
        body.set("expires_in", Json::Number(86400.0));
        body.set("scope", Json::str("openid profile"));
        body.set("audience", Json::str("default"));
        body.set("client_id", Json::str("abc"));
        AccessTokenEntry { body, expires_at }
    }

    // ---- keys -------------------------------------------------------------------------------

    #[test]
    fn access_token_key_matches_auth0_spa_js() {
        assert_eq!(key(None, "openid profile email offline_access").to_key(), "@@auth0spajs@@::abc::default::openid profile email offline_access");
        assert_eq!(key(Some("https://api/"), "openid").to_key(), "@@auth0spajs@@::abc::https://api/::openid");
        assert_eq!(key(Some(""), "openid").audience, "default");
    }

    #[test]
    fn empty_key_parts_are_dropped_like_filter_boolean() {
        assert_eq!(CacheKey { client_id: "abc".into(), audience: "default".into(), scope: String::new() }.to_key(), "@@auth0spajs@@::abc::default");
    }

    #[test]
    fn user_and_manifest_keys_match_auth0_spa_js() {
        assert_eq!(user_key("abc"), "@@auth0spajs@@::abc::@@user@@");
        assert_eq!(manifest_key("abc"), "@@auth0spajs@@::abc");
    }

    #[test]
    fn from_key_round_trips_access_token_keys() {
        let k = key(Some("https://api.example.com/"), "openid read:things");
        assert_eq!(CacheKey::from_key(&k.to_key()), Some(k));
    }

    #[test]
    fn from_key_rejects_everything_that_is_not_an_access_token_key() {
        for bad in [
            "@@auth0spajs@@::abc::@@user@@",
            "@@auth0spajs@@::abc",
            "@@auth0spajs@@::abc::default",
            "other::abc::default::openid",
            "@@auth0spajs@@::abc::default::openid::extra",
            "@@auth0spajs@@::::default::openid",
            "a0.spajs.txs.abc",
            "",
        ] {
            assert_eq!(CacheKey::from_key(bad), None, "{bad}");
        }
    }

    #[test]
    fn manifest_round_trips_and_rejects_garbage() {
        let ks = keys(&["@@auth0spajs@@::abc::default::openid", "@@auth0spajs@@::abc::@@user@@"]);
        let v = manifest_value(&ks);
        assert_eq!(v, r#"{"keys":["@@auth0spajs@@::abc::default::openid","@@auth0spajs@@::abc::@@user@@"]}"#);
        assert_eq!(parse_manifest(&v), Some(ks));
        for bad in ["", "{", "[]", r#"{"keys":"x"}"#, r#"{"keys":[1]}"#] {
            assert_eq!(parse_manifest(bad), None, "{bad}");
        }
    }

    #[test]
    fn belongs_to_client_matches_exactly_not_by_substring() {
        assert!(belongs_to_client("@@auth0spajs@@::abc::default::openid", "abc"));
        assert!(belongs_to_client("@@auth0spajs@@::abc::@@user@@", "abc"));
        assert!(belongs_to_client("@@auth0spajs@@::abc", "abc"));
        assert!(!belongs_to_client("@@auth0spajs@@::abcd::default::openid", "abc"));
        assert!(!belongs_to_client("@@auth0spajs@@::xabc::@@user@@", "abc"));
        assert!(!belongs_to_client("@@auth0spajs@@::other::abc::openid", "abc"));
        assert!(!belongs_to_client("@@auth0spajs@@::abc", ""));
    }

    // ---- lookup -----------------------------------------------------------------------------

    #[test]
    fn lookup_prefers_the_exact_key() {
        let ks = keys(&["@@auth0spajs@@::abc::default::openid profile email extra", "@@auth0spajs@@::abc::default::openid profile email"]);
        assert_eq!(find_matching_key(&ks, &key(None, "openid profile email")).as_deref(), Some("@@auth0spajs@@::abc::default::openid profile email"));
    }

    #[test]
    fn lookup_accepts_a_scope_superset_of_the_same_client_and_audience() {
        let ks = keys(&["@@auth0spajs@@::abc::default::openid profile email offline_access"]);
        assert_eq!(find_matching_key(&ks, &key(None, "email openid")).as_deref(), Some("@@auth0spajs@@::abc::default::openid profile email offline_access"));
    }

    #[test]
    fn lookup_rejects_a_scope_subset() {
        let ks = keys(&["@@auth0spajs@@::abc::default::openid"]);
        assert_eq!(find_matching_key(&ks, &key(None, "openid profile")), None);
    }

    #[test]
    fn i8_lookup_never_crosses_audience_or_client() {
        let ks = keys(&[
            "@@auth0spajs@@::abc::https://other-api/::openid profile",
            "@@auth0spajs@@::abcd::default::openid profile",
            "@@auth0spajs@@::xyz::default::openid profile",
            "@@auth0spajs@@::abc::@@user@@",
        ]);
        assert_eq!(find_matching_key(&ks, &key(None, "openid profile")), None);
        assert_eq!(find_matching_key(&ks, &key(Some("https://api/"), "openid")), None);
    }

    #[test]
    fn lookup_with_an_empty_scope_only_matches_exactly() {
        let ks = keys(&["@@auth0spajs@@::abc::default::openid"]);
        assert_eq!(find_matching_key(&ks, &key(None, "")), None);
        assert_eq!(find_matching_key(&ks, &key(None, "   ")), None);
    }

    // ---- access-token entries ---------------------------------------------------------------

    #[test]
    fn entry_from_a_token_response_matches_what_auth0_spa_js_writes() {
        let r = response(r#"{"access_token":"AT-1","id_token":"h.p.s","scope":"openid profile email offline_access","expires_in":86400,"token_type":"Bearer","refresh_token":"RT-1"}"#);
        let e = AccessTokenEntry::from_token_response(&r, &key(None, "openid profile email offline_access"), NOW_MS);
        assert_eq!(
            e.to_json_string(),
            r#"{"body":{"access_token":"AT-1","scope":"openid profile email offline_access","expires_in":86400,"token_type":"Bearer","refresh_token":"RT-1","audience":"default","oauthTokenScope":"openid profile email offline_access","client_id":"abc"},"expiresAt":1750086400}"#
        );
    }

    #[test]
    fn entry_body_appends_scope_when_the_server_sent_none_and_omits_oauth_token_scope() {
        let r = response(r#"{"access_token":"a","token_type":"Bearer","expires_in":60,"x":1}"#);
        let e = AccessTokenEntry::from_token_response(&r, &key(Some("https://api/"), "openid read"), NOW_MS);
        assert_eq!(
            e.to_json_string(),
            r#"{"body":{"access_token":"a","token_type":"Bearer","expires_in":60,"x":1,"scope":"openid read","audience":"https://api/","client_id":"abc"},"expiresAt":1750000060}"#
        );
        assert_eq!(e.oauth_token_scope(), None);
    }

    #[test]
    fn entry_never_contains_the_id_token() {
        let r = response(r#"{"access_token":"a","id_token":"h.p.s","token_type":"Bearer","expires_in":60}"#);
        let e = AccessTokenEntry::from_token_response(&r, &key(None, "openid"), NOW_MS);
        assert!(e.body.get("id_token").is_none());
    }

    #[test]
    fn e7_entry_without_expires_in_expires_immediately_instead_of_never() {
        let r = response(r#"{"access_token":"opaque","token_type":"Bearer"}"#);
        let e = AccessTokenEntry::from_token_response(&r, &key(None, "openid"), NOW_MS);
        assert_eq!(e.expires_at, NOW_S);
        assert_eq!(evaluate(&e, NOW_MS, GET_TOKEN_EARLY_EXPIRY_SECS), Freshness::Expired);
    }

    #[test]
    fn stored_entries_parse_and_reserialise_to_the_same_bytes() {
        let text = r#"{"body":{"access_token":"AT-3","refresh_token":"RT-2","scope":"openid","expires_in":86400,"token_type":"Bearer","audience":"default","oauthTokenScope":"openid","client_id":"abc","custom":[1,"x"]},"expiresAt":1750087400}"#;
        let e = AccessTokenEntry::parse(text).unwrap();
        assert_eq!(e.to_json_string(), text);
        assert_eq!(e.access_token(), Some("AT-3"));
        assert_eq!(e.refresh_token(), Some("RT-2"));
        assert_eq!(e.expires_in(), Some(86400.0));
        assert_eq!(e.expires_at, 1_750_087_400);
    }

    #[test]
    fn i1_garbage_or_mistyped_entries_parse_as_absent() {
        for bad in [
            "",
            "{",
            "null",
            "[]",
            r#"{"body":{"access_token":"a"}}"#,
            r#"{"body":{"access_token":"a"},"expiresAt":null}"#,
            r#"{"body":{"access_token":"a"},"expiresAt":"1750000000"}"#,
            r#"{"body":{"access_token":"a"},"expiresAt":-1}"#,
            r#"{"body":"x","expiresAt":1}"#,
            r#"{"expiresAt":1}"#,
            r#"{"body":{},"expiresAt":1}"#,
            r#"{"body":{"access_token":""},"expiresAt":1}"#,
            r#"{"body":{"access_token":5},"expiresAt":1}"#,
            r#"{"body":{"access_token":"a","refresh_token":null},"expiresAt":1}"#,
            r#"{"body":{"access_token":"a","scope":["openid"]},"expiresAt":1}"#,
            r#"{"body":{"access_token":"a","expires_in":"60"},"expiresAt":1}"#,
            r#"{"body":{"access_token":"a","audience":1},"expiresAt":1}"#,
        ] {
            assert_eq!(AccessTokenEntry::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_refresh_only_stub_is_a_valid_entry() {
        let stub = AccessTokenEntry::parse(r#"{"body":{"refresh_token":"rt","audience":"default","scope":"openid"},"expiresAt":1}"#).unwrap();
        assert_eq!(stub.access_token(), None);
        assert_eq!(stub.refresh_token(), Some("rt"));
    }

    #[test]
    fn i8_an_entry_stored_under_another_key_is_not_served() {
        let text = entry(NOW_S + 100, None).to_json_string();
        assert!(AccessTokenEntry::parse_for_key(&text, &key(None, "openid profile")).is_some());
        assert!(AccessTokenEntry::parse_for_key(&text, &key(Some("https://api/"), "openid profile")).is_none());
        assert!(AccessTokenEntry::parse_for_key(&text, &CacheKey::new("xyz", None, "openid profile")).is_none());
        assert!(AccessTokenEntry::parse_for_key(&text, &key(None, "openid")).is_none());
    }

    // ---- expiry -----------------------------------------------------------------------------

    #[test]
    fn entry_is_fresh_until_sixty_seconds_before_expiry_for_get_token_reads() {
        assert_eq!(evaluate(&entry(NOW_S + 60, None), NOW_MS, GET_TOKEN_EARLY_EXPIRY_SECS), Freshness::Fresh);
        assert_eq!(evaluate(&entry(NOW_S + 59, None), NOW_MS, GET_TOKEN_EARLY_EXPIRY_SECS), Freshness::Expired);
    }

    #[test]
    fn the_get_token_margin_is_sixty_seconds_or_half_the_lifetime_whichever_is_shorter() {
        let with_lifetime = |expires_in: Json| {
            let mut e = entry(NOW_S + 30, None);
            e.body.set("expires_in", expires_in);
            e
        };
        for (expires_in, margin) in [
            (Json::Number(86_400.0), 60),
            (Json::Number(120.0), 60),
            (Json::Number(119.0), 59),
            (Json::Number(60.0), 30),
            (Json::Number(30.0), 15),
            (Json::Number(3.0), 1),
            (Json::Number(1.0), 1),
            (Json::Number(0.0), 1),
            (Json::Number(-5.0), 60),
            (Json::str("30"), 60),
        ] {
            assert_eq!(get_token_margin_secs(&with_lifetime(expires_in.clone())), margin, "expires_in {expires_in:?}");
        }
        let mut without = entry(NOW_S, None);
        without.body.remove("expires_in");
        assert_eq!(get_token_margin_secs(&without), 60);
    }

    #[test]
    fn a_thirty_second_token_is_served_for_its_first_half_and_renewed_in_its_second() {
        let mut e = entry(NOW_S + 30, None);
        e.body.set("expires_in", Json::Number(30.0));
        let at = |secs_later: u64| evaluate(&e, NOW_MS + secs_later * 1000, get_token_margin_secs(&e));
        assert_eq!(at(0), Freshness::Fresh);
        assert_eq!(at(15), Freshness::Fresh);
        assert_eq!(at(16), Freshness::Expired, "renewed 14 s before it expires");
    }

    #[test]
    fn refresh_lookups_use_no_early_expiry() {
        assert_eq!(evaluate(&entry(NOW_S, None), NOW_MS, 0), Freshness::Fresh);
        assert_eq!(evaluate(&entry(NOW_S - 1, None), NOW_MS, 0), Freshness::Expired);
    }

    #[test]
    fn expiry_uses_whole_seconds_of_now() {
        // floor(now/1000): 999 ms into the second still counts as that second.
        assert_eq!(evaluate(&entry(NOW_S, None), NOW_MS + 999, 0), Freshness::Fresh);
    }

    #[test]
    fn expired_entry_with_refresh_token_degrades_to_the_auth0_stub() {
        let e = entry(NOW_S - 10, Some("rt"));
        let stub = match evaluate(&e, NOW_MS, GET_TOKEN_EARLY_EXPIRY_SECS) {
            Freshness::RefreshOnly(stub) => stub,
            other => panic!("{other:?}"),
        };
        assert_eq!(stub.to_json_string(), [r#"{"body":{"refresh_token":"rt","audience":"default","scope":"openid profile"},"expiresAt":"#, &(NOW_S - 10).to_string(), "}"].concat());
        assert_eq!(stub.expires_at, e.expires_at);
    }

    #[test]
    fn a_stub_evaluates_as_refresh_only_even_before_its_expiry() {
        let stub = entry(NOW_S + 30, Some("rt")).refresh_only().unwrap();
        assert!(matches!(evaluate(&stub, NOW_MS, 0), Freshness::RefreshOnly(s) if s == stub));
    }

    #[test]
    fn an_absurdly_distant_expires_at_counts_as_expired() {
        let far = entry(NOW_S + MAX_ENTRY_LIFETIME_SECS + 1, Some("rt"));
        assert!(matches!(evaluate(&far, NOW_MS, 0), Freshness::RefreshOnly(_)));
        let far = entry(u64::MAX, None);
        assert_eq!(evaluate(&far, NOW_MS, GET_TOKEN_EARLY_EXPIRY_SECS), Freshness::Expired);
        assert_eq!(evaluate(&entry(NOW_S + MAX_ENTRY_LIFETIME_SECS, None), NOW_MS, 0), Freshness::Fresh);
    }

    #[test]
    fn huge_stored_expires_at_parses_without_overflow_and_is_expired() {
        let e = AccessTokenEntry::parse(r#"{"body":{"access_token":"a"},"expiresAt":1e308}"#).unwrap();
        assert_eq!(evaluate(&e, NOW_MS, 60), Freshness::Expired);
    }

    #[test]
    fn with_refresh_token_keeps_position_access_token_and_expiry() {
        let e = entry(NOW_S + 5, Some("old"));
        let r = e.with_refresh_token("new");
        assert_eq!(r.to_json_string(), e.to_json_string().replace("\"old\"", "\"new\""));
    }

    #[test]
    fn debug_output_of_an_entry_hides_tokens() {
        let shown = format!("{:?}", entry(1, Some("secret-rt")));
        assert!(!shown.contains("secret-rt") && !shown.contains("\"at\""), "{shown}");
    }

    // ---- ID-token entries -------------------------------------------------------------------

    fn id_token() -> String {
        use crate::core::encoding::base64url_encode;
        let mut t = base64url_encode(br#"{"alg":"RS256","typ":"JWT"}"#);
        t.push('.');
        t.push_str(&base64url_encode(br#"{"name":"A","iss":"https://t/","aud":"abc","sub":"u","iat":1,"exp":2,"nonce":"n"}"#));
        t.push_str(".c2ln");
        t
    }

    #[test]
    fn id_token_entry_has_the_auth0_shape() {
        let t = id_token();
        let entry = IdTokenEntry::from_decoded(decode(&t).unwrap());
        let mut parts = t.split('.');
        let (h, p) = (parts.next().unwrap(), parts.next().unwrap());
        let expected = [
            r#"{"id_token":""#, &t, r#"","decodedToken":{"encoded":{"header":""#, h, r#"","payload":""#, p,
            r#"","signature":"c2ln"},"header":{"alg":"RS256","typ":"JWT"},"claims":{"__raw":""#, &t,
            r#"","name":"A","iss":"https://t/","aud":"abc","sub":"u","iat":1,"exp":2,"nonce":"n"},"user":{"name":"A","sub":"u"}}}"#,
        ]
        .concat();
        assert_eq!(entry.to_json_string(), expected);
        assert_eq!(entry.id_token(), t);
    }

    #[test]
    fn id_token_entry_round_trips_byte_for_byte() {
        let text = IdTokenEntry::from_decoded(decode(&id_token()).unwrap()).to_json_string();
        let parsed = IdTokenEntry::parse(&text).unwrap();
        assert_eq!(parsed.to_json_string(), text);
        assert_eq!(parsed.decoded.str_claim("sub"), Some("u"));
        assert_eq!(parsed.user.str_field("name"), Some("A"));
    }

    #[test]
    fn i1_malformed_id_token_entries_parse_as_absent() {
        let good = IdTokenEntry::from_decoded(decode(&id_token()).unwrap()).to_json_string();
        let mut value = Json::parse(&good).unwrap();
        assert!(IdTokenEntry::parse(&value.to_json_string()).is_some());
        value.remove("id_token");
        assert!(IdTokenEntry::parse(&value.to_json_string()).is_none());
        for bad in ["", "{}", "[]", r#"{"id_token":"x"}"#, r#"{"id_token":"x","decodedToken":{}}"#, r#"{"id_token":"x","decodedToken":{"encoded":{"header":"h","payload":"p","signature":"s"},"header":{},"claims":[],"user":{}}}"#] {
            assert!(IdTokenEntry::parse(bad).is_none(), "{bad}");
        }
        assert!(IdTokenEntry::parse(r#"{"id_token":"x","decodedToken":{"encoded":{"header":"h","payload":"p","signature":"s"},"header":{},"claims":{},"user":{}}}"#).is_some());
    }
}
