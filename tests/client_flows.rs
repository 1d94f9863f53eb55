//! Whole flows of the client over the scripted fake platform: login, callback checks, silent
//! renewal with rotation, fallbacks, concurrency and logout (docs/security-cases.md A, B, E, F, G, I, K).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed unwrap is a failed test
// Native only: the scripted fake platform runs on the host (browser behaviour is covered by tests/web_*.rs and tests/e2e).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::cell::Cell;
use std::rc::Rc;

use auth0_spa_wasm::client::{CacheMode, GetTokenOptions, TokenSource};
use auth0_spa_wasm::core::http::HttpResponse;
use auth0_spa_wasm::core::json::Json;
use auth0_spa_wasm::core::options::{ClientOptions, ParamList};
use auth0_spa_wasm::core::ErrorClass;
use common::*;

/// Logs in through the redirect flow; the token endpoint answers with `rt` and `expires_in`.
fn login(client: &Client<FakePlatform>, platform: &FakePlatform, rt: Option<&'static str>, expires_in: u64) {
    let url = client.login_with_redirect(&ParamList::new(), None).unwrap();
    let state = query_param(&url, "state").unwrap();
    let nonce = query_param(&url, "nonce").unwrap();
    let id = jwt(&id_token_claims(Some(&nonce), ""));
    platform.on_http(move |_| Ok(token_response("at-login", rt, Some(&id), expires_in)));
    let callback = [ORIGIN, "/?code=abc&state=", &auth0_spa_wasm::core::encoding::form_encode(&state)].concat();
    run(client.handle_redirect_callback(&callback)).unwrap();
}

fn refresh_tokens_sent(platform: &FakePlatform) -> Vec<String> {
    platform.requests().iter().filter_map(|r| form_field(r, "refresh_token")).collect()
}

#[test]
fn redirect_login_round_trip_caches_tokens_and_returns_app_state() {
    let (client, platform) = tenant_client("");
    let app_state = Json::parse(r#"{"returnTo":"/profile"}"#).unwrap();
    let url = client.login_with_redirect(&ParamList::new(), Some(app_state.clone())).unwrap();
    assert!(url.starts_with("https://tenant.example.com/authorize?client_id=test-client&scope=openid+profile+email"));
    let state = query_param(&url, "state").unwrap();
    let nonce = query_param(&url, "nonce").unwrap();
    let id = jwt(&id_token_claims(Some(&nonce), ""));
    platform.on_http(move |_| Ok(token_response("at-1", None, Some(&id), 86400)));
    let callback = ["https://app.example.com/?code=the-code&state=", &auth0_spa_wasm::core::encoding::form_encode(&state)].concat();
    let returned = run(client.handle_redirect_callback(&callback)).unwrap();
    assert_eq!(returned, auth0_spa_wasm::client::Redirected::Login(Some(app_state)));

    let requests = platform.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].url, "https://tenant.example.com/oauth/token");
    assert_eq!(form_field(&requests[0], "grant_type").as_deref(), Some("authorization_code"));
    assert_eq!(form_field(&requests[0], "code").as_deref(), Some("the-code"));
    let verifier = form_field(&requests[0], "code_verifier").unwrap();
    assert_eq!(auth0_spa_wasm::core::pkce::code_challenge_s256(&verifier), query_param(&url, "code_challenge").unwrap());
    assert!(!url.contains(&verifier), "the verifier never appears in the URL (C5)");

    assert!(run(client.is_authenticated()));
    let user = run(client.get_user()).unwrap();
    assert_eq!(user.str_field("email"), Some("alice@example.com"));
    assert!(user.get("iss").is_none(), "protocol claims are not user claims");
    let claims = run(client.get_id_token_claims()).unwrap();
    assert!(claims.str_field("__raw").is_some());
    assert!(platform.0.transactions.borrow().is_empty(), "transaction consumed");
    assert_eq!(platform.0.cookies.borrow().get("auth0.test-client.is.authenticated").map(String::as_str), Some("true"));
    let cache = platform.cache_snapshot();
    assert!(cache.contains_key("@@auth0spajs@@::test-client::default::openid profile email"));
    assert!(cache.contains_key("@@auth0spajs@@::test-client::@@user@@"));
}

#[test]
fn a_replayed_callback_is_rejected_without_a_second_token_request() {
    let (client, platform) = tenant_client("");
    let url = client.login_with_redirect(&ParamList::new(), None).unwrap();
    let state = query_param(&url, "state").unwrap();
    let nonce = query_param(&url, "nonce").unwrap();
    let id = jwt(&id_token_claims(Some(&nonce), ""));
    platform.on_http(move |_| Ok(token_response("at", None, Some(&id), 86400)));
    let callback = ["https://app.example.com/?code=c&state=", &auth0_spa_wasm::core::encoding::form_encode(&state)].concat();
    run(client.handle_redirect_callback(&callback)).unwrap();
    let err = run(client.handle_redirect_callback(&callback)).unwrap_err();
    assert_eq!(err.error, "missing_transaction");
    assert_eq!(platform.requests().len(), 1);
}

#[test]
fn a_foreign_state_is_rejected_and_consumes_the_transaction() {
    let (client, platform) = tenant_client("");
    client.login_with_redirect(&ParamList::new(), None).unwrap();
    let err = run(client.handle_redirect_callback("https://app.example.com/?code=c&state=forged")).unwrap_err();
    assert_eq!(err.error, "state_mismatch");
    assert!(platform.requests().is_empty());
    assert!(platform.cache_snapshot().is_empty());
    assert_eq!(run(client.handle_redirect_callback("https://app.example.com/?code=c&state=forged")).unwrap_err().error, "missing_transaction");
}

#[test]
fn an_error_response_becomes_an_authentication_error_carrying_app_state() {
    let (client, platform) = tenant_client("");
    let url = client.login_with_redirect(&ParamList::new(), Some(Json::str("where-i-was"))).unwrap();
    let state = query_param(&url, "state").unwrap();
    let callback = ["https://app.example.com/?error=access_denied&error_description=Nope&state=", &auth0_spa_wasm::core::encoding::form_encode(&state)].concat();
    let err = run(client.handle_redirect_callback(&callback)).unwrap_err();
    assert_eq!(err.class, ErrorClass::Authentication);
    assert_eq!(err.error, "access_denied");
    assert_eq!(err.description, "Nope");
    assert_eq!(err.app_state, Some(Json::str("where-i-was")));
    assert!(platform.requests().is_empty());
}

#[test]
fn an_id_token_with_the_wrong_nonce_stores_nothing() {
    let (client, platform) = tenant_client("");
    let url = client.login_with_redirect(&ParamList::new(), None).unwrap();
    let state = query_param(&url, "state").unwrap();
    let id = jwt(&id_token_claims(Some("not-the-nonce"), ""));
    platform.on_http(move |_| Ok(token_response("at", Some("rt"), Some(&id), 86400)));
    let callback = ["https://app.example.com/?code=c&state=", &auth0_spa_wasm::core::encoding::form_encode(&state)].concat();
    let err = run(client.handle_redirect_callback(&callback)).unwrap_err();
    assert!(err.description.starts_with("Nonce (nonce) claim mismatch"), "{}", err.description);
    assert!(platform.cache_snapshot().is_empty());
    assert!(platform.0.cookies.borrow().is_empty());
}

#[test]
fn a_malformed_token_response_is_a_typed_error_and_stores_nothing() {
    let (client, platform) = tenant_client("");
    let url = client.login_with_redirect(&ParamList::new(), None).unwrap();
    let state = query_param(&url, "state").unwrap();
    platform.on_http(|_| Ok(HttpResponse { status: 200, body: "{\"".into(), dpop_nonce: None }));
    let callback = ["https://app.example.com/?code=c&state=", &auth0_spa_wasm::core::encoding::form_encode(&state)].concat();
    let err = run(client.handle_redirect_callback(&callback)).unwrap_err();
    assert_eq!(err.class, ErrorClass::Generic);
    assert!(platform.cache_snapshot().is_empty());
}

#[test]
fn a_fresh_cached_token_is_served_without_network() {
    let (client, platform) = tenant_client("");
    login(&client, &platform, None, 86400);
    let before = platform.requests().len();
    let token = run(client.get_token_silently(&GetTokenOptions::default())).unwrap().unwrap();
    assert_eq!(token.access_token, "at-login");
    assert_eq!(token.source, TokenSource::Cache);
    assert_eq!(token.token_type, "Bearer");
    assert_eq!(platform.requests().len(), before);
}

#[test]
fn cache_only_miss_resolves_to_none_without_network() {
    let (client, platform) = tenant_client("");
    let got = run(client.get_token_silently(&GetTokenOptions { cache_mode: CacheMode::CacheOnly, ..Default::default() })).unwrap();
    assert!(got.is_none());
    assert!(platform.requests().is_empty());
}

#[test]
fn tokens_expire_sixty_seconds_early() {
    let (client, platform) = tenant_client(r#","useRefreshTokens":true"#);
    login(&client, &platform, Some("rt-1"), 120);
    platform.advance_secs(59);
    let options = GetTokenOptions { cache_mode: CacheMode::CacheOnly, ..Default::default() };
    assert!(run(client.get_token_silently(&options)).unwrap().is_some());
    platform.advance_secs(2);
    assert!(run(client.get_token_silently(&options)).unwrap().is_none());
}

#[test]
fn a_thirty_second_token_is_served_from_the_cache_and_renewed_before_it_expires() {
    // Shorter-lived than the 60 s renewal margin: served for half its life, not renewed per call.
    let (client, platform) = tenant_client(r#","useRefreshTokens":true"#);
    login(&client, &platform, Some("rt-1"), 30);
    let after_login = platform.requests().len();
    for _ in 0..5 {
        let token = run(client.get_token_silently(&GetTokenOptions::default())).unwrap().unwrap();
        assert_eq!(token.source, TokenSource::Cache);
    }
    assert_eq!(platform.requests().len(), after_login, "five calls right after login make no token request");
    platform.on_http(|_| Ok(token_response("at-2", Some("rt-2"), None, 30)));
    platform.advance_secs(16);
    let renewed = run(client.get_token_silently(&GetTokenOptions::default())).unwrap().unwrap();
    assert_eq!((renewed.source, renewed.access_token.as_str()), (TokenSource::RefreshToken, "at-2"), "renewed 14 s before expiry");
    assert_eq!(refresh_tokens_sent(&platform), vec!["rt-1"]);
}

#[test]
fn refresh_tokens_rotate_and_a_used_one_is_never_sent_again() {
    let (client, platform) = tenant_client(r#","useRefreshTokens":true"#);
    login(&client, &platform, Some("rt-1"), 100);
    let counter = Rc::new(Cell::new(1));
    let c = counter.clone();
    platform.on_http(move |req| {
        let n = c.get() + 1;
        c.set(n);
        assert_eq!(form_field(req, "grant_type").as_deref(), Some("refresh_token"));
        let at = ["at-", &n.to_string()].concat();
        let rt: &'static str = Box::leak(["rt-", &n.to_string()].concat().into_boxed_str());
        Ok(token_response(&at, Some(rt), None, 100))
    });
    for round in 2..=5 {
        platform.advance_secs(100);
        let token = run(client.get_token_silently(&GetTokenOptions::default())).unwrap().unwrap();
        assert_eq!(token.source, TokenSource::RefreshToken);
        assert_eq!(token.access_token, ["at-", &round.to_string()].concat());
    }
    assert_eq!(refresh_tokens_sent(&platform), vec!["rt-1", "rt-2", "rt-3", "rt-4"]);
    let cache = platform.cache_snapshot();
    assert!(!cache.values().any(|v| v.contains("\"rt-4\"")), "the last used token is gone from storage");
    assert!(cache.values().any(|v| v.contains("\"rt-5\"")));
}

#[test]
fn rotation_replaces_the_old_token_in_every_entry_that_holds_it() {
    let (client, platform) = tenant_client(r#","useRefreshTokens":true"#);
    login(&client, &platform, Some("rt-1"), 100);
    // A second entry (another audience) holding the same refresh token, as after an MRRT-style copy.
    let other_key = "@@auth0spajs@@::test-client::https://api::openid profile email offline_access";
    let default_key = "@@auth0spajs@@::test-client::default::openid profile email offline_access";
    let default_entry = platform.cache_snapshot().get(default_key).cloned().unwrap();
    platform.0.cache.borrow_mut().insert(other_key.into(), default_entry.replace("\"audience\":\"default\"", "\"audience\":\"https://api\""));
    platform.on_http(|_| Ok(token_response("at-2", Some("rt-2"), None, 100)));
    platform.advance_secs(100);
    run(client.get_token_silently(&GetTokenOptions::default())).unwrap();
    let other = platform.cache_snapshot().get(other_key).cloned().unwrap();
    assert!(other.contains("\"rt-2\"") && !other.contains("\"rt-1\""), "{other}");
    assert!(other.contains("at-login"), "the other entry's access token is untouched (F18)");
}

#[test]
fn a_server_that_does_not_rotate_keeps_the_current_refresh_token() {
    let (client, platform) = tenant_client(r#","useRefreshTokens":true"#);
    login(&client, &platform, Some("rt-1"), 100);
    platform.on_http(|_| Ok(token_response("at-n", None, None, 100)));
    for _ in 0..3 {
        platform.advance_secs(100);
        run(client.get_token_silently(&GetTokenOptions::default())).unwrap().unwrap();
    }
    assert_eq!(refresh_tokens_sent(&platform), vec!["rt-1", "rt-1", "rt-1"]);
}

#[test]
fn fifty_concurrent_calls_make_exactly_one_token_request() {
    let (client, platform) = tenant_client(r#","useRefreshTokens":true"#);
    login(&client, &platform, Some("rt-1"), 100);
    platform.on_http(|_| Ok(token_response("at-2", Some("rt-2"), None, 100)));
    platform.advance_secs(100);
    let options = GetTokenOptions::default();
    let calls: Vec<_> = (0..50).map(|_| client.get_token_silently(&options)).collect();
    let results = run(join_all(calls));
    assert!(results.iter().all(|r| r.as_ref().unwrap().as_ref().unwrap().access_token == "at-2"));
    assert_eq!(refresh_tokens_sent(&platform), vec!["rt-1"]);
}

#[test]
fn a_dead_refresh_token_is_removed_and_reported_by_its_error_code() {
    let (client, platform) = tenant_client(r#","useRefreshTokens":true"#);
    login(&client, &platform, Some("rt-1"), 100);
    platform.on_http(|_| Ok(oauth_error(400, "invalid_grant", "grant request is invalid")));
    platform.advance_secs(100);
    let err = run(client.get_token_silently(&GetTokenOptions::default())).unwrap_err();
    assert_eq!(err.error, "invalid_grant");
    assert!(!platform.cache_snapshot().values().any(|v| v.contains("rt-1")), "the dead token is gone");
    // The next call does not present it again.
    let err = run(client.get_token_silently(&GetTokenOptions::default())).unwrap_err();
    assert_eq!(err.error, "missing_refresh_token");
    assert_eq!(refresh_tokens_sent(&platform), vec!["rt-1"]);
}

#[test]
fn a_transient_failure_keeps_the_session_and_does_not_retry() {
    let (client, platform) = tenant_client(r#","useRefreshTokens":true"#);
    login(&client, &platform, Some("rt-1"), 100);
    platform.on_http(|_| Ok(HttpResponse { status: 503, body: "Service Unavailable".into(), dpop_nonce: None }));
    platform.advance_secs(100);
    let err = run(client.get_token_silently(&GetTokenOptions::default())).unwrap_err();
    assert_eq!(err.class, ErrorClass::Generic);
    assert_eq!(refresh_tokens_sent(&platform).len(), 1, "no blind retry of a single-use token (E14)");
    assert!(platform.cache_snapshot().values().any(|v| v.contains("rt-1")), "session kept");
    assert!(run(client.is_authenticated()));
}

#[test]
fn without_a_refresh_token_and_without_fallback_it_is_missing_refresh_token() {
    let (client, platform) = tenant_client(r#","useRefreshTokens":true"#);
    login(&client, &platform, None, 100);
    platform.advance_secs(100);
    let err = run(client.get_token_silently(&GetTokenOptions::default())).unwrap_err();
    assert_eq!(err.class, ErrorClass::MissingRefreshToken);
    assert!(platform.0.frames.borrow().is_empty(), "v2 shape: no iframe fallback by default");
}

#[test]
fn the_older_options_shape_falls_back_to_the_iframe_without_a_refresh_token() {
    let platform = FakePlatform::new();
    let legacy = Json::parse(r#"{"domain":"tenant.example.com","client_id":"test-client","useRefreshTokens":true,"redirect_uri":"https://app.example.com"}"#).unwrap();
    let client = Client::new(ClientOptions::from_json(&legacy).unwrap(), platform.clone());
    login(&client, &platform, None, 100);
    platform.advance_secs(100);
    platform.on_frame(|url, state| {
        assert_eq!(query_param(url, "prompt").as_deref(), Some("none"));
        Ok(Json::Object(vec![("code".into(), Json::str("frame-code")), ("state".into(), Json::str(state))]))
    });
    let nonce_holder = Rc::new(std::cell::RefCell::new(String::new()));
    let frames = platform.0.clone();
    let _ = nonce_holder;
    platform.on_http(move |_| {
        let url = frames.frames.borrow().last().cloned().unwrap();
        let nonce = query_param(&url, "nonce").unwrap();
        Ok(token_response("at-frame", Some("rt-frame"), Some(&jwt(&id_token_claims(Some(&nonce), ""))), 100))
    });
    let token = run(client.get_token_silently(&GetTokenOptions::default())).unwrap().unwrap();
    assert_eq!(token.source, TokenSource::Iframe);
    assert_eq!(token.access_token, "at-frame");
}

fn iframe_answers_with_code(platform: &FakePlatform) {
    platform.on_frame(|_, state| Ok(Json::Object(vec![("code".into(), Json::str("frame-code")), ("state".into(), Json::str(state))])));
    let frames = platform.0.clone();
    platform.on_http(move |_| {
        let url = frames.frames.borrow().last().cloned().unwrap();
        let nonce = query_param(&url, "nonce").unwrap();
        Ok(token_response("at-frame", None, Some(&jwt(&id_token_claims(Some(&nonce), ""))), 100))
    });
}

#[test]
fn without_refresh_tokens_renewal_uses_a_prompt_none_iframe() {
    let (client, platform) = tenant_client("");
    login(&client, &platform, None, 100);
    platform.advance_secs(100);
    iframe_answers_with_code(&platform);
    let token = run(client.get_token_silently(&GetTokenOptions::default())).unwrap().unwrap();
    assert_eq!(token.source, TokenSource::Iframe);
    let url = platform.0.frames.borrow()[0].clone();
    assert_eq!(query_param(&url, "response_mode").as_deref(), Some("web_message"));
    assert_eq!(query_param(&url, "prompt").as_deref(), Some("none"));
    assert_eq!(query_param(&url, "redirect_uri").as_deref(), Some(ORIGIN));
    let exchange = platform.requests().last().cloned().unwrap();
    assert_eq!(form_field(&exchange, "redirect_uri").as_deref(), Some(ORIGIN));
    assert!(form_field(&exchange, "prompt").is_none());
}

#[test]
fn login_required_from_the_iframe_clears_the_local_session() {
    let (client, platform) = tenant_client("");
    login(&client, &platform, None, 100);
    platform.advance_secs(100);
    platform.on_frame(|_, state| Ok(Json::Object(vec![("error".into(), Json::str("login_required")), ("error_description".into(), Json::str("Login required")), ("state".into(), Json::str(state))])));
    let err = run(client.get_token_silently(&GetTokenOptions::default())).unwrap_err();
    assert_eq!(err.error, "login_required");
    assert!(!run(client.is_authenticated()));
    assert!(platform.0.cookies.borrow().get("auth0.test-client.is.authenticated").is_none());
}

#[test]
fn a_cross_origin_isolated_page_fails_fast_instead_of_timing_out() {
    let platform = FakePlatform::new();
    platform.0.cross_origin_isolated.set(true);
    let client = Client::new(tenant_options(""), platform.clone());
    let err = run(client.get_token_silently(&GetTokenOptions::default())).unwrap_err();
    assert_eq!(err.error, "login_required");
    assert!(err.description.contains("Cross-Origin Isolated"));
    assert!(platform.0.frames.borrow().is_empty());
}

#[test]
fn cache_mode_off_always_renews() {
    let (client, platform) = tenant_client("");
    login(&client, &platform, None, 86400);
    iframe_answers_with_code(&platform);
    let token = run(client.get_token_silently(&GetTokenOptions { cache_mode: CacheMode::Off, ..Default::default() })).unwrap().unwrap();
    assert_eq!(token.source, TokenSource::Iframe);
}

#[test]
fn garbage_in_storage_is_a_cleaned_up_miss_not_an_exception() {
    let (client, platform) = tenant_client(r#","useRefreshTokens":true"#);
    login(&client, &platform, Some("rt-1"), 86400);
    let key = "@@auth0spajs@@::test-client::default::openid profile email offline_access".to_owned();
    platform.0.cache.borrow_mut().insert(key.clone(), "{not json".into());
    let err = run(client.get_token_silently(&GetTokenOptions::default())).unwrap_err();
    assert_eq!(err.class, ErrorClass::MissingRefreshToken);
    assert!(!platform.cache_snapshot().contains_key(&key), "the garbage entry was removed");
    assert!(run(client.is_authenticated()), "the ID token survives");
    platform.0.cache.borrow_mut().insert("@@auth0spajs@@::test-client::@@user@@".into(), "[1,2]".into());
    assert!(run(client.get_user()).is_none());
}

#[test]
fn logout_clears_tokens_user_transaction_and_cookies_and_tells_other_tabs() {
    let (client, platform) = tenant_client(r#","useRefreshTokens":true"#);
    login(&client, &platform, Some("rt-1"), 86400);
    client.login_with_redirect(&ParamList::new(), None).unwrap();
    let url = run(client.logout(&Json::parse(r#"{"logoutParams":{"returnTo":"https://app.example.com"}}"#).unwrap())).unwrap();
    assert!(url.starts_with("https://tenant.example.com/v2/logout?client_id=test-client&returnTo=https%3A%2F%2Fapp.example.com"));
    assert!(platform.cache_snapshot().is_empty());
    assert!(platform.0.transactions.borrow().is_empty());
    assert!(platform.0.cookies.borrow().is_empty());
    assert_eq!(platform.0.broadcasts.get(), 1, "the logout is announced to other tabs once");
    assert!(!run(client.is_authenticated()));
}

#[test]
fn logout_with_another_client_id_clears_that_clients_entries_and_keeps_ours() {
    let (client, platform) = tenant_client("");
    login(&client, &platform, None, 86400);
    let other = "@@auth0spajs@@::other-client::default::openid";
    platform.0.cache.borrow_mut().insert(other.to_owned(), "{}".to_owned());
    run(client.logout(&Json::parse(r#"{"clientId":"other-client"}"#).unwrap())).unwrap();
    let cache = platform.cache_snapshot();
    assert!(!cache.contains_key(other));
    assert!(cache.keys().any(|k| k.contains("::test-client::")), "{cache:?}");
    assert_eq!(platform.0.broadcasts.get(), 0, "this client's other tabs keep their session");
}

#[test]
fn a_refresh_keeps_the_organization_hint_of_the_sessions_id_token() {
    let (client, platform) = tenant_client(r#","useRefreshTokens":true"#);
    login(&client, &platform, Some("rt-1"), 100);
    let id = jwt(&id_token_claims(None, r#","org_id":"org_abc""#));
    platform.on_http(move |_| Ok(token_response("at-2", Some("rt-2"), Some(&id), 100)));
    platform.advance_secs(100);
    run(client.get_token_silently(&GetTokenOptions::default())).unwrap().unwrap();
    assert_eq!(platform.0.cookies.borrow().get("auth0.test-client.organization_hint").map(String::as_str), Some("\"org_abc\""));
}

#[test]
fn a_logout_in_another_tab_stops_this_tab_serving_tokens() {
    let (client, platform) = tenant_client("");
    login(&client, &platform, None, 86400);
    platform.0.remote_logout.set(true);
    let got = run(client.get_token_silently(&GetTokenOptions { cache_mode: CacheMode::CacheOnly, ..Default::default() })).unwrap();
    assert!(got.is_none());
    assert!(!run(client.is_authenticated()));
}

#[test]
fn a_refresh_that_finishes_after_a_logout_is_discarded() {
    let (client, platform) = tenant_client(r#","useRefreshTokens":true"#);
    login(&client, &platform, Some("rt-1"), 100);
    platform.advance_secs(100);
    let state = platform.0.clone();
    platform.on_http(move |_| {
        state.remote_logout.set(true);
        Ok(token_response("late", Some("rt-2"), None, 100))
    });
    let err = run(client.get_token_silently(&GetTokenOptions::default())).unwrap_err();
    assert_eq!(err.error, "login_required");
    assert!(!platform.cache_snapshot().values().any(|v| v.contains("late")));
}

#[test]
fn a_refreshed_id_token_for_another_user_is_rejected_and_ends_the_session() {
    let (client, platform) = tenant_client(r#","useRefreshTokens":true"#);
    login(&client, &platform, Some("rt-1"), 100);
    let now = NOW_MS / 1000 + 100;
    let other = jwt(&[r#"{"iss":"https://tenant.example.com/","sub":"auth0|mallory","aud":"test-client","iat":"#, &now.to_string(), r#","exp":"#, &(now + 3600).to_string(), "}"].concat());
    platform.on_http(move |_| Ok(token_response("at-2", Some("rt-2"), Some(&other), 100)));
    platform.advance_secs(100);
    assert!(run(client.get_token_silently(&GetTokenOptions::default())).is_err());
    assert!(!run(client.is_authenticated()));
}

#[test]
fn a_different_user_logging_in_replaces_the_previous_users_cache() {
    let (client, platform) = tenant_client("");
    login(&client, &platform, None, 86400);
    platform.0.cache.borrow_mut().insert("@@auth0spajs@@::test-client::https://api::openid".into(), "{}".into());
    let url = client.login_with_redirect(&ParamList::new(), None).unwrap();
    let state = query_param(&url, "state").unwrap();
    let nonce = query_param(&url, "nonce").unwrap();
    let id = jwt(&id_token_claims(Some(&nonce), "").replace("auth0|alice", "auth0|bob"));
    platform.on_http(move |_| Ok(token_response("at-bob", None, Some(&id), 86400)));
    let callback = ["https://app.example.com/?code=c&state=", &auth0_spa_wasm::core::encoding::form_encode(&state)].concat();
    run(client.handle_redirect_callback(&callback)).unwrap();
    assert!(!platform.cache_snapshot().contains_key("@@auth0spajs@@::test-client::https://api::openid"));
    assert_eq!(run(client.get_user()).unwrap().str_field("sub"), Some("auth0|bob"));
}

#[test]
fn a_custom_cache_without_all_keys_gets_a_key_manifest() {
    let platform = FakePlatform::new();
    platform.0.cache_lists_keys.set(false);
    let client = Client::new(tenant_options(""), platform.clone());
    login(&client, &platform, None, 86400);
    let manifest = platform.cache_snapshot().get("@@auth0spajs@@::test-client").cloned().unwrap();
    assert!(manifest.contains("@@auth0spajs@@::test-client::@@user@@"));
    run(client.logout(&Json::Object(vec![]))).unwrap();
    assert!(platform.cache_snapshot().is_empty());
}

#[test]
fn check_session_without_the_hint_cookie_makes_no_request() {
    let (client, platform) = tenant_client("");
    run(client.check_session(&GetTokenOptions::default()));
    assert!(platform.requests().is_empty());
    assert!(platform.0.frames.borrow().is_empty());
}

#[test]
fn check_session_swallows_errors() {
    let (client, platform) = tenant_client("");
    platform.0.cookies.borrow_mut().insert("auth0.test-client.is.authenticated".into(), "true".into());
    run(client.check_session(&GetTokenOptions::default()));
    assert_eq!(platform.0.frames.borrow().len(), 1, "tried the iframe once, error swallowed");
}

#[test]
fn check_session_asks_for_an_anonymous_session_only_with_the_option_and_when_logged_out() {
    let iframe_answer = |error: &'static str, description: &'static str| {
        move |_: &str, state: &str| Ok(Json::Object(vec![("error".into(), Json::str(error)), ("error_description".into(), Json::str(description)), ("state".into(), Json::str(state))]))
    };
    for (extra, cookie, answer, want) in [
        ("", false, None, false),
        (r#","createAnonymousSessionOnFailedSilentAuth":true"#, false, None, true),
        (r#","createAnonymousSessionOnFailedSilentAuth":true"#, true, Some(("login_required", "Login required")), true),
        (r#","createAnonymousSessionOnFailedSilentAuth":true"#, true, Some(("login_required", "Multifactor authentication required")), false),
        (r#","createAnonymousSessionOnFailedSilentAuth":true"#, true, Some(("consent_required", "Consent required")), false),
        ("", true, Some(("login_required", "Login required")), false),
    ] {
        let (client, platform) = tenant_client(extra);
        if cookie {
            platform.0.cookies.borrow_mut().insert("auth0.test-client.is.authenticated".into(), "true".into());
        }
        if let Some((error, description)) = answer {
            platform.on_frame(iframe_answer(error, description));
        }
        let wants = run(client.check_session(&GetTokenOptions::default()));
        assert_eq!(wants, want, "{extra} cookie {cookie} {answer:?}");
        assert!(platform.requests().is_empty(), "no token request");
    }
}

#[test]
fn popup_login_exchanges_the_code_and_caches_tokens() {
    let (client, platform) = tenant_client("");
    platform.on_frame(|_, state| Ok(Json::Object(vec![("code".into(), Json::str("popup-code")), ("state".into(), Json::str(state))])));
    let popups = platform.0.clone();
    platform.on_http(move |req| {
        assert_eq!(form_field(req, "redirect_uri").as_deref(), Some(ORIGIN));
        let url = popups.popups.borrow().last().cloned().unwrap();
        let nonce = query_param(&url, "nonce").unwrap();
        Ok(token_response("at-popup", None, Some(&jwt(&id_token_claims(Some(&nonce), ""))), 86400))
    });
    run(client.login_with_popup(FakePopup, &ParamList::new(), None, true)).unwrap();
    let url = platform.0.popups.borrow()[0].clone();
    assert_eq!(query_param(&url, "response_mode").as_deref(), Some("web_message"));
    assert!(run(client.is_authenticated()));
}

#[test]
fn a_popup_answer_with_another_state_is_rejected() {
    let (client, platform) = tenant_client("");
    platform.on_frame(|_, _| Ok(Json::Object(vec![("code".into(), Json::str("c")), ("state".into(), Json::str("other"))])));
    let err = run(client.login_with_popup(FakePopup, &ParamList::new(), None, true)).unwrap_err();
    assert_eq!(err.error, "state_mismatch");
    assert!(platform.requests().is_empty());
}

#[test]
fn get_token_with_popup_returns_the_new_access_token() {
    let (client, platform) = tenant_client("");
    platform.on_frame(|_, state| Ok(Json::Object(vec![("code".into(), Json::str("c")), ("state".into(), Json::str(state))])));
    let popups = platform.0.clone();
    platform.on_http(move |_| {
        let url = popups.popups.borrow().last().cloned().unwrap();
        let nonce = query_param(&url, "nonce").unwrap();
        Ok(token_response("at-gtwp", None, Some(&jwt(&id_token_claims(Some(&nonce), ""))), 86400))
    });
    let mut params = ParamList::new();
    params.set("audience", "https://api");
    let token = run(client.get_token_with_popup(FakePopup, &params, None, true)).unwrap();
    assert_eq!(token, "at-gtwp");
    assert!(platform.cache_snapshot().keys().any(|k| k.contains("::https://api::")));
}

#[test]
fn per_call_audiences_get_their_own_cache_entries() {
    let (client, platform) = tenant_client(r#","useRefreshTokens":true"#);
    login(&client, &platform, Some("rt-1"), 86400);
    let mut params = ParamList::new();
    params.set("audience", "https://api");
    let options = GetTokenOptions { authorization_params: params, ..Default::default() };
    let err = run(client.get_token_silently(&options)).unwrap_err();
    assert_eq!(err.class, ErrorClass::MissingRefreshToken);
    assert_eq!(err.audience.as_deref(), Some("https://api"));
}

/// The default entry of the logged-in test session, as another tab would have rewritten it.
fn entry_from_other_tab(platform: &FakePlatform, access_token: &str, refresh_token: &str, expires_at: u64) -> (String, String) {
    let key = "@@auth0spajs@@::test-client::default::openid profile email offline_access".to_owned();
    let mut entry = Json::parse(platform.cache_snapshot().get(&key).unwrap()).unwrap();
    let mut body = entry.get("body").unwrap().clone();
    body.set("access_token", Json::str(access_token));
    body.set("refresh_token", Json::str(refresh_token));
    entry.set("body", body);
    entry.set("expiresAt", Json::Number(expires_at as f64));
    (key, entry.to_json_string())
}

#[test]
fn a_refresh_token_that_was_not_rotated_is_not_left_marked_spent() {
    let (client, platform) = tenant_client(r#","useRefreshTokens":true"#);
    login(&client, &platform, Some("rt-1"), 100);
    platform.advance_secs(100);
    // The request fails on the network: rt-1 is still good.
    platform.on_http(|_| Err(auth0_spa_wasm::core::Error::plain("request_error", "Failed to fetch")));
    assert!(run(client.get_token_silently(&GetTokenOptions::default())).is_err());
    assert!(platform.0.spent.borrow().is_empty());
    // The server answers without rotating (no refresh_token, or the same one).
    platform.on_http(|_| Ok(token_response("at-2", None, None, 100)));
    run(client.get_token_silently(&GetTokenOptions { cache_mode: CacheMode::Off, ..Default::default() })).unwrap();
    platform.on_http(|_| Ok(token_response("at-3", Some("rt-1"), None, 100)));
    run(client.get_token_silently(&GetTokenOptions { cache_mode: CacheMode::Off, ..Default::default() })).unwrap();
    assert!(platform.0.spent.borrow().is_empty());
    assert_eq!(refresh_tokens_sent(&platform), vec!["rt-1", "rt-1", "rt-1"]);
}

#[test]
fn after_a_rotation_the_used_token_is_marked_spent_for_every_tab() {
    let (client, platform) = tenant_client(r#","useRefreshTokens":true"#);
    login(&client, &platform, Some("rt-1"), 100);
    platform.on_http(|_| Ok(token_response("at-2", Some("rt-2"), None, 100)));
    platform.advance_secs(100);
    run(client.get_token_silently(&GetTokenOptions::default())).unwrap();
    let spent = platform.0.spent.borrow().clone();
    assert_eq!(spent, vec![auth0_spa_wasm::client::spent_mark_name("test-client", "rt-1")]);
    assert!(!spent[0].contains("rt-1"), "the mark is a fingerprint, not the token");
}

#[test]
fn a_server_that_does_not_rotate_leaves_no_spent_mark() {
    let (client, platform) = tenant_client(r#","useRefreshTokens":true"#);
    login(&client, &platform, Some("rt-1"), 100);
    platform.on_http(|_| Ok(token_response("at-2", None, None, 100)));
    platform.advance_secs(100);
    run(client.get_token_silently(&GetTokenOptions::default())).unwrap();
    assert!(platform.0.spent.borrow().is_empty());
}

/// With the in-memory cache the refresh token is this client's alone: no tab or other client can
/// have spent it, so a renewal neither asks for a cross-tab mark nor leaves one (a round trip to
/// the browser's lock manager less, before the token request).
#[test]
fn a_client_with_its_own_memory_cache_neither_checks_nor_leaves_spent_marks() {
    let platform = FakePlatform::new();
    platform.0.cache_shared.set(false);
    let client = Client::new(tenant_options(r#","useRefreshTokens":true"#), platform.clone());
    login(&client, &platform, Some("rt-1"), 100);
    platform.advance_secs(100);
    // A mark no other tab could have made for this client's token: not consulted.
    let foreign = auth0_spa_wasm::client::spent_mark_name("test-client", "rt-1");
    platform.0.spent.borrow_mut().push(foreign.clone());
    platform.on_http(|_| Ok(token_response("at-2", Some("rt-2"), None, 100)));
    let token = run(client.get_token_silently(&GetTokenOptions::default())).unwrap().unwrap();
    assert_eq!(token.access_token, "at-2");
    assert_eq!(refresh_tokens_sent(&platform), vec!["rt-1"]);
    assert_eq!(*platform.0.spent.borrow(), vec![foreign], "no mark of its own");
    assert_eq!(platform.0.sleeps.get(), 0, "no wait for another tab");
    // The rotation stuck: the next renewal presents rt-2.
    platform.advance_secs(100);
    platform.on_http(|_| Ok(token_response("at-3", Some("rt-3"), None, 100)));
    run(client.get_token_silently(&GetTokenOptions::default())).unwrap();
    assert_eq!(refresh_tokens_sent(&platform), vec!["rt-1", "rt-2"]);
}

#[test]
fn only_a_refresh_over_a_shared_cache_asks_for_the_lock_managers_state_at_the_grant() {
    // (use_refresh_tokens, cache shared with other tabs) -> the flag on the renewal lock.
    for (refresh, shared, want) in [(true, true, true), (true, false, false), (false, true, false)] {
        let platform = FakePlatform::new();
        platform.0.cache_shared.set(shared);
        let client = Client::new(tenant_options(if refresh { r#","useRefreshTokens":true"# } else { "" }), platform.clone());
        login(&client, &platform, refresh.then_some("rt-1"), 100);
        platform.advance_secs(100);
        platform.on_http(|_| Ok(token_response("at-2", Some("rt-2"), None, 100)));
        if !refresh {
            // The iframe's answer does not matter here, only which locks were taken how.
            platform.on_frame(|_, state| Ok(Json::Object(vec![("error".into(), Json::str("login_required")), ("state".into(), Json::str(state))])));
        }
        let _ = run(client.get_token_silently(&GetTokenOptions::default()));
        let taken = platform.0.locks_taken.borrow().clone();
        let renewal: Vec<bool> = taken.iter().filter(|(n, _)| n.starts_with("auth0.lock.getTokenSilently")).map(|(_, f)| *f).collect();
        assert_eq!(renewal, vec![want], "refresh {refresh}, shared {shared}: {taken:?}");
        assert!(taken.iter().filter(|(n, _)| !n.starts_with("auth0.lock.getTokenSilently")).all(|(_, f)| !f), "{taken:?}");
    }
}

#[test]
fn a_token_another_tab_spent_is_never_sent_and_its_fresh_result_is_served() {
    let (client, platform) = tenant_client(r#","useRefreshTokens":true"#);
    login(&client, &platform, Some("rt-1"), 100);
    platform.advance_secs(100);
    // Tab B rotated rt-1 -> rt-2 and released the lock; its localStorage write is still on the way.
    platform.0.spent.borrow_mut().push(auth0_spa_wasm::client::spent_mark_name("test-client", "rt-1"));
    let later = NOW_MS / 1000 + 100 + 3600;
    let write = entry_from_other_tab(&platform, "at-from-b", "rt-2", later);
    platform.0.arriving_writes.borrow_mut().push(write);
    let before = platform.requests().len();
    let token = run(client.get_token_silently(&GetTokenOptions::default())).unwrap().unwrap();
    assert_eq!(token.access_token, "at-from-b");
    assert_eq!(platform.requests().len(), before, "no token request at all");
    assert!(platform.0.sleeps.get() >= 1);
}

#[test]
fn a_new_refresh_token_from_another_tab_is_used_when_no_fresh_access_token_came_with_it() {
    let (client, platform) = tenant_client(r#","useRefreshTokens":true"#);
    login(&client, &platform, Some("rt-1"), 100);
    platform.advance_secs(100);
    platform.0.spent.borrow_mut().push(auth0_spa_wasm::client::spent_mark_name("test-client", "rt-1"));
    let expired = NOW_MS / 1000;
    let write = entry_from_other_tab(&platform, "at-old", "rt-2", expired);
    platform.0.arriving_writes.borrow_mut().push(write);
    platform.on_http(|_| Ok(token_response("at-3", Some("rt-3"), None, 100)));
    let token = run(client.get_token_silently(&GetTokenOptions::default())).unwrap().unwrap();
    assert_eq!(token.access_token, "at-3");
    assert_eq!(refresh_tokens_sent(&platform), vec!["rt-2"], "the spent rt-1 was never presented");
}

#[test]
fn a_spent_token_whose_rotation_never_arrives_times_out_without_being_sent() {
    let (client, platform) = tenant_client(r#","useRefreshTokens":true"#);
    login(&client, &platform, Some("rt-1"), 100);
    platform.advance_secs(100);
    platform.0.spent.borrow_mut().push(auth0_spa_wasm::client::spent_mark_name("test-client", "rt-1"));
    let before = platform.requests().len();
    let err = run(client.get_token_silently(&GetTokenOptions::default())).unwrap_err();
    assert_eq!(err.class, ErrorClass::Timeout);
    assert_eq!(platform.requests().len(), before);
    assert!(platform.cache_snapshot().values().any(|v| v.contains("rt-1")), "the session is not destroyed");
}

#[test]
fn a_repeated_cache_hit_follows_every_change_in_storage() {
    let (client, platform) = tenant_client(r#","useRefreshTokens":true"#);
    login(&client, &platform, Some("rt-1"), 86400);
    let options = GetTokenOptions::default();
    assert_eq!(run(client.get_token_silently(&options)).unwrap().unwrap().access_token, "at-login");
    assert_eq!(run(client.get_token_silently(&options)).unwrap().unwrap().access_token, "at-login");
    // Another tab wrote a newer entry: the memoised hit must not hide it.
    let (key, text) = entry_from_other_tab(&platform, "at-other", "rt-9", NOW_MS / 1000 + 7200);
    platform.0.cache.borrow_mut().insert(key, text);
    assert_eq!(run(client.get_token_silently(&options)).unwrap().unwrap().access_token, "at-other");
    // The user entry disappears (a logout elsewhere): no hit.
    platform.0.cache.borrow_mut().remove("@@auth0spajs@@::test-client::@@user@@");
    let cache_only = GetTokenOptions { cache_mode: CacheMode::CacheOnly, ..Default::default() };
    assert!(run(client.get_token_silently(&cache_only)).unwrap().is_none());
    // And a memoised hit still expires on time.
    let (key, text) = entry_from_other_tab(&platform, "at-short", "rt-9", NOW_MS / 1000 + 120);
    platform.0.cache.borrow_mut().insert(key, text);
    login(&client, &platform, Some("rt-1"), 120);
    assert!(run(client.get_token_silently(&cache_only)).unwrap().is_some());
    assert!(run(client.get_token_silently(&cache_only)).unwrap().is_some());
    platform.advance_secs(61);
    assert!(run(client.get_token_silently(&cache_only)).unwrap().is_none());
}

#[test]
fn a_hit_view_holds_exactly_while_the_client_would_serve_the_same_hit() {
    let (client, platform) = tenant_client(r#","useRefreshTokens":true"#);
    login(&client, &platform, Some("rt-1"), 120);
    let options = GetTokenOptions::default();
    assert!(client.hit_view(&options).is_none(), "no hit served yet");
    let served = run(client.get_token_silently(&options)).unwrap().unwrap();
    let view = client.hit_view(&options).unwrap();
    assert_eq!(view.result.access_token, served.access_token);
    assert_eq!(view.generation, client.cache_generation().unwrap());
    let cache = platform.cache_snapshot();
    assert_eq!(cache.get(&view.key).map(String::as_str), Some(&*view.entry_text));
    assert_eq!(cache.get(&view.user_key).map(String::as_str), Some(&*view.user_text));
    assert!(view.fresh_from_ms <= NOW_MS as f64);
    // Another audience or cacheMode off: not this memo.
    let other = GetTokenOptions { authorization_params: ParamList::from_json(Some(&Json::parse(r#"{"audience":"api2"}"#).unwrap()), "p").unwrap(), ..Default::default() };
    assert!(client.hit_view(&other).is_none());
    assert!(client.hit_view(&GetTokenOptions { cache_mode: CacheMode::Off, ..Default::default() }).is_none());
    // Its freshness bound is the client's own, to the second (60 s early expiry).
    let cache_only = GetTokenOptions { cache_mode: CacheMode::CacheOnly, ..Default::default() };
    let mut elapsed = 0;
    for step in [50, 5, 4, 1, 1, 1] {
        platform.advance_secs(step);
        elapsed += step;
        let now = (NOW_MS + elapsed * 1000) as f64;
        let served = run(client.get_token_silently(&cache_only)).unwrap().is_some();
        assert_eq!(now < view.fresh_until_ms, served, "at +{elapsed} s");
    }
}

#[test]
fn the_cache_generation_moves_with_every_write_and_with_a_pending_remote_logout() {
    let (client, platform) = tenant_client(r#","useRefreshTokens":true"#);
    login(&client, &platform, Some("rt-1"), 86400);
    let options = GetTokenOptions::default();
    run(client.get_token_silently(&options)).unwrap();
    let view = client.hit_view(&options).unwrap();
    let before = client.cache_generation().unwrap();
    run(client.get_token_silently(&options)).unwrap();
    assert_eq!(client.cache_generation(), Some(before), "a cache hit writes nothing");
    // A renewal writes: the memo's generation is no longer current.
    platform.on_http(|_| Ok(token_response("at-2", Some("rt-2"), None, 86400)));
    run(client.get_token_silently(&GetTokenOptions { cache_mode: CacheMode::Off, ..Default::default() })).unwrap();
    assert_ne!(client.cache_generation(), Some(view.generation));
    // Another tab's logout waiting to be applied: no generation to match.
    platform.0.remote_logout.set(true);
    assert_eq!(client.cache_generation(), None);
    assert!(run(client.get_token_silently(&GetTokenOptions { cache_mode: CacheMode::CacheOnly, ..Default::default() })).unwrap().is_none());
    let after_remote = client.cache_generation().unwrap();
    run(client.logout(&Json::Object(vec![]))).unwrap();
    assert_ne!(client.cache_generation(), Some(after_remote), "logout clears the cache");
}

#[test]
fn a_write_to_another_entry_does_not_retire_a_memoised_hit_for_good() {
    let (client, platform) = tenant_client(r#","useRefreshTokens":true"#);
    login(&client, &platform, Some("rt-1"), 86400);
    let options = GetTokenOptions::default();
    run(client.get_token_silently(&options)).unwrap();
    // Another audience's entry is garbage and gets removed: a write, so the memo's generation is
    // behind...
    platform.0.cache.borrow_mut().insert("@@auth0spajs@@::test-client::api2::openid profile email offline_access".to_owned(), "{not json".to_owned());
    let api2 = GetTokenOptions {
        authorization_params: ParamList::from_json(Some(&Json::parse(r#"{"audience":"api2"}"#).unwrap()), "p").unwrap(),
        cache_mode: CacheMode::CacheOnly,
        ..Default::default()
    };
    assert!(run(client.get_token_silently(&api2)).unwrap().is_none());
    assert!(!platform.cache_snapshot().keys().any(|k| k.contains("::api2::")), "the garbage entry was removed");
    assert_ne!(client.hit_view(&options).map(|v| v.generation), client.cache_generation());
    // ...until the next hit finds the default audience's texts unchanged and brings it up to date.
    assert_eq!(run(client.get_token_silently(&options)).unwrap().unwrap().access_token, "at-login");
    let view = client.hit_view(&options).unwrap();
    assert_eq!(Some(view.generation), client.cache_generation());
    assert_eq!(view.result.access_token, "at-login");
}
