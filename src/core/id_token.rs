//! ID-token claim validation (OIDC Core 3.1.3.7 and 12.2), exactly as auth0-spa-js's `verify()`
//! (`src/jwt.ts`, docs/behaviour.md §4): the same checks, in the same order, with the same messages,
//! thrown as plain `Error`s. The signature is not verified (§4; OIDC Core 3.1.3.7 step 6 allows
//! it for tokens received directly from the token endpoint over TLS) but `alg` must be `RS256`, so
//! `alg: none` is rejected (security case D10).
//!
//! Differences from auth0-spa-js, all stricter and all on inputs a conforming server never sends:
//! * a claim that must be a string (`iss`, `sub`, `nonce`, `azp`, `org_id`, `org_name`) is rejected
//!   with the "must be a string present" message when it has another JSON type (auth0-spa-js only
//!   tests truthiness, so `"sub": 5` passed); `aud` arrays must hold only strings;
//! * `max_age: Some(0)` is a configured max age (auth0-spa-js skips the `auth_time` presence check
//!   for 0 because it tests truthiness);
//! * an `iat` more than [`MAX_IAT_AGE_SECS`] (+ leeway) in the past is rejected (security case D6:
//!   a fresh token-endpoint response never carries a day-old ID token);
//! * clock failures get their own error codes ([`ID_TOKEN_EXPIRED`], [`ID_TOKEN_NOT_YET_VALID`],
//!   [`ID_TOKEN_STALE`]) so the app can tell the user to check the device clock (security case J1)
//!   instead of looping through logins. The messages stay auth0-spa-js's;
//! * a time claim beyond JavaScript's Date range compares as the number it is (in auth0-spa-js it
//!   becomes an Invalid Date that never compares, so `exp: -1e300` passed).
//!
//! Dates in messages are written like JavaScript's `Date.prototype.toString()` in UTC
//! (`Sun Jun 15 2025 15:06:40 GMT+0000 (Coordinated Universal Time)`): the pure core has no time
//! zone, so this equals auth0-spa-js's text on a machine set to UTC.

use super::error::{Error, Result};
use super::json::Json;
use super::jwt::{decode, DecodedToken, INVALID_ID_TOKEN};
use super::UnixMillis;

/// Error code when `exp` (+ leeway) is in the past (§4 row 12): usually a wrong device clock (J1).
pub(crate) const ID_TOKEN_EXPIRED: &str = "id_token_expired";
/// Error code when `nbf` (− leeway) is in the future (§4 row 13): usually a slow device clock (J2).
pub(crate) const ID_TOKEN_NOT_YET_VALID: &str = "id_token_not_yet_valid";
/// Error code when `iat` is more than a day old (security case D6; not an auth0-spa-js check).
pub(crate) const ID_TOKEN_STALE: &str = "id_token_stale";

/// The oldest `iat` accepted, in seconds before now (plus leeway). A token-endpoint response is
/// minted on the spot; one day leaves room for any sane clock error (security case D6).
pub(crate) const MAX_IAT_AGE_SECS: u64 = 86_400;

/// The leeway used when the configured one is 0: auth0-spa-js computes `leeway || 60` (§1.3, §4).
pub(crate) const DEFAULT_LEEWAY_SECS: u64 = 60;

/// What the ID token must say. Built by the client from its options and the transaction.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IdTokenExpectations {
    /// Expected `iss`, compared as an exact string (§1.3 `issuer`; RFC 9207 §2.4, case B9).
    pub issuer: String,
    /// The client id: `aud` must contain it, `azp` must equal it when `aud` has several values.
    pub client_id: String,
    /// Clock skew allowed for `exp`, `nbf`, `auth_time` (seconds); 0 means 60 (§4).
    pub leeway_secs: u64,
    /// Client-level `authorizationParams.max_age` (seconds), if configured (§4 rows 9, 14).
    pub max_age: Option<u64>,
    /// The nonce sent on `/authorize`, for code flows (§2.5 post-processing step 1).
    pub nonce: Option<String>,
    /// The organization requested (`org_…` id or a name), for code flows and exchanges.
    pub organization: Option<String>,
}

/// Validates an ID token the way auth0-spa-js does (§4 checks 0–16, in order, same messages) and
/// returns it decoded. `raw` is the `id_token` member of the token response (`None` or empty →
/// "ID token is required but missing", §4 row 0; security case D17). `now_ms` is the client's
/// clock (`nowProvider`).
pub fn verify_id_token(raw: Option<&str>, expect: &IdTokenExpectations, now_ms: UnixMillis) -> Result<DecodedToken> {
    // 0. present
    let raw = match raw {
        Some(r) if !r.is_empty() => r,
        _ => return Err(invalid("ID token is required but missing")),
    };
    // 1. decodable
    let token = decode(raw)?;

    // 2–3. iss
    let iss = match token.str_claim("iss") {
        Some(s) if !s.is_empty() => s,
        _ => return Err(invalid("Issuer (iss) claim must be a string present in the ID token")),
    };
    if iss != expect.issuer {
        return Err(invalid(&mismatch("Issuer (iss) claim mismatch in the ID token; expected \"", &expect.issuer, iss)));
    }
    // 4. sub
    if !matches!(token.str_claim("sub"), Some(s) if !s.is_empty()) {
        return Err(invalid("Subject (sub) claim must be a string present in the ID token"));
    }
    // 5. alg (D10: `none` and every other algorithm are refused)
    let alg = token.header.get("alg");
    if alg.and_then(Json::as_str) != Some("RS256") {
        let mut m = String::from("Signature algorithm of \"");
        m.push_str(&js_string(alg));
        m.push_str("\" is not supported. Expected the ID token to be signed with \"RS256\".");
        return Err(invalid(&m));
    }
    // 6–7. aud / azp
    check_audience(&token, &expect.client_id)?;
    // 8. nonce
    if let Some(nonce) = expect.nonce.as_deref().filter(|n| !n.is_empty()) {
        let found = match token.str_claim("nonce") {
            Some(s) if !s.is_empty() => s,
            _ => return Err(invalid("Nonce (nonce) claim must be a string present in the ID token")),
        };
        if found != nonce {
            return Err(invalid(&mismatch("Nonce (nonce) claim mismatch in the ID token; expected \"", nonce, found)));
        }
    }
    // 9. auth_time required with max_age
    let auth_time = token.num_claim("auth_time");
    if expect.max_age.is_some() && auth_time.is_none() {
        return Err(invalid("Authentication Time (auth_time) claim must be a number present in the ID token when Max Age (max_age) is specified"));
    }
    // 10–11. exp, iat are numbers
    let exp = token
        .num_claim("exp")
        .ok_or_else(|| invalid("Expiration Time (exp) claim must be a number present in the ID token"))?;
    let iat = token
        .num_claim("iat")
        .ok_or_else(|| invalid("Issued At (iat) claim must be a number present in the ID token"))?;

    let leeway = if expect.leeway_secs == 0 { DEFAULT_LEEWAY_SECS } else { expect.leeway_secs } as f64;
    let now = now_ms as f64;
    // 12. exp + leeway
    let exp_ms = js_seconds_to_date_ms(exp + leeway);
    if now > exp_ms {
        let mut m = String::from("Expiration Time (exp) claim error in the ID token; current time (");
        push_js_date(&mut m, now);
        m.push_str(") is after expiration time (");
        push_js_date(&mut m, exp_ms);
        m.push(')');
        return Err(Error::plain(ID_TOKEN_EXPIRED, &m));
    }
    // 13. nbf − leeway
    if let Some(nbf) = token.num_claim("nbf") {
        let nbf_ms = js_seconds_to_date_ms(nbf - leeway);
        if now < nbf_ms {
            let mut m = String::from("Not Before time (nbf) claim in the ID token indicates that this token can't be used just yet. Current time (");
            push_js_date(&mut m, now);
            m.push_str(") is before ");
            push_js_date(&mut m, nbf_ms);
            return Err(Error::plain(ID_TOKEN_NOT_YET_VALID, &m));
        }
    }
    // 13b. iat not older than a day (D6; ours, not auth0-spa-js's). A future iat is accepted, as
    // auth0-spa-js does (J2: `nbf` is the claim that bounds the future).
    let iat_limit_ms = js_seconds_to_date_ms(iat + MAX_IAT_AGE_SECS as f64 + leeway);
    if now > iat_limit_ms {
        let mut m = String::from("Issued At (iat) claim error in the ID token; current time (");
        push_js_date(&mut m, now);
        m.push_str(") is more than a day after issued at time (");
        push_js_date(&mut m, js_seconds_to_date_ms(iat));
        m.push(')');
        return Err(Error::plain(ID_TOKEN_STALE, &m));
    }
    // 14. auth_time + max_age + leeway
    if let (Some(auth_time), Some(max_age)) = (auth_time, expect.max_age) {
        let limit_ms = js_seconds_to_date_ms(auth_time.trunc() + max_age as f64 + leeway);
        if now > limit_ms {
            let mut m = String::from("Authentication Time (auth_time) claim in the ID token indicates that too much time has passed since the last end-user authentication. Current time (");
            push_js_date(&mut m, now);
            m.push_str(") is after last auth at ");
            push_js_date(&mut m, limit_ms);
            return Err(invalid(&m));
        }
    }
    // 15–16. organization
    if let Some(org) = expect.organization.as_deref().filter(|o| !o.is_empty()) {
        let org = org.trim();
        if org.starts_with("org_") {
            let found = match token.str_claim("org_id") {
                Some(s) if !s.is_empty() => s,
                _ => return Err(invalid("Organization ID (org_id) claim must be a string present in the ID token")),
            };
            if found != org {
                return Err(invalid(&mismatch("Organization ID (org_id) claim mismatch in the ID token; expected \"", org, found)));
            }
        } else {
            // auth0-spa-js lower-cases with `toLowerCase()`; Auth0 organization names are ASCII
            // (lower-case letters, digits, `-`, `_`), and ASCII folding keeps Unicode case
            // tables out of the wasm. A non-ASCII name could never match either way.
            let wanted = org.to_ascii_lowercase();
            let found = match token.str_claim("org_name") {
                Some(s) if !s.is_empty() => s,
                _ => return Err(invalid("Organization Name (org_name) claim must be a string present in the ID token")),
            };
            if found != wanted {
                return Err(invalid(&mismatch("Organization Name (org_name) claim mismatch in the ID token; expected \"", &wanted, found)));
            }
        }
    }
    Ok(token)
}

/// OIDC Core 12.2 for an ID token that came back from a refresh-token grant: its `sub` and `iss`
/// must equal those of the ID token already held (`previous_claims`, the cached
/// `decodedToken.claims`). A different `sub` means the session now belongs to someone else:
/// the caller must discard the response and clear the whole local session (security cases D18,
/// D19, invariant I5). Claims that the previous token lacks are not compared. auth0-spa-js does
/// not make this check.
pub(crate) fn check_refresh_id_token(previous_claims: &Json, new: &DecodedToken) -> Result<()> {
    for (claim, label) in [("sub", "Subject (sub)"), ("iss", "Issuer (iss)")] {
        if let Some(prev) = previous_claims.str_field(claim) {
            let found = new.str_claim(claim).unwrap_or("");
            if found != prev {
                let mut m = String::from(label);
                m.push_str(" claim mismatch in the refreshed ID token; expected \"");
                m.push_str(prev);
                m.push_str("\", found \"");
                m.push_str(found);
                m.push('"');
                return Err(invalid(&m));
            }
        }
    }
    Ok(())
}

/// True for the ID-token failures that a wrong device clock causes (expired, not yet valid,
/// stale `iat`), so the app can say "check your clock" rather than start another login (J1, J2).
pub(crate) fn is_clock_error(e: &Error) -> bool {
    matches!(e.error.as_str(), ID_TOKEN_EXPIRED | ID_TOKEN_NOT_YET_VALID | ID_TOKEN_STALE)
}

fn check_audience(token: &DecodedToken, client_id: &str) -> Result<()> {
    const AUD_MISSING: &str = "Audience (aud) claim must be a string or array of strings present in the ID token";
    match token.claim("aud") {
        Some(Json::String(aud)) if !aud.is_empty() => {
            if aud != client_id {
                let mut m = String::from("Audience (aud) claim mismatch in the ID token; expected \"");
                m.push_str(client_id);
                m.push_str("\" but found \"");
                m.push_str(aud);
                m.push('"');
                return Err(invalid(&m));
            }
            Ok(())
        }
        Some(Json::Array(items)) => {
            let mut auds = Vec::with_capacity(items.len());
            for item in items {
                auds.push(item.as_str().ok_or_else(|| invalid(AUD_MISSING))?);
            }
            if !auds.contains(&client_id) {
                let mut m = String::from("Audience (aud) claim mismatch in the ID token; expected \"");
                m.push_str(client_id);
                m.push_str("\" but was not one of \"");
                for (i, aud) in auds.iter().enumerate() {
                    if i > 0 {
                        m.push_str(", ");
                    }
                    m.push_str(aud);
                }
                m.push('"');
                return Err(invalid(&m));
            }
            if auds.len() > 1 {
                let azp = match token.str_claim("azp") {
                    Some(s) if !s.is_empty() => s,
                    _ => return Err(invalid("Authorized Party (azp) claim must be a string present in the ID token when Audience (aud) claim has multiple values")),
                };
                if azp != client_id {
                    return Err(invalid(&mismatch("Authorized Party (azp) claim mismatch in the ID token; expected \"", client_id, azp)));
                }
            }
            Ok(())
        }
        _ => Err(invalid(AUD_MISSING)),
    }
}

fn invalid(message: &str) -> Error {
    Error::plain(INVALID_ID_TOKEN, message)
}

/// `{prefix}{expected}", found "{found}"` — the shape of auth0-spa-js's mismatch messages.
fn mismatch(prefix: &str, expected: &str, found: &str) -> String {
    let mut m = String::from(prefix);
    m.push_str(expected);
    m.push_str("\", found \"");
    m.push_str(found);
    m.push('"');
    m
}

/// JavaScript's `String(value)` for a header value shown in a message (`undefined` when absent).
fn js_string(value: Option<&Json>) -> String {
    match value {
        None => "undefined".to_owned(),
        Some(Json::String(s)) => s.clone(),
        Some(Json::Object(_)) => "[object Object]".to_owned(),
        Some(Json::Array(items)) => {
            let mut joined = String::new();
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    joined.push(',');
                }
                if !matches!(item, Json::Null) {
                    joined.push_str(&js_string(Some(item)));
                }
            }
            joined
        }
        Some(other) => other.to_json_string(),
    }
}

/// `new Date(0).setUTCSeconds(secs)` as milliseconds: truncated to whole seconds. Unlike
/// JavaScript, a value beyond the Date range is not NaN (which never compares, so auth0-spa-js
/// would accept an `exp` of -1e300): it stays a huge number and compares as such.
fn js_seconds_to_date_ms(secs: f64) -> f64 {
    secs.trunc() * 1000.0
}

const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// Appends `Date.prototype.toString()` of `ms` in UTC.
fn push_js_date(out: &mut String, ms: f64) {
    if !ms.is_finite() || ms.abs() > 8.64e15 {
        out.push_str("Invalid Date");
        return;
    }
    let ms = ms.floor() as i64;
    let days = ms.div_euclid(86_400_000);
    let secs_of_day = ms.rem_euclid(86_400_000) / 1000;
    let (year, month, day) = civil_from_days(days);
    out.push_str(WEEKDAYS.get((days + 4).rem_euclid(7) as usize).copied().unwrap_or(""));
    out.push(' ');
    out.push_str(MONTHS.get((month - 1) as usize).copied().unwrap_or(""));
    out.push(' ');
    push_padded(out, day as u64, 2);
    out.push(' ');
    if year < 0 {
        out.push('-');
    }
    push_padded(out, year.unsigned_abs(), 4);
    out.push(' ');
    push_padded(out, (secs_of_day / 3600) as u64, 2);
    out.push(':');
    push_padded(out, (secs_of_day / 60 % 60) as u64, 2);
    out.push(':');
    push_padded(out, (secs_of_day % 60) as u64, 2);
    out.push_str(" GMT+0000 (Coordinated Universal Time)");
}

fn push_padded(out: &mut String, n: u64, width: usize) {
    let mut digits = [0u8; 20];
    let mut len = 0;
    let mut v = n;
    loop {
        if let Some(slot) = digits.get_mut(len) {
            *slot = b'0' + (v % 10) as u8;
        }
        len += 1;
        v /= 10;
        if v == 0 || len >= digits.len() {
            break;
        }
    }
    for _ in len..width {
        out.push('0');
    }
    for d in digits.iter().take(len).rev() {
        out.push(*d as char);
    }
}

/// Days since 1970-01-01 → (year, month 1–12, day 1–31), proleptic Gregorian (H. Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::encoding::base64url_encode;
    use crate::core::ErrorClass;

    const NOW_S: u64 = 1_750_000_000; // Sun Jun 15 2025 15:06:40 UTC
    const NOW_MS: u64 = NOW_S * 1000;
    const ISS: &str = "https://tenant.example.com/";
    const CLIENT: &str = "client-1";

    fn expectations() -> IdTokenExpectations {
        IdTokenExpectations { issuer: ISS.into(), client_id: CLIENT.into(), leeway_secs: 60, ..Default::default() }
    }

    /// A token with the given header and a valid claim set modified by `edit`.
    fn token_with(header: &str, edit: impl FnOnce(&mut Json)) -> String {
        let mut claims = Json::parse(&format!(
            r#"{{"iss":"{ISS}","sub":"auth0|alice","aud":"{CLIENT}","iat":{NOW_S},"exp":{},"nonce":"n-1","name":"Alice"}}"#,
            NOW_S + 3600
        ))
        .unwrap();
        edit(&mut claims);
        let mut t = base64url_encode(header.as_bytes());
        t.push('.');
        t.push_str(&base64url_encode(claims.to_json_string().as_bytes()));
        t.push_str(".c2lnbmF0dXJl");
        t
    }

    fn token(edit: impl FnOnce(&mut Json)) -> String {
        token_with(r#"{"alg":"RS256","typ":"JWT"}"#, edit)
    }

    fn fails_with(raw: &str, expect: &IdTokenExpectations, now_ms: u64, message: &str) {
        let e = verify_id_token(Some(raw), expect, now_ms).unwrap_err();
        assert_eq!(e.description, message);
        assert_eq!(e.class, ErrorClass::Plain);
    }

    #[test]
    fn a_valid_token_is_accepted_and_returned_decoded() {
        let t = token(|_| {});
        let d = verify_id_token(Some(&t), &expectations(), NOW_MS).unwrap();
        assert_eq!(d.str_claim("sub"), Some("auth0|alice"));
        assert_eq!(d.raw, t);
    }

    #[test]
    fn check_0_missing_token() {
        for raw in [None, Some("")] {
            let e = verify_id_token(raw, &expectations(), NOW_MS).unwrap_err();
            assert_eq!(e.description, "ID token is required but missing");
            assert_eq!(e.error, INVALID_ID_TOKEN);
        }
    }

    #[test]
    fn check_1_undecodable_token() {
        fails_with("a.b", &expectations(), NOW_MS, "ID token could not be decoded");
        fails_with("e30.e30", &expectations(), NOW_MS, "ID token could not be decoded");
    }

    #[test]
    fn check_2_missing_or_non_string_issuer() {
        fails_with(&token(|c| { c.remove("iss"); }), &expectations(), NOW_MS, "Issuer (iss) claim must be a string present in the ID token");
        fails_with(&token(|c| c.set("iss", Json::Number(1.0))), &expectations(), NOW_MS, "Issuer (iss) claim must be a string present in the ID token");
        fails_with(&token(|c| c.set("iss", Json::str(""))), &expectations(), NOW_MS, "Issuer (iss) claim must be a string present in the ID token");
    }

    #[test]
    fn check_3_issuer_mismatch_is_an_exact_string_comparison() {
        // B9: a missing trailing slash is a different issuer.
        fails_with(
            &token(|c| c.set("iss", Json::str("https://tenant.example.com"))),
            &expectations(),
            NOW_MS,
            r#"Issuer (iss) claim mismatch in the ID token; expected "https://tenant.example.com/", found "https://tenant.example.com""#,
        );
        fails_with(
            &token(|c| c.set("iss", Json::str("https://TENANT.example.com/"))),
            &expectations(),
            NOW_MS,
            r#"Issuer (iss) claim mismatch in the ID token; expected "https://tenant.example.com/", found "https://TENANT.example.com/""#,
        );
    }

    #[test]
    fn check_4_missing_or_non_string_subject() {
        let msg = "Subject (sub) claim must be a string present in the ID token";
        fails_with(&token(|c| { c.remove("sub"); }), &expectations(), NOW_MS, msg);
        fails_with(&token(|c| c.set("sub", Json::Number(5.0))), &expectations(), NOW_MS, msg);
        fails_with(&token(|c| c.set("sub", Json::str(""))), &expectations(), NOW_MS, msg);
    }

    #[test]
    fn check_5_only_rs256_is_accepted_and_alg_none_is_rejected() {
        fails_with(
            &token_with(r#"{"alg":"none"}"#, |_| {}),
            &expectations(),
            NOW_MS,
            r#"Signature algorithm of "none" is not supported. Expected the ID token to be signed with "RS256"."#,
        );
        fails_with(
            &token_with(r#"{"alg":"HS256"}"#, |_| {}),
            &expectations(),
            NOW_MS,
            r#"Signature algorithm of "HS256" is not supported. Expected the ID token to be signed with "RS256"."#,
        );
        fails_with(
            &token_with(r#"{"typ":"JWT"}"#, |_| {}),
            &expectations(),
            NOW_MS,
            r#"Signature algorithm of "undefined" is not supported. Expected the ID token to be signed with "RS256"."#,
        );
    }

    #[test]
    fn check_5_runs_after_the_subject_check_like_auth0_spa_js() {
        let t = token_with(r#"{"alg":"none"}"#, |c| { c.remove("sub"); });
        fails_with(&t, &expectations(), NOW_MS, "Subject (sub) claim must be a string present in the ID token");
    }

    #[test]
    fn check_6_missing_or_mistyped_audience() {
        let msg = "Audience (aud) claim must be a string or array of strings present in the ID token";
        fails_with(&token(|c| { c.remove("aud"); }), &expectations(), NOW_MS, msg);
        fails_with(&token(|c| c.set("aud", Json::Number(3.0))), &expectations(), NOW_MS, msg);
        fails_with(&token(|c| c.set("aud", Json::str(""))), &expectations(), NOW_MS, msg);
        fails_with(&token(|c| c.set("aud", Json::Array(vec![Json::str(CLIENT), Json::Number(1.0)]))), &expectations(), NOW_MS, msg);
    }

    #[test]
    fn check_7a_array_audience_must_contain_the_client() {
        fails_with(
            &token(|c| c.set("aud", Json::Array(vec![Json::str("a"), Json::str("b")]))),
            &expectations(),
            NOW_MS,
            r#"Audience (aud) claim mismatch in the ID token; expected "client-1" but was not one of "a, b""#,
        );
    }

    #[test]
    fn check_7a_one_element_array_audience_is_accepted() {
        // D4: aud = [client_id]
        let t = token(|c| c.set("aud", Json::Array(vec![Json::str(CLIENT)])));
        assert!(verify_id_token(Some(&t), &expectations(), NOW_MS).is_ok());
    }

    #[test]
    fn check_7b_multiple_audiences_require_azp_equal_to_the_client() {
        let two = || Json::Array(vec![Json::str(CLIENT), Json::str("other")]);
        fails_with(
            &token(|c| c.set("aud", two())),
            &expectations(),
            NOW_MS,
            "Authorized Party (azp) claim must be a string present in the ID token when Audience (aud) claim has multiple values",
        );
        fails_with(
            &token(|c| {
                c.set("aud", two());
                c.set("azp", Json::str("other"));
            }),
            &expectations(),
            NOW_MS,
            r#"Authorized Party (azp) claim mismatch in the ID token; expected "client-1", found "other""#,
        );
        let ok = token(|c| {
            c.set("aud", two());
            c.set("azp", Json::str(CLIENT));
        });
        assert!(verify_id_token(Some(&ok), &expectations(), NOW_MS).is_ok());
    }

    #[test]
    fn check_7c_string_audience_must_equal_the_client() {
        fails_with(
            &token(|c| c.set("aud", Json::str("someone-else"))),
            &expectations(),
            NOW_MS,
            r#"Audience (aud) claim mismatch in the ID token; expected "client-1" but found "someone-else""#,
        );
    }

    #[test]
    fn check_8_nonce_must_be_present_and_equal_when_expected() {
        let mut e = expectations();
        e.nonce = Some("n-1".into());
        assert!(verify_id_token(Some(&token(|_| {})), &e, NOW_MS).is_ok());
        fails_with(&token(|c| { c.remove("nonce"); }), &e, NOW_MS, "Nonce (nonce) claim must be a string present in the ID token");
        fails_with(
            &token(|c| c.set("nonce", Json::str("evil"))),
            &e,
            NOW_MS,
            r#"Nonce (nonce) claim mismatch in the ID token; expected "n-1", found "evil""#,
        );
    }

    #[test]
    fn check_8_nonce_is_not_checked_when_none_was_sent() {
        let t = token(|c| c.set("nonce", Json::str("whatever")));
        assert!(verify_id_token(Some(&t), &expectations(), NOW_MS).is_ok());
    }

    #[test]
    fn check_9_max_age_requires_a_numeric_auth_time() {
        let mut e = expectations();
        e.max_age = Some(3600);
        let msg = "Authentication Time (auth_time) claim must be a number present in the ID token when Max Age (max_age) is specified";
        fails_with(&token(|_| {}), &e, NOW_MS, msg);
        fails_with(&token(|c| c.set("auth_time", Json::str("123"))), &e, NOW_MS, msg);
        e.max_age = Some(0);
        fails_with(&token(|_| {}), &e, NOW_MS, msg);
    }

    #[test]
    fn check_10_exp_must_be_a_number() {
        let msg = "Expiration Time (exp) claim must be a number present in the ID token";
        fails_with(&token(|c| { c.remove("exp"); }), &expectations(), NOW_MS, msg);
        fails_with(&token(|c| c.set("exp", Json::str("1750003600"))), &expectations(), NOW_MS, msg);
    }

    #[test]
    fn check_11_iat_must_be_a_number() {
        let msg = "Issued At (iat) claim must be a number present in the ID token";
        fails_with(&token(|c| { c.remove("iat"); }), &expectations(), NOW_MS, msg);
        fails_with(&token(|c| c.set("iat", Json::Null)), &expectations(), NOW_MS, msg);
    }

    #[test]
    fn check_12_expired_token_beyond_leeway_is_rejected_with_dates_in_the_message() {
        let t = token(|c| c.set("exp", Json::Number((NOW_S - 61) as f64)));
        let e = verify_id_token(Some(&t), &expectations(), NOW_MS).unwrap_err();
        assert_eq!(
            e.description,
            "Expiration Time (exp) claim error in the ID token; current time (Sun Jun 15 2025 15:06:40 GMT+0000 (Coordinated Universal Time)) is after expiration time (Sun Jun 15 2025 15:06:39 GMT+0000 (Coordinated Universal Time))"
        );
        assert_eq!(e.error, ID_TOKEN_EXPIRED);
        assert!(is_clock_error(&e));
    }

    #[test]
    fn check_12_expiry_within_leeway_is_accepted() {
        let t = token(|c| c.set("exp", Json::Number((NOW_S - 60) as f64)));
        assert!(verify_id_token(Some(&t), &expectations(), NOW_MS).is_ok());
    }

    #[test]
    fn leeway_zero_behaves_as_sixty_seconds() {
        let mut e = expectations();
        e.leeway_secs = 0;
        let t = token(|c| c.set("exp", Json::Number((NOW_S - 59) as f64)));
        assert!(verify_id_token(Some(&t), &e, NOW_MS).is_ok());
        let t = token(|c| c.set("exp", Json::Number((NOW_S - 61) as f64)));
        assert!(verify_id_token(Some(&t), &e, NOW_MS).is_err());
    }

    #[test]
    fn a_larger_leeway_widens_the_window() {
        let mut e = expectations();
        e.leeway_secs = 600;
        let t = token(|c| c.set("exp", Json::Number((NOW_S - 500) as f64)));
        assert!(verify_id_token(Some(&t), &e, NOW_MS).is_ok());
    }

    #[test]
    fn check_13_nbf_in_the_future_beyond_leeway_is_rejected() {
        let t = token(|c| c.set("nbf", Json::Number((NOW_S + 61) as f64)));
        let e = verify_id_token(Some(&t), &expectations(), NOW_MS).unwrap_err();
        assert_eq!(
            e.description,
            "Not Before time (nbf) claim in the ID token indicates that this token can't be used just yet. Current time (Sun Jun 15 2025 15:06:40 GMT+0000 (Coordinated Universal Time)) is before Sun Jun 15 2025 15:06:41 GMT+0000 (Coordinated Universal Time)"
        );
        assert_eq!(e.error, ID_TOKEN_NOT_YET_VALID);
        let ok = token(|c| c.set("nbf", Json::Number((NOW_S + 60) as f64)));
        assert!(verify_id_token(Some(&ok), &expectations(), NOW_MS).is_ok());
    }

    #[test]
    fn check_13_non_numeric_nbf_is_ignored_like_auth0_spa_js() {
        let t = token(|c| c.set("nbf", Json::str("soon")));
        assert!(verify_id_token(Some(&t), &expectations(), NOW_MS).is_ok());
    }

    #[test]
    fn check_14_auth_time_older_than_max_age_is_rejected() {
        let mut e = expectations();
        e.max_age = Some(300);
        let t = token(|c| c.set("auth_time", Json::Number((NOW_S - 361) as f64)));
        fails_with(
            &t,
            &e,
            NOW_MS,
            "Authentication Time (auth_time) claim in the ID token indicates that too much time has passed since the last end-user authentication. Current time (Sun Jun 15 2025 15:06:40 GMT+0000 (Coordinated Universal Time)) is after last auth at Sun Jun 15 2025 15:06:39 GMT+0000 (Coordinated Universal Time)",
        );
        let ok = token(|c| c.set("auth_time", Json::Number((NOW_S - 360) as f64)));
        assert!(verify_id_token(Some(&ok), &e, NOW_MS).is_ok());
    }

    #[test]
    fn check_14_is_skipped_without_max_age() {
        let t = token(|c| c.set("auth_time", Json::Number(1.0)));
        assert!(verify_id_token(Some(&t), &expectations(), NOW_MS).is_ok());
    }

    #[test]
    fn check_15_org_id_must_match_an_org_prefixed_organization() {
        let mut e = expectations();
        e.organization = Some("  org_123 ".into());
        fails_with(&token(|_| {}), &e, NOW_MS, "Organization ID (org_id) claim must be a string present in the ID token");
        fails_with(
            &token(|c| c.set("org_id", Json::str("org_999"))),
            &e,
            NOW_MS,
            r#"Organization ID (org_id) claim mismatch in the ID token; expected "org_123", found "org_999""#,
        );
        assert!(verify_id_token(Some(&token(|c| c.set("org_id", Json::str("org_123")))), &e, NOW_MS).is_ok());
    }

    #[test]
    fn check_16_org_name_is_compared_with_the_lower_cased_organization() {
        let mut e = expectations();
        e.organization = Some("Acme".into());
        fails_with(&token(|_| {}), &e, NOW_MS, "Organization Name (org_name) claim must be a string present in the ID token");
        // The claim itself is not lower-cased (auth0-spa-js 2.1.1).
        fails_with(
            &token(|c| c.set("org_name", Json::str("Acme"))),
            &e,
            NOW_MS,
            r#"Organization Name (org_name) claim mismatch in the ID token; expected "acme", found "Acme""#,
        );
        assert!(verify_id_token(Some(&token(|c| c.set("org_name", Json::str("acme")))), &e, NOW_MS).is_ok());
    }

    #[test]
    fn checks_run_in_auth0_spa_js_order() {
        // Wrong issuer AND wrong audience AND expired: the issuer is reported first.
        let t = token(|c| {
            c.set("iss", Json::str("https://evil/"));
            c.set("aud", Json::str("x"));
            c.set("exp", Json::Number(1.0));
        });
        let e = verify_id_token(Some(&t), &expectations(), NOW_MS).unwrap_err();
        assert!(e.description.starts_with("Issuer (iss) claim mismatch"), "{}", e.description);
        // Wrong audience AND missing nonce: audience first.
        let mut ex = expectations();
        ex.nonce = Some("n".into());
        let t = token(|c| {
            c.set("aud", Json::str("x"));
            c.remove("nonce");
        });
        let e = verify_id_token(Some(&t), &ex, NOW_MS).unwrap_err();
        assert!(e.description.starts_with("Audience (aud) claim mismatch"), "{}", e.description);
        // Missing exp AND missing iat: exp first.
        let t = token(|c| {
            c.remove("exp");
            c.remove("iat");
        });
        let e = verify_id_token(Some(&t), &expectations(), NOW_MS).unwrap_err();
        assert!(e.description.starts_with("Expiration Time (exp) claim must be"), "{}", e.description);
    }

    #[test]
    fn d6_an_iat_a_week_old_is_rejected_even_when_exp_is_still_valid() {
        let t = token(|c| {
            c.set("iat", Json::Number((NOW_S - 7 * 86_400) as f64));
            c.set("exp", Json::Number((NOW_S + 86_400) as f64));
        });
        let e = verify_id_token(Some(&t), &expectations(), NOW_MS).unwrap_err();
        assert_eq!(e.error, ID_TOKEN_STALE);
        assert!(e.description.starts_with("Issued At (iat) claim error in the ID token"), "{}", e.description);
        let fresh_enough = token(|c| {
            c.set("iat", Json::Number((NOW_S - 3600) as f64));
            c.set("exp", Json::Number((NOW_S + 86_400) as f64));
        });
        assert!(verify_id_token(Some(&fresh_enough), &expectations(), NOW_MS).is_ok());
    }

    #[test]
    fn j1_device_clock_two_hours_ahead_gives_a_distinct_clock_error() {
        // Token minted now with a one-hour lifetime (oidc-provider's default), device clock +2 h.
        let t = token(|c| c.set("exp", Json::Number((NOW_S + 3600) as f64)));
        let e = verify_id_token(Some(&t), &expectations(), NOW_MS + 2 * 3600 * 1000).unwrap_err();
        assert_eq!(e.error, ID_TOKEN_EXPIRED);
        assert!(is_clock_error(&e));
        assert!(e.description.contains("is after expiration time"));
    }

    #[test]
    fn j2_device_clock_ten_minutes_behind_rejects_nbf_but_accepts_a_future_iat() {
        let skewed_now = NOW_MS - 600 * 1000;
        let with_nbf = token(|c| c.set("nbf", Json::Number(NOW_S as f64)));
        let e = verify_id_token(Some(&with_nbf), &expectations(), skewed_now).unwrap_err();
        assert_eq!(e.error, ID_TOKEN_NOT_YET_VALID);
        assert!(is_clock_error(&e));
        // Without nbf, an iat ten minutes in the future is accepted (auth0-spa-js policy).
        let without_nbf = token(|_| {});
        assert!(verify_id_token(Some(&without_nbf), &expectations(), skewed_now).is_ok());
    }

    #[test]
    fn claim_failures_that_are_not_about_time_are_not_clock_errors() {
        let e = verify_id_token(Some(&token(|c| c.set("aud", Json::str("x")))), &expectations(), NOW_MS).unwrap_err();
        assert!(!is_clock_error(&e));
        assert_eq!(e.error, INVALID_ID_TOKEN);
    }

    #[test]
    fn absurd_exp_values_never_overflow_and_compare_as_numbers() {
        let t = token(|c| c.set("exp", Json::Number(1e300)));
        assert!(verify_id_token(Some(&t), &expectations(), NOW_MS).is_ok());
        let t = token(|c| c.set("exp", Json::Number(-1e300)));
        let e = verify_id_token(Some(&t), &expectations(), NOW_MS).unwrap_err();
        assert!(e.description.ends_with("is after expiration time (Invalid Date)"), "{}", e.description);
        let t = token(|c| c.set("exp", Json::Number(-5.0)));
        assert!(verify_id_token(Some(&t), &expectations(), NOW_MS).is_err());
    }

    #[test]
    fn d18_refresh_id_token_with_another_subject_is_rejected() {
        let old = crate::core::jwt::decode(&token(|_| {})).unwrap();
        let new = crate::core::jwt::decode(&token(|c| c.set("sub", Json::str("auth0|mallory")))).unwrap();
        let e = check_refresh_id_token(&old.claims, &new).unwrap_err();
        assert_eq!(e.description, r#"Subject (sub) claim mismatch in the refreshed ID token; expected "auth0|alice", found "auth0|mallory""#);
        assert_eq!(e.error, INVALID_ID_TOKEN);
    }

    #[test]
    fn d19_refresh_id_token_with_another_issuer_is_rejected() {
        let old = crate::core::jwt::decode(&token(|_| {})).unwrap();
        let new = crate::core::jwt::decode(&token(|c| c.set("iss", Json::str("https://evil/")))).unwrap();
        let e = check_refresh_id_token(&old.claims, &new).unwrap_err();
        assert!(e.description.starts_with("Issuer (iss) claim mismatch in the refreshed ID token"));
    }

    #[test]
    fn refresh_id_token_with_the_same_subject_and_issuer_is_accepted() {
        let old = crate::core::jwt::decode(&token(|_| {})).unwrap();
        let new = crate::core::jwt::decode(&token(|c| c.set("name", Json::str("Alice 2")))).unwrap();
        assert!(check_refresh_id_token(&old.claims, &new).is_ok());
        // Nothing held yet: nothing to compare.
        assert!(check_refresh_id_token(&Json::Object(vec![]), &new).is_ok());
    }

    #[test]
    fn js_dates_format_like_date_to_string_in_utc() {
        let mut s = String::new();
        push_js_date(&mut s, 0.0);
        assert_eq!(s, "Thu Jan 01 1970 00:00:00 GMT+0000 (Coordinated Universal Time)");
        s.clear();
        push_js_date(&mut s, 951_782_400_000.0); // leap day 2000
        assert_eq!(s, "Tue Feb 29 2000 00:00:00 GMT+0000 (Coordinated Universal Time)");
        s.clear();
        push_js_date(&mut s, -1000.0);
        assert_eq!(s, "Wed Dec 31 1969 23:59:59 GMT+0000 (Coordinated Universal Time)");
        s.clear();
        push_js_date(&mut s, 9e15);
        assert_eq!(s, "Invalid Date");
    }
}
