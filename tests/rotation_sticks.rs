//! A refresh token the server rotated is never presented again, whatever else happens to the
//! response: one test per row of `core::rotation::plan_after_refresh`, each followed by the next
//! renewal in the same page and after a reload (security case F1; docs/behaviour.md §2.6).
//!
//! A "reload" is a new client over the same storage, with this page's memory and the tab's
//! spent marks gone (Web Locks die with the page).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed unwrap is a failed test
#![cfg(not(target_arch = "wasm32"))]

mod common;

use auth0_spa_wasm::client::{GetTokenOptions, TokenSource, STORAGE_FALLBACK_WARNING};
use auth0_spa_wasm::core::encoding::{base64url_encode, form_encode};
use auth0_spa_wasm::core::json::Json;
use auth0_spa_wasm::core::options::{ClientOptions, ParamList};
use common::*;

const OPTIONS: &str = r#"{"domain":"tenant.example.com","clientId":"test-client","useRefreshTokens":true,"cacheLocation":"localstorage"}"#;
const API_KEY: &str = "@@auth0spajs@@::test-client::https://api/::openid profile email offline_access";
const USER_KEY: &str = "@@auth0spajs@@::test-client::@@user@@";

fn new_page(platform: &FakePlatform) -> Client<FakePlatform> {
    Client::new(ClientOptions::from_json(&Json::parse(OPTIONS).unwrap()).unwrap(), platform.clone())
}

/// The page is reloaded: a new client, this page's memory and spent marks gone.
fn reload(platform: &FakePlatform) -> Client<FakePlatform> {
    platform.0.spent.borrow_mut().clear();
    new_page(platform)
}

/// Logs in with RT1 and a token that expires in 100 s, then lets it expire.
fn logged_in_and_expired() -> (Client<FakePlatform>, FakePlatform) {
    let platform = FakePlatform::new();
    let client = new_page(&platform);
    let url = client.login_with_redirect(&ParamList::new(), None).unwrap();
    let nonce = query_param(&url, "nonce").unwrap();
    let id = jwt(&id_token_claims(Some(&nonce), ""));
    platform.on_http(move |_| Ok(token_response("at-login", Some("RT1"), Some(&id), 100)));
    let state = query_param(&url, "state").unwrap();
    run(client.handle_redirect_callback(&[ORIGIN, "/?code=c&state=", &form_encode(&state)].concat())).unwrap();
    platform.advance_secs(200);
    (client, platform)
}

/// Claims of a refreshed ID token (now = the fake clock), edited by `edit`.
fn refreshed_claims(platform: &FakePlatform, edit: impl FnOnce(&mut Json)) -> String {
    let now = (platform.0.now.get() / 1000) as f64;
    let mut claims = Json::parse(&id_token_claims(None, "")).unwrap();
    claims.set("iat", Json::Number(now));
    claims.set("exp", Json::Number(now + 36_000.0));
    edit(&mut claims);
    claims.to_json_string()
}

/// The token endpoint rotates RT1 to RT2 and returns `id_token`.
fn answer_rotated(platform: &FakePlatform, id_token: String) {
    platform.on_http(move |_| Ok(token_response("at-2", Some("RT2"), Some(&id_token), 100)));
}

/// The token endpoint rotates whatever it gets (RT2 → RT3, ...) with a valid ID token.
fn answer_like_a_rotating_server(platform: &FakePlatform) {
    let state = platform.0.clone();
    platform.on_http(move |request| {
        let presented = form_field(request, "refresh_token").unwrap_or_default();
        let next = ["next-", &presented].concat();
        let now = (state.now.get() / 1000) as f64;
        let mut claims = Json::parse(&id_token_claims(None, "")).unwrap();
        claims.set("iat", Json::Number(now));
        claims.set("exp", Json::Number(now + 36_000.0));
        Ok(token_response("at-next", Some(&next), Some(&jwt(&claims.to_json_string())), 100))
    });
}

fn refresh_tokens_sent(platform: &FakePlatform) -> Vec<String> {
    platform.requests().iter().filter_map(|r| form_field(r, "refresh_token")).collect()
}

fn stored_anywhere(platform: &FakePlatform, token: &str) -> bool {
    let quoted = ["\"", token, "\""].concat();
    platform.cache_snapshot().values().any(|v| v.contains(&quoted))
}

fn renew(client: &Client<FakePlatform>) -> auth0_spa_wasm::core::Result<Option<auth0_spa_wasm::client::TokenResult>> {
    run(client.get_token_silently(&GetTokenOptions { cache_mode: auth0_spa_wasm::client::CacheMode::Off, ..Default::default() }))
}

/// After the failed or stored refresh: RT1 is never presented again, in this page or after a
/// reload; `next` is what the next renewal presents (None: the session is over).
fn assert_rt1_never_again(client: &Client<FakePlatform>, platform: &FakePlatform, next: Option<&str>) {
    assert!(!stored_anywhere(platform, "RT1"), "RT1 is gone from storage: {:?}", platform.cache_snapshot());
    answer_like_a_rotating_server(platform);
    let _ = renew(client);
    let reloaded = reload(platform);
    let _ = renew(&reloaded);
    let sent = refresh_tokens_sent(platform);
    assert_eq!(sent[0], "RT1");
    assert!(!sent[1..].iter().any(|t| t == "RT1"), "RT1 presented again: {sent:?}");
    match next {
        Some(token) => assert_eq!(sent.get(1).map(String::as_str), Some(token), "{sent:?}"),
        None => assert_eq!(sent.len(), 1, "no refresh token left to present: {sent:?}"),
    }
}

#[test]
fn a_refreshed_id_token_that_looks_expired_to_the_device_keeps_the_rotated_token() {
    let (client, platform) = logged_in_and_expired();
    let claims = refreshed_claims(&platform, |c| {
        let now = c.get("iat").and_then(Json::as_f64).unwrap();
        c.set("exp", Json::Number(now - 3_600.0));
    });
    answer_rotated(&platform, jwt(&claims));
    let err = renew(&client).unwrap_err();
    assert_eq!(err.error, "id_token_expired");
    assert!(stored_anywhere(&platform, "RT2"), "RT2 replaced RT1 in storage");
    assert!(!stored_anywhere(&platform, "at-2"), "nothing else from the failed response is stored");
    assert!(run(client.is_authenticated()), "a clock problem does not end the session");
    assert_rt1_never_again(&client, &platform, Some("RT2"));
}

#[test]
fn a_refreshed_id_token_not_yet_valid_on_the_device_keeps_the_rotated_token() {
    let (client, platform) = logged_in_and_expired();
    let claims = refreshed_claims(&platform, |c| {
        let now = c.get("iat").and_then(Json::as_f64).unwrap();
        c.set("nbf", Json::Number(now + 3_600.0));
    });
    answer_rotated(&platform, jwt(&claims));
    assert_eq!(renew(&client).unwrap_err().error, "id_token_not_yet_valid");
    assert_rt1_never_again(&client, &platform, Some("RT2"));
}

#[test]
fn a_refreshed_id_token_for_another_user_ends_the_session_and_rt1_is_gone() {
    let (client, platform) = logged_in_and_expired();
    answer_rotated(&platform, jwt(&refreshed_claims(&platform, |c| c.set("sub", Json::str("auth0|mallory")))));
    assert!(renew(&client).is_err());
    assert!(!run(client.is_authenticated()));
    assert!(!stored_anywhere(&platform, "RT2"), "the other user's token is not kept");
    assert_rt1_never_again(&client, &platform, None);
}

#[test]
fn a_refreshed_id_token_from_another_issuer_ends_the_session_and_rt1_is_gone() {
    let (client, platform) = logged_in_and_expired();
    answer_rotated(&platform, jwt(&refreshed_claims(&platform, |c| c.set("iss", Json::str("https://evil.example.com/")))));
    assert!(renew(&client).is_err());
    assert_rt1_never_again(&client, &platform, None);
}

#[test]
fn a_refreshed_id_token_with_a_bad_signature_header_ends_the_session_and_rt1_is_gone() {
    let (client, platform) = logged_in_and_expired();
    let claims = refreshed_claims(&platform, |_| {});
    let unsigned = [base64url_encode(br#"{"alg":"none"}"#), ".".into(), base64url_encode(claims.as_bytes()), ".".into()].concat();
    answer_rotated(&platform, unsigned);
    assert!(renew(&client).is_err());
    assert!(!run(client.is_authenticated()));
    assert_rt1_never_again(&client, &platform, None);
}

#[test]
fn storage_refusing_the_user_write_keeps_the_whole_result_in_memory_and_rt1_leaves_storage() {
    let (client, platform) = logged_in_and_expired();
    answer_rotated(&platform, jwt(&refreshed_claims(&platform, |_| {})));
    platform.refuse_writes(|key| key == USER_KEY);
    let token = renew(&client).unwrap().unwrap();
    assert_eq!((token.source, token.access_token.as_str()), (TokenSource::RefreshToken, "at-2"));
    assert!(!stored_anywhere(&platform, "RT2"), "the result is kept in memory, not half in storage");
    assert!(platform.0.warnings.borrow().iter().any(|w| w.starts_with(STORAGE_FALLBACK_WARNING)));
    // This page goes on with RT2 from memory; a reload has no refresh token at all.
    platform.accept_writes();
    assert_rt1_never_again(&client, &platform, Some("RT2"));
}

#[test]
fn storage_refusing_the_rotation_of_another_audiences_entry_still_removes_rt1_there() {
    let (client, platform) = logged_in_and_expired();
    // A second audience's entry holds the same RT1 (one refresh token per session).
    let default_key = platform.cache_snapshot().keys().find(|k| k.contains("::default::")).cloned().unwrap();
    let copy = platform.cache_snapshot()[&default_key].replace("\"default\"", "\"https://api/\"");
    platform.0.cache.borrow_mut().insert(API_KEY.to_owned(), copy);
    answer_rotated(&platform, jwt(&refreshed_claims(&platform, |_| {})));
    platform.refuse_writes(|key| key == API_KEY);
    renew(&client).unwrap().unwrap();
    assert!(!platform.cache_snapshot().contains_key(API_KEY), "the entry that still held RT1 left storage");
    platform.accept_writes();
    assert_rt1_never_again(&client, &platform, Some("RT2"));
}

#[test]
fn storage_refusing_the_rotation_after_a_clock_failure_still_removes_rt1() {
    let (client, platform) = logged_in_and_expired();
    let claims = refreshed_claims(&platform, |c| {
        let now = c.get("iat").and_then(Json::as_f64).unwrap();
        c.set("exp", Json::Number(now - 3_600.0));
    });
    answer_rotated(&platform, jwt(&claims));
    platform.refuse_writes(|_| true);
    assert_eq!(renew(&client).unwrap_err().error, "id_token_expired");
    platform.accept_writes();
    assert_rt1_never_again(&client, &platform, Some("RT2"));
}

#[test]
fn a_logout_while_the_rotating_request_is_in_flight_keeps_neither_token() {
    let (client, platform) = logged_in_and_expired();
    answer_rotated(&platform, jwt(&refreshed_claims(&platform, |_| {})));
    let empty = Json::Object(vec![]);
    let off = GetTokenOptions { cache_mode: auth0_spa_wasm::client::CacheMode::Off, ..Default::default() };
    // The refresh is sent first; the logout runs while its response is outstanding.
    let (refreshed, logged_out) = run(join(client.get_token_silently(&off), client.logout(&empty)));
    logged_out.unwrap();
    assert!(refreshed.is_err());
    assert!(!stored_anywhere(&platform, "RT2"));
    assert_rt1_never_again(&client, &platform, None);
}

#[test]
fn without_a_rotation_a_clock_failure_keeps_the_session_and_its_token() {
    let (client, platform) = logged_in_and_expired();
    let claims = refreshed_claims(&platform, |c| {
        let now = c.get("iat").and_then(Json::as_f64).unwrap();
        c.set("exp", Json::Number(now - 3_600.0));
    });
    let id = jwt(&claims);
    platform.on_http(move |_| Ok(token_response("at-2", Some("RT1"), Some(&id), 100)));
    assert_eq!(renew(&client).unwrap_err().error, "id_token_expired");
    assert!(stored_anywhere(&platform, "RT1"), "a token the server kept stays usable");
    assert!(run(client.is_authenticated()));
}
