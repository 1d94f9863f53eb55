//! Wire compatibility with the real `@auth0/auth0-spa-js`: reads the localStorage it wrote during
//! a login, a second-audience login and a rotating refresh (tests/fixtures/
//! auth0-spa-js-localstorage.json, produced by tests/fixtures/generate-spa-js-dump.cjs), and checks
//! that our cache module reads every key and entry, writes the very same bytes, builds the same
//! entries from the same token responses, sends the same token-request bodies, and propagates a
//! rotated refresh token the same way (docs/behaviour.md §2.5, §2.6, §3.1–3.5).
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap (project rules)

use auth0_spa_wasm::core::cache::{
    evaluate, find_matching_key, user_key, AccessTokenEntry, CacheKey, Freshness, IdTokenEntry, GET_TOKEN_EARLY_EXPIRY_SECS,
};
use auth0_spa_wasm::core::encoding::{base64_encode, form_parse};
use auth0_spa_wasm::core::http::HttpResponse;
use auth0_spa_wasm::core::id_token::{verify_id_token, IdTokenExpectations};
use auth0_spa_wasm::core::json::Json;
use auth0_spa_wasm::core::jwt;
use auth0_spa_wasm::core::rotation::propagate_rotation;
use auth0_spa_wasm::core::token::{parse_token_response, TokenEndpoint};

const DEFAULT_KEY: &str = "@@auth0spajs@@::spa-client-123::default::openid profile email offline_access";
const API_KEY: &str = "@@auth0spajs@@::spa-client-123::https://api.example.com/::openid profile email offline_access read:things";
const REDIRECT_URI: &str = "https://app.example.com/callback";

struct Dump {
    root: Json,
}

impl Dump {
    fn load() -> Dump {
        let text = include_str!("fixtures/auth0-spa-js-localstorage.json");
        Dump { root: Json::parse(text).expect("fixture is JSON") }
    }

    fn client_id(&self) -> &str {
        self.root.str_field("clientId").unwrap()
    }

    fn issuer(&self) -> &str {
        self.root.str_field("issuer").unwrap()
    }

    fn num(&self, key: &str) -> u64 {
        self.root.get(key).and_then(Json::as_f64).unwrap() as u64
    }

    fn step(&self, name: &str) -> Vec<(String, String)> {
        self.root
            .get("steps")
            .and_then(|s| s.get(name))
            .and_then(Json::as_object)
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
            .collect()
    }

    fn value(&self, step: &str, key: &str) -> String {
        self.step(step).into_iter().find(|(k, _)| k == key).map(|(_, v)| v).unwrap()
    }

    fn request(&self, i: usize) -> &Json {
        &self.root.get("tokenRequests").and_then(Json::as_array).unwrap()[i]
    }

    fn expectations(&self) -> IdTokenExpectations {
        IdTokenExpectations { issuer: self.issuer().into(), client_id: self.client_id().into(), leeway_secs: 60, ..Default::default() }
    }
}

fn response_of(req: &Json) -> HttpResponse {
    HttpResponse {
        status: req.get("responseStatus").and_then(Json::as_f64).unwrap() as u16,
        body: req.str_field("responseBody").unwrap().to_owned(),
        dpop_nonce: None,
    }
}

#[test]
fn fixture_was_written_by_auth0_spa_js_v2() {
    let dump = Dump::load();
    assert!(dump.root.str_field("spaJsVersion").unwrap().starts_with("2."));
    assert_eq!(dump.step("afterLogin").len(), 2);
    assert_eq!(dump.step("afterSecondAudience").len(), 3);
}

#[test]
fn every_key_auth0_spa_js_wrote_parses() {
    let dump = Dump::load();
    for step in ["afterLogin", "afterSecondAudience", "afterRefresh"] {
        for (key, _) in dump.step(step) {
            if key == user_key(dump.client_id()) {
                assert_eq!(CacheKey::from_key(&key), None, "the user key is not a token key");
                continue;
            }
            let parsed = CacheKey::from_key(&key).unwrap_or_else(|| panic!("{key}"));
            assert_eq!(parsed.client_id, dump.client_id());
            assert_eq!(parsed.to_key(), key, "keys round-trip");
        }
    }
    let default = CacheKey::new(dump.client_id(), None, "openid profile email offline_access");
    assert_eq!(default.to_key(), DEFAULT_KEY);
    let api = CacheKey::new(dump.client_id(), Some("https://api.example.com/"), "openid profile email offline_access read:things");
    assert_eq!(api.to_key(), API_KEY);
}

#[test]
fn every_entry_parses_and_reserialises_to_the_same_bytes() {
    let dump = Dump::load();
    let mut checked = 0;
    for step in ["afterLogin", "afterSecondAudience", "afterRefresh"] {
        for (key, text) in dump.step(step) {
            if key == user_key(dump.client_id()) {
                let entry = IdTokenEntry::parse(&text).unwrap_or_else(|| panic!("{step} {key}"));
                assert_eq!(entry.to_json_string(), text, "{step} {key}");
            } else {
                let cache_key = CacheKey::from_key(&key).unwrap();
                let entry = AccessTokenEntry::parse_for_key(&text, &cache_key).unwrap_or_else(|| panic!("{step} {key}"));
                assert_eq!(entry.to_json_string(), text, "{step} {key}");
                assert!(entry.access_token().is_some() && entry.refresh_token().is_some());
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 8);
}

#[test]
fn the_stored_id_token_decodes_and_verifies_and_matches_the_stored_decoded_form() {
    let dump = Dump::load();
    let stored = IdTokenEntry::parse(&dump.value("afterLogin", &user_key(dump.client_id()))).unwrap();
    let decoded = jwt::decode(stored.id_token()).unwrap();
    assert_eq!(decoded, stored.decoded, "our decode equals auth0-spa-js's decodedToken");
    assert_eq!(jwt::user_claims(&decoded.claims), stored.user);
    assert_eq!(stored.user.str_field("sub"), Some("auth0|alice"));
    let verified = verify_id_token(Some(stored.id_token()), &dump.expectations(), dump.num("nowMs")).unwrap();
    assert_eq!(verified.str_claim("email"), Some("alice@example.com"));
}

#[test]
fn find_matching_key_finds_the_entries_auth0_spa_js_wrote() {
    let dump = Dump::load();
    let keys: Vec<String> = dump.step("afterSecondAudience").into_iter().map(|(k, _)| k).collect();
    let client = dump.client_id();
    let exact = CacheKey::new(client, None, "openid profile email offline_access");
    assert_eq!(find_matching_key(&keys, &exact).as_deref(), Some(DEFAULT_KEY));
    let subset = CacheKey::new(client, None, "email openid");
    assert_eq!(find_matching_key(&keys, &subset).as_deref(), Some(DEFAULT_KEY));
    let api = CacheKey::new(client, Some("https://api.example.com/"), "read:things openid");
    assert_eq!(find_matching_key(&keys, &api).as_deref(), Some(API_KEY));
    // Never another audience, never another client (I8).
    let other_audience = CacheKey::new(client, Some("https://other.example.com/"), "openid");
    assert_eq!(find_matching_key(&keys, &other_audience), None);
    let other_client = CacheKey::new("spa-client-12", None, "openid");
    assert_eq!(find_matching_key(&keys, &other_client), None);
    let wider = CacheKey::new(client, None, "openid read:things");
    assert_eq!(find_matching_key(&keys, &wider), None);
}

#[test]
fn stored_entries_follow_the_expiry_policy() {
    let dump = Dump::load();
    let entry = AccessTokenEntry::parse(&dump.value("afterLogin", DEFAULT_KEY)).unwrap();
    let now = dump.num("nowMs");
    assert_eq!(evaluate(&entry, now, GET_TOKEN_EARLY_EXPIRY_SECS), Freshness::Fresh);
    let later = (entry.expires_at - 59) * 1000;
    let stub = match evaluate(&entry, later, GET_TOKEN_EARLY_EXPIRY_SECS) {
        Freshness::RefreshOnly(stub) => stub,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        stub.to_json_string(),
        r#"{"body":{"refresh_token":"RT-1","audience":"default","scope":"openid profile email offline_access"},"expiresAt":1750086400}"#
    );
}

#[test]
fn our_token_requests_are_byte_identical_to_auth0_spa_js() {
    let dump = Dump::load();
    let endpoint = TokenEndpoint {
        base_url: "https://tenant.example.com".into(),
        client_id: dump.client_id().into(),
        auth0_client_header: base64_encode(br#"{"name":"auth0-spa-js","version":"2.28.3"}"#),
        use_form_data: true,
    };
    for i in 0..2 {
        let req = dump.request(i);
        let sent = form_parse(req.str_field("body").unwrap());
        let field = |k: &str| sent.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap();
        let ours = endpoint.authorization_code(&field("code"), &field("code_verifier"), Some(REDIRECT_URI), &[]);
        assert_eq!(ours.url, req.str_field("url").unwrap());
        assert_eq!(ours.body, req.str_field("body").unwrap());
        assert_eq!(ours.headers[0].1, req.str_field("contentType").unwrap());
        assert_eq!(ours.headers[1].1, req.str_field("auth0Client").unwrap());
    }
    // The refresh carries the client-level authorizationParams: {redirect_uri, scope}.
    let req = dump.request(2);
    let extra = vec![("redirect_uri".to_owned(), REDIRECT_URI.to_owned()), ("scope".to_owned(), "openid profile email offline_access".to_owned())];
    let ours = endpoint.refresh_token("RT-1", REDIRECT_URI, &extra, None);
    assert_eq!(ours.body, req.str_field("body").unwrap());
}

#[test]
fn entries_built_from_the_same_token_responses_are_byte_identical() {
    let dump = Dump::load();
    let client = dump.client_id();
    let cases = [
        (0, "afterLogin", CacheKey::new(client, None, "openid profile email offline_access")),
        (1, "afterSecondAudience", CacheKey::new(client, Some("https://api.example.com/"), "openid profile email offline_access read:things")),
        (2, "afterRefresh", CacheKey::new(client, None, "openid profile email offline_access")),
    ];
    for (i, step, key) in cases {
        let req = dump.request(i);
        let at_ms = req.get("atMs").and_then(Json::as_f64).unwrap() as u64;
        let response = parse_token_response(&response_of(req), req.str_field("url").unwrap(), at_ms).unwrap();
        let entry = AccessTokenEntry::from_token_response(&response, &key, at_ms);
        assert_eq!(entry.to_json_string(), dump.value(step, &key.to_key()), "{step}");
        let decoded = verify_id_token(response.id_token.as_deref(), &dump.expectations(), at_ms).unwrap();
        assert_eq!(IdTokenEntry::from_decoded(decoded).to_json_string(), dump.value(step, &user_key(client)), "{step}");
    }
}

#[test]
fn rotation_propagates_exactly_as_auth0_spa_js_did() {
    let dump = Dump::load();
    let before: Vec<(String, AccessTokenEntry)> = dump
        .step("afterSecondAudience")
        .into_iter()
        .filter(|(k, _)| *k != user_key(dump.client_id()))
        .map(|(k, v)| {
            let e = AccessTokenEntry::parse(&v).unwrap();
            (k, e)
        })
        .collect();
    let writes = propagate_rotation(dump.client_id(), "RT-1", Some("RT-2"), Some(DEFAULT_KEY), &before, false);
    assert_eq!(writes.len(), 1);
    let (key, entry) = &writes[0];
    assert_eq!(key, API_KEY);
    // Same access token, same expiresAt, only the refresh token changed: what auth0-spa-js stored.
    assert_eq!(entry.to_json_string(), dump.value("afterRefresh", API_KEY));
}
