//! `client.mfa` over the fake platform (docs/behaviour.md §1.5): an `mfa_required` answer names
//! the scope and audience of the request it refused (js/mfa.js keeps them as the `mfa_token`'s
//! context); `verify` sends the MFA grant js/mfa-api.js assembled, stores the result as a login
//! and hands the new refresh token to every entry that held the old one; the errors are
//! auth0-spa-js's.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed unwrap is a failed test
#![cfg(not(target_arch = "wasm32"))]

mod common;

use auth0_spa_wasm::client::{CacheMode, GetTokenOptions, TokenSource};
use auth0_spa_wasm::core::http::HttpResponse;
use auth0_spa_wasm::core::json::Json;
use auth0_spa_wasm::core::ErrorClass;
use common::*;

const REQUIREMENTS: &str = r#"{"challenge":[{"type":"otp"}],"enroll":[{"type":"otp"},{"type":"phone"}]}"#;

fn mfa_required(token: &str) -> HttpResponse {
    let body = [r#"{"error":"mfa_required","error_description":"Multifactor authentication required","mfa_token":""#, token, r#"","mfa_requirements":"#, REQUIREMENTS, "}"].concat();
    HttpResponse { status: 403, body, dpop_nonce: None }
}

fn renew() -> GetTokenOptions {
    GetTokenOptions { cache_mode: CacheMode::Off, ..Default::default() }
}

fn cached() -> GetTokenOptions {
    GetTokenOptions { cache_mode: CacheMode::CacheOnly, ..Default::default() }
}

fn json(text: &str) -> Json {
    Json::parse(text).unwrap()
}

/// A logged-in client (refresh token `rt-1`) whose next renewal was answered `mfa_required` with
/// `mt-1`.
fn stepped_up() -> (Client<FakePlatform>, FakePlatform) {
    let (client, platform) = logged_in(r#","useRefreshTokens":true"#, Some("rt-1"));
    platform.queue_http(Ok(mfa_required("mt-1")));
    let e = run(client.get_token_silently(&renew())).unwrap_err();
    assert_eq!((e.class, e.mfa_token.as_deref()), (ErrorClass::MfaRequired, Some("mt-1")));
    (client, platform)
}

fn answer_tokens(platform: &FakePlatform, access: &'static str, refresh: Option<&'static str>) {
    let id = jwt(&id_token_claims(None, ""));
    platform.on_http(move |_| Ok(token_response(access, refresh, Some(&id), 3600)));
}

const OTP_GRANT: &str = "http://auth0.com/oauth/grant-type/mfa-otp";
/// The scope a renewal of the default audience asks for with refresh tokens.
const RENEWAL_SCOPE: &str = "openid profile email offline_access";

/// `verify`'s arguments as js/mfa.js sends them: the grant body, and the context's scope and
/// audience.
fn grant(body: &[(&str, &str)], scope: &str, audience: Option<&str>) -> Json {
    let pairs: Vec<Json> = body.iter().map(|(k, v)| Json::Array(vec![Json::str(k), Json::str(v)])).collect();
    let mut args = Json::Object(vec![("body".to_owned(), Json::Array(pairs)), ("scope".to_owned(), Json::str(scope))]);
    if let Some(a) = audience {
        args.set("audience", Json::str(a));
    }
    args
}

fn otp(code: &str, mfa_token: &str) -> Json {
    grant(&[("grant_type", OTP_GRANT), ("otp", code), ("mfa_token", mfa_token)], RENEWAL_SCOPE, None)
}

#[test]
fn an_mfa_required_renewal_names_the_scope_and_audience_it_asked_for() {
    let (client, platform) = logged_in(r#","useRefreshTokens":true"#, Some("rt-1"));
    platform.queue_http(Ok(mfa_required("mt-1")));
    let e = run(client.get_token_silently(&renew())).unwrap_err();
    assert_eq!(e.class, ErrorClass::MfaRequired);
    assert_eq!((e.scope.as_deref(), e.audience.as_deref()), (Some(RENEWAL_SCOPE), None), "no audience was asked for");
    assert_eq!(e.mfa_requirements.as_ref().map(Json::to_json_string).as_deref(), Some(REQUIREMENTS));
    // Other failures carry no context.
    platform.queue_http(Ok(oauth_error(403, "access_denied", "Denied.")));
    let e = run(client.get_token_silently(&renew())).unwrap_err();
    assert_eq!((e.class, e.scope.as_deref(), e.audience.as_deref()), (ErrorClass::Generic, None, None));
}

#[test]
fn verify_sends_the_grant_it_is_given_stores_the_result_and_the_next_call_is_a_cache_hit() {
    let (client, platform) = stepped_up();
    platform.0.requests.borrow_mut().clear();
    answer_tokens(&platform, "at-mfa", Some("rt-2"));
    let body = run(client.mfa_verify(&otp("123456", "mt-1"))).unwrap();
    assert_eq!(body.str_field("access_token"), Some("at-mfa"));
    assert!(body.get("refresh_token").is_none(), "the refresh token stays in the cache");
    let sent = platform.requests();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].url, "https://tenant.example.com/oauth/token");
    let fields = auth0_spa_wasm::core::encoding::form_parse(&sent[0].body);
    let names: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["client_id", "grant_type", "otp", "mfa_token"], "auth0-spa-js's body: no audience, no scope");
    assert_eq!(form_field(&sent[0], "grant_type").as_deref(), Some(OTP_GRANT));
    assert_eq!(form_field(&sent[0], "mfa_token").as_deref(), Some("mt-1"));
    let hit = run(client.get_token_silently(&cached())).unwrap().unwrap();
    assert_eq!((hit.access_token.as_str(), hit.source), ("at-mfa", TokenSource::Cache));
    let stored = platform.cache_snapshot();
    assert!(stored.values().any(|v| v.contains("rt-2")));
    assert!(!stored.values().any(|v| v.contains("rt-1")), "the replaced refresh token is gone");
}

#[test]
fn a_new_refresh_token_reaches_every_entry_that_held_the_old_one() {
    let (client, platform) = stepped_up();
    let (key, entry) = platform.cache_snapshot().into_iter().find(|(k, _)| k.contains("::default::")).unwrap();
    let other = key.replace("::default::", "::https://other/::");
    platform.0.cache.borrow_mut().insert(other.clone(), entry);
    answer_tokens(&platform, "at-mfa", Some("rt-2"));
    run(client.mfa_verify(&otp("1", "mt-1"))).unwrap();
    let stored = platform.cache_snapshot();
    assert!(stored[&other].contains("rt-2"), "{}", stored[&other]);
    assert!(!stored.values().any(|v| v.contains("rt-1")));
}

#[test]
fn an_answer_without_a_refresh_token_keeps_the_sessions() {
    let (client, platform) = stepped_up();
    answer_tokens(&platform, "at-mfa", None);
    run(client.mfa_verify(&grant(&[("grant_type", "http://auth0.com/oauth/grant-type/mfa-recovery-code"), ("recovery_code", "RC"), ("mfa_token", "mt-1")], RENEWAL_SCOPE, None))).unwrap();
    assert!(platform.cache_snapshot().values().any(|v| v.contains("rt-1")), "no new refresh token: the session's stays");
}

#[test]
fn the_context_names_the_cache_key() {
    let (client, platform) = logged_in(r#","useRefreshTokens":true"#, Some("rt-1"));
    answer_tokens(&platform, "at-api", Some("rt-9"));
    run(client.mfa_verify(&grant(&[("grant_type", OTP_GRANT), ("otp", "1"), ("mfa_token", "mt-9")], "openid read:x", Some("https://api/")))).unwrap();
    assert!(platform.cache_snapshot().keys().any(|k| k == "@@auth0spajs@@::test-client::https://api/::openid read:x"), "{:?}", platform.cache_snapshot().keys());
}

#[test]
fn without_a_scope_the_clients_default_for_the_audience_names_the_key() {
    let (client, platform) = logged_in(r#","useRefreshTokens":true"#, Some("rt-1"));
    answer_tokens(&platform, "at-api", None);
    run(client.mfa_verify(&json(r#"{"body":[["grant_type","http://auth0.com/oauth/grant-type/mfa-otp"],["otp","1"],["mfa_token","m"]],"audience":"https://api/"}"#))).unwrap();
    assert!(platform.cache_snapshot().keys().any(|k| k == "@@auth0spajs@@::test-client::https://api/::openid profile email offline_access"), "{:?}", platform.cache_snapshot().keys());
}

#[test]
fn a_wrong_code_is_an_mfa_verify_error_that_stores_nothing() {
    let (client, platform) = stepped_up();
    let before = platform.cache_snapshot();
    platform.on_http(|_| Ok(oauth_error(403, "invalid_grant", "Invalid otp_code.")));
    let e = run(client.mfa_verify(&otp("000000", "mt-1"))).unwrap_err();
    assert_eq!((e.class, e.error.as_str(), e.description.as_str()), (ErrorClass::MfaVerify, "invalid_grant", "Invalid otp_code."));
    assert_eq!(platform.cache_snapshot(), before);
    answer_tokens(&platform, "at-mfa", Some("rt-2"));
    assert!(run(client.mfa_verify(&otp("123456", "mt-1"))).is_ok(), "the user may try again");
}

#[test]
fn a_network_failure_keeps_its_class() {
    let (client, platform) = stepped_up();
    platform.on_http(|_| Err(auth0_spa_wasm::core::Error::plain("request_error", "Failed to fetch")));
    let e = run(client.mfa_verify(&otp("1", "mt-1"))).unwrap_err();
    assert_eq!((e.class, e.error.as_str()), (ErrorClass::Plain, "request_error"));
}

#[test]
fn malformed_arguments_fail_before_any_request() {
    let (client, platform) = stepped_up();
    platform.0.requests.borrow_mut().clear();
    for args in [r#"{}"#, r#"{"body":[],"scope":"openid"}"#, r#"{"body":[["grant_type"]],"scope":"openid"}"#, r#"{"body":[["otp",1]],"scope":"openid"}"#, r#"{"body":"otp=1","scope":"openid"}"#] {
        let e = run(client.mfa_verify(&json(args))).unwrap_err();
        assert_eq!((e.class, e.error.as_str()), (ErrorClass::MfaVerify, "invalid_request"), "{args}");
    }
    assert!(platform.requests().is_empty());
}

#[test]
fn another_mfa_required_from_verify_names_the_same_request() {
    let (client, platform) = stepped_up();
    platform.queue_http(Ok(mfa_required("mt-2")));
    let e = run(client.mfa_verify(&grant(&[("grant_type", OTP_GRANT), ("otp", "1"), ("mfa_token", "mt-1")], "openid x", Some("https://api/")))).unwrap_err();
    assert_eq!((e.class, e.mfa_token.as_deref()), (ErrorClass::MfaRequired, Some("mt-2")));
    assert_eq!((e.scope.as_deref(), e.audience.as_deref()), (Some("openid x"), Some("https://api/")));
}

#[test]
#[cfg_attr(not(feature = "parity"), ignore = "a feature of the full build only (Cargo feature `parity`)")]
fn with_dpop_the_mfa_grant_carries_a_proof() {
    let (client, platform) = logged_in(r#","useRefreshTokens":true,"useDpop":true"#, Some("rt-1"));
    platform.0.requests.borrow_mut().clear();
    answer_tokens(&platform, "at-mfa", Some("rt-2"));
    run(client.mfa_verify(&otp("1", "mt-1"))).unwrap();
    let sent = &platform.requests()[0];
    assert!(sent.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("dpop")), "{:?}", sent.headers.iter().map(|(k, _)| k).collect::<Vec<_>>());
}

#[test]
fn token_exchanges_answered_mfa_required_name_their_request_too() {
    for custom in [false, true] {
        let (client, platform) = logged_in("", None);
        platform.queue_http(Ok(mfa_required("mt-x")));
        let options = json(r#"{"subject_token":"s","subject_token_type":"urn:t","audience":"https://api/"}"#);
        let e = if custom { run(client.custom_token_exchange(&options)) } else { run(client.login_with_custom_token_exchange(&options)) }.unwrap_err();
        assert_eq!(e.class, ErrorClass::MfaRequired);
        assert_eq!((e.scope.as_deref(), e.audience.as_deref()), (Some("openid profile email"), Some("https://api/")), "custom: {custom}");
    }
}
