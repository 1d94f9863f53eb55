//! Scope computation, byte-for-byte as auth0-spa-js `src/scope.ts` does it
//! (docs/behaviour.md §2.4).
//!
//! The computed scope string matters beyond the `/authorize` URL: it is part of every cache key
//! (§3.1) and of the stored transaction (§3.8), so the exact token order and de-duplication must
//! match auth0-spa-js or caches written by one SDK are missed by the other.

/// The client scope when the application sets none (auth0-spa-js default options, §1.3).
pub(crate) const DEFAULT_SCOPE: &str = "openid profile email";

/// The scope map slot used when no audience (or an unknown one) is asked for; also the cache
/// key audience when none is given (§3.1).
pub(crate) const DEFAULT_AUDIENCE: &str = "default";

/// Always requested: without `openid` the server issues no ID token (OIDC Core 3.1.2.1).
pub(crate) const OPENID_SCOPE: &str = "openid";

/// Added to every scope when `useRefreshTokens` is on, so the server issues a refresh token
/// (OIDC Core 11).
pub(crate) const OFFLINE_ACCESS_SCOPE: &str = "offline_access";

/// JavaScript's `\s` (ECMAScript WhiteSpace + LineTerminator), which `getUniqueScopes` splits
/// and trims on. Differs from Rust's `char::is_whitespace` (U+FEFF is in, U+0085 is out).
fn is_js_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{B}' | '\u{C}' | '\r' | ' ' | '\u{A0}' | '\u{1680}' | '\u{2000}'..='\u{200A}'
            | '\u{2028}' | '\u{2029}' | '\u{202F}' | '\u{205F}' | '\u{3000}' | '\u{FEFF}'
    )
}

/// auth0-spa-js `getUniqueScopes(...scopes)`: joins the non-empty parts with spaces, splits on
/// whitespace, drops duplicates keeping the first occurrence, and joins with single spaces.
pub(crate) fn get_unique_scopes(parts: &[Option<&str>]) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for part in parts.iter().flatten() {
        for token in part.split(is_js_space).filter(|t| !t.is_empty()) {
            if !seen.contains(&token) {
                seen.push(token);
            }
        }
    }
    let mut out = String::new();
    for (i, token) in seen.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(token);
    }
    out
}

/// The scope that asks for Online Refresh Tokens (`refreshTokenMode: 'online'`): session-bound,
/// non-rotating refresh tokens; it replaces `offline_access`.
pub(crate) const ONLINE_ACCESS_SCOPE: &str = "online_access";

/// The session scope auth0-spa-js injects into every scope: `online_access` in online mode,
/// `offline_access` when refresh tokens are used, nothing otherwise (never both).
pub(crate) fn session_scope(use_refresh_tokens: bool, online: bool) -> Option<&'static str> {
    match (use_refresh_tokens, online) {
        (true, true) => Some(ONLINE_ACCESS_SCOPE),
        (true, false) => Some(OFFLINE_ACCESS_SCOPE),
        (false, _) => None,
    }
}

/// The client's scopes per audience after `injectDefaultScopes`: slot `default` plus one slot
/// per audience when the app configured `authorizationParams.scope` as an object (2.8+).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScopeConfig {
    /// `(audience, scope)` slots; `default` first, keys unique.
    slots: Vec<(String, String)>,
}

impl ScopeConfig {
    /// `injectDefaultScopes` for a string (or absent) client scope:
    /// `{ default: getUniqueScopes('openid', client_scope, session_scope) }`.
    /// Pass `Some(DEFAULT_SCOPE)` when the app configured nothing; an app-set scope does not get
    /// `profile email` back, but always gets `openid`.
    pub(crate) fn from_string(client_scope: Option<&str>, session_scope: Option<&str>) -> ScopeConfig {
        let default = get_unique_scopes(&[Some(OPENID_SCOPE), client_scope, session_scope]);
        ScopeConfig { slots: vec![(DEFAULT_AUDIENCE.to_owned(), default)] }
    }

    /// `injectDefaultScopes` for an object client scope `{ [audience]: scope }`: slot `default`
    /// becomes `openid [session]` — **without** `profile email` (a verified auth0-spa-js quirk)
    /// unless the map has its own `default` key — and each audience gets
    /// `openid <its scope> [session]`.
    pub(crate) fn from_map(map: &[(String, String)], session_scope: Option<&str>) -> ScopeConfig {
        let mut config = ScopeConfig {
            slots: vec![(
                DEFAULT_AUDIENCE.to_owned(),
                get_unique_scopes(&[Some(OPENID_SCOPE), session_scope]),
            )],
        };
        for (audience, scope) in map {
            let value = get_unique_scopes(&[Some(OPENID_SCOPE), Some(scope), session_scope]);
            match config.slots.iter_mut().find(|(a, _)| a == audience) {
                Some(slot) => slot.1 = value,
                None => config.slots.push((audience.clone(), value)),
            }
        }
        config
    }

    /// The configured scope for `audience` exactly (no fallback to `default`).
    pub fn get(&self, audience: &str) -> Option<&str> {
        self.slots.iter().find(|(a, _)| a == audience).map(|(_, s)| s.as_str())
    }

    /// All `(audience, scope)` slots, `default` first.
    pub(crate) fn slots(&self) -> &[(String, String)] {
        &self.slots
    }

    /// auth0-spa-js `scopesToRequest(map, methodScope, audience)`: the slot of `audience` (if
    /// non-empty and configured with a non-empty scope) else the `default` slot, merged with
    /// the per-call `method_scope` through [`get_unique_scopes`].
    ///
    /// For `loginWithRedirect`/`loginWithPopup`, auth0-spa-js passes the **per-call** audience
    /// only (a client-level audience does not pick its slot); for silent calls it passes the
    /// merged one. The caller decides which audience to pass.
    pub(crate) fn scopes_to_request(&self, method_scope: Option<&str>, audience: Option<&str>) -> String {
        let slot = audience
            .filter(|a| !a.is_empty())
            .and_then(|a| self.get(a))
            .filter(|s| !s.is_empty())
            .or_else(|| self.get(DEFAULT_AUDIENCE));
        get_unique_scopes(&[slot, method_scope])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(a, s)| (a.to_string(), s.to_string())).collect()
    }

    #[test]
    fn unique_scopes_keep_first_seen_order_and_drop_duplicates() {
        assert_eq!(get_unique_scopes(&[Some("openid"), Some("email openid profile email")]), "openid email profile");
    }

    #[test]
    fn unique_scopes_collapse_any_javascript_whitespace() {
        assert_eq!(get_unique_scopes(&[Some("  a\t\tb\n c \u{A0}d\u{FEFF}e  ")]), "a b c d e");
        // U+0085 is not JS whitespace, so it stays inside the token.
        assert_eq!(get_unique_scopes(&[Some("a\u{85}b")]), "a\u{85}b");
    }

    #[test]
    fn unique_scopes_skip_empty_and_absent_parts() {
        assert_eq!(get_unique_scopes(&[None, Some(""), Some("openid"), None]), "openid");
        assert_eq!(get_unique_scopes(&[]), "");
        assert_eq!(get_unique_scopes(&[Some("   ")]), "");
    }

    #[test]
    fn default_client_scope_gives_openid_profile_email() {
        let c = ScopeConfig::from_string(Some(DEFAULT_SCOPE), None);
        assert_eq!(c.scopes_to_request(None, None), "openid profile email");
    }

    #[test]
    fn refresh_tokens_append_offline_access_after_the_client_scope() {
        let c = ScopeConfig::from_string(Some(DEFAULT_SCOPE), session_scope(true, false));
        assert_eq!(c.scopes_to_request(None, None), "openid profile email offline_access");
        assert_eq!(session_scope(false, false), None);
        assert_eq!(session_scope(false, true), None, "online mode needs refresh tokens");
        assert_eq!(session_scope(true, true), Some("online_access"), "online_access replaces offline_access");
    }

    #[test]
    fn an_app_set_scope_gets_openid_but_not_profile_email() {
        let c = ScopeConfig::from_string(Some("read:things"), None);
        assert_eq!(c.scopes_to_request(None, None), "openid read:things");
        let c = ScopeConfig::from_string(Some("email openid"), session_scope(true, false));
        assert_eq!(c.scopes_to_request(None, None), "openid email offline_access");
    }

    #[test]
    fn method_scope_is_appended_after_the_configured_scope() {
        let c = ScopeConfig::from_string(Some(DEFAULT_SCOPE), session_scope(true, false));
        assert_eq!(
            c.scopes_to_request(Some("read:x openid"), None),
            "openid profile email offline_access read:x"
        );
    }

    #[test]
    fn object_scope_default_slot_lacks_profile_and_email() {
        let c = ScopeConfig::from_map(&map(&[("https://api", "read:things")]), session_scope(true, false));
        assert_eq!(c.get("default"), Some("openid offline_access"));
        assert_eq!(c.get("https://api"), Some("openid read:things offline_access"));
        assert_eq!(c.slots()[0].0, "default");
    }

    #[test]
    fn object_scope_with_its_own_default_key_overrides_the_default_slot() {
        let c = ScopeConfig::from_map(&map(&[("default", "profile"), ("https://api", "x")]), None);
        assert_eq!(c.get("default"), Some("openid profile"));
        assert_eq!(c.slots().len(), 2);
    }

    #[test]
    fn audience_picks_its_slot_and_unknown_audiences_fall_back_to_default() {
        let c = ScopeConfig::from_map(&map(&[("https://api", "read:things")]), None);
        assert_eq!(c.scopes_to_request(None, Some("https://api")), "openid read:things");
        assert_eq!(c.scopes_to_request(None, Some("https://other")), "openid");
        assert_eq!(c.scopes_to_request(None, Some("")), "openid");
    }

    #[test]
    fn login_without_per_call_audience_uses_the_default_slot_quirk() {
        // Client: audience https://api, scope {https://api: read:things}, refresh tokens on.
        // loginWithRedirect() passes only the per-call audience (none): default slot is used,
        // while getTokenSilently() passes the merged audience and gets the api slot.
        let c = ScopeConfig::from_map(&map(&[("https://api", "read:things")]), session_scope(true, false));
        assert_eq!(c.scopes_to_request(None, None), "openid offline_access");
        assert_eq!(c.scopes_to_request(None, Some("https://api")), "openid read:things offline_access");
    }

    #[test]
    fn string_scope_ignores_the_audience() {
        let c = ScopeConfig::from_string(Some(DEFAULT_SCOPE), None);
        assert_eq!(c.scopes_to_request(None, Some("https://api")), "openid profile email");
    }
}
