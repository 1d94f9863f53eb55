//! Property 5 of json_differential.rs: every document shape the SDK parses, generated with its
//! members in any order, extra members, and (half of the time) a decoy: the key of one member
//! repeated EARLIER in the text with another value of any type. `JSON.parse` resolves the key to
//! the later (real) value at the decoy's position; our parser, serde_json and the SDK's parse
//! functions must all do the same.

use auth0_spa_wasm::core::cache::{AccessTokenEntry, CacheKey, IdTokenEntry};
use auth0_spa_wasm::core::encoding::base64url_encode;
use auth0_spa_wasm::core::http::HttpResponse;
use auth0_spa_wasm::core::json::Json;
use auth0_spa_wasm::core::jwt::{self, RAW_CLAIM};
use auth0_spa_wasm::core::options::{CacheLocation, ClientOptions};
use auth0_spa_wasm::core::token::parse_token_response;
use auth0_spa_wasm::core::transaction::LoginTransaction;
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{json, Value};

use super::{agree, config, leaf, same, value, Doc};

const NOW_MS: u64 = 1_700_000_000_000;

/// Which member to repeat, where before it to put the decoy, and the decoy's value.
type Decoy = Option<(Index, Index, Value)>;

fn decoy() -> impl Strategy<Value = Decoy> {
    prop::option::weighted(0.5, (any::<Index>(), any::<Index>(), leaf()))
}

/// An object document from `members`, with the decoy (if any) inserted before its member.
fn object(mut members: Vec<(String, Doc)>, decoy: &Decoy) -> Doc {
    if let (Some((which, at, v)), false) = (decoy, members.is_empty()) {
        let i = which.index(members.len());
        let key = members[i].0.clone();
        members.insert(at.index(i + 1), (key, Doc::Leaf(v.clone())));
    }
    Doc::Object(members)
}

/// Leaf members (generated in a fixed order, then shuffled by the caller if it wants).
fn leaves(pairs: Vec<(&str, Value)>) -> Vec<(String, Doc)> {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), Doc::Leaf(v))).collect()
}

/// Parses the rendered document with our parser and serde_json and checks both against the
/// `JSON.parse` reference; returns the text and the reference value.
fn checked(doc: &Doc) -> Result<(String, Value), TestCaseError> {
    let text = doc.render();
    let expected = doc.reference();
    agree(&text)?;
    let ours = Json::parse(&text).map_err(|e| TestCaseError::fail(format!("{text:?} at {}", e.offset)))?;
    prop_assert!(same(&ours, &expected), "{:?} read as {:?}", text, ours);
    Ok((text, expected))
}

fn token() -> impl Strategy<Value = String> {
    "[A-Za-z0-9._~+/=-]{1,48}"
}

/// Extra members servers and apps add: names that do not clash with the known ones.
fn extras() -> impl Strategy<Value = Vec<(String, Value)>> {
    prop::collection::btree_map("x_[a-z]{1,6}", value(), 0..3).prop_map(|m| m.into_iter().collect())
}

fn with_extras(mut members: Vec<(String, Doc)>, extra: Vec<(String, Value)>) -> Vec<(String, Doc)> {
    members.extend(extra.into_iter().map(|(k, v)| (k, Doc::Leaf(v))));
    members
}

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn object_members(v: &Value) -> Vec<(&str, &Value)> {
    v.as_object().map(|m| m.iter().map(|(k, v)| (k.as_str(), v)).collect()).unwrap_or_default()
}

/// A token endpoint answer: the RFC 6749 §5.1 members, optional ones sometimes absent.
fn token_response() -> impl Strategy<Value = Vec<(String, Doc)>> {
    (
        token(),
        prop::option::of(token()),
        prop::option::of(token()),
        0u64..=30 * 86_400,
        prop::option::of("(openid|profile|email|offline_access| ){0,6}"),
        prop::sample::select(vec!["Bearer", "bearer", "DPoP"]),
        extras(),
    )
        .prop_map(|(access, id, refresh, expires_in, scope, token_type, extra)| {
            let mut m = vec![("access_token", json!(access)), ("expires_in", json!(expires_in)), ("token_type", json!(token_type))];
            m.extend(id.map(|t| ("id_token", json!(t))));
            m.extend(refresh.map(|t| ("refresh_token", json!(t))));
            m.extend(scope.map(|s| ("scope", json!(s))));
            with_extras(leaves(m), extra)
        })
        .prop_shuffle()
}

/// ID-token claims: registered and OIDC claims, a nested `address`, a namespaced array claim.
fn claims() -> impl Strategy<Value = Vec<(String, Doc)>> {
    (
        (
            "https://[a-z]{3,8}\\.example\\.com/",
            "(auth0|google-oauth2)\\|[0-9a-f]{6,24}",
            prop_oneof![token().prop_map(Value::from), prop::collection::vec(token(), 1..3).prop_map(Value::from)],
        ),
        (1_600_000_000u64..1_800_000_000, "[A-Za-z0-9_-]{8,43}", any::<String>(), any::<bool>()),
        (("[a-z ]{0,12}", "[A-Z]{2}"), prop::collection::vec("[a-z:]{1,12}", 0..3), extras()),
    )
        .prop_map(|((iss, sub, aud), (iat, nonce, name, verified), ((street, country), roles, extra))| {
            let m = vec![
                ("iss", json!(iss)),
                ("sub", json!(sub)),
                ("aud", aud),
                ("iat", json!(iat)),
                ("exp", json!(iat + 36_000)),
                ("nonce", json!(nonce)),
                ("name", json!(name)),
                ("email_verified", json!(verified)),
                ("address", json!({"street_address": street, "country": country})),
                ("https://example.com/roles", json!(roles)),
            ];
            with_extras(leaves(m), extra)
        })
        .prop_shuffle()
}

fn jwt_header() -> impl Strategy<Value = Value> {
    (prop::sample::select(vec!["RS256", "HS256"]), "[A-Za-z0-9_-]{0,16}")
        .prop_map(|(alg, kid)| json!({"alg": alg, "typ": "JWT", "kid": kid}))
}

/// `header.payload.signature` for a rendered payload text.
fn compact(header: &Value, payload: &str) -> String {
    format!("{}.{}.c2ln", base64url_encode(header.to_string().as_bytes()), base64url_encode(payload.as_bytes()))
}

/// A login transaction as auth0-spa-js stores it, optional members sometimes absent.
fn transaction() -> impl Strategy<Value = Vec<(String, Doc)>> {
    (
        ("[A-Za-z0-9~._-]{8,43}", "[A-Za-z0-9~._-]{43,64}", "[A-Za-z0-9~._-]{8,43}", "openid( profile)?( email)?( offline_access)?"),
        (prop::option::of("https://api\\.[a-z]{3,8}\\.com/"), prop::option::of("https://app\\.example\\.com/[a-z]{0,8}")),
        (prop::option::of(value()), any::<bool>(), prop::option::of("org_[A-Za-z0-9]{4,16}")),
    )
        .prop_map(|((nonce, verifier, state, scope), (audience, redirect_uri), (app_state, response_type, org))| {
            let mut m = vec![("nonce", json!(nonce)), ("code_verifier", json!(verifier)), ("scope", json!(scope))];
            m.extend(audience.map(|a| ("audience", json!(a))));
            m.extend(redirect_uri.map(|u| ("redirect_uri", json!(u))));
            m.push(("state", json!(state)));
            m.extend(app_state.map(|s| ("appState", s)));
            m.extend(response_type.then(|| ("response_type", json!("code"))));
            m.extend(org.map(|o| ("organization", json!(o))));
            leaves(m)
        })
}

proptest! {
    // Fewer cases than the core properties: each builds and checks a whole document.
    #![proptest_config(config(256))]

    /// Token responses: `parse_token_response` takes every member's last value and keeps the
    /// `JSON.parse` member order in `fields()`.
    #[test]
    fn token_responses(members in token_response(), d in decoy()) {
        let (text, expected) = checked(&object(members, &d))?;
        let r = parse_token_response(&HttpResponse { status: 200, body: text.clone(), dpop_nonce: None }, "https://t/oauth/token", NOW_MS)
            .map_err(|e| TestCaseError::fail(format!("{text:?}: {e:?}")))?;
        prop_assert_eq!(Some(r.access_token.as_str()), str_of(&expected, "access_token"));
        prop_assert_eq!(Some(r.token_type.as_str()), str_of(&expected, "token_type"));
        prop_assert_eq!(r.id_token.as_deref(), str_of(&expected, "id_token"));
        prop_assert_eq!(r.refresh_token.as_deref(), str_of(&expected, "refresh_token"));
        prop_assert_eq!(r.scope.as_deref(), str_of(&expected, "scope"));
        prop_assert_eq!(Some(r.expires_in), expected["expires_in"].as_u64());
        prop_assert!(same(&r.to_json(), &expected), "fields {:?}", r.to_json());
    }

    /// ID-token payload segments: `jwt::decode` gives `{__raw, ...claims}` with the last values.
    #[test]
    fn id_token_payloads(members in claims(), d in decoy(), header in jwt_header()) {
        let (payload, expected) = checked(&object(members, &d))?;
        let raw = compact(&header, &payload);
        let decoded = jwt::decode(&raw).map_err(|e| TestCaseError::fail(format!("{payload:?}: {e:?}")))?;
        let mut claims = vec![(RAW_CLAIM.to_owned(), Value::from(raw.as_str()))];
        claims.extend(object_members(&expected).into_iter().map(|(k, v)| (k.to_owned(), v.clone())));
        prop_assert!(same(&decoded.claims, &Value::Object(claims.into_iter().collect())));
        prop_assert!(same(&decoded.header, &header));
        prop_assert_eq!(decoded.str_claim("sub"), str_of(&expected, "sub"));
        prop_assert_eq!(decoded.num_claim("exp"), expected["exp"].as_f64());
        // The @@user@@ entry we write is read back whole, by us and by serde_json.
        let entry = IdTokenEntry::from_decoded(decoded);
        let written = entry.to_json_string();
        agree(&written)?;
        prop_assert_eq!(IdTokenEntry::parse(&written), Some(entry.clone()));
    }

    /// Cache entries `{"body":{...},"expiresAt":n}` as auth0-spa-js writes them, decoys at either
    /// level: `AccessTokenEntry::parse` reads the last values, and writes the same bytes back.
    #[test]
    fn access_token_entries(members in token_response(), audience in "https://api\\.[a-z]{3}/|default", client_id in "[A-Za-z0-9]{8,32}",
                            expires_at in 1_600_000_000u64..1_800_000_000, inner in decoy(), outer in decoy()) {
        let scope = "openid profile email";
        let mut body: Vec<(String, Doc)> = members.into_iter().filter(|(k, _)| k != "id_token" && k != "scope").collect();
        body.extend(leaves(vec![("scope", json!(scope)), ("audience", json!(audience)), ("client_id", json!(client_id))]));
        let entry = vec![("body".to_owned(), object(body, &inner)), ("expiresAt".to_owned(), Doc::Leaf(json!(expires_at)))];
        let (text, expected) = checked(&object(entry, &outer))?;
        let parsed = AccessTokenEntry::parse(&text).ok_or_else(|| TestCaseError::fail(format!("rejected {text:?}")))?;
        prop_assert_eq!(parsed.expires_at, expires_at);
        prop_assert!(same(&parsed.body, &expected["body"]));
        prop_assert_eq!(parsed.access_token(), str_of(&expected["body"], "access_token"));
        let key = CacheKey::new(&client_id, Some(&audience), scope);
        prop_assert_eq!(AccessTokenEntry::parse_for_key(&text, &key), Some(parsed.clone()));
        let rewritten = parsed.to_json_string();
        prop_assert_eq!(AccessTokenEntry::parse(&rewritten), Some(parsed.clone()));
        if inner.is_none() && outer.is_none() && super::only_safe_integers(&expected) {
            prop_assert_eq!(rewritten, text);
        }
    }

    /// The `@@user@@` entry `{"id_token","decodedToken":{"encoded","header","claims","user"}}`,
    /// decoys at the top, in `decodedToken` and in `claims`.
    #[test]
    fn id_token_entries(members in claims(), header in jwt_header(), top in decoy(), middle in decoy(), inner in decoy()) {
        let payload = Doc::Object(members.clone()).render();
        let raw = compact(&header, &payload);
        let mut claims = vec![(RAW_CLAIM.to_owned(), Doc::Leaf(json!(raw)))];
        claims.extend(members.iter().cloned());
        let user: Vec<(String, Doc)> = members.into_iter().filter(|(k, _)| !jwt::PROTOCOL_CLAIMS.contains(&k.as_str())).collect();
        let parts: Vec<&str> = raw.split('.').collect();
        let encoded = leaves(vec![("header", json!(parts[0])), ("payload", json!(parts[1])), ("signature", json!(parts[2]))]);
        let decoded = vec![
            ("encoded".to_owned(), Doc::Object(encoded)),
            ("header".to_owned(), Doc::Leaf(header)),
            ("claims".to_owned(), object(claims, &inner)),
            ("user".to_owned(), Doc::Object(user)),
        ];
        let doc = object(vec![("id_token".to_owned(), Doc::Leaf(json!(raw))), ("decodedToken".to_owned(), object(decoded, &middle))], &top);
        let (text, expected) = checked(&doc)?;
        let entry = IdTokenEntry::parse(&text).ok_or_else(|| TestCaseError::fail(format!("rejected {text:?}")))?;
        prop_assert_eq!(entry.id_token(), raw.as_str());
        prop_assert!(same(&entry.decoded.claims, &expected["decodedToken"]["claims"]));
        prop_assert!(same(&entry.user, &expected["decodedToken"]["user"]));
        prop_assert!(same(&entry.decoded.header, &expected["decodedToken"]["header"]));
        prop_assert_eq!(IdTokenEntry::parse(&entry.to_json_string()), Some(entry.clone()));
    }

    /// Login transactions: `LoginTransaction::parse` reads the last values; without a decoy, what
    /// it writes back is the same document.
    #[test]
    fn login_transactions(members in transaction(), d in decoy()) {
        let (text, expected) = checked(&object(members, &d))?;
        let t = LoginTransaction::parse(&text).ok_or_else(|| TestCaseError::fail(format!("rejected {text:?}")))?;
        prop_assert_eq!(Some(t.nonce.as_str()), str_of(&expected, "nonce"));
        prop_assert_eq!(Some(t.code_verifier.as_str()), str_of(&expected, "code_verifier"));
        prop_assert_eq!(Some(t.state.as_str()), str_of(&expected, "state"));
        prop_assert_eq!(Some(t.scope.as_str()), str_of(&expected, "scope"));
        prop_assert_eq!(t.audience.as_str(), str_of(&expected, "audience").unwrap_or("default"));
        prop_assert_eq!(t.redirect_uri.as_deref(), str_of(&expected, "redirect_uri"));
        prop_assert_eq!(t.organization.as_deref(), str_of(&expected, "organization"));
        match (&t.app_state, expected.get("appState")) {
            (None, None) => {}
            (Some(ours), Some(theirs)) => prop_assert!(same(ours, theirs)),
            (ours, theirs) => prop_assert!(false, "appState {:?} vs {:?}", ours, theirs),
        }
        if d.is_none() && expected.get("audience").is_some() && expected.get("response_type").is_some() {
            prop_assert!(same(&t.to_json(), &expected), "written as {:?}", t.to_json_string());
        }
    }

    /// Client options objects (v2 shape), decoys at the top and in `authorizationParams`.
    #[test]
    fn client_options(domain in "[a-z]{3,10}\\.(eu\\.)?auth0\\.com", client_id in "[A-Za-z0-9]{8,32}", audience in "https://api\\.[a-z]{3,8}/",
                      cache in prop::sample::select(vec!["memory", "localstorage"]), refresh in any::<bool>(), leeway in 1u64..3600,
                      telemetry in ("[a-z-]{3,12}", "[0-9]\\.[0-9]{1,2}\\.[0-9]"), top in decoy(), params in decoy(),
                      shuffle in any::<bool>()) {
        let authorization = leaves(vec![
            ("audience", json!(audience)),
            ("scope", json!("openid profile read:things")),
            ("redirect_uri", json!("https://app.example.com/callback")),
        ]);
        let mut members = leaves(vec![
            ("domain", json!(domain)),
            ("clientId", json!(client_id)),
            ("cacheLocation", json!(cache)),
            ("useRefreshTokens", json!(refresh)),
            ("leeway", json!(leeway)),
            ("auth0Client", json!({"name": telemetry.0, "version": telemetry.1})),
        ]);
        members.push(("authorizationParams".to_owned(), object(authorization, &params)));
        if shuffle {
            members.reverse();
        }
        let (text, expected) = checked(&object(members, &top))?;
        let o = ClientOptions::from_json(&Json::parse(&text).unwrap()).map_err(|e| TestCaseError::fail(format!("{text:?}: {e:?}")))?;
        prop_assert_eq!(o.domain.as_str(), domain.as_str());
        prop_assert_eq!(o.client_id.as_str(), client_id.as_str());
        prop_assert_eq!(o.cache_location, if cache == "memory" { CacheLocation::Memory } else { CacheLocation::LocalStorage });
        prop_assert_eq!(o.use_refresh_tokens, refresh);
        prop_assert_eq!(o.leeway_seconds, leeway);
        prop_assert_eq!(o.audience(), Some(audience.as_str()));
        prop_assert_eq!(o.redirect_uri(), Some("https://app.example.com/callback"));
        prop_assert!(same(&o.auth0_client, &expected["auth0Client"]));
    }
}
