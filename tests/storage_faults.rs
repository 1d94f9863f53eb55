//! Storage that refuses writes or forgets its index: a full localStorage during login keeps the
//! session in this page's memory (security case I5), and `logout()` clears every entry of the
//! client whatever the key manifest of a custom cache says (K1; docs/behaviour.md §3.7).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed unwrap is a failed test
#![cfg(not(target_arch = "wasm32"))]

mod common;

use auth0_spa_wasm::client::{CacheMode, GetTokenOptions, TokenSource, STORAGE_FALLBACK_WARNING};
use auth0_spa_wasm::core::encoding::form_encode;
use auth0_spa_wasm::core::json::Json;
use auth0_spa_wasm::core::options::{ClientOptions, ParamList};
use common::*;

const DEFAULT_KEY: &str = "@@auth0spajs@@::test-client::default::openid profile email offline_access";
const API_KEY: &str = "@@auth0spajs@@::test-client::https://api/::openid profile email offline_access";
const USER_KEY: &str = "@@auth0spajs@@::test-client::@@user@@";
const MANIFEST_KEY: &str = "@@auth0spajs@@::test-client";
const OTHER_CLIENT_KEY: &str = "@@auth0spajs@@::other-client::default::openid";

fn new_page(platform: &FakePlatform) -> Client<FakePlatform> {
    let text = r#"{"domain":"tenant.example.com","clientId":"test-client","useRefreshTokens":true,"cacheLocation":"localstorage"}"#;
    Client::new(ClientOptions::from_json(&Json::parse(text).unwrap()).unwrap(), platform.clone())
}

fn login(client: &Client<FakePlatform>, platform: &FakePlatform) -> auth0_spa_wasm::core::Result<auth0_spa_wasm::client::Redirected> {
    let url = client.login_with_redirect(&ParamList::new(), None).unwrap();
    let nonce = query_param(&url, "nonce").unwrap();
    let id = jwt(&id_token_claims(Some(&nonce), ""));
    platform.on_http(move |_| Ok(token_response("at-login", Some("rt-login"), Some(&id), 86_400)));
    let state = query_param(&url, "state").unwrap();
    run(client.handle_redirect_callback(&[ORIGIN, "/?code=c&state=", &form_encode(&state)].concat()))
}

fn cache_only() -> GetTokenOptions {
    GetTokenOptions { cache_mode: CacheMode::CacheOnly, ..Default::default() }
}

#[test]
fn i5_a_full_local_storage_during_the_callback_keeps_the_login_in_memory() {
    let platform = FakePlatform::new();
    let client = new_page(&platform);
    platform.refuse_writes(|key| key == USER_KEY);
    login(&client, &platform).expect("the login succeeds");
    assert!(platform.cache_snapshot().is_empty(), "nothing half-written stays in storage: {:?}", platform.cache_snapshot());
    let warnings = platform.0.warnings.borrow().clone();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].starts_with(STORAGE_FALLBACK_WARNING) && warnings[0].contains("QuotaExceededError"), "{warnings:?}");
    // This page works from memory.
    assert!(run(client.is_authenticated()));
    assert_eq!(run(client.get_user()).unwrap().str_field("email"), Some("alice@example.com"));
    let token = run(client.get_token_silently(&GetTokenOptions::default())).unwrap().unwrap();
    assert_eq!((token.source, token.access_token.as_str()), (TokenSource::Cache, "at-login"));
    // ... and the refresh token is usable from memory too.
    platform.on_http(|_| Ok(token_response("at-2", Some("rt-2"), None, 86_400)));
    platform.advance_secs(90_000);
    let renewed = run(client.get_token_silently(&GetTokenOptions::default())).unwrap().unwrap();
    assert_eq!(renewed.access_token, "at-2");
    assert_eq!(form_field(platform.requests().last().unwrap(), "refresh_token").as_deref(), Some("rt-login"));
}

#[test]
fn i5_storage_that_accepts_writes_again_takes_the_session_back_from_memory() {
    let platform = FakePlatform::new();
    let client = new_page(&platform);
    platform.refuse_writes(|_| true);
    login(&client, &platform).unwrap();
    assert!(platform.cache_snapshot().is_empty());
    platform.accept_writes();
    platform.on_http(|_| Ok(token_response("at-2", Some("rt-2"), None, 86_400)));
    platform.advance_secs(90_000);
    run(client.get_token_silently(&GetTokenOptions::default())).unwrap().unwrap();
    let stored = platform.cache_snapshot();
    assert!(stored[DEFAULT_KEY].contains("\"rt-2\"") && stored.contains_key(USER_KEY), "{stored:?}");
    assert!(run(new_page(&platform).is_authenticated()), "a reload finds the session");
}

#[test]
fn i5_logout_clears_the_sessions_memory_copy_too() {
    let platform = FakePlatform::new();
    let client = new_page(&platform);
    platform.refuse_writes(|_| true);
    login(&client, &platform).unwrap();
    run(client.logout(&Json::Object(vec![]))).unwrap();
    assert!(!run(client.is_authenticated()));
    assert!(run(client.get_token_silently(&cache_only())).unwrap().is_none());
}

/// A custom cache without `allKeys` (the client keeps a key manifest), logged in with tokens for
/// two audiences and another client's entry beside them.
fn custom_cache_with_two_audiences() -> (Client<FakePlatform>, FakePlatform) {
    let platform = FakePlatform::new();
    platform.0.cache_lists_keys.set(false);
    let client = new_page(&platform);
    login(&client, &platform).unwrap();
    // An entry for a second audience, listed in the manifest, that this page then serves.
    let api_entry = platform.cache_snapshot()[DEFAULT_KEY].replace("\"default\"", "\"https://api/\"");
    platform.0.cache.borrow_mut().insert(API_KEY.to_owned(), api_entry);
    let manifest = platform.cache_snapshot()[MANIFEST_KEY].replace("]}", &[",\"", API_KEY, "\"]}"].concat());
    set_manifest(&platform, &manifest);
    let mut params = ParamList::new();
    params.set("audience", "https://api/");
    run(client.get_token_silently(&GetTokenOptions { authorization_params: params, cache_mode: CacheMode::CacheOnly, ..Default::default() })).unwrap().unwrap();
    platform.0.cache.borrow_mut().insert(OTHER_CLIENT_KEY.to_owned(), "{}".to_owned());
    let stored = platform.cache_snapshot();
    assert!(stored.contains_key(DEFAULT_KEY) && stored.contains_key(API_KEY) && stored.contains_key(USER_KEY), "{stored:?}");
    (client, platform)
}

fn set_manifest(platform: &FakePlatform, text: &str) {
    platform.0.cache.borrow_mut().insert(MANIFEST_KEY.to_owned(), text.to_owned());
}

fn assert_no_entry_of_the_client_left(platform: &FakePlatform) {
    let left: Vec<String> = platform.cache_snapshot().into_keys().filter(|k| k.starts_with("@@auth0spajs@@::test-client")).collect();
    assert!(left.is_empty(), "left after logout: {left:?}");
    assert!(platform.cache_snapshot().contains_key(OTHER_CLIENT_KEY), "another client's entry stays");
}

#[test]
fn k1_logout_clears_keys_a_stale_manifest_misses_and_ignores_the_ones_it_invents() {
    let (client, platform) = custom_cache_with_two_audiences();
    set_manifest(&platform, r#"{"keys":["@@auth0spajs@@::test-client::gone::openid","@@auth0spajs@@::test-client::default::openid profile email offline_access"]}"#);
    run(client.logout(&Json::Object(vec![]))).unwrap();
    assert_no_entry_of_the_client_left(&platform);
}

#[test]
fn k1_logout_clears_everything_when_the_manifest_is_garbage() {
    let (client, platform) = custom_cache_with_two_audiences();
    set_manifest(&platform, "{not json");
    run(client.logout(&Json::Object(vec![]))).unwrap();
    assert_no_entry_of_the_client_left(&platform);
}

#[test]
fn k1_after_a_reload_logout_clears_the_configured_audiences_keys_the_manifest_lost() {
    let (_, platform) = custom_cache_with_two_audiences();
    // The manifest lost every key; a new page has seen none of them.
    set_manifest(&platform, r#"{"keys":[]}"#);
    platform.0.cache.borrow_mut().remove(API_KEY);
    run(new_page(&platform).logout(&Json::Object(vec![]))).unwrap();
    assert_no_entry_of_the_client_left(&platform);
}
