//! Multi-Resource Refresh Tokens (`useMrrt`) over the fake platform: one refresh token renews
//! tokens for every audience, renewals for several audiences at once make one request each and
//! never present a rotated-away token, and a renewal granted less than asked is not stored
//! (docs/behaviour.md §2.6 point 7).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed unwrap is a failed test
#![cfg(not(target_arch = "wasm32"))]

mod common;

use auth0_spa_wasm::client::{CacheMode, GetTokenOptions, TokenSource};
use auth0_spa_wasm::core::json::Json;
use auth0_spa_wasm::core::options::ParamList;
use auth0_spa_wasm::core::ErrorClass;
use common::*;

const API_KEY_PREFIX: &str = "@@auth0spajs@@::test-client::https://api-";

fn logged_in(extra: &str) -> (Client<FakePlatform>, FakePlatform) {
    common::logged_in(&[",\"useRefreshTokens\":true,\"cacheLocation\":\"localstorage\"", extra].concat(), Some("rt-1"))
}

/// A rotating server: each refresh gets `at-for-{audience}` and the next refresh token, and the
/// scope asked for (or `granted` when given).
fn rotating_server(platform: &FakePlatform, granted: Option<&'static str>) {
    platform.on_http(move |r| {
        let presented = form_field(r, "refresh_token").unwrap();
        let n: u32 = presented.trim_start_matches("rt-").parse().unwrap();
        let audience = form_field(r, "audience").unwrap_or_else(|| "default".into());
        let scope = granted.map(str::to_owned).or_else(|| form_field(r, "scope")).unwrap_or_default();
        let mut response = Json::parse(&token_response(&["at-for-", &audience].concat(), Some(&["rt-", &(n + 1).to_string()].concat()), None, 3600).body).unwrap();
        response.set("scope", Json::str(&scope));
        Ok(auth0_spa_wasm::core::http::HttpResponse { status: 200, body: response.to_json_string(), dpop_nonce: None })
    });
}

fn for_audience(audience: &str) -> GetTokenOptions {
    let mut params = ParamList::new();
    params.set("audience", audience);
    GetTokenOptions { authorization_params: params, ..Default::default() }
}

#[test]
#[cfg_attr(not(feature = "parity"), ignore = "a feature of the full build only (Cargo feature `parity`)")]
fn the_sessions_refresh_token_renews_a_token_for_another_audience() {
    let (client, platform) = logged_in(r#","useMrrt":true"#);
    rotating_server(&platform, None);
    let token = run(client.get_token_silently(&for_audience("https://api-a/"))).unwrap().unwrap();
    assert_eq!((token.access_token.as_str(), token.source), ("at-for-https://api-a/", TokenSource::RefreshToken));
    let sent = &platform.requests()[0];
    assert_eq!(form_field(sent, "refresh_token").as_deref(), Some("rt-1"));
    assert_eq!(form_field(sent, "audience").as_deref(), Some("https://api-a/"));
    assert_eq!(form_field(sent, "scope").as_deref(), Some("openid profile email offline_access"));
    let cache = platform.cache_snapshot();
    assert!(cache.keys().any(|k| k.starts_with(API_KEY_PREFIX)), "stored under the audience asked for");
    assert!(cache.values().filter(|v| v.contains("refresh_token")).all(|v| v.contains("\"rt-2\"")), "every entry converged on the new token: {cache:?}");
}

#[test]
fn without_mrrt_another_audience_has_no_refresh_token() {
    let (client, platform) = logged_in("");
    rotating_server(&platform, None);
    let e = run(client.get_token_silently(&for_audience("https://api-a/"))).unwrap_err();
    assert_eq!(e.error, "missing_refresh_token");
    assert!(platform.requests().is_empty());
}

#[test]
#[cfg_attr(not(feature = "parity"), ignore = "a feature of the full build only (Cargo feature `parity`)")]
fn renewals_for_several_audiences_at_once_make_one_request_each_and_always_present_the_newest_token() {
    let (client, platform) = logged_in(r#","useMrrt":true"#);
    rotating_server(&platform, None);
    let audiences = ["https://api-a/", "https://api-b/", "https://api-c/"];
    let results = run(join_all(audiences.iter().map(|a| client.get_token_silently(&for_audience(a)))));
    for (audience, r) in audiences.iter().zip(&results) {
        assert_eq!(r.as_ref().unwrap().as_ref().unwrap().access_token, ["at-for-", audience].concat());
    }
    let sent: Vec<String> = platform.requests().iter().map(|r| form_field(r, "refresh_token").unwrap()).collect();
    assert_eq!(sent, ["rt-1", "rt-2", "rt-3"], "one request per audience, each with the token the previous one returned");
    // A second round for every audience is served from the cache.
    let again = run(join_all(audiences.iter().map(|a| client.get_token_silently(&for_audience(a)))));
    assert!(again.iter().all(|r| r.as_ref().unwrap().as_ref().unwrap().source == TokenSource::Cache));
    assert_eq!(platform.requests().len(), 3);
}

#[test]
#[cfg_attr(not(feature = "parity"), ignore = "a feature of the full build only (Cargo feature `parity`)")]
fn a_renewal_granted_fewer_scopes_is_not_stored_but_its_rotation_sticks() {
    let (client, platform) = logged_in(r#","useMrrt":true"#);
    rotating_server(&platform, Some("openid"));
    let e = run(client.get_token_silently(&for_audience("https://api-a/"))).unwrap_err();
    assert_eq!(e.class, ErrorClass::MissingScopes);
    assert_eq!(e.description, "Missing requested scopes after refresh (audience: 'https://api-a/', missing scope: 'profile,email,offline_access')");
    let cache = platform.cache_snapshot();
    assert!(!cache.keys().any(|k| k.starts_with(API_KEY_PREFIX)), "no entry claims scopes it lacks");
    assert!(!cache.values().any(|v| v.contains("\"rt-1\"")), "the rotated-away token is gone: {cache:?}");
    assert!(cache.values().any(|v| v.contains("\"rt-2\"")));
}

#[test]
fn with_the_fallback_a_renewal_granted_fewer_scopes_goes_through_the_iframe() {
    let (client, platform) = logged_in(r#","useMrrt":true,"useRefreshTokensFallback":true"#);
    rotating_server(&platform, Some("openid"));
    platform.on_frame(|_, _| Err(auth0_spa_wasm::core::Error::timeout()));
    let e = run(client.get_token_silently(&for_audience("https://api-a/"))).unwrap_err();
    assert_eq!(e.error, "timeout", "the iframe was tried");
    assert_eq!(platform.0.frames.borrow().len(), 1);
}

#[test]
#[cfg_attr(not(feature = "parity"), ignore = "a feature of the full build only (Cargo feature `parity`)")]
fn the_same_audience_asks_for_the_wider_scope_its_token_already_has() {
    let (client, platform) = logged_in(r#","useMrrt":true"#);
    rotating_server(&platform, None);
    platform.advance_secs(90_000);
    let mut params = ParamList::new();
    params.set("scope", "openid");
    let off = GetTokenOptions { authorization_params: params, cache_mode: CacheMode::Off, ..Default::default() };
    run(client.get_token_silently(&off)).unwrap().unwrap();
    assert_eq!(form_field(&platform.requests()[0], "scope").as_deref(), Some("openid profile email offline_access"));
}
