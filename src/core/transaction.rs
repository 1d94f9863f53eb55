//! The login transaction kept between `loginWithRedirect` and `handleRedirectCallback`
//! (docs/behaviour.md §3.8), byte-compatible with auth0-spa-js so that a login started
//! by one SDK can be completed by the other.
//!
//! Stored as JSON under [`transaction_key`] in `sessionStorage` (or a cookie). Reading is strict:
//! anything malformed — bad JSON, wrong types, no `code_verifier` / `state` / `nonce` — is
//! `None`, and the caller must treat it as "no transaction" (`missing_transaction`) and delete
//! the entry (security case I2; auth0-spa-js lets the `SyntaxError` escape and keeps the entry).
//! A transaction is single-use: the caller deletes it **before** validating the callback
//! (RFC 9700 §4.2.4, security cases A2/B5; see `callback.rs`).

use super::json::Json;

/// Prefix of the storage key (`TRANSACTION_STORAGE_KEY_PREFIX` in auth0-spa-js).
pub(crate) const TRANSACTION_KEY_PREFIX: &str = "a0.spajs.txs";

/// `a0.spajs.txs.{clientId}`: one transaction per client, so two SDK instances with different
/// client ids never consume each other's transaction (security case B6).
pub(crate) fn transaction_key(client_id: &str) -> String {
    let mut key = String::with_capacity(TRANSACTION_KEY_PREFIX.len() + 1 + client_id.len());
    key.push_str(TRANSACTION_KEY_PREFIX);
    key.push('.');
    key.push_str(client_id);
    key
}

/// A pending redirect login.
#[derive(Clone, PartialEq)]
pub struct LoginTransaction {
    /// The `nonce` sent; the ID token must carry it (OIDC Core 3.1.3.7 step 11).
    pub nonce: String,
    /// The PKCE verifier for the code exchange (RFC 7636 §4.5). Secret; `Debug` redacts it.
    pub code_verifier: String,
    /// The computed scope that was requested (cache key scope).
    pub scope: String,
    /// The audience requested, `default` when none.
    pub audience: String,
    /// The `redirect_uri` sent, repeated verbatim in the token request (RFC 6749 §4.1.3).
    pub redirect_uri: Option<String>,
    /// The `state` sent; the callback's `state` must equal it (RFC 6749 §10.12).
    pub state: String,
    /// The application's `appState`, returned from `handleRedirectCallback` (any JSON).
    pub app_state: Option<Json>,
    /// `code` for logins (a `connect_code` transaction is a `core::connect::ConnectTransaction`).
    pub response_type: String,
    /// The organization requested, checked against the ID token's `org_id` / `org_name`.
    pub organization: Option<String>,
}

impl LoginTransaction {
    /// The stored JSON object, members in auth0-spa-js order: `nonce, code_verifier, scope,
    /// audience, redirect_uri, state, appState, response_type, organization` (absent optional
    /// members are omitted, as `JSON.stringify` omits `undefined`).
    pub fn to_json(&self) -> Json {
        let mut m: Vec<(String, Json)> = Vec::with_capacity(9);
        m.push(("nonce".to_owned(), Json::str(&self.nonce)));
        m.push(("code_verifier".to_owned(), Json::str(&self.code_verifier)));
        m.push(("scope".to_owned(), Json::str(&self.scope)));
        m.push(("audience".to_owned(), Json::str(&self.audience)));
        if let Some(uri) = &self.redirect_uri {
            m.push(("redirect_uri".to_owned(), Json::str(uri)));
        }
        m.push(("state".to_owned(), Json::str(&self.state)));
        if let Some(app_state) = &self.app_state {
            m.push(("appState".to_owned(), app_state.clone()));
        }
        m.push(("response_type".to_owned(), Json::str(&self.response_type)));
        if let Some(org) = self.organization.as_deref().filter(|o| !o.is_empty()) {
            m.push(("organization".to_owned(), Json::str(org)));
        }
        Json::Object(m)
    }

    /// The text stored in `sessionStorage` / the cookie.
    pub fn to_json_string(&self) -> String {
        self.to_json().to_json_string()
    }

    /// Reads a stored transaction; `None` for anything that is not a complete, well-typed login
    /// transaction (see the module docs). A missing `response_type` (transactions written
    /// before auth0-spa-js 2.6) means `code`; a missing `audience` means `default`.
    pub fn from_json(value: &Json) -> Option<LoginTransaction> {
        value.as_object()?;
        let nonce = non_empty(value, "nonce")?;
        let code_verifier = non_empty(value, "code_verifier")?;
        let state = non_empty(value, "state")?;
        let scope = value.str_field("scope")?.to_owned();
        let audience = match value.get("audience") {
            None => super::scope::DEFAULT_AUDIENCE.to_owned(),
            Some(a) => a.as_str()?.to_owned(),
        };
        let redirect_uri = optional_string(value, "redirect_uri")?;
        let organization = optional_string(value, "organization")?;
        let response_type = match value.get("response_type") {
            None => "code".to_owned(),
            Some(Json::String(t)) if t == "code" => t.clone(),
            Some(_) => return None,
        };
        let app_state = value.get("appState").cloned();
        Some(LoginTransaction { nonce, code_verifier, scope, audience, redirect_uri, state, app_state, response_type, organization })
    }

    /// Parses the stored text; `None` when it is not JSON or not a login transaction.
    pub fn parse(text: &str) -> Option<LoginTransaction> {
        LoginTransaction::from_json(&Json::parse(text).ok()?)
    }
}

impl std::fmt::Debug for LoginTransaction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginTransaction")
            .field("code_verifier", &"[redacted]")
            .field("scope", &self.scope)
            .field("audience", &self.audience)
            .field("redirect_uri", &self.redirect_uri)
            .field("state", &self.state)
            .field("response_type", &self.response_type)
            .field("organization", &self.organization)
            .finish()
    }
}

pub(crate) fn non_empty(value: &Json, key: &str) -> Option<String> {
    value.str_field(key).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// `Some(None)` when absent, `Some(Some(s))` for a string, `None` (reject) for another type.
pub(crate) fn optional_string(value: &Json, key: &str) -> Option<Option<String>> {
    match value.get(key) {
        None => Some(None),
        Some(Json::String(s)) => Some(Some(s.clone())),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> LoginTransaction {
        LoginTransaction {
            nonce: "bm9uY2U=".into(),
            code_verifier: "verifier-123".into(),
            scope: "openid profile email".into(),
            audience: "default".into(),
            redirect_uri: Some("https://app.example.com/cb".into()),
            state: "c3RhdGU=".into(),
            app_state: Some(Json::parse(r#"{"returnTo":"/x"}"#).unwrap()),
            response_type: "code".into(),
            organization: Some("org_1".into()),
        }
    }

    // What auth0-spa-js writes (key order from `{...transaction, appState, response_type,
    // ...(organization && {organization})}`).
    const AUTH0_JSON: &str = r#"{"nonce":"bm9uY2U=","code_verifier":"verifier-123","scope":"openid profile email","audience":"default","redirect_uri":"https://app.example.com/cb","state":"c3RhdGU=","appState":{"returnTo":"/x"},"response_type":"code","organization":"org_1"}"#;

    #[test]
    fn key_is_prefixed_by_client_id() {
        assert_eq!(transaction_key("abc"), "a0.spajs.txs.abc");
        assert_ne!(transaction_key("a"), transaction_key("b"));
    }

    #[test]
    fn serializes_byte_compatible_with_auth0_spa_js() {
        assert_eq!(sample().to_json_string(), AUTH0_JSON);
    }

    #[test]
    fn reads_what_auth0_spa_js_writes_and_round_trips() {
        let tx = LoginTransaction::parse(AUTH0_JSON).unwrap();
        assert_eq!(tx, sample());
        assert_eq!(LoginTransaction::parse(&tx.to_json_string()).unwrap(), tx);
    }

    #[test]
    fn absent_optional_members_are_omitted() {
        let mut tx = sample();
        tx.redirect_uri = None;
        tx.app_state = None;
        tx.organization = None;
        assert_eq!(
            tx.to_json_string(),
            r#"{"nonce":"bm9uY2U=","code_verifier":"verifier-123","scope":"openid profile email","audience":"default","state":"c3RhdGU=","response_type":"code"}"#
        );
        assert_eq!(LoginTransaction::parse(&tx.to_json_string()).unwrap(), tx);
    }

    #[test]
    fn empty_organization_is_omitted_like_js_truthiness() {
        let mut tx = sample();
        tx.organization = Some(String::new());
        assert!(!tx.to_json_string().contains("organization"));
    }

    #[test]
    fn app_state_null_is_kept_distinct_from_absent() {
        let mut tx = sample();
        tx.app_state = Some(Json::Null);
        let text = tx.to_json_string();
        assert!(text.contains(r#""appState":null"#));
        assert_eq!(LoginTransaction::parse(&text).unwrap().app_state, Some(Json::Null));
    }

    #[test]
    fn garbage_is_not_a_transaction() {
        for bad in ["", "{", "null", "[]", "\"x\"", "42", "{}", r#"{"nonce":1}"#] {
            assert!(LoginTransaction::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn missing_or_empty_secrets_are_not_a_transaction() {
        for key in ["code_verifier", "state", "nonce", "scope"] {
            let mut v = Json::parse(AUTH0_JSON).unwrap();
            v.remove(key);
            assert!(LoginTransaction::from_json(&v).is_none(), "without {key}");
        }
        for key in ["code_verifier", "state", "nonce"] {
            let mut v = Json::parse(AUTH0_JSON).unwrap();
            v.set(key, Json::str(""));
            assert!(LoginTransaction::from_json(&v).is_none(), "empty {key}");
        }
    }

    #[test]
    fn wrong_member_types_are_not_a_transaction() {
        for (key, value) in [("code_verifier", Json::Number(1.0)), ("redirect_uri", Json::Bool(true)), ("organization", Json::Null), ("audience", Json::Null), ("state", Json::Array(vec![]))] {
            let mut v = Json::parse(AUTH0_JSON).unwrap();
            v.set(key, value);
            assert!(LoginTransaction::from_json(&v).is_none(), "{key}");
        }
    }

    #[test]
    fn connect_account_transactions_are_not_login_transactions() {
        let mut v = Json::parse(AUTH0_JSON).unwrap();
        v.set("response_type", Json::str("connect_code"));
        assert!(LoginTransaction::from_json(&v).is_none());
    }

    #[test]
    fn older_transactions_without_response_type_or_audience_are_read() {
        let mut v = Json::parse(AUTH0_JSON).unwrap();
        v.remove("response_type");
        v.remove("audience");
        let tx = LoginTransaction::from_json(&v).unwrap();
        assert_eq!(tx.response_type, "code");
        assert_eq!(tx.audience, "default");
    }

    #[test]
    fn debug_output_never_shows_the_verifier() {
        assert!(!format!("{:?}", sample()).contains("verifier-123"));
    }
}
