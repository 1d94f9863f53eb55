//! `connectAccountWithRedirect` and its callback over the scripted fake platform
//! (docs/behaviour.md §2.12): what is drawn, stored and opened, and every decision of the
//! connect callback, next to an unchanged login callback.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed unwrap is a failed test
#![cfg(not(target_arch = "wasm32"))]

mod common;

use auth0_spa_wasm::client::Redirected;
use auth0_spa_wasm::core::encoding::form_encode;
use auth0_spa_wasm::core::json::Json;
use auth0_spa_wasm::core::options::ParamList;
use auth0_spa_wasm::core::pkce::code_challenge_s256;
use auth0_spa_wasm::core::ErrorClass;
use common::*;

const TX_KEY: &str = "a0.spajs.txs.test-client";
const ANSWER: &str = r#"{"connect_uri":"https://tenant.example.com/connect","connect_params":{"ticket":"tk-1"},"auth_session":"sess-1"}"#;

/// Runs both steps of `connectAccountWithRedirect`; yields step 1's output.
fn connect(client: &Client<FakePlatform>, redirect_uri: Option<&str>, app_state: Option<Json>) -> (Json, ()) {
    let started = run(client.connect_start(redirect_uri)).unwrap();
    run(client.connect_store(&started, &Json::parse(ANSWER).unwrap(), app_state, Some("google-oauth2".into()))).unwrap();
    (started, ())
}

fn state_of(started: &Json) -> String {
    started.str_field("state").unwrap().to_owned()
}

fn callback(query: &str) -> String {
    [ORIGIN, "/cb?", query].concat()
}

#[test]
fn start_draws_state_and_an_s256_pair_and_settles_redirect_uri() {
    let (c, _) = tenant_client("");
    let started = run(c.connect_start(None)).unwrap();
    let verifier = started.str_field("code_verifier").unwrap();
    assert_eq!(started.str_field("code_challenge").unwrap(), code_challenge_s256(verifier));
    assert_eq!(started.str_field("code_challenge_method"), Some("S256"));
    assert_eq!(state_of(&started).len(), 60, "btoa of 43 characters");
    assert_eq!(started.str_field("redirect_uri"), Some(ORIGIN), "the page origin without any redirect_uri");
    let again = run(c.connect_start(None)).unwrap();
    assert_ne!(state_of(&again), state_of(&started));
    assert_ne!(again.str_field("code_verifier"), started.str_field("code_verifier"));

    let (c, _) = tenant_client(r#","authorizationParams":{"redirect_uri":"https://app.example.com/client-cb"}"#);
    assert_eq!(run(c.connect_start(None)).unwrap().str_field("redirect_uri"), Some("https://app.example.com/client-cb"));
    assert_eq!(run(c.connect_start(Some("https://app.example.com/call"))).unwrap().str_field("redirect_uri"), Some("https://app.example.com/call"));
}

#[test]
fn store_writes_the_auth0_transaction() {
    let (c, platform) = tenant_client("");
    let (started, ()) = connect(&c, None, Some(Json::parse(r#"{"to":"/settings"}"#).unwrap()));
    let stored = platform.0.transactions.borrow().get(TX_KEY).cloned().unwrap();
    let expected = [
        r#"{"state":""#, &state_of(&started), r#"","code_verifier":""#, started.str_field("code_verifier").unwrap(),
        r#"","auth_session":"sess-1","redirect_uri":"https://app.example.com","appState":{"to":"/settings"},"connection":"google-oauth2","response_type":"connect_code"}"#,
    ]
    .concat();
    assert_eq!(stored, expected);
    assert!(platform.requests().is_empty(), "the My Account API call is the caller's");
}

#[test]
fn an_unusable_answer_stores_nothing() {
    let (c, platform) = tenant_client("");
    let started = run(c.connect_start(None)).unwrap();
    let answer = Json::parse(r#"{"connect_uri":"https://t/c","connect_params":{}}"#).unwrap();
    let e = run(c.connect_store(&started, &answer, None, None)).unwrap_err();
    assert_eq!(e.error, "invalid_response");
    assert!(platform.0.transactions.borrow().is_empty());
}

#[test]
fn the_callback_yields_what_completes_the_connection_once() {
    let (c, platform) = tenant_client("");
    let (started, _) = connect(&c, None, Some(Json::str("back")));
    let cb = callback(&["connect_code=cc-1&state=", &form_encode(&state_of(&started))].concat());
    let Redirected::Connect(done) = run(c.handle_redirect_callback(&cb)).unwrap() else { panic!("not a connect result") };
    assert_eq!(done.connect_code, "cc-1");
    assert_eq!(done.auth_session, "sess-1");
    assert_eq!(done.redirect_uri, ORIGIN);
    assert_eq!(done.code_verifier, started.str_field("code_verifier").unwrap());
    assert_eq!(done.app_state, Some(Json::str("back")));
    assert!(!format!("{done:?}").contains("cc-1"), "Debug redacts the connect code");
    assert!(platform.requests().is_empty() && platform.cache_snapshot().is_empty(), "no token request, nothing cached");
    assert_eq!(run(c.handle_redirect_callback(&cb)).unwrap_err().error, "missing_transaction", "single use");
}

#[test]
fn callback_decisions() {
    // (query after `state=<ours>` or as given, expected error, class)
    let ours = "STATE";
    let cases: &[(&str, &str, ErrorClass)] = &[
        ("error=access_denied&error_description=No+thanks&state=STATE", "access_denied", ErrorClass::Connect),
        ("error=access_denied&state=STATE", "access_denied", ErrorClass::Connect),
        ("state=STATE", "missing_connect_code", ErrorClass::Generic),
        ("connect_code=&state=STATE", "missing_connect_code", ErrorClass::Generic),
        ("code=login-code&state=STATE", "missing_connect_code", ErrorClass::Generic),
        ("connect_code=cc&state=forged", "state_mismatch", ErrorClass::Generic),
        ("connect_code=cc", "state_mismatch", ErrorClass::Generic),
        ("error=access_denied&error_description=evil&state=forged", "state_mismatch", ErrorClass::Generic),
        ("connect_code=a&connect_code=b&state=STATE", "invalid_response", ErrorClass::Generic),
        ("connect_code=a&error=x&state=STATE", "invalid_response", ErrorClass::Generic),
        ("connect_code=a&iss=https%3A%2F%2Fevil%2F&state=STATE", "invalid_issuer", ErrorClass::Generic),
    ];
    for (query, error, class) in cases {
        let (c, platform) = tenant_client("");
        let (started, _) = connect(&c, None, Some(Json::str("kept")));
        let query = query.replace(ours, &form_encode(&state_of(&started)));
        let e = run(c.handle_redirect_callback(&callback(&query))).unwrap_err();
        assert_eq!((e.error.as_str(), e.class), (*error, *class), "{query}");
        if *class == ErrorClass::Connect {
            assert_eq!(e.connection.as_deref(), Some("google-oauth2"));
            assert_eq!(e.state.as_deref(), started.str_field("state"));
            assert_eq!(e.app_state, Some(Json::str("kept")));
            let described = if query.contains("No+thanks") { "No thanks" } else { "access_denied" };
            assert_eq!(e.description, described);
        }
        assert!(platform.0.transactions.borrow().is_empty(), "consumed: {query}");
        assert!(platform.requests().is_empty());
    }
}

#[test]
fn a_stored_transaction_missing_a_member_is_state_mismatch() {
    let full = r#"{"state":"S","code_verifier":"v","auth_session":"a","redirect_uri":"https://app.example.com","response_type":"connect_code"}"#;
    for member in ["code_verifier", "auth_session", "redirect_uri", "state"] {
        let (c, platform) = tenant_client("");
        let mut tx = Json::parse(full).unwrap();
        tx.remove(member);
        platform.0.transactions.borrow_mut().insert(TX_KEY.into(), tx.to_json_string());
        let e = run(c.handle_redirect_callback(&callback("connect_code=cc&state=S"))).unwrap_err();
        assert_eq!(e.error, "state_mismatch", "without {member}");
    }
    let (c, platform) = tenant_client("");
    platform.0.transactions.borrow_mut().insert(TX_KEY.into(), full.into());
    assert!(matches!(run(c.handle_redirect_callback(&callback("connect_code=cc&state=S"))), Ok(Redirected::Connect(_))));
}

#[test]
fn no_query_or_no_transaction_fail_as_for_a_login() {
    let (c, _) = tenant_client("");
    connect(&c, None, None);
    let e = run(c.handle_redirect_callback("https://app.example.com/cb")).unwrap_err();
    assert_eq!((e.class, e.description.as_str()), (ErrorClass::Plain, "There are no query params available for parsing."));
    let (c, _) = tenant_client("");
    assert_eq!(run(c.handle_redirect_callback(&callback("connect_code=cc&state=S"))).unwrap_err().error, "missing_transaction");
}

#[test]
fn a_login_started_after_a_connect_replaces_it_and_completes_as_a_login() {
    let (c, platform) = tenant_client("");
    connect(&c, None, None);
    let url = c.login_with_redirect(&ParamList::new(), Some(Json::str("login"))).unwrap();
    let state = query_param(&url, "state").unwrap();
    let nonce = query_param(&url, "nonce").unwrap();
    let id = jwt(&id_token_claims(Some(&nonce), ""));
    platform.on_http(move |_| Ok(token_response("at", None, Some(&id), 86400)));
    let returned = run(c.handle_redirect_callback(&callback(&["code=c&state=", &form_encode(&state)].concat()))).unwrap();
    assert_eq!(returned, Redirected::Login(Some(Json::str("login"))));
}
