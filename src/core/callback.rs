//! Authorization responses: reading them from the redirect URL or a `web_message` payload, and
//! validating them into a [`ValidatedCallback`] — the only way to obtain the `code` to exchange
//! (the validate-then-use pattern of oauth4webapi's `validateAuthResponse`).
//!
//! Compared with auth0-spa-js `handleRedirectCallback` (docs/behaviour.md §1.4), the
//! checks are stricter and ordered so that nothing an attacker injects is acted on or shown:
//!
//! 1. `state` first (RFC 6749 §10.12): missing, empty, duplicated or foreign → `state_mismatch`,
//!    even when the response carries an `error` (security cases A4, B1, B2): an injected error's
//!    text is never presented as the server's.
//! 2. `iss` (RFC 9207 §2.4): when present it must equal the expected issuer byte for byte
//!    (B7, B9, B11) → `invalid_issuer`. Absent is accepted (Auth0 does not send it).
//! 3. A duplicated `code` / `error` / `iss`, or both `code` and `error` → `invalid_response`
//!    (A5); the code is never exchanged.
//! 4. `error` → `AuthenticationError(error, error_description || error, state)` for redirects,
//!    `GenericError(error, error_description || error)` for `web_message` (auth0-spa-js's
//!    `GenericError.fromPayload`).
//! 5. No `code` (or an empty one, A7) → `invalid_response`.
//!
//! Unknown parameters (`session_state`, …) are ignored (RFC 6749 §4.1.2, A8). Only the query of
//! the redirect URL is read; the fragment is dropped (A9).
//!
//! **Single use.** The transaction is consumed by the caller, which must delete it from storage
//! *before* calling [`validate_redirect`] (RFC 9700 §4.2.4; A2, B5, I3): a replayed callback then
//! finds no transaction and fails with `missing_transaction` without any token request.

use super::encoding::form_parse;
use super::json::Json;
use super::connect::ConnectTransaction;
use super::transaction::LoginTransaction;
use super::{Error, ErrorClass, Result};

/// One response parameter as received.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Param {
    /// Not sent, or sent empty (RFC 6749 §3.1: empty values are treated as omitted).
    Absent,
    /// Sent once with a non-empty value.
    Value(String),
    /// Sent more than once, or with a non-string value: never trusted.
    Invalid,
}

impl Param {
    fn value(&self) -> Option<&str> {
        match self {
            Param::Value(v) => Some(v),
            Param::Absent | Param::Invalid => None,
        }
    }

    /// The first occurrence of a parameter: empty means absent (RFC 6749 §3.1, A7).
    fn first(value: &str) -> Param {
        if value.is_empty() {
            Param::Absent
        } else {
            Param::Value(value.to_owned())
        }
    }
}

/// Where the response came from, which decides the error class of an `error` response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ResponseSource {
    /// `?code=…&state=…` on the redirect URL (`handleRedirectCallback`).
    Redirect,
    /// A `web_message` `postMessage` (popup, hidden iframe).
    WebMessage,
}

/// An authorization response as received (RFC 6749 §4.1.2 / §4.1.2.1), not yet trusted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AuthorizationResponse {
    source: ResponseSource,
    code: Param,
    /// `connect_code` of a connect-account callback (auth0-spa-js 2.6+, §2.12); a login ignores it.
    connect_code: Param,
    state: Param,
    error: Param,
    error_description: Option<String>,
    iss: Param,
}

impl AuthorizationResponse {
    fn empty(source: ResponseSource) -> AuthorizationResponse {
        AuthorizationResponse {
            source,
            code: Param::Absent,
            connect_code: Param::Absent,
            state: Param::Absent,
            error: Param::Absent,
            error_description: None,
            iss: Param::Absent,
        }
    }

    /// Reads the response from the callback URL (`handleRedirectCallback(url)`): only the query
    /// component counts; anything from the first `#` on is dropped first, so a code in the
    /// fragment (hash routing) is never picked up (A9).
    ///
    /// # Errors
    /// A plain `Error('There are no query params available for parsing.')` (auth0-spa-js's
    /// message, code `no_query_params`) when the URL has no `?` before its fragment.
    pub(crate) fn from_redirect_url(url: &str) -> Result<AuthorizationResponse> {
        let without_fragment = url.split_once('#').map_or(url, |(before, _)| before);
        match without_fragment.split_once('?') {
            Some((_, query)) => Ok(AuthorizationResponse::from_query(query)),
            None => Err(Error::plain("no_query_params", "There are no query params available for parsing.")),
        }
    }

    /// Reads the response from a query string (without the `?`), decoded like `URLSearchParams`.
    pub(crate) fn from_query(query: &str) -> AuthorizationResponse {
        let mut r = AuthorizationResponse::empty(ResponseSource::Redirect);
        let mut counted: Vec<String> = Vec::new();
        for (name, value) in form_parse(query) {
            let slot = match name.as_str() {
                "code" => &mut r.code,
                "connect_code" => &mut r.connect_code,
                "state" => &mut r.state,
                "error" => &mut r.error,
                "iss" => &mut r.iss,
                "error_description" => {
                    if r.error_description.is_none() {
                        r.error_description = Some(value);
                    }
                    continue;
                }
                _ => continue,
            };
            // A repeated name is never trusted, even when its first value was empty.
            if counted.contains(&name) {
                *slot = Param::Invalid;
            } else {
                *slot = Param::first(&value);
                counted.push(name);
            }
        }
        r
    }

    /// Reads the `response` object of a `web_message` event
    /// (`{type: 'authorization_response', response: {code | error, state, iss}}`).
    /// Non-string values are never trusted; a non-object gives an empty response (which then
    /// fails the `state` check).
    pub(crate) fn from_web_message(response: &Json) -> AuthorizationResponse {
        let mut r = AuthorizationResponse::empty(ResponseSource::WebMessage);
        let read = |key: &str| match response.get(key) {
            None | Some(Json::Null) => Param::Absent,
            Some(Json::String(s)) if s.is_empty() => Param::Absent,
            Some(Json::String(s)) => Param::Value(s.clone()),
            Some(_) => Param::Invalid,
        };
        r.code = read("code");
        r.state = read("state");
        r.error = read("error");
        r.iss = read("iss");
        r.error_description = response.str_field("error_description").map(str::to_owned);
        r
    }
}

/// A response that passed every check: its `code` may be exchanged (RFC 6749 §4.1.3).
/// Only [`validate`] / [`validate_redirect`] build one.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct ValidatedCallback {
    code: String,
}

impl ValidatedCallback {
    /// The authorization code to exchange. Secret and single-use.
    pub fn code(&self) -> &str {
        &self.code
    }
}

impl std::fmt::Debug for ValidatedCallback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ValidatedCallback").field("code", &"[redacted]").finish()
    }
}

fn invalid_response(description: &str) -> Error {
    Error::generic("invalid_response", description)
}

/// Validates a response against the `state` that was sent and the expected issuer (see the
/// module docs for the order of the checks and the errors).
///
/// # Errors
/// `state_mismatch`, `invalid_issuer`, `invalid_response`, or the server's `error` as an
/// `AuthenticationError` (redirect) / `GenericError` (web message).
pub(crate) fn validate(response: &AuthorizationResponse, expected_state: &str, expected_issuer: &str) -> Result<ValidatedCallback> {
    let state = attributable(response, expected_state, expected_issuer)?;
    let code = well_formed(response, &response.code, CODE_COMPLAINTS)?;
    // 4. The server's error, now attributable to our request.
    if let Some((error, description)) = server_error(response) {
        return Err(match response.source {
            ResponseSource::Redirect => Error::authentication(error, description, Some(state)),
            ResponseSource::WebMessage => Error::generic(error, description),
        });
    }
    // 5. RFC 6749 §4.1.2: a success response carries a code.
    match code {
        Some(code) => Ok(ValidatedCallback { code: code.to_owned() }),
        None => Err(invalid_response("The authorization response has no \"code\" parameter")),
    }
}

/// Steps 1–2 of the module docs, shared by the login and connect-account callbacks: the
/// response's `state` (returned) is ours and its `iss`, if any, is the expected issuer.
fn attributable<'r>(response: &'r AuthorizationResponse, expected_state: &str, expected_issuer: &str) -> Result<&'r str> {
    // 1. RFC 6749 §10.12 / §4.1.2.1: state must be ours before anything else is believed.
    let state = match response.state.value() {
        Some(s) if !expected_state.is_empty() && s == expected_state => s,
        _ => return Err(Error::state_mismatch()),
    };
    // 2. RFC 9207 §2.4: simple string comparison, no normalisation.
    match &response.iss {
        Param::Absent => {}
        Param::Value(iss) if iss == expected_issuer => {}
        Param::Value(_) => {
            let mut d = String::from("Issuer mismatch in the authorization response: expected \"");
            d.push_str(expected_issuer);
            d.push('"');
            return Err(Error::generic("invalid_issuer", &d));
        }
        Param::Invalid => return Err(invalid_response("The authorization response has an invalid \"iss\" parameter")),
    }
    Ok(state)
}

/// The `invalid_response` descriptions of step 3 for a code parameter: (duplicated, with an error).
type Complaints = (&'static str, &'static str);
const CODE_COMPLAINTS: Complaints =
    ("The authorization response has an invalid \"code\" parameter", "The authorization response has both \"code\" and \"error\"");
const CONNECT_CODE_COMPLAINTS: Complaints = (
    "The authorization response has an invalid \"connect_code\" parameter",
    "The authorization response has both \"connect_code\" and \"error\"",
);

/// Step 3: a duplicated `code` (`connect_code` for a connect callback) or `error`, or both a code
/// and an error (RFC 6749 §4.1.2 vs §4.1.2.1 are disjoint), is malformed. Yields the code, if any.
fn well_formed<'r>(response: &AuthorizationResponse, code: &'r Param, (duplicated, with_error): Complaints) -> Result<Option<&'r str>> {
    if *code == Param::Invalid {
        return Err(invalid_response(duplicated));
    }
    if response.error == Param::Invalid {
        return Err(invalid_response("The authorization response has an invalid \"error\" parameter"));
    }
    if response.error.value().is_some() && code.value().is_some() {
        return Err(invalid_response(with_error));
    }
    Ok(code.value())
}

/// The server's `error` and its description (`error_description || error`, as auth0-spa-js).
fn server_error(response: &AuthorizationResponse) -> Option<(&str, &str)> {
    let error = response.error.value()?;
    Some((error, response.error_description.as_deref().filter(|d| !d.is_empty()).unwrap_or(error)))
}

/// What the connect-account callback hands to the My Account API's `complete` endpoint
/// (`POST /me/v1/connected-accounts/complete`, docs/behaviour.md §2.12). Only
/// [`validate_connect`] builds one. Every member but `redirect_uri` is secret: `Debug` shows none.
#[derive(Clone, PartialEq)]
pub struct ConnectCompletion {
    /// The `auth_session` the `connect` endpoint returned.
    pub auth_session: String,
    /// The single-use `connect_code` of the callback.
    pub connect_code: String,
    /// The `redirect_uri` sent to `connect`, repeated verbatim.
    pub redirect_uri: String,
    /// The PKCE verifier whose challenge was sent to `connect` (RFC 7636 §4.5).
    pub code_verifier: String,
    /// The application's `appState`.
    pub app_state: Option<Json>,
}

impl std::fmt::Debug for ConnectCompletion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectCompletion").field("redirect_uri", &self.redirect_uri).finish_non_exhaustive()
    }
}

/// Validates a connect-account callback against its transaction (already removed from storage).
/// auth0-spa-js's checks (§2.12) in this module's order, `state` first: an `error` →
/// `ConnectError(error, error_description || error, connection, state, appState)`; no
/// `connect_code` → `missing_connect_code`; a transaction without its verifier, `auth_session` or
/// `redirect_uri` → `state_mismatch`.
///
/// # Errors
/// `state_mismatch`, `invalid_issuer`, `invalid_response`, `ConnectError`, `missing_connect_code`.
pub(crate) fn validate_connect(response: &AuthorizationResponse, tx: &ConnectTransaction, expected_issuer: &str) -> Result<ConnectCompletion> {
    let state = attributable(response, tx.state.as_deref().unwrap_or_default(), expected_issuer)?;
    let code = well_formed(response, &response.connect_code, CONNECT_CODE_COMPLAINTS)?;
    if let Some((error, description)) = server_error(response) {
        let mut e = Error::new(ErrorClass::Connect, error, description);
        e.state = Some(state.to_owned());
        e.connection = tx.connection.clone();
        e.app_state = tx.app_state.clone();
        return Err(e);
    }
    let Some(connect_code) = code else {
        return Err(Error::generic("missing_connect_code", "Missing connect code"));
    };
    match (&tx.code_verifier, &tx.auth_session, &tx.redirect_uri) {
        (Some(code_verifier), Some(auth_session), Some(redirect_uri)) => Ok(ConnectCompletion {
            auth_session: auth_session.clone(),
            connect_code: connect_code.to_owned(),
            redirect_uri: redirect_uri.clone(),
            code_verifier: code_verifier.clone(),
            app_state: tx.app_state.clone(),
        }),
        _ => Err(Error::state_mismatch()),
    }
}

/// Validates a redirect callback against the stored transaction, which the caller has already
/// removed from storage (single use). `None` (no transaction, or one that did not parse) →
/// `missing_transaction` (A1, I2).
///
/// # Errors
/// `missing_transaction`, or any error of [`validate`].
pub(crate) fn validate_redirect(
    response: &AuthorizationResponse,
    transaction: Option<&LoginTransaction>,
    expected_issuer: &str,
) -> Result<ValidatedCallback> {
    match transaction {
        None => Err(Error::missing_transaction()),
        Some(tx) => validate(response, &tx.state, expected_issuer),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ErrorClass;

    const STATE: &str = "c3RhdGU+Lz0=";
    const ISS: &str = "https://tenant.auth0.com/";

    fn tx() -> LoginTransaction {
        LoginTransaction {
            nonce: "n".into(),
            code_verifier: "v".into(),
            scope: "openid".into(),
            audience: "default".into(),
            redirect_uri: None,
            state: STATE.into(),
            app_state: None,
            response_type: "code".into(),
            organization: None,
        }
    }

    fn redirect(query: &str) -> Result<ValidatedCallback> {
        let url = ["https://app.example.com/cb?", query].concat();
        let r = AuthorizationResponse::from_redirect_url(&url).unwrap();
        validate_redirect(&r, Some(&tx()), ISS)
    }

    const S: &str = "state=c3RhdGU%2BLz0%3D";

    #[test]
    fn a_valid_code_and_state_yield_a_validated_callback() {
        let v = redirect(&["code=abc&", S].concat()).unwrap();
        assert_eq!(v.code(), "abc");
        assert!(!format!("{v:?}").contains("abc"), "code is redacted in Debug");
    }

    #[test]
    fn no_query_is_the_auth0_plain_error() {
        let e = AuthorizationResponse::from_redirect_url("https://app.example.com/cb").unwrap_err();
        assert_eq!(e.class, ErrorClass::Plain);
        assert_eq!(e.description, "There are no query params available for parsing.");
        // A `?` inside the fragment does not count (A9).
        assert!(AuthorizationResponse::from_redirect_url("https://app/#/cb?code=x&state=y").is_err());
    }

    #[test]
    fn the_fragment_is_dropped_before_parsing() {
        let r = AuthorizationResponse::from_redirect_url(&["https://app/cb?", S, "#code=frag"].concat()).unwrap();
        let e = validate(&r, STATE, ISS).unwrap_err();
        assert_eq!(e.error, "invalid_response", "the code in the fragment must not be used");
        let r = AuthorizationResponse::from_redirect_url(&["https://app/cb?code=q&", S, "#/route?code=frag"].concat()).unwrap();
        assert_eq!(validate(&r, STATE, ISS).unwrap().code(), "q");
    }

    #[test]
    fn missing_transaction_is_reported_before_anything_else() {
        let r = AuthorizationResponse::from_query(&["code=abc&", S].concat());
        assert_eq!(validate_redirect(&r, None, ISS).unwrap_err().error, "missing_transaction");
        let r = AuthorizationResponse::from_query("error=access_denied&error_description=evil");
        assert_eq!(validate_redirect(&r, None, ISS).unwrap_err().error, "missing_transaction");
    }

    #[test]
    fn a_second_validation_after_the_transaction_was_consumed_is_missing_transaction() {
        // The caller deletes the stored transaction before validating (single use).
        let mut storage: Option<LoginTransaction> = Some(tx());
        let r = AuthorizationResponse::from_query(&["code=abc&", S].concat());
        let first = storage.take();
        assert!(validate_redirect(&r, first.as_ref(), ISS).is_ok());
        let second = storage.take();
        let e = validate_redirect(&r, second.as_ref(), ISS).unwrap_err();
        assert_eq!((e.error.as_str(), e.description.as_str()), ("missing_transaction", "Invalid state"));
    }

    #[test]
    fn missing_or_foreign_state_is_state_mismatch() {
        for q in ["code=abc", "code=abc&state=other", "code=abc&state=", "code=abc&State=c3RhdGU%2BLz0%3D"] {
            let e = redirect(q).unwrap_err();
            assert_eq!(e.error, "state_mismatch", "{q}");
            assert_eq!(e.description, "Invalid state");
        }
    }

    #[test]
    fn state_is_compared_exactly_after_url_decoding() {
        // '+' in a query means space: an unencoded '+' is a different state.
        assert_eq!(redirect("code=a&state=c3RhdGU+Lz0=").unwrap_err().error, "state_mismatch");
        assert!(redirect("code=a&state=c3RhdGU%2bLz0%3d").is_ok(), "hex case does not matter");
    }

    #[test]
    fn an_error_with_a_missing_or_foreign_state_reports_state_mismatch_not_the_error_text() {
        for q in ["error=access_denied&error_description=Call+attacker", "error=access_denied&error_description=Call+attacker&state=forged"] {
            let e = redirect(q).unwrap_err();
            assert_eq!(e.error, "state_mismatch", "{q}");
            assert!(!e.description.contains("attacker"));
        }
    }

    #[test]
    fn an_error_with_our_state_is_an_authentication_error() {
        let e = redirect(&["error=access_denied&error_description=User+said+no&", S].concat()).unwrap_err();
        assert_eq!(e.class, ErrorClass::Authentication);
        assert_eq!((e.error.as_str(), e.description.as_str()), ("access_denied", "User said no"));
        assert_eq!(e.state.as_deref(), Some(STATE));
    }

    #[test]
    fn an_error_without_description_uses_the_error_code_as_message() {
        let e = redirect(&["error=login_required&", S].concat()).unwrap_err();
        assert_eq!(e.description, "login_required");
        let e = redirect(&["error=login_required&error_description=&", S].concat()).unwrap_err();
        assert_eq!(e.description, "login_required");
    }

    #[test]
    fn both_code_and_error_is_never_exchanged() {
        let e = redirect(&["code=abc&error=access_denied&", S].concat()).unwrap_err();
        assert_eq!(e.error, "invalid_response");
    }

    #[test]
    fn duplicated_parameters_are_rejected() {
        assert_eq!(redirect(&["code=a&code=b&", S].concat()).unwrap_err().error, "invalid_response");
        assert_eq!(redirect(&["code=a&", S, "&", S].concat()).unwrap_err().error, "state_mismatch");
        assert_eq!(redirect(&["code=a&error=x&error=y&", S].concat()).unwrap_err().error, "invalid_response");
        assert_eq!(redirect(&["code=a&iss=x&iss=y&", S].concat()).unwrap_err().error, "invalid_response");
        // An empty first occurrence still makes the second one a duplicate.
        assert_eq!(redirect(&["code=&code=b&", S].concat()).unwrap_err().error, "invalid_response");
    }

    #[test]
    fn empty_code_is_treated_as_absent() {
        let e = redirect(&["code=&", S].concat()).unwrap_err();
        assert_eq!(e.error, "invalid_response");
        assert!(redirect("code=&state=").is_err());
    }

    #[test]
    fn unknown_parameters_are_ignored() {
        let v = redirect(&["session_state=xyz&foo=bar&code=abc&", S, "&error_uri=x"].concat()).unwrap();
        assert_eq!(v.code(), "abc");
    }

    #[test]
    fn matching_iss_is_accepted_and_absent_iss_is_tolerated() {
        let iss = "iss=https%3A%2F%2Ftenant.auth0.com%2F";
        assert!(redirect(&["code=abc&", S, "&", iss].concat()).is_ok());
        assert!(redirect(&["code=abc&", S].concat()).is_ok());
    }

    #[test]
    fn foreign_iss_is_rejected_with_simple_string_comparison() {
        for iss in ["https%3A%2F%2Fevil.example%2F", "https%3A%2F%2Ftenant.auth0.com", "https%3A%2F%2FTENANT.auth0.com%2F"] {
            let e = redirect(&["code=abc&", S, "&iss=", iss].concat()).unwrap_err();
            assert_eq!(e.error, "invalid_issuer", "{iss}");
            assert_eq!(e.class, ErrorClass::Generic);
        }
    }

    #[test]
    fn an_error_from_another_issuer_is_not_attributed_to_ours() {
        let e = redirect(&["error=access_denied&error_description=evil&iss=https%3A%2F%2Fevil%2F&", S].concat()).unwrap_err();
        assert_eq!(e.error, "invalid_issuer");
        assert!(!e.description.contains("evil"));
    }

    #[test]
    fn web_message_success_and_error_payloads() {
        let ok = Json::parse(r#"{"type":"authorization_response","response":{"code":"abc","state":"c3RhdGU+Lz0=","iss":"https://tenant.auth0.com/"}}"#).unwrap();
        let r = AuthorizationResponse::from_web_message(ok.get("response").unwrap());
        assert_eq!(validate(&r, STATE, ISS).unwrap().code(), "abc");

        let err = Json::parse(r#"{"error":"login_required","error_description":"Login required","state":"c3RhdGU+Lz0="}"#).unwrap();
        let e = validate(&AuthorizationResponse::from_web_message(&err), STATE, ISS).unwrap_err();
        assert_eq!(e.class, ErrorClass::Generic, "web_message errors are GenericError.fromPayload");
        assert_eq!((e.error.as_str(), e.description.as_str()), ("login_required", "Login required"));
    }

    #[test]
    fn web_message_with_foreign_state_or_wrong_types_is_rejected() {
        let forged = Json::parse(r#"{"error":"login_required","error_description":"x","state":"forged"}"#).unwrap();
        assert_eq!(validate(&AuthorizationResponse::from_web_message(&forged), STATE, ISS).unwrap_err().error, "state_mismatch");
        let typed = Json::parse(r#"{"code":123,"state":"c3RhdGU+Lz0="}"#).unwrap();
        assert_eq!(validate(&AuthorizationResponse::from_web_message(&typed), STATE, ISS).unwrap_err().error, "invalid_response");
        let typed_state = Json::parse(r#"{"code":"a","state":["c3RhdGU+Lz0="]}"#).unwrap();
        assert_eq!(validate(&AuthorizationResponse::from_web_message(&typed_state), STATE, ISS).unwrap_err().error, "state_mismatch");
        let wrong_iss = Json::parse(r#"{"code":"a","state":"c3RhdGU+Lz0=","iss":"https://evil/"}"#).unwrap();
        assert_eq!(validate(&AuthorizationResponse::from_web_message(&wrong_iss), STATE, ISS).unwrap_err().error, "invalid_issuer");
        assert_eq!(validate(&AuthorizationResponse::from_web_message(&Json::Null), STATE, ISS).unwrap_err().error, "state_mismatch");
    }

    #[test]
    fn an_empty_expected_state_never_validates() {
        let r = AuthorizationResponse::from_query("code=a&state=");
        assert_eq!(validate(&r, "", ISS).unwrap_err().error, "state_mismatch");
    }
}
