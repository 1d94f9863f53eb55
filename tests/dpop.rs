//! DPoP (RFC 9449) over the fake platform: `dpop_jkt` on `/authorize`, a proof on the code,
//! refresh and exchange grants, the one retry on `use_dpop_nonce`, `token_type: DPoP` cached,
//! the public helpers, and the key and nonces cleared on logout (docs/behaviour.md §2.10).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed unwrap is a failed test
#![cfg(not(target_arch = "wasm32"))]

mod common;

use auth0_spa_wasm::client::{CacheMode, GetTokenOptions, DPOP_DISABLED_MESSAGE};
use auth0_spa_wasm::core::encoding::{base64url_encode, form_encode};
use auth0_spa_wasm::core::http::{HttpRequest, HttpResponse};
use auth0_spa_wasm::core::json::Json;
use auth0_spa_wasm::core::options::ParamList;
use auth0_spa_wasm::core::ErrorClass;
use common::*;

const TOKEN_URL: &str = "https://tenant.example.com/oauth/token";
const NONCE_KEY: &str = "test-client::auth0";

fn dpop_tokens(access_token: &str, refresh_token: &str, id_token: &str) -> HttpResponse {
    let mut r = token_response(access_token, Some(refresh_token), Some(id_token), 86_400);
    r.body = r.body.replace("\"Bearer\"", "\"DPoP\"");
    r
}

/// Logs in by redirect with `useDpop` and refresh tokens; the server answers with `respond`.
fn logged_in(respond: impl Fn(&HttpRequest, &str) -> HttpResponse + 'static) -> (Client<FakePlatform>, FakePlatform, String) {
    let (client, platform) = tenant_client(r#","useDpop":true,"useRefreshTokens":true"#);
    let url = client.login_with_redirect(&ParamList::new(), None).unwrap();
    let id = jwt(&id_token_claims(Some(&query_param(&url, "nonce").unwrap()), ""));
    platform.on_http(move |r| Ok(respond(r, &id)));
    let state = query_param(&url, "state").unwrap();
    run(client.handle_redirect_callback(&[ORIGIN, "/?code=c&state=", &form_encode(&state)].concat())).unwrap();
    (client, platform, url)
}

/// The decoded header and claims of a request's `DPoP` proof.
fn proof_of(request: &HttpRequest) -> (Json, Json) {
    let proof = request.headers.iter().find(|(k, _)| k == "DPoP").map(|(_, v)| v.clone()).expect("a DPoP header");
    let parts: Vec<&str> = proof.split('.').collect();
    assert_eq!(parts.len(), 3);
    assert_eq!(parts[2], base64url_encode(&[7u8; 64]), "the signature is the key's");
    let decode = |p: &str| Json::parse(&String::from_utf8(auth0_spa_wasm::core::encoding::base64url_decode(p).unwrap()).unwrap()).unwrap();
    (decode(parts[0]), decode(parts[1]))
}

#[test]
#[cfg_attr(not(feature = "parity"), ignore = "a feature of the full build only (Cargo feature `parity`)")]
fn authorize_carries_the_keys_thumbprint_and_the_code_grant_a_proof() {
    let (client, platform, url) = logged_in(|_, id| dpop_tokens("at-1", "rt-1", id));
    assert_eq!(query_param(&url, "dpop_jkt").as_deref(), Some(DPOP_JKT));
    let sent = &platform.requests()[0];
    assert_eq!(form_field(sent, "grant_type").as_deref(), Some("authorization_code"));
    let (header, claims) = proof_of(sent);
    assert_eq!(header.str_field("typ"), Some("dpop+jwt"));
    assert_eq!(header.str_field("alg"), Some("ES256"));
    let jwk = header.get("jwk").unwrap();
    assert_eq!((jwk.str_field("kty"), jwk.str_field("crv")), (Some("EC"), Some("P-256")));
    assert!(jwk.get("d").is_none() && jwk.get("ext").is_none(), "only the public members");
    assert_eq!(claims.str_field("htm"), Some("POST"));
    assert_eq!(claims.str_field("htu"), Some(TOKEN_URL));
    assert_eq!(claims.get("iat").and_then(Json::as_f64), Some((NOW_MS / 1000) as f64));
    assert_eq!(claims.str_field("jti").map(str::len), Some(22));
    assert!(claims.get("nonce").is_none() && claims.get("ath").is_none());
    // token_type DPoP is cached and returned.
    let options = GetTokenOptions { cache_mode: CacheMode::CacheOnly, ..Default::default() };
    let token = run(client.get_token_silently(&options)).unwrap().unwrap();
    assert_eq!((token.access_token.as_str(), token.token_type.as_str()), ("at-1", "DPoP"));
}

#[test]
#[cfg_attr(not(feature = "parity"), ignore = "a feature of the full build only (Cargo feature `parity`)")]
fn a_refresh_carries_a_proof_with_the_stored_nonce_and_a_fresh_jti() {
    let (client, platform, _) = logged_in(|r, id| {
        let mut response = if form_field(r, "grant_type").as_deref() == Some("refresh_token") { dpop_tokens("at-2", "rt-2", id) } else { dpop_tokens("at-1", "rt-1", id) };
        response.dpop_nonce = Some(if form_field(r, "grant_type").as_deref() == Some("refresh_token") { "n-2" } else { "n-1" }.into());
        response
    });
    assert_eq!(platform.0.dpop_nonces.borrow().get(NONCE_KEY).map(String::as_str), Some("n-1"), "the nonce of a 200 is kept");
    let options = GetTokenOptions { cache_mode: CacheMode::Off, ..Default::default() };
    let token = run(client.get_token_silently(&options)).unwrap().unwrap();
    assert_eq!((token.access_token.as_str(), token.token_type.as_str()), ("at-2", "DPoP"));
    let requests = platform.requests();
    assert_eq!(form_field(&requests[1], "refresh_token").as_deref(), Some("rt-1"));
    let (_, first) = proof_of(&requests[0]);
    let (_, second) = proof_of(&requests[1]);
    assert_eq!(second.str_field("nonce"), Some("n-1"));
    assert_ne!(first.str_field("jti"), second.str_field("jti"));
    assert_eq!(platform.0.dpop_nonces.borrow().get(NONCE_KEY).map(String::as_str), Some("n-2"));
}

#[test]
#[cfg_attr(not(feature = "parity"), ignore = "a feature of the full build only (Cargo feature `parity`)")]
fn use_dpop_nonce_is_retried_once_with_the_servers_nonce() {
    let (client, platform) = tenant_client(r#","useDpop":true"#);
    let id = jwt(&id_token_claims(None, ""));
    platform.on_http(move |r| {
        let (_, claims) = proof_of(r);
        Ok(match claims.str_field("nonce") {
            Some("server-nonce") => dpop_tokens("at-x", "rt-x", &id),
            _ => HttpResponse { dpop_nonce: Some("server-nonce".into()), ..oauth_error(400, "use_dpop_nonce", "Authorization server requires nonce in DPoP proof") },
        })
    });
    let request = Json::parse(r#"{"subject_token":"s","subject_token_type":"urn:x"}"#).unwrap();
    let body = run(client.custom_token_exchange(&request)).unwrap();
    assert_eq!((body.str_field("access_token"), body.str_field("token_type")), (Some("at-x"), Some("DPoP")));
    assert_eq!(platform.requests().len(), 2);
}

#[test]
#[cfg_attr(not(feature = "parity"), ignore = "a feature of the full build only (Cargo feature `parity`)")]
fn a_second_use_dpop_nonce_is_a_use_dpop_nonce_error_and_nothing_more_is_sent() {
    let (client, platform) = tenant_client(r#","useDpop":true"#);
    let counter = std::rc::Rc::new(std::cell::Cell::new(0));
    let seen = counter.clone();
    platform.on_http(move |_| {
        seen.set(seen.get() + 1);
        Ok(HttpResponse { dpop_nonce: Some(["n", &seen.get().to_string()].concat()), ..oauth_error(400, "use_dpop_nonce", "nonce") })
    });
    let request = Json::parse(r#"{"subject_token":"s","subject_token_type":"urn:x"}"#).unwrap();
    let e = run(client.login_with_custom_token_exchange(&request)).unwrap_err();
    assert_eq!((e.class, e.error.as_str(), e.dpop_nonce.as_deref()), (ErrorClass::UseDpopNonce, "use_dpop_nonce", Some("n2")));
    assert_eq!(counter.get(), 2, "one retry, never a second");
    // Without a nonce in the answer there is no retry at all.
    platform.on_http(|_| Ok(oauth_error(400, "use_dpop_nonce", "nonce")));
    platform.0.requests.borrow_mut().clear();
    let e = run(client.custom_token_exchange(&request)).unwrap_err();
    assert_eq!((e.class, e.dpop_nonce.clone()), (ErrorClass::UseDpopNonce, None));
    assert_eq!(platform.requests().len(), 1);
}

#[test]
fn without_use_dpop_there_is_no_proof_no_jkt_and_the_helpers_refuse() {
    let (client, platform) = tenant_client(r#","useRefreshTokens":true"#);
    let url = client.login_with_redirect(&ParamList::new(), None).unwrap();
    assert!(query_param(&url, "dpop_jkt").is_none());
    let id = jwt(&id_token_claims(Some(&query_param(&url, "nonce").unwrap()), ""));
    platform.on_http(move |_| Ok(token_response("at", Some("rt"), Some(&id), 3600)));
    let state = query_param(&url, "state").unwrap();
    run(client.handle_redirect_callback(&[ORIGIN, "/?code=c&state=", &form_encode(&state)].concat())).unwrap();
    assert!(platform.requests()[0].headers.iter().all(|(k, _)| k != "DPoP"));
    assert!(platform.0.dpop_keys.borrow().is_empty());
    for e in [client.get_dpop_nonce(None).err(), client.set_dpop_nonce("n", None).err(), client.generate_dpop_proof("https://api/", "GET", None, Some("at")).err()] {
        let e = e.expect("refused");
        assert_eq!((e.class, e.description.as_str()), (ErrorClass::Plain, DPOP_DISABLED_MESSAGE));
    }
}

#[test]
#[cfg_attr(not(feature = "parity"), ignore = "a feature of the full build only (Cargo feature `parity`)")]
fn the_helpers_read_and_write_nonces_by_id_and_prove_resource_requests_with_ath() {
    let (client, platform) = tenant_client(r#","useDpop":true"#);
    run(client.set_dpop_nonce("api-nonce", Some("my-api")).unwrap()).unwrap();
    run(client.set_dpop_nonce("auth0-nonce", None).unwrap()).unwrap();
    assert_eq!(platform.0.dpop_nonces.borrow().get("test-client::_my-api").map(String::as_str), Some("api-nonce"));
    assert_eq!(run(client.get_dpop_nonce(Some("my-api")).unwrap()).unwrap().as_deref(), Some("api-nonce"));
    assert_eq!(run(client.get_dpop_nonce(None).unwrap()).unwrap().as_deref(), Some("auth0-nonce"));
    assert_eq!(run(client.get_dpop_nonce(Some("other")).unwrap()).unwrap(), None);
    let proof = run(client.generate_dpop_proof("https://api.example.com/items?page=2#top", "GET", Some("rs-nonce"), Some("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU")).unwrap()).unwrap().unwrap();
    let (_, claims) = proof_of(&HttpRequest { url: String::new(), method: "GET", headers: vec![("DPoP".into(), proof)], body: String::new() });
    assert_eq!(claims.str_field("htu"), Some("https://api.example.com/items"));
    assert_eq!(claims.str_field("htm"), Some("GET"));
    assert_eq!(claims.str_field("nonce"), Some("rs-nonce"));
    assert_eq!(claims.str_field("ath"), Some("fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"));
}

#[test]
#[cfg_attr(not(feature = "parity"), ignore = "a feature of the full build only (Cargo feature `parity`)")]
fn logout_clears_the_key_pair_and_the_nonces_of_this_client_only() {
    let (client, platform, _) = logged_in(|_, id| HttpResponse { dpop_nonce: Some("n-1".into()), ..dpop_tokens("at-1", "rt-1", id) });
    platform.0.dpop_nonces.borrow_mut().insert("test-client::_api".into(), "x".into());
    platform.0.dpop_keys.borrow_mut().insert("other-client::auth0".into(), "k".into());
    assert!(platform.0.dpop_keys.borrow().contains_key(NONCE_KEY));
    run(client.logout(&Json::parse(r#"{"openUrl":false}"#).unwrap())).unwrap();
    assert!(platform.0.dpop_nonces.borrow().is_empty());
    assert_eq!(platform.0.dpop_keys.borrow().keys().cloned().collect::<Vec<_>>(), vec!["other-client::auth0".to_owned()]);
}

#[test]
#[cfg_attr(not(feature = "parity"), ignore = "a feature of the full build only (Cargo feature `parity`)")]
fn a_refresh_answered_use_dpop_nonce_is_sent_once_more_with_the_same_token_under_one_spent_mark() {
    let (client, platform, _) = logged_in(|r, id| {
        let grant = form_field(r, "grant_type");
        let (_, claims) = proof_of(r);
        match (grant.as_deref(), claims.str_field("nonce")) {
            (Some("refresh_token"), Some("fresh")) => dpop_tokens("at-2", "rt-2", id),
            (Some("refresh_token"), _) => HttpResponse { dpop_nonce: Some("fresh".into()), ..oauth_error(400, "use_dpop_nonce", "nonce") },
            _ => dpop_tokens("at-1", "rt-1", id),
        }
    });
    let token = run(client.get_token_silently(&GetTokenOptions { cache_mode: CacheMode::Off, ..Default::default() })).unwrap().unwrap();
    assert_eq!(token.access_token, "at-2");
    let refreshes: Vec<HttpRequest> = platform.requests().into_iter().filter(|r| form_field(r, "grant_type").as_deref() == Some("refresh_token")).collect();
    assert_eq!(refreshes.len(), 2);
    assert!(refreshes.iter().all(|r| form_field(r, "refresh_token").as_deref() == Some("rt-1")));
    assert_eq!(platform.0.spent.borrow().len(), 1, "marked spent once, kept after the rotation");
    assert!(platform.cache_snapshot().values().any(|v| v.contains("\"rt-2\"")), "the rotated token is stored");
}

#[test]
#[cfg_attr(not(feature = "parity"), ignore = "a feature of the full build only (Cargo feature `parity`)")]
fn the_iframe_authorize_carries_dpop_jkt_too() {
    let (client, platform) = tenant_client(r#","useDpop":true"#);
    platform.on_frame(|_, state| Ok(Json::parse(&["{\"error\":\"login_required\",\"state\":\"", state, "\"}"].concat()).unwrap()));
    let e = run(client.get_token_silently(&GetTokenOptions::default())).unwrap_err();
    assert_eq!(e.error, "login_required");
    let frames = platform.0.frames.borrow();
    assert_eq!(query_param(&frames[0], "dpop_jkt").as_deref(), Some(DPOP_JKT));
}
