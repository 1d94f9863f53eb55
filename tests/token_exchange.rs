//! Custom token exchange (RFC 8693) over the fake platform: `loginWithCustomTokenExchange` makes
//! the exchanged tokens the session, `customTokenExchange` only returns them (docs/behaviour.md
//! §1.4).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed unwrap is a failed test
#![cfg(not(target_arch = "wasm32"))]

mod common;

use auth0_spa_wasm::client::{CacheMode, GetTokenOptions, TokenSource};
use auth0_spa_wasm::core::json::Json;
use auth0_spa_wasm::core::ErrorClass;
use common::*;

fn options(text: &str) -> Json {
    Json::parse(text).unwrap()
}

fn answer_with_tokens(platform: &FakePlatform, claims_extra: &'static str) {
    platform.on_http(move |_| Ok(token_response("at-x", Some("rt-x"), Some(&jwt(&id_token_claims(None, claims_extra))), 3600)));
}

#[test]
fn a_login_by_token_exchange_sends_the_rfc_8693_request_and_becomes_the_session() {
    let (client, platform) = tenant_client(r#","authorizationParams":{"audience":"https://api/","organization":"org_1"}"#);
    answer_with_tokens(&platform, r#","org_id":"org_1""#);
    let request = options(r#"{"subject_token":"ext-123","subject_token_type":"urn:acme:legacy","actor_token":"act-1","actor_token_type":"urn:acme:actor","custom":7}"#);
    let body = run(client.login_with_custom_token_exchange(&request)).unwrap();
    assert_eq!(body.str_field("access_token"), Some("at-x"));
    assert!(body.get("refresh_token").is_none(), "the refresh token stays in the cache");
    let sent = &platform.requests()[0];
    assert_eq!(sent.url, "https://tenant.example.com/oauth/token");
    for (name, value) in [
        ("client_id", "test-client"),
        ("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"),
        ("subject_token", "ext-123"),
        ("subject_token_type", "urn:acme:legacy"),
        ("actor_token", "act-1"),
        ("actor_token_type", "urn:acme:actor"),
        ("custom", "7"),
        ("scope", "openid profile email"),
        ("audience", "https://api/"),
        ("organization", "org_1"),
    ] {
        assert_eq!(form_field(sent, name).as_deref(), Some(value), "{name}");
    }
    assert!(run(client.is_authenticated()));
    let token = run(client.get_token_silently(&GetTokenOptions { cache_mode: CacheMode::CacheOnly, ..Default::default() })).unwrap().unwrap();
    assert_eq!((token.access_token.as_str(), token.source), ("at-x", TokenSource::Cache));
}

#[test]
fn a_custom_token_exchange_stores_nothing_and_returns_the_whole_response() {
    let (client, platform) = tenant_client("");
    answer_with_tokens(&platform, "");
    let body = run(client.custom_token_exchange(&options(r#"{"subject_token":"s","subject_token_type":"urn:t","scope":"read:x"}"#))).unwrap();
    assert_eq!(body.str_field("refresh_token"), Some("rt-x"));
    assert_eq!(form_field(&platform.requests()[0], "scope").as_deref(), Some("openid profile email read:x"));
    assert!(platform.cache_snapshot().is_empty());
    assert!(!run(client.is_authenticated()));
}

#[test]
fn an_exchange_without_a_subject_token_is_refused_before_any_request() {
    let (client, platform) = tenant_client("");
    for bad in [r#"{"subject_token_type":"urn:t"}"#, r#"{"subject_token":"s"}"#, r#"{"subject_token":"","subject_token_type":"urn:t"}"#] {
        let e = run(client.login_with_custom_token_exchange(&options(bad))).unwrap_err();
        assert_eq!(e.class, ErrorClass::InvalidConfiguration, "{bad}");
        let e = run(client.custom_token_exchange(&options(bad))).unwrap_err();
        assert_eq!(e.class, ErrorClass::InvalidConfiguration, "{bad}");
    }
    assert!(platform.requests().is_empty());
}

#[test]
fn a_refused_exchange_or_an_untrusted_id_token_stores_nothing() {
    let (client, platform) = tenant_client("");
    platform.on_http(|_| Ok(oauth_error(400, "invalid_grant", "the subject token is not valid")));
    let e = run(client.login_with_custom_token_exchange(&options(r#"{"subject_token":"s","subject_token_type":"urn:t"}"#))).unwrap_err();
    assert_eq!((e.error.as_str(), e.description.as_str()), ("invalid_grant", "the subject token is not valid"));
    let evil = jwt(&id_token_claims(None, "").replace("https://tenant.example.com/", "https://evil.example.com/"));
    platform.on_http(move |_| Ok(token_response("at-evil", Some("rt"), Some(&evil), 3600)));
    assert!(run(client.login_with_custom_token_exchange(&options(r#"{"subject_token":"s","subject_token_type":"urn:t"}"#))).is_err());
    assert!(run(client.custom_token_exchange(&options(r#"{"subject_token":"s","subject_token_type":"urn:t"}"#))).is_err());
    assert!(platform.cache_snapshot().is_empty());
}
