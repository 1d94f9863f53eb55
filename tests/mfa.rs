//! `client.mfa` over the fake platform (docs/behaviour.md §1.5): a refresh answered with
//! `mfa_required` leaves a context for its `mfa_token`; `verify` sends the MFA grant, stores the
//! result as a login and hands the new refresh token to every entry that held the old one; the
//! errors are auth0-spa-js's.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed unwrap is a failed test
#![cfg(not(target_arch = "wasm32"))]

mod common;

use auth0_spa_wasm::client::{CacheMode, GetTokenOptions, MfaLookupFor, TokenSource};
use auth0_spa_wasm::core::http::HttpResponse;
use auth0_spa_wasm::core::json::Json;
use auth0_spa_wasm::core::mfa::{MfaContext, MFA_CONTEXT_TTL_MS, MFA_OOB_GRANT, MFA_OTP_GRANT, MFA_RECOVERY_CODE_GRANT};
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

#[test]
fn an_mfa_required_renewal_leaves_its_context_for_the_mfa_token() {
    let (client, _platform) = stepped_up();
    let context = run(client.mfa_lookup("mt-1", MfaLookupFor::Authenticators)).unwrap();
    assert_eq!(context.str_field("scope"), Some("openid profile email offline_access"));
    assert_eq!(context.get("audience"), None, "no audience was asked for");
    assert_eq!(context.get("mfaRequirements").map(Json::to_json_string).as_deref(), Some(REQUIREMENTS));
    let factors = run(client.mfa_lookup("mt-1", MfaLookupFor::EnrollmentFactors)).unwrap();
    assert_eq!(factors.to_json_string(), r#"[{"type":"otp"},{"type":"phone"}]"#);
}

#[test]
fn verify_sends_the_otp_grant_stores_the_result_and_the_next_call_is_a_cache_hit() {
    let (client, platform) = stepped_up();
    platform.0.requests.borrow_mut().clear();
    answer_tokens(&platform, "at-mfa", Some("rt-2"));
    let body = run(client.mfa_verify(&json(r#"{"mfaToken":"mt-1","otp":"123456"}"#))).unwrap();
    assert_eq!(body.str_field("access_token"), Some("at-mfa"));
    assert!(body.get("refresh_token").is_none(), "the refresh token stays in the cache");
    let sent = platform.requests();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].url, "https://tenant.example.com/oauth/token");
    let fields = auth0_spa_wasm::core::encoding::form_parse(&sent[0].body);
    let names: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["client_id", "grant_type", "otp", "mfa_token"], "auth0-spa-js's body: no audience, no scope");
    assert_eq!(form_field(&sent[0], "grant_type").as_deref(), Some(MFA_OTP_GRANT));
    assert_eq!(form_field(&sent[0], "mfa_token").as_deref(), Some("mt-1"));
    let hit = run(client.get_token_silently(&cached())).unwrap().unwrap();
    assert_eq!((hit.access_token.as_str(), hit.source), ("at-mfa", TokenSource::Cache));
    let stored = platform.cache_snapshot();
    assert!(stored.values().any(|v| v.contains("rt-2")));
    assert!(!stored.values().any(|v| v.contains("rt-1")), "the replaced refresh token is gone");
    let e = run(client.mfa_verify(&json(r#"{"mfaToken":"mt-1","otp":"123456"}"#))).unwrap_err();
    assert_eq!((e.class, e.error.as_str()), (ErrorClass::MfaVerify, "mfa_context_not_found"), "a verified context is forgotten");
}

#[test]
fn a_new_refresh_token_reaches_every_entry_that_held_the_old_one() {
    let (client, platform) = stepped_up();
    let (key, entry) = platform.cache_snapshot().into_iter().find(|(k, _)| k.contains("::default::")).unwrap();
    let other = key.replace("::default::", "::https://other/::");
    platform.0.cache.borrow_mut().insert(other.clone(), entry);
    answer_tokens(&platform, "at-mfa", Some("rt-2"));
    run(client.mfa_verify(&json(r#"{"mfaToken":"mt-1","otp":"1"}"#))).unwrap();
    let stored = platform.cache_snapshot();
    assert!(stored[&other].contains("rt-2"), "{}", stored[&other]);
    assert!(!stored.values().any(|v| v.contains("rt-1")));
}

#[test]
fn oob_and_recovery_codes_choose_their_grants() {
    for (params, grant, fields) in [
        (r#"{"mfaToken":"mt-1","oobCode":"oob-1","bindingCode":"77"}"#, MFA_OOB_GRANT, vec![("oob_code", "oob-1"), ("binding_code", "77")]),
        (r#"{"mfaToken":"mt-1","recoveryCode":"RC-1"}"#, MFA_RECOVERY_CODE_GRANT, vec![("recovery_code", "RC-1")]),
    ] {
        let (client, platform) = stepped_up();
        platform.0.requests.borrow_mut().clear();
        answer_tokens(&platform, "at-mfa", None);
        run(client.mfa_verify(&json(params))).unwrap();
        let sent = &platform.requests()[0];
        assert_eq!(form_field(sent, "grant_type").as_deref(), Some(grant));
        for (name, value) in fields {
            assert_eq!(form_field(sent, name).as_deref(), Some(value), "{name}");
        }
        assert!(platform.cache_snapshot().values().any(|v| v.contains("rt-1")), "no new refresh token: the session's stays");
    }
}

#[test]
fn a_wrong_code_is_an_mfa_verify_error_that_stores_nothing_and_keeps_the_context() {
    let (client, platform) = stepped_up();
    let before = platform.cache_snapshot();
    platform.on_http(|_| Ok(oauth_error(403, "invalid_grant", "Invalid otp_code.")));
    let e = run(client.mfa_verify(&json(r#"{"mfaToken":"mt-1","otp":"000000"}"#))).unwrap_err();
    assert_eq!((e.class, e.error.as_str(), e.description.as_str()), (ErrorClass::MfaVerify, "invalid_grant", "Invalid otp_code."));
    assert_eq!(platform.cache_snapshot(), before);
    answer_tokens(&platform, "at-mfa", Some("rt-2"));
    assert!(run(client.mfa_verify(&json(r#"{"mfaToken":"mt-1","otp":"123456"}"#))).is_ok(), "the user may try again");
}

#[test]
fn a_network_failure_keeps_its_class() {
    let (client, platform) = stepped_up();
    platform.on_http(|_| Err(auth0_spa_wasm::core::Error::plain("request_error", "Failed to fetch")));
    let e = run(client.mfa_verify(&json(r#"{"mfaToken":"mt-1","otp":"1"}"#))).unwrap_err();
    assert_eq!((e.class, e.error.as_str()), (ErrorClass::Plain, "request_error"));
}

#[test]
fn unknown_expired_or_codeless_verifies_fail_before_any_request() {
    let (client, platform) = stepped_up();
    platform.0.requests.borrow_mut().clear();
    let e = run(client.mfa_verify(&json(r#"{"mfaToken":"mt-unknown","otp":"1"}"#))).unwrap_err();
    assert_eq!((e.class, e.error.as_str()), (ErrorClass::MfaVerify, "mfa_context_not_found"));
    let e = run(client.mfa_verify(&json(r#"{"mfaToken":"mt-1","bindingCode":"1"}"#))).unwrap_err();
    assert_eq!((e.class, e.error.as_str()), (ErrorClass::MfaVerify, "invalid_request"));
    let e = run(client.mfa_lookup("mt-unknown", MfaLookupFor::Authenticators)).unwrap_err();
    assert_eq!((e.class, e.error.as_str(), e.description.as_str()), (ErrorClass::MfaListAuthenticators, "invalid_request", "MFA context not found for this MFA token"));
    platform.advance_secs(MFA_CONTEXT_TTL_MS / 1000 + 1);
    let e = run(client.mfa_verify(&json(r#"{"mfaToken":"mt-1","otp":"1"}"#))).unwrap_err();
    assert_eq!(e.error, "mfa_context_not_found", "ten minutes later the context is gone");
    let e = run(client.mfa_lookup("mt-1", MfaLookupFor::EnrollmentFactors)).unwrap_err();
    assert_eq!((e.class, e.error.as_str()), (ErrorClass::MfaEnrollmentFactors, "mfa_context_not_found"));
    assert!(platform.requests().is_empty());
}

#[test]
fn another_mfa_required_from_verify_is_remembered_for_the_same_request() {
    let (client, platform) = stepped_up();
    platform.queue_http(Ok(mfa_required("mt-2")));
    let e = run(client.mfa_verify(&json(r#"{"mfaToken":"mt-1","otp":"1"}"#))).unwrap_err();
    assert_eq!((e.class, e.mfa_token.as_deref()), (ErrorClass::MfaRequired, Some("mt-2")));
    let context = run(client.mfa_lookup("mt-2", MfaLookupFor::Authenticators)).unwrap();
    assert_eq!(context.str_field("scope"), Some("openid profile email offline_access"));
}

#[test]
fn set_mfa_auth_details_gives_verify_its_audience_and_scope() {
    let (client, platform) = logged_in(r#","useRefreshTokens":true"#, Some("rt-1"));
    run(client.mfa_remember("mt-9", MfaContext::new(Some("openid read:x".into()), Some("https://api/".into()), None))).unwrap();
    answer_tokens(&platform, "at-api", Some("rt-9"));
    run(client.mfa_verify(&json(r#"{"mfaToken":"mt-9","otp":"1"}"#))).unwrap();
    assert!(platform.cache_snapshot().keys().any(|k| k == "@@auth0spajs@@::test-client::https://api/::openid read:x"), "{:?}", platform.cache_snapshot().keys());
    let e = run(client.mfa_lookup("mt-9", MfaLookupFor::EnrollmentFactors));
    assert!(e.is_err(), "verified: forgotten");
}

#[test]
fn with_dpop_the_mfa_grant_carries_a_proof() {
    let (client, platform) = logged_in(r#","useRefreshTokens":true,"useDpop":true"#, Some("rt-1"));
    platform.queue_http(Ok(mfa_required("mt-1")));
    assert!(run(client.get_token_silently(&renew())).is_err());
    platform.0.requests.borrow_mut().clear();
    answer_tokens(&platform, "at-mfa", Some("rt-2"));
    run(client.mfa_verify(&json(r#"{"mfaToken":"mt-1","otp":"1"}"#))).unwrap();
    let sent = &platform.requests()[0];
    assert!(sent.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("dpop")), "{:?}", sent.headers.iter().map(|(k, _)| k).collect::<Vec<_>>());
}

#[test]
fn token_exchanges_answered_mfa_required_leave_a_context_too() {
    for custom in [false, true] {
        let (client, platform) = logged_in("", None);
        platform.queue_http(Ok(mfa_required("mt-x")));
        let options = json(r#"{"subject_token":"s","subject_token_type":"urn:t","audience":"https://api/"}"#);
        let e = if custom { run(client.custom_token_exchange(&options)) } else { run(client.login_with_custom_token_exchange(&options)) }.unwrap_err();
        assert_eq!(e.class, ErrorClass::MfaRequired);
        let context = run(client.mfa_lookup("mt-x", MfaLookupFor::Authenticators)).unwrap();
        assert_eq!(context.str_field("audience"), Some("https://api/"), "custom: {custom}");
        assert_eq!(context.str_field("scope"), Some("openid profile email"));
    }
}
