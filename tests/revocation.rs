//! `revokeRefreshToken({ audience })` and `logout({ revokeRefreshTokens: true })` over the fake
//! platform (RFC 7009; docs/behaviour.md §2.11).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed unwrap is a failed test
#![cfg(not(target_arch = "wasm32"))]

mod common;

use auth0_spa_wasm::client::{CacheMode, GetTokenOptions};
use auth0_spa_wasm::core::encoding::form_encode;
use auth0_spa_wasm::core::http::{HttpRequest, HttpResponse};
use auth0_spa_wasm::core::json::Json;
use auth0_spa_wasm::core::options::ParamList;
use common::*;

const DEFAULT_KEY: &str = "@@auth0spajs@@::test-client::default::openid profile email offline_access";
const API_KEY: &str = "@@auth0spajs@@::test-client::https://api/::openid profile email offline_access";

fn logged_in(extra: &str) -> (Client<FakePlatform>, FakePlatform) {
    let (client, platform) = tenant_client(extra);
    let url = client.login_with_redirect(&ParamList::new(), None).unwrap();
    let nonce = query_param(&url, "nonce").unwrap();
    let id = jwt(&id_token_claims(Some(&nonce), ""));
    platform.on_http(move |_| Ok(token_response("at-login", Some("rt-1"), Some(&id), 86_400)));
    let state = query_param(&url, "state").unwrap();
    run(client.handle_redirect_callback(&[ORIGIN, "/?code=c&state=", &form_encode(&state)].concat())).unwrap();
    // A second audience with its own refresh token.
    let default_key = platform.cache_snapshot().into_keys().find(|k| k.contains("::default::")).unwrap();
    let api = platform.cache_snapshot()[&default_key].replace("\"default\"", "\"https://api/\"").replace("\"rt-1\"", "\"rt-api\"");
    platform.0.cache.borrow_mut().insert(default_key.replace("::default::", "::https://api/::"), api);
    platform.0.requests.borrow_mut().clear();
    (client, platform)
}

fn revocations(platform: &FakePlatform) -> Vec<HttpRequest> {
    platform.requests().into_iter().filter(|r| r.url.ends_with("/oauth/revoke")).collect()
}

fn answer_revocations_with(platform: &FakePlatform, status: u16, body: &'static str) {
    platform.on_http(move |r: &HttpRequest| {
        assert!(r.url.ends_with("/oauth/revoke"), "only revocations: {}", r.url);
        Ok(HttpResponse { status, body: body.into(), dpop_nonce: None })
    });
}

#[test]
fn the_audiences_refresh_token_is_revoked_once_and_leaves_the_cache_while_its_access_token_stays() {
    let (client, platform) = logged_in(r#","useRefreshTokens":true,"useFormData":true"#);
    // A second entry of the default audience holding the same token: one request for both.
    let copy = platform.cache_snapshot()[DEFAULT_KEY].replace("offline_access\"", "offline_access read\"");
    platform.0.cache.borrow_mut().insert([DEFAULT_KEY, " read"].concat(), copy);
    answer_revocations_with(&platform, 200, "");
    run(client.revoke_refresh_token(None)).unwrap();
    let sent = revocations(&platform);
    assert_eq!(sent.len(), 1, "one request per distinct token");
    assert_eq!(sent[0].url, "https://tenant.example.com/oauth/revoke");
    assert_eq!(form_field(&sent[0], "client_id").as_deref(), Some("test-client"));
    assert_eq!(form_field(&sent[0], "token_type_hint").as_deref(), Some("refresh_token"));
    assert_eq!(form_field(&sent[0], "token").as_deref(), Some("rt-1"));
    assert!(sent[0].headers.iter().any(|(k, _)| k == "Auth0-Client"));
    let cache = platform.cache_snapshot();
    assert!(!cache.values().any(|v| v.contains("\"rt-1\"")), "gone from every entry");
    assert!(cache[DEFAULT_KEY].contains("at-login"), "the access token stays");
    assert!(cache[API_KEY].contains("\"rt-api\""), "another audience's token is untouched");
    // Renewing now has no refresh token to present.
    let off = GetTokenOptions { cache_mode: CacheMode::Off, ..Default::default() };
    assert_eq!(run(client.get_token_silently(&off)).unwrap_err().error, "missing_refresh_token");
    assert_eq!(platform.requests().len(), 1, "no token request followed");
}

#[test]
fn an_audience_is_named_by_the_call_and_json_bodies_follow_use_form_data() {
    let (client, platform) = logged_in(r#","useRefreshTokens":true,"useFormData":false"#);
    answer_revocations_with(&platform, 200, "{}");
    run(client.revoke_refresh_token(Some("https://api/"))).unwrap();
    let sent = revocations(&platform);
    assert_eq!(sent.len(), 1);
    let body = Json::parse(&sent[0].body).unwrap();
    assert_eq!(body.str_field("token"), Some("rt-api"));
    assert!(platform.cache_snapshot()[DEFAULT_KEY].contains("\"rt-1\""));
}

#[test]
fn a_refused_revocation_is_a_generic_error_and_the_token_stays() {
    let (client, platform) = logged_in(r#","useRefreshTokens":true"#);
    answer_revocations_with(&platform, 400, r#"{"error":"unsupported_token_type","error_description":"nope"}"#);
    let e = run(client.revoke_refresh_token(None)).unwrap_err();
    assert_eq!((e.error.as_str(), e.description.as_str()), ("unsupported_token_type", "nope"));
    answer_revocations_with(&platform, 503, "oops");
    let e = run(client.revoke_refresh_token(None)).unwrap_err();
    assert_eq!((e.error.as_str(), e.description.as_str()), ("revoke_error", "HTTP error 503"));
    assert!(platform.cache_snapshot()[DEFAULT_KEY].contains("\"rt-1\""));
}

#[test]
fn without_refresh_tokens_nothing_is_sent() {
    let (client, platform) = logged_in("");
    run(client.revoke_refresh_token(None)).unwrap();
    assert!(revocations(&platform).is_empty());
}

#[test]
#[cfg_attr(not(feature = "parity"), ignore = "a feature of the full build only (Cargo feature `parity`)")]
fn logout_with_revoke_refresh_tokens_revokes_every_audiences_token_first() {
    let (client, platform) = logged_in(r#","useRefreshTokens":true"#);
    answer_revocations_with(&platform, 200, "");
    run(client.logout(&Json::parse(r#"{"revokeRefreshTokens":true}"#).unwrap())).unwrap();
    let mut tokens: Vec<String> = revocations(&platform).iter().filter_map(|r| form_field(r, "token")).collect();
    tokens.sort();
    assert_eq!(tokens, ["rt-1", "rt-api"]);
    assert!(platform.cache_snapshot().is_empty());
    assert_eq!(platform.0.broadcasts.get(), 1);
}

#[test]
#[cfg_attr(not(feature = "parity"), ignore = "a feature of the full build only (Cargo feature `parity`)")]
fn logout_still_ends_the_local_session_when_revocation_fails_and_says_so() {
    let (client, platform) = logged_in(r#","useRefreshTokens":true"#);
    platform.on_http(|_| Err(auth0_spa_wasm::core::Error::plain("request_error", "Failed to fetch")));
    run(client.logout(&Json::parse(r#"{"revokeRefreshTokens":true}"#).unwrap())).unwrap();
    assert!(platform.cache_snapshot().is_empty());
    assert!(platform.0.warnings.borrow().iter().any(|w| w.contains("could not revoke") && w.contains("Failed to fetch")));
}

#[test]
#[cfg_attr(feature = "parity", ignore = "the lite build's refusal (built without the Cargo feature `parity`)")]
fn the_lite_build_refuses_a_revoking_logout_and_keeps_the_session() {
    let (client, platform) = logged_in(r#","useRefreshTokens":true"#);
    let before = platform.cache_snapshot();
    let e = run(client.logout(&Json::parse(r#"{"revokeRefreshTokens":true}"#).unwrap())).unwrap_err();
    assert_eq!(e.error, "full_build_needed");
    assert!(revocations(&platform).is_empty());
    assert_eq!(platform.cache_snapshot(), before, "nothing was cleared");
    assert_eq!(platform.0.broadcasts.get(), 0);
}

#[test]
fn a_plain_logout_revokes_nothing() {
    let (client, platform) = logged_in(r#","useRefreshTokens":true"#);
    run(client.logout(&Json::Object(vec![]))).unwrap();
    assert!(revocations(&platform).is_empty());
}
