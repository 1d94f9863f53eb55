//! `refreshTokenMode: 'online'` (Online Refresh Tokens) over the fake platform: `online_access`
//! is asked for instead of `offline_access`, the non-rotating token is kept when a renewal
//! returns none, and revoking it ends the local session (docs/behaviour.md §1.3, §2.11).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed unwrap is a failed test
#![cfg(not(target_arch = "wasm32"))]

mod common;

use auth0_spa_wasm::client::{CacheMode, GetTokenOptions};
use auth0_spa_wasm::core::options::ParamList;
use common::*;

const ONLINE: &str = r#","useRefreshTokens":true,"refreshTokenMode":"online""#;

fn renew() -> GetTokenOptions {
    GetTokenOptions { cache_mode: CacheMode::Off, ..GetTokenOptions::default() }
}

#[test]
fn online_mode_asks_for_online_access_instead_of_offline_access() {
    let (client, _) = logged_in(ONLINE, Some("ort-1"));
    let url = client.login_with_redirect(&ParamList::new(), None).unwrap();
    let scope = query_param(&url, "scope").unwrap();
    assert_eq!(scope, "openid profile email online_access");
}

#[test]
fn the_non_rotating_token_is_presented_again_when_a_renewal_returns_none() {
    let (client, platform) = logged_in(ONLINE, Some("ort-1"));
    platform.on_http(|_| Ok(token_response("at-renewed", None, None, 86_400)));
    for _ in 0..2 {
        assert_eq!(run(client.get_token_silently(&renew())).unwrap().unwrap().access_token, "at-renewed");
    }
    let sent: Vec<String> = platform.requests().iter().filter_map(|r| form_field(r, "refresh_token")).collect();
    assert_eq!(sent, ["ort-1", "ort-1"]);
    assert!(platform.cache_snapshot().values().any(|v| v.contains("\"ort-1\"")), "still cached");
}

#[test]
#[cfg_attr(not(feature = "parity"), ignore = "a feature of the full build only (Cargo feature `parity`)")]
fn revoking_the_online_token_ends_the_local_session_and_offline_revocation_does_not() {
    for (extra, ends) in [(ONLINE, true), (r#","useRefreshTokens":true"#, false)] {
        let (client, platform) = logged_in(extra, Some("rt-1"));
        platform.on_http(|_| Ok(auth0_spa_wasm::core::http::HttpResponse { status: 200, body: String::new(), dpop_nonce: None }));
        run(client.revoke_refresh_token(None)).unwrap();
        assert_eq!(platform.requests().iter().filter(|r| r.url.ends_with("/oauth/revoke")).count(), 1, "{extra}");
        assert_eq!(run(client.is_authenticated()), !ends, "{extra}");
        let tokens_left = platform.cache_snapshot().values().any(|v| v.contains("at-login"));
        assert_eq!(tokens_left, !ends, "{extra}");
    }
}
