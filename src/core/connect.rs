//! Connected accounts (auth0-spa-js 2.6+ `connectAccountWithRedirect`, docs/behaviour.md §2.12):
//! the transaction kept between the redirect and its callback, the body of the My Account API's
//! `connect` request, and reading its answer into the transaction (the caller then opens
//! `connect_uri` with the `ticket` set, as auth0-spa-js does with `URL.searchParams.set`).
//!
//! The transaction shares the login transaction's storage key ([`transaction_key`]): one redirect
//! at a time per client, and `handleRedirectCallback` tells the two apart by `response_type`
//! (`connect_code`). The callback's checks are `callback::validate_connect`.
//!
//! [`transaction_key`]: super::transaction::transaction_key

use super::json::Json;
use super::pkce::{PkcePair, CODE_CHALLENGE_METHOD};
use super::rng::{new_state, Rng};
use super::transaction::{non_empty, optional_string};
use super::{Error, Result};

/// `response_type` of a connect-account transaction (auth0-spa-js `ResponseType.ConnectCode`).
pub(crate) const CONNECT_RESPONSE_TYPE: &str = "connect_code";

/// A pending account connection, as auth0-spa-js stores it. Read leniently: the callback, not
/// the reader, reports a missing `state`, verifier, `auth_session` or `redirect_uri`
/// (`state_mismatch`, as auth0-spa-js).
#[derive(Clone, PartialEq)]
pub struct ConnectTransaction {
    /// The `state` sent to `connect`; the callback's `state` must equal it.
    pub state: Option<String>,
    /// The PKCE verifier (RFC 7636 §4.5). Secret; `Debug` redacts it.
    pub code_verifier: Option<String>,
    /// The `auth_session` the `connect` endpoint returned. Secret.
    pub auth_session: Option<String>,
    /// The `redirect_uri` sent to `connect`.
    pub redirect_uri: Option<String>,
    /// The application's `appState` (any JSON).
    pub app_state: Option<Json>,
    /// The connection being connected (reported by `ConnectError`).
    pub connection: Option<String>,
}

impl ConnectTransaction {
    /// The stored text, members in auth0-spa-js order: `state, code_verifier, auth_session,
    /// redirect_uri, appState, connection, response_type` (absent ones omitted, as
    /// `JSON.stringify` omits `undefined`).
    pub fn to_json_string(&self) -> String {
        let mut m: Vec<(String, Json)> = Vec::with_capacity(7);
        let texts = [("state", &self.state), ("code_verifier", &self.code_verifier), ("auth_session", &self.auth_session), ("redirect_uri", &self.redirect_uri)];
        for (name, value) in texts {
            if let Some(v) = value {
                m.push((name.to_owned(), Json::str(v)));
            }
        }
        if let Some(app_state) = &self.app_state {
            m.push(("appState".to_owned(), app_state.clone()));
        }
        if let Some(connection) = &self.connection {
            m.push(("connection".to_owned(), Json::str(connection)));
        }
        m.push(("response_type".to_owned(), Json::str(CONNECT_RESPONSE_TYPE)));
        Json::Object(m).to_json_string()
    }

    /// Reads a stored transaction; `None` unless it is a JSON object with `response_type`
    /// `connect_code` whose members have their types (an empty text counts as absent).
    pub fn parse(text: &str) -> Option<ConnectTransaction> {
        let value = Json::parse(text).ok()?;
        if value.str_field("response_type")? != CONNECT_RESPONSE_TYPE {
            return None;
        }
        let text = |key: &str| optional_string(&value, key).map(|v| v.filter(|s| !s.is_empty()));
        Some(ConnectTransaction {
            state: text("state")?,
            code_verifier: text("code_verifier")?,
            auth_session: text("auth_session")?,
            redirect_uri: text("redirect_uri")?,
            app_state: value.get("appState").cloned(),
            connection: optional_string(&value, "connection")?,
        })
    }
}

impl std::fmt::Debug for ConnectTransaction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectTransaction")
            .field("state", &self.state)
            .field("redirect_uri", &self.redirect_uri)
            .field("connection", &self.connection)
            .finish_non_exhaustive()
    }
}

/// The secrets of one `connectAccountWithRedirect`: `state` and the PKCE pair, drawn as
/// auth0-spa-js draws them (`state` first, then the verifier; §2.1).
#[derive(Clone, PartialEq)]
pub(crate) struct ConnectSecrets {
    /// `state` (RFC 6749 §10.12), standard base64 as auth0-spa-js.
    pub state: String,
    /// The PKCE pair; only the challenge goes to the server now.
    pub pkce: PkcePair,
}

impl ConnectSecrets {
    /// Fresh secrets.
    ///
    /// # Errors
    /// When the random source fails.
    pub fn generate(rng: &mut dyn Rng) -> Result<ConnectSecrets> {
        Ok(ConnectSecrets { state: new_state(rng)?, pkce: PkcePair::generate(rng)? })
    }

    /// What the caller sends to `POST {domain}/me/v1/connected-accounts/connect` besides
    /// `connection`, `scopes` and `authorization_params`, and keeps for [`connected`]:
    /// `{state, code_verifier, code_challenge, code_challenge_method, redirect_uri}`.
    pub fn to_json(&self, redirect_uri: &str) -> Json {
        Json::Object(vec![
            ("state".to_owned(), Json::str(&self.state)),
            ("code_verifier".to_owned(), Json::str(&self.pkce.code_verifier)),
            ("code_challenge".to_owned(), Json::str(&self.pkce.code_challenge)),
            ("code_challenge_method".to_owned(), Json::str(CODE_CHALLENGE_METHOD)),
            ("redirect_uri".to_owned(), Json::str(redirect_uri)),
        ])
    }
}

impl std::fmt::Debug for ConnectSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectSecrets").field("state", &self.state).field("pkce", &self.pkce).finish()
    }
}

/// The error for a `connect` answer that cannot be followed. auth0-spa-js fails later or not at
/// all there (`new URL(undefined)`, `?ticket=undefined`, a transaction without `auth_session`);
/// here nothing is stored and nothing opened.
fn unusable(what: &str) -> Error {
    Error::generic("invalid_response", &["The My Account API's connect response has no usable \"", what, "\""].concat())
}

/// Reads the `connect` answer `{connect_uri, connect_params: {ticket}, auth_session}` against
/// the `started` request ([`ConnectSecrets::to_json`]) into the transaction to store, once the
/// answer can be followed.
///
/// # Errors
/// `invalid_response` when `connect_uri` is not an absolute `http(s)` URL, or `ticket` or
/// `auth_session` is not a non-empty text.
pub(crate) fn connected(started: &Json, answer: &Json, app_state: Option<Json>, connection: Option<String>) -> Result<ConnectTransaction> {
    answer.str_field("connect_uri").filter(|u| u.starts_with("https://") || u.starts_with("http://")).ok_or_else(|| unusable("connect_uri"))?;
    answer.get("connect_params").and_then(|p| p.str_field("ticket")).filter(|t| !t.is_empty()).ok_or_else(|| unusable("connect_params.ticket"))?;
    let auth_session = non_empty(answer, "auth_session").ok_or_else(|| unusable("auth_session"))?;
    let field = |key: &str| started.str_field(key).map(str::to_owned);
    Ok(ConnectTransaction {
        state: field("state"),
        code_verifier: field("code_verifier"),
        auth_session: Some(auth_session),
        redirect_uri: field("redirect_uri"),
        app_state,
        connection,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::pkce::code_challenge_s256;
    use crate::core::rng::SeqRng;

    // What auth0-spa-js 2.28.3 writes: `{state, code_verifier, auth_session, redirect_uri,
    // appState, connection, response_type}`.
    const AUTH0_JSON: &str = r#"{"state":"c3RhdGU=","code_verifier":"verifier-1","auth_session":"sess-1","redirect_uri":"https://app/cb","appState":{"to":"/x"},"connection":"google-oauth2","response_type":"connect_code"}"#;

    fn sample() -> ConnectTransaction {
        ConnectTransaction {
            state: Some("c3RhdGU=".into()),
            code_verifier: Some("verifier-1".into()),
            auth_session: Some("sess-1".into()),
            redirect_uri: Some("https://app/cb".into()),
            app_state: Some(Json::parse(r#"{"to":"/x"}"#).unwrap()),
            connection: Some("google-oauth2".into()),
        }
    }

    #[test]
    fn transaction_is_byte_compatible_with_auth0_spa_js_and_round_trips() {
        assert_eq!(sample().to_json_string(), AUTH0_JSON);
        assert_eq!(ConnectTransaction::parse(AUTH0_JSON).unwrap(), sample());
    }

    #[test]
    fn only_connect_transactions_are_read_and_missing_members_are_left_to_the_callback() {
        let login = r#"{"nonce":"n","code_verifier":"v","scope":"openid","audience":"default","state":"s","response_type":"code"}"#;
        for bad in ["", "[]", "{}", login, r#"{"response_type":"connect_code","state":1}"#, r#"{"response_type":"connect_code","connection":null}"#] {
            assert!(ConnectTransaction::parse(bad).is_none(), "{bad}");
        }
        let bare = ConnectTransaction::parse(r#"{"response_type":"connect_code","state":""}"#).unwrap();
        assert_eq!((bare.state, bare.code_verifier, bare.app_state), (None, None, None));
    }

    #[test]
    fn debug_never_shows_the_secrets() {
        let shown = format!("{:?}", sample());
        assert!(!shown.contains("verifier-1") && !shown.contains("sess-1"), "{shown}");
        let secrets = ConnectSecrets::generate(&mut SeqRng::new(5)).unwrap();
        assert!(!format!("{secrets:?}").contains(&secrets.pkce.code_verifier));
    }

    #[test]
    fn secrets_are_a_base64_state_and_an_s256_pair() {
        let s = ConnectSecrets::generate(&mut SeqRng::new(7)).unwrap();
        assert_eq!(s.state.len(), 60);
        let body = s.to_json("https://app/cb");
        assert_eq!(body.str_field("code_challenge"), Some(code_challenge_s256(&s.pkce.code_verifier).as_str()));
        assert_eq!(body.str_field("code_challenge_method"), Some("S256"));
        assert_eq!(body.str_field("redirect_uri"), Some("https://app/cb"));
        assert_ne!(ConnectSecrets::generate(&mut SeqRng::new(8)).unwrap().state, s.state);
    }

    #[test]
    fn the_answer_becomes_the_transaction() {
        let started = ConnectSecrets::generate(&mut SeqRng::new(1)).unwrap().to_json("https://app/cb");
        let answer = Json::parse(r#"{"connect_uri":"https://t.example/connect","connect_params":{"ticket":"t k/1"},"auth_session":"sess"}"#).unwrap();
        let tx = connected(&started, &answer, Some(Json::Number(1.0)), Some("c".into())).unwrap();
        assert_eq!(tx.auth_session.as_deref(), Some("sess"));
        assert_eq!(tx.state.as_deref(), started.str_field("state"));
        assert_eq!(tx.code_verifier.as_deref(), started.str_field("code_verifier"));
        assert_eq!(tx.redirect_uri.as_deref(), Some("https://app/cb"));
        assert_eq!((tx.app_state, tx.connection.as_deref()), (Some(Json::Number(1.0)), Some("c")));
    }

    #[test]
    fn an_unusable_answer_is_invalid_response_naming_the_member() {
        let started = Json::Object(Vec::new());
        let cases = [
            (r#"{}"#, "connect_uri"),
            (r#"{"connect_uri":"/relative","connect_params":{"ticket":"t"},"auth_session":"s"}"#, "connect_uri"),
            (r#"{"connect_uri":"javascript:alert(1)","connect_params":{"ticket":"t"},"auth_session":"s"}"#, "connect_uri"),
            (r#"{"connect_uri":"https://t/c","auth_session":"s"}"#, "connect_params.ticket"),
            (r#"{"connect_uri":"https://t/c","connect_params":{"ticket":""},"auth_session":"s"}"#, "connect_params.ticket"),
            (r#"{"connect_uri":"https://t/c","connect_params":{"ticket":"t"}}"#, "auth_session"),
            (r#"{"connect_uri":"https://t/c","connect_params":{"ticket":"t"},"auth_session":5}"#, "auth_session"),
        ];
        for (answer, member) in cases {
            let e = connected(&started, &Json::parse(answer).unwrap(), None, None).unwrap_err();
            assert_eq!(e.error, "invalid_response", "{answer}");
            assert!(e.description.contains(member), "{answer}: {}", e.description);
        }
    }
}
