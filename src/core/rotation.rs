//! Refresh-token rotation bookkeeping (RFC 6749 §6; RFC 9700 §4.14.2; docs/behaviour.md §2.6 point 5),
//! as pure decisions: which cache entries to rewrite after a refresh, and with what.
//!
//! After a rotating refresh, the old refresh token is dead server-side and presenting it again is
//! reuse, which makes the server revoke the whole token family (security cases F1, F3, F10). So the
//! new token must replace the old one in **every** entry of the client that holds it (other
//! scopes, other audiences, refresh-only stubs), without touching their access tokens or
//! `expiresAt` (F18, auth0-spa-js 2.15.0 fix), and the old token must never be written again.
//!
//! Deliberate difference from auth0-spa-js (§2.6 point 6, §10 item 7): when a refresh response
//! carries no `refresh_token` (servers with reusable, non-rotating refresh tokens), auth0-spa-js's
//! default ("offline") mode stores the new entry without one, so the next renewal fails with
//! `missing_refresh_token`. Here the current refresh token is kept (security case F2; RFC 6749 §6:
//! the server MAY issue a new one, else the client keeps using the old one) — see
//! [`keep_refresh_token_if_absent`].

use super::cache::{AccessTokenEntry, CacheKey};
use super::token::{is_refresh_token_dead, TokenResponse};
use super::scope::ONLINE_ACCESS_SCOPE;

/// F2: if the refresh `response` carries no refresh token, put `current` (the one just used)
/// into it, so the entry written from it keeps a usable refresh token. Returns true when it did.
/// A response that does carry one is left alone.
pub(crate) fn keep_refresh_token_if_absent(response: &mut TokenResponse, current: &str) -> bool {
    if response.refresh_token.is_some() || current.is_empty() {
        return false;
    }
    response.set_refresh_token(current);
    true
}

/// The writes that propagate a rotation (F1, F18): for every entry of `client_id` in `entries`
/// whose refresh token is `old_refresh_token`, a copy holding `new_refresh_token` instead, under
/// the same key, with the same access token, `expiresAt` and member order.
///
/// * No writes when the response carried no new token, or the same token, or `old` is empty
///   (F2: nothing rotated, the current token stays everywhere).
/// * `refreshed_key`, the key the new entry (built from the response) is written under, is
///   skipped: its stale copy in `entries` must not overwrite the fresh access token.
/// * Keys of other clients and entries holding other refresh tokens are never touched (B6, I8).
/// * No write ever contains `old_refresh_token`.
///
/// `entries` should be read while holding the refresh lock (docs/performance.md, F6).
///
/// With Multi-Resource Refresh Tokens (`converge`), one refresh token serves every audience, so
/// every entry of the client that holds **any** refresh token takes the new one (auth0-spa-js
/// 2.24.1): copies left over from a concurrent renewal converge on the newest token.
pub fn propagate_rotation(
    client_id: &str,
    old_refresh_token: &str,
    new_refresh_token: Option<&str>,
    refreshed_key: Option<&str>,
    entries: &[(String, AccessTokenEntry)],
    converge: bool,
) -> Vec<(String, AccessTokenEntry)> {
    let new = match new_refresh_token {
        Some(n) if !n.is_empty() && n != old_refresh_token && !old_refresh_token.is_empty() => n,
        _ => return Vec::new(),
    };
    entries
        .iter()
        .filter(|(key, _)| Some(key.as_str()) != refreshed_key)
        .filter(|(key, _)| CacheKey::from_key(key).is_some_and(|k| k.client_id == client_id))
        .filter(|(_, entry)| entry.refresh_token() == Some(old_refresh_token) || (converge && entry.refresh_token().is_some_and(|t| t != new)))
        .map(|(key, entry)| (key.clone(), entry.with_refresh_token(new)))
        .collect()
}

/// Whether a refresh response rotated the refresh token: it carries a new, different one, so the
/// one just presented is dead at the server and must never be presented again (F1, F10).
pub(crate) fn is_rotation(presented: &str, returned: Option<&str>) -> bool {
    returned.is_some_and(|r| !r.is_empty() && r != presented)
}

/// What the local checks made of the ID token of a refresh response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefreshedIdToken {
    /// It passed every check, or the response carried none and the cached user stays (D20).
    Usable,
    /// It failed only a clock check (`exp`, `nbf`, `iat`): the device clock is off, the
    /// server's answer is sound (J1, J2).
    ClockSkewed,
    /// It failed a trust check: another `sub` or `iss` than the session's, a bad signature
    /// header, a foreign `aud` (D1–D19).
    Untrusted,
    /// The response carried none and no user is cached: there is no session to renew.
    Missing,
}

/// Everything the client knows once a refresh response has arrived, for [`plan_after_refresh`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RefreshFacts {
    /// The server rotated the refresh token ([`is_rotation`]).
    pub rotated: bool,
    /// The verdict on the response's ID token.
    pub id_token: RefreshedIdToken,
    /// A logout ran, in this tab or another, while the request was on the network (K2, K6).
    pub logged_out_meanwhile: bool,
    /// The server granted fewer scopes than a Multi-Resource renewal asked for.
    pub scopes_missing: bool,
}

/// What the client does with a refresh response ([`plan_after_refresh`]).
///
/// A storage write that fails is not a separate outcome: the client keeps whatever a plan writes
/// in the page's memory when storage refuses it, and removes those keys from storage, so neither
/// half a result nor the rotated-away token ever stays there (docs/behaviour.md §2.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefreshPlan {
    /// Store the new entry and the user, and carry the new refresh token into every other entry
    /// that held the old one; serve the new access token.
    Store,
    /// Carry the new refresh token into every entry that held the old one, store nothing else
    /// from the response, and fail with the ID-token error.
    KeepRotationOnly,
    /// End the local session (which removes every entry holding the old token) and fail.
    EndSession,
    /// Write nothing and fail: nothing was rotated, or a logout already removed the old token.
    Discard,
}

/// The one rule for a refresh response (security cases F1, F3, D18–D20, J1, K2): the server has
/// already retired a rotated-away token, so no outcome may leave it where it can be presented
/// again, while a mere clock problem must not cost the user the session.
///
/// | logged out meanwhile | ID token      | rotated | plan               |
/// |----------------------|---------------|---------|--------------------|
/// | yes                  | any           | any     | `Discard`          |
/// | no                   | `Untrusted`   | any     | `EndSession`       |
/// | no                   | `Missing`     | any     | `EndSession`       |
/// | no                   | `ClockSkewed` | yes     | `KeepRotationOnly` |
/// | no                   | `ClockSkewed` | no      | `Discard`          |
/// | no                   | `Usable`, scopes missing | yes | `KeepRotationOnly` |
/// | no                   | `Usable`, scopes missing | no  | `Discard`          |
/// | no                   | `Usable`      | any     | `Store`            |
///
/// Scopes can only be missing after a Multi-Resource renewal for another audience or a wider
/// scope (§2.6 point 7): the token is not stored under a key that claims scopes it lacks, but a
/// rotation still sticks.
///
/// After a logout the session's entries, the old token's included, are gone already, and the new
/// token belongs to a session the user ended: it is dropped, not stored.
pub fn plan_after_refresh(facts: RefreshFacts) -> RefreshPlan {
    if facts.logged_out_meanwhile {
        return RefreshPlan::Discard;
    }
    match facts.id_token {
        RefreshedIdToken::Untrusted | RefreshedIdToken::Missing => RefreshPlan::EndSession,
        RefreshedIdToken::ClockSkewed if facts.rotated => RefreshPlan::KeepRotationOnly,
        RefreshedIdToken::ClockSkewed => RefreshPlan::Discard,
        RefreshedIdToken::Usable if facts.scopes_missing && facts.rotated => RefreshPlan::KeepRotationOnly,
        RefreshedIdToken::Usable if facts.scopes_missing => RefreshPlan::Discard,
        RefreshedIdToken::Usable => RefreshPlan::Store,
    }
}

/// The scope a Multi-Resource renewal asks for (§2.6 point 3): the cached refresh token's wider
/// scope when it belongs to the same audience and covers the request (so a renewal never narrows
/// the session), else the requested scope.
pub fn mrrt_scope_to_request<'a>(found_audience: Option<&str>, found_scope: Option<&'a str>, audience: &str, scope: &'a str) -> &'a str {
    match found_scope {
        Some(wider) if found_audience == Some(audience) && scope.split(' ').all(|s| wider.split(' ').any(|w| w == s)) => wider,
        _ => scope,
    }
}

/// The requested scopes the server did not grant, in request order (§2.6 point 7); a response
/// without `scope` granted what was asked. In online mode `online_access` is not counted: the
/// server need not echo it (auth0-spa-js `getMissingScopes`).
pub fn missing_scopes<'a>(requested: &'a str, granted: Option<&str>, online: bool) -> Vec<&'a str> {
    let Some(granted) = granted else { return Vec::new() };
    requested
        .split(' ')
        .filter(|s| {
            let not_counted = s.is_empty() || (online && *s == ONLINE_ACCESS_SCOPE);
            !not_counted && !granted.split(' ').any(|g| g == *s)
        })
        .collect()
}

/// What the client does when a refresh request failed ([`plan_after_failure`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailurePlan {
    /// Network error, timeout, 5xx, a client error: the session stays as it is, and nothing is
    /// re-sent blindly (E14).
    KeepSession,
    /// The token is dead: remove it from every entry (entries with a live access token keep
    /// that), and report the error.
    ForgetToken,
    /// The token is dead: remove it, then renew through the hidden iframe once
    /// (`useRefreshTokensFallback`, §2.6 point 8).
    ForgetTokenAndTryIframe,
    /// The server revoked the grant (`invalid_grant`: reuse detection, revocation): remove the
    /// token and end the local session, access tokens included (F3, F4).
    ForgetTokenAndEndSession,
}

/// The one rule for a failed refresh request, keyed on the OAuth `error` code only, never on the
/// description (F3):
///
/// | error code                                                          | fallback | plan                       |
/// |---------------------------------------------------------------------|----------|----------------------------|
/// | `invalid_grant`, `missing_refresh_token`, `invalid_token_response`  | on       | `ForgetTokenAndTryIframe`  |
/// | `invalid_grant`                                                     | off      | `ForgetTokenAndEndSession` |
/// | `missing_refresh_token`, `invalid_token_response`                   | off      | `ForgetToken`              |
/// | anything else                                                       | any      | `KeepSession`              |
///
/// A 2xx that could not be read (`invalid_token_response`) counts as dead: the server accepted,
/// and with rotation consumed, the token, but its successor was lost.
pub fn plan_after_failure(error: &crate::core::Error, fallback: bool) -> FailurePlan {
    if !is_refresh_token_dead(error) {
        return FailurePlan::KeepSession;
    }
    if fallback {
        FailurePlan::ForgetTokenAndTryIframe
    } else if error.error == "invalid_grant" {
        FailurePlan::ForgetTokenAndEndSession
    } else {
        FailurePlan::ForgetToken
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::cache::evaluate;
    use crate::core::http::HttpResponse;
    use crate::core::json::Json;
    use crate::core::token::parse_token_response;

    const NOW_MS: u64 = 1_750_000_000_000;

    fn entry(at: &str, rt: Option<&str>, expires_at: u64) -> AccessTokenEntry {
        let mut text = String::from(r#"{"body":{"access_token":""#);
        text.push_str(at);
        text.push('"');
        if let Some(rt) = rt {
            text.push_str(r#","refresh_token":""#);
            text.push_str(rt);
            text.push('"');
        }
        text.push_str(r#","token_type":"Bearer","expires_in":86400},"expiresAt":"#);
        text.push_str(&expires_at.to_string());
        text.push('}');
        AccessTokenEntry::parse(&text).unwrap()
    }

    const K_DEFAULT: &str = "@@auth0spajs@@::abc::default::openid profile offline_access";
    const K_API: &str = "@@auth0spajs@@::abc::https://api/::openid read offline_access";
    const K_API2: &str = "@@auth0spajs@@::abc::https://api/::openid write offline_access";
    const K_OTHER_CLIENT: &str = "@@auth0spajs@@::xyz::default::openid profile offline_access";

    fn store() -> Vec<(String, AccessTokenEntry)> {
        vec![
            (K_DEFAULT.to_owned(), entry("AT-1", Some("RT-1"), 100)),
            (K_API.to_owned(), entry("AT-2", Some("RT-1"), 200)),
            (K_API2.to_owned(), entry("AT-3", Some("RT-OTHER"), 300)),
            (K_OTHER_CLIENT.to_owned(), entry("AT-4", Some("RT-1"), 400)),
        ]
    }

    #[test]
    fn f1_the_new_token_replaces_the_old_one_in_every_entry_holding_it() {
        let writes = propagate_rotation("abc", "RT-1", Some("RT-2"), None, &store(), false);
        let keys: Vec<&str> = writes.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, [K_DEFAULT, K_API]);
        assert!(writes.iter().all(|(_, e)| e.refresh_token() == Some("RT-2")));
    }

    #[test]
    fn f18_access_tokens_and_expires_at_are_untouched_by_rotation() {
        let before = store();
        let writes = propagate_rotation("abc", "RT-1", Some("RT-2"), None, &before, false);
        for (key, written) in &writes {
            let (_, original) = before.iter().find(|(k, _)| k == key).unwrap();
            assert_eq!(written.expires_at, original.expires_at);
            assert_eq!(written.access_token(), original.access_token());
            assert_eq!(written.to_json_string(), original.to_json_string().replace("\"RT-1\"", "\"RT-2\""));
        }
    }

    #[test]
    fn the_old_refresh_token_is_never_written_back() {
        let writes = propagate_rotation("abc", "RT-1", Some("RT-2"), None, &store(), false);
        assert!(!writes.is_empty());
        assert!(writes.iter().all(|(_, e)| !e.to_json_string().contains("\"RT-1\"")));
    }

    #[test]
    fn entries_holding_another_refresh_token_are_left_alone() {
        let writes = propagate_rotation("abc", "RT-1", Some("RT-2"), None, &store(), false);
        assert!(writes.iter().all(|(k, _)| k != K_API2));
    }

    #[test]
    fn another_clients_entries_are_never_touched() {
        let writes = propagate_rotation("abc", "RT-1", Some("RT-2"), None, &store(), false);
        assert!(writes.iter().all(|(k, _)| k != K_OTHER_CLIENT));
        let writes = propagate_rotation("xyz", "RT-1", Some("RT-2"), None, &store(), false);
        let keys: Vec<&str> = writes.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, [K_OTHER_CLIENT]);
    }

    #[test]
    fn non_token_keys_are_ignored() {
        let mut entries = store();
        entries.push(("@@auth0spajs@@::abc::@@user@@".to_owned(), entry("x", Some("RT-1"), 1)));
        entries.push(("something-else".to_owned(), entry("x", Some("RT-1"), 1)));
        let writes = propagate_rotation("abc", "RT-1", Some("RT-2"), None, &entries, false);
        assert_eq!(writes.len(), 2);
    }

    #[test]
    fn the_freshly_written_key_is_skipped_so_its_new_access_token_survives() {
        let writes = propagate_rotation("abc", "RT-1", Some("RT-2"), Some(K_DEFAULT), &store(), false);
        let keys: Vec<&str> = writes.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, [K_API]);
    }

    #[test]
    fn refresh_only_stubs_are_rotated_too() {
        let stub = entry("AT-9", Some("RT-1"), 1).refresh_only().unwrap();
        let entries = vec![(K_API.to_owned(), stub.clone())];
        let writes = propagate_rotation("abc", "RT-1", Some("RT-2"), None, &entries, false);
        assert_eq!(writes.len(), 1);
        assert_eq!(writes[0].1.to_json_string(), stub.to_json_string().replace("RT-1", "RT-2"));
    }

    #[test]
    fn f2_no_new_refresh_token_means_no_writes() {
        assert!(propagate_rotation("abc", "RT-1", None, None, &store(), false).is_empty());
        assert!(propagate_rotation("abc", "RT-1", Some(""), None, &store(), false).is_empty());
    }

    #[test]
    fn the_same_token_returned_again_means_no_writes() {
        assert!(propagate_rotation("abc", "RT-1", Some("RT-1"), None, &store(), false).is_empty());
    }

    #[test]
    fn an_empty_old_token_never_matches_anything() {
        let entries = vec![(K_DEFAULT.to_owned(), entry("AT", None, 1))];
        assert!(propagate_rotation("abc", "", Some("RT-2"), None, &entries, false).is_empty());
    }

    #[test]
    fn rotation_means_a_new_non_empty_different_token() {
        assert!(is_rotation("RT-1", Some("RT-2")));
        assert!(!is_rotation("RT-1", Some("RT-1")));
        assert!(!is_rotation("RT-1", Some("")));
        assert!(!is_rotation("RT-1", None));
    }

    #[test]
    fn a_multi_resource_renewal_that_lacks_scopes_is_not_stored_but_its_rotation_sticks() {
        let facts = |rotated| RefreshFacts { rotated, id_token: RefreshedIdToken::Usable, logged_out_meanwhile: false, scopes_missing: true };
        assert_eq!(plan_after_refresh(facts(true)), RefreshPlan::KeepRotationOnly);
        assert_eq!(plan_after_refresh(facts(false)), RefreshPlan::Discard);
        let logged_out = RefreshFacts { logged_out_meanwhile: true, ..facts(true) };
        assert_eq!(plan_after_refresh(logged_out), RefreshPlan::Discard);
    }

    #[test]
    fn mrrt_asks_for_the_wider_cached_scope_only_within_the_same_audience() {
        for (found_aud, found_scope, aud, scope, expected) in [
            (Some("api"), Some("openid read write"), "api", "openid read", "openid read write"),
            (Some("api"), Some("openid read"), "api", "openid read write", "openid read write"),
            (Some("other"), Some("openid read write"), "api", "openid read", "openid read"),
            (None, None, "api", "openid read", "openid read"),
        ] {
            assert_eq!(mrrt_scope_to_request(found_aud, found_scope, aud, scope), expected, "{found_aud:?} {found_scope:?} {aud} {scope}");
        }
    }

    #[test]
    fn missing_scopes_are_the_requested_ones_the_server_left_out() {
        let rows: [(&str, Option<&str>, bool, &[&str]); 6] = [
            ("openid read write", Some("openid read"), false, &["write"]),
            ("openid read", Some("read openid extra"), false, &[]),
            ("openid read", None, false, &[]),
            ("openid online_access read", Some("openid read"), true, &[]),
            ("openid online_access read", Some("openid read"), false, &["online_access"]),
            ("openid offline_access", Some("openid"), true, &["offline_access"]),
        ];
        for (requested, granted, online, want) in rows {
            assert_eq!(missing_scopes(requested, granted, online), want, "{requested} / {granted:?} / {online}");
        }
    }

    #[test]
    fn with_mrrt_every_entry_holding_any_refresh_token_converges_on_the_new_one() {
        let writes = propagate_rotation("abc", "RT-1", Some("RT-2"), None, &store(), true);
        let keys: Vec<&str> = writes.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, [K_DEFAULT, K_API, K_API2], "RT-OTHER converges too; another client never");
        assert!(writes.iter().all(|(_, e)| e.refresh_token() == Some("RT-2")));
    }

    #[test]
    fn the_plan_after_a_failed_refresh_depends_on_the_error_code_only() {
        use crate::core::Error;
        use FailurePlan::*;
        let rows = [
            ("invalid_grant", true, ForgetTokenAndTryIframe),
            ("invalid_grant", false, ForgetTokenAndEndSession),
            ("missing_refresh_token", true, ForgetTokenAndTryIframe),
            ("missing_refresh_token", false, ForgetToken),
            ("invalid_token_response", false, ForgetToken),
            ("invalid_token_response", true, ForgetTokenAndTryIframe),
            ("request_error", true, KeepSession),
            ("timeout", false, KeepSession),
            ("server_error", true, KeepSession),
            ("temporarily_unavailable", false, KeepSession),
            ("invalid_client", false, KeepSession),
            ("mfa_required", true, KeepSession),
        ];
        for (code, fallback, expected) in rows {
            // The description never matters (auth0-spa-js matches "invalid refresh token" in it).
            let e = Error::generic(code, "Unknown or invalid refresh token.");
            assert_eq!(plan_after_failure(&e, fallback), expected, "{code}, fallback {fallback}");
        }
    }

    #[test]
    fn the_plan_after_a_refresh_never_keeps_a_rotated_away_token() {
        use RefreshPlan::*;
        use RefreshedIdToken::*;
        let rows = [
            // (logged out meanwhile, ID token, rotated) -> plan
            (false, Usable, true, Store),
            (false, Usable, false, Store),
            (false, ClockSkewed, true, KeepRotationOnly),
            (false, ClockSkewed, false, Discard),
            (false, Untrusted, true, EndSession),
            (false, Untrusted, false, EndSession),
            (false, Missing, true, EndSession),
            (false, Missing, false, EndSession),
            (true, Usable, true, Discard),
            (true, Usable, false, Discard),
            (true, ClockSkewed, true, Discard),
            (true, Untrusted, true, Discard),
            (true, Missing, false, Discard),
        ];
        for (logged_out_meanwhile, id_token, rotated, expected) in rows {
            let facts = RefreshFacts { rotated, id_token, logged_out_meanwhile, scopes_missing: false };
            let plan = plan_after_refresh(facts);
            assert_eq!(plan, expected, "{facts:?}");
            // Whatever the row, after a rotation the old token is replaced (Store,
            // KeepRotationOnly) or gone with the session (EndSession, or a logout for Discard).
            if rotated && plan == Discard {
                assert!(logged_out_meanwhile, "{facts:?}: a rotation is only discarded after a logout");
            }
        }
    }

    fn refresh_response(body: &str) -> TokenResponse {
        parse_token_response(&HttpResponse { status: 200, body: body.into(), dpop_nonce: None }, "https://t/oauth/token", NOW_MS).unwrap()
    }

    #[test]
    fn f2_a_refresh_response_without_refresh_token_keeps_the_current_one() {
        let mut r = refresh_response(r#"{"access_token":"AT-2","token_type":"Bearer","expires_in":60}"#);
        assert!(keep_refresh_token_if_absent(&mut r, "RT-1"));
        assert_eq!(r.refresh_token.as_deref(), Some("RT-1"));
        let key = CacheKey::new("abc", None, "openid offline_access");
        let e = AccessTokenEntry::from_token_response(&r, &key, NOW_MS);
        assert_eq!(e.refresh_token(), Some("RT-1"));
        // ... so that the entry can still be renewed after it expires.
        assert!(matches!(evaluate(&e, NOW_MS + 3_600_000, 60), crate::core::cache::Freshness::RefreshOnly(_)));
    }

    #[test]
    fn a_rotated_refresh_response_is_not_altered() {
        let mut r = refresh_response(r#"{"access_token":"AT-2","refresh_token":"RT-2","token_type":"Bearer","expires_in":60}"#);
        assert!(!keep_refresh_token_if_absent(&mut r, "RT-1"));
        assert_eq!(r.refresh_token.as_deref(), Some("RT-2"));
        assert_eq!(r.to_json().str_field("refresh_token"), Some("RT-2"));
    }

    #[test]
    fn keeping_an_empty_token_does_nothing() {
        let mut r = refresh_response(r#"{"access_token":"AT-2","token_type":"Bearer","expires_in":60}"#);
        assert!(!keep_refresh_token_if_absent(&mut r, ""));
        assert_eq!(r.to_json().get("refresh_token"), None::<&Json>);
    }
}
