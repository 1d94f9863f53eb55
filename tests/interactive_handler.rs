//! `interactiveErrorHandler: 'popup'` over the fake platform: a silent renewal that only the user
//! can complete (the token endpoint's `mfa_required`, the iframe's MFA step-up) comes back marked
//! for the popup the package entry then opens, and the step-up does not end the local session;
//! without the option, or for any other error, nothing changes (docs/behaviour.md §2.5).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed unwrap is a failed test
#![cfg(not(target_arch = "wasm32"))]

mod common;

use auth0_spa_wasm::client::{CacheMode, GetTokenOptions};
use auth0_spa_wasm::core::json::Json;
use auth0_spa_wasm::core::ErrorClass;
use common::*;

const POPUP: &str = r#","interactiveErrorHandler":"popup""#;
const REFRESH: &str = r#","useRefreshTokens":true"#;

fn renew() -> GetTokenOptions {
    GetTokenOptions { cache_mode: CacheMode::Off, ..GetTokenOptions::default() }
}

fn step_up_from_the_iframe(platform: &FakePlatform, description: &'static str) {
    platform.on_frame(move |_, state| {
        Ok(Json::Object(vec![("error".into(), Json::str("login_required")), ("error_description".into(), Json::str(description)), ("state".into(), Json::str(state))]))
    });
}

#[test]
#[cfg_attr(not(feature = "parity"), ignore = "a feature of the full build only (Cargo feature `parity`)")]
fn mfa_required_on_refresh_is_marked_for_the_popup_only_with_the_handler() {
    for (extra, marked) in [([REFRESH, POPUP].concat(), true), (REFRESH.to_owned(), false)] {
        let (client, platform) = logged_in(&extra, Some("rt-1"));
        platform.on_http(|_| Ok(oauth_error(403, "mfa_required", "Multifactor authentication required")));
        let err = run(client.get_token_silently(&renew())).unwrap_err();
        assert_eq!(err.class, ErrorClass::MfaRequired);
        assert_eq!(err.interactive, marked, "{extra}");
        assert!(run(client.is_authenticated()), "the session stays for the popup");
    }
}

#[test]
#[cfg_attr(not(feature = "parity"), ignore = "a feature of the full build only (Cargo feature `parity`)")]
fn the_iframe_step_up_keeps_the_session_for_the_popup_and_ends_it_without_the_handler() {
    for (extra, marked) in [(POPUP, true), ("", false)] {
        let (client, platform) = logged_in(extra, None);
        step_up_from_the_iframe(&platform, "Multifactor authentication required");
        let err = run(client.get_token_silently(&renew())).unwrap_err();
        assert_eq!((err.error.as_str(), err.interactive), ("login_required", marked), "{extra}");
        assert_eq!(run(client.is_authenticated()), marked, "the session stays only for the popup handler");
    }
}

#[test]
fn other_failures_are_not_marked_and_end_the_session_as_before() {
    let (client, platform) = logged_in(POPUP, None);
    step_up_from_the_iframe(&platform, "Login required");
    let err = run(client.get_token_silently(&renew())).unwrap_err();
    assert_eq!((err.error.as_str(), err.interactive), ("login_required", false));
    assert!(!run(client.is_authenticated()));

    let (client, platform) = logged_in(&[REFRESH, POPUP].concat(), Some("rt-1"));
    platform.on_http(|_| Ok(oauth_error(400, "invalid_grant", "Unknown or invalid refresh token.")));
    let err = run(client.get_token_silently(&renew())).unwrap_err();
    assert!(!err.interactive);
}
