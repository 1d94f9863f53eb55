//! The one error type of the SDK, shaped after auth0-spa-js's error classes (`src/errors.ts`) so
//! the JS facade can turn every failure into an instance of the same class, with the same
//! `error` code and `error_description`, that auth0-spa-js would have thrown.

use super::json::Json;

/// Which auth0-spa-js class (exported from the package) a failure surfaces as in JavaScript.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorClass {
    /// A plain `Error` (ID-token claim failures, fetch timeouts: auth0-spa-js throws plain
    /// `Error`s there). It still carries a stable `error` code for programs.
    Plain,
    /// `GenericError { error, error_description }`: OAuth errors and SDK failures.
    Generic,
    /// `AuthenticationError`: an `error` returned to the redirect callback; has `state`, `appState`.
    Authentication,
    /// `ConnectError`: an `error` returned to the connect-account callback; has `connection`,
    /// `state`, `appState` (auth0-spa-js 2.6+, docs/behaviour.md §2.12).
    Connect,
    /// `TimeoutError` (`timeout` / `Timeout`): iframe or lock wait timed out.
    Timeout,
    /// `PopupTimeoutError` (a `TimeoutError`): the popup did not answer in time.
    PopupTimeout,
    /// `PopupCancelledError` (`cancelled` / `Popup closed`).
    PopupCancelled,
    /// `PopupOpenError` (`popup_open`): `window.open` returned `null`.
    PopupOpen,
    /// `MfaRequiredError`: the token endpoint answered `mfa_required`; has `mfa_token`.
    MfaRequired,
    /// `MissingRefreshTokenError` (`missing_refresh_token`): no refresh token for the key.
    MissingRefreshToken,
    /// `MissingScopesError` (`missing_scopes`): a Multi-Resource Refresh Token renewal granted
    /// fewer scopes than asked; has `audience`, `scope` (the missing ones, comma-separated).
    MissingScopes,
    /// `InvalidConfigurationError` (`invalid_configuration`): bad options at construction.
    InvalidConfiguration,
    /// `UseDpopNonceError` (`use_dpop_nonce`): the token endpoint still asked for a DPoP nonce
    /// after the one retry (RFC 9449 §8); has `newDpopNonce`.
    UseDpopNonce,
    /// `MfaVerifyError`: the server refused `mfa.verify()`'s MFA grant.
    MfaVerify,
}

/// A failure with everything the JS error object needs. Boxed: a `Result` then carries one
/// pointer instead of the fields, which keeps every `Result`-returning step small (measured:
/// less wasm, fewer bytes copied per call). The fields are reached through `Deref`.
#[derive(Clone, Debug, PartialEq)]
pub struct Error(Box<ErrorFields>);

/// The fields of an [`Error`]. Its `Debug` leaves out the `mfa_token` (a credential: with it the
/// second factor completes the login) and the `appState` (the app's own data).
#[derive(Clone, PartialEq)]
pub struct ErrorFields {
    /// The JS class it becomes.
    pub class: ErrorClass,
    /// The OAuth / auth0-spa-js `error` code, e.g. `login_required`. Programs branch on this,
    /// never on the description.
    pub error: String,
    /// Human-readable text: `error_description`, which is also the JS `message`.
    pub description: String,
    /// `state` of the failed authorization response (AuthenticationError).
    pub state: Option<String>,
    /// `mfa_token` (MfaRequiredError).
    pub mfa_token: Option<String>,
    /// `mfa_requirements` as sent by the server (MfaRequiredError).
    pub mfa_requirements: Option<Json>,
    /// Audience the failure concerns (MissingRefreshTokenError).
    pub audience: Option<String>,
    /// Scope the failure concerns (MissingRefreshTokenError).
    pub scope: Option<String>,
    /// The `appState` stored with the login transaction (AuthenticationError), so an app can
    /// recover where the user was even when the login failed.
    pub app_state: Option<Json>,
    /// The call may be completed in a login popup (`interactiveErrorHandler: 'popup'` and
    /// [`Error::asks_for_interaction`]); the package entry then opens it (`js/index.js`).
    pub interactive: bool,
    /// The server's latest `DPoP-Nonce` (UseDpopNonceError `newDpopNonce`).
    pub dpop_nonce: Option<String>,
    /// The connection of a failed account connection (ConnectError `connection`).
    pub connection: Option<String>,
}

impl std::fmt::Debug for ErrorFields {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Error")
            .field("class", &self.class)
            .field("error", &self.error)
            .field("description", &self.description)
            .field("mfa_token", &self.mfa_token.as_ref().map(|_| "<redacted>"))
            .field("audience", &self.audience)
            .field("scope", &self.scope)
            .field("connection", &self.connection)
            .finish_non_exhaustive()
    }
}

/// Auth0's `error_description` for a `prompt=none` login that needs MFA first.
pub(crate) const MFA_STEP_UP_DESCRIPTION: &str = "Multifactor authentication required";

impl Error {
    /// An error of `class` with a code and description and no extra fields.
    pub fn new(class: ErrorClass, error: &str, description: &str) -> Error {
        Error(Box::new(ErrorFields {
            class,
            error: error.to_owned(),
            description: description.to_owned(),
            state: None,
            mfa_token: None,
            mfa_requirements: None,
            audience: None,
            scope: None,
            app_state: None,
            interactive: false,
            dpop_nonce: None,
            connection: None,
        }))
    }

    /// `GenericError(error, description)`.
    pub(crate) fn generic(error: &str, description: &str) -> Error {
        Error::new(ErrorClass::Generic, error, description)
    }

    /// The lite build's refusal of `feature`, which only the full build carries (Cargo feature
    /// `parity`): the package entry answers `full_build_needed` by making the client on the full
    /// build, or moves it there before such a call, so an app never sees it (docs/module-split.md).
    pub(crate) fn full_build_needed(feature: &str) -> Error {
        let mut description = String::from("auth0-spa-wasm: the lite build does not carry ");
        description.push_str(feature);
        Error::generic("full_build_needed", &description)
    }

    /// A plain JS `Error(message)`, with a stable code for programs.
    pub fn plain(error: &str, message: &str) -> Error {
        Error::new(ErrorClass::Plain, error, message)
    }

    /// `InvalidConfigurationError` naming the offending option.
    pub(crate) fn invalid_options(message: &str) -> Error {
        Error::new(ErrorClass::InvalidConfiguration, "invalid_configuration", message)
    }

    /// `TimeoutError` as auth0-spa-js throws it.
    pub fn timeout() -> Error {
        Error::new(ErrorClass::Timeout, "timeout", "Timeout")
    }

    /// `PopupTimeoutError`.
    pub fn popup_timeout() -> Error {
        Error::new(ErrorClass::PopupTimeout, "timeout", "Timeout")
    }

    #[cfg(any(target_arch = "wasm32", test))]
    /// `PopupCancelledError`.
    pub(crate) fn popup_cancelled() -> Error {
        Error::new(ErrorClass::PopupCancelled, "cancelled", "Popup closed")
    }

    #[cfg(any(target_arch = "wasm32", test))]
    /// `PopupOpenError`.
    pub(crate) fn popup_open() -> Error {
        Error::new(
            ErrorClass::PopupOpen,
            "popup_open",
            "Unable to open a popup for loginWithPopup - window.open returned `null`",
        )
    }

    /// `UseDpopNonceError(newDpopNonce)` with auth0-spa-js's message (RFC 9449 §8).
    pub fn use_dpop_nonce(nonce: Option<String>) -> Error {
        let mut e = Error::new(ErrorClass::UseDpopNonce, "use_dpop_nonce", "Server rejected DPoP proof: wrong nonce");
        e.dpop_nonce = nonce;
        e
    }

    /// `MissingRefreshTokenError(audience, scope)` with auth0-spa-js's message
    /// (`audience` shown blank when it is `default`).
    pub fn missing_refresh_token(audience: &str, scope: &str) -> Error {
        let shown = if audience == "default" { "" } else { audience };
        let mut message = String::from("Missing Refresh Token (audience: '");
        message.push_str(shown);
        message.push_str("', scope: '");
        message.push_str(scope);
        message.push_str("')");
        let mut e = Error::new(ErrorClass::MissingRefreshToken, "missing_refresh_token", &message);
        e.audience = Some(audience.to_owned());
        e.scope = Some(scope.to_owned());
        e
    }

    /// `MissingScopesError(audience, scope)`: auth0-spa-js's message, `default` shown as empty,
    /// `scope` the missing scopes joined with `,` (§2.6 point 7).
    pub fn missing_scopes(audience: &str, missing: &[&str]) -> Error {
        let shown = if audience == "default" { "" } else { audience };
        let list = missing.join(",");
        let mut message = String::from("Missing requested scopes after refresh (audience: '");
        message.push_str(shown);
        message.push_str("', missing scope: '");
        message.push_str(&list);
        message.push_str("')");
        let mut e = Error::new(ErrorClass::MissingScopes, "missing_scopes", &message);
        e.audience = Some(audience.to_owned());
        e.scope = Some(list);
        e
    }

    /// `AuthenticationError(error, description, state)` for an error sent to the callback.
    pub fn authentication(error: &str, description: &str, state: Option<&str>) -> Error {
        let mut e = Error::new(ErrorClass::Authentication, error, description);
        e.state = state.map(str::to_owned);
        e
    }

    /// `MfaRequiredError` carrying the `mfa_token` and requirements.
    pub(crate) fn mfa_required(description: &str, mfa_token: &str, requirements: Option<Json>) -> Error {
        let mut e = Error::new(ErrorClass::MfaRequired, "mfa_required", description);
        e.mfa_token = Some(mfa_token.to_owned());
        e.mfa_requirements = requirements;
        e
    }

    /// An `mfa_required` answer names the scope and audience of the request it refused (in the
    /// `scope` and `audience` fields; `None`: the client's default audience), so that
    /// `client.mfa.verify()` can ask again for the same cache key: js/mfa.js keeps that context per
    /// `mfa_token`, as auth0-spa-js's `MfaContextManager` does for every grant but
    /// `authorization_code` (docs/behaviour.md §1.5). Other errors pass unchanged.
    pub(crate) fn for_request(mut self, scope: &str, audience: Option<&str>) -> Error {
        if self.class == ErrorClass::MfaRequired && self.mfa_token.is_some() {
            self.0.scope = Some(scope.to_owned());
            self.0.audience = audience.map(str::to_owned);
        }
        self
    }

    /// `GenericError('missing_transaction', 'Invalid state')`: no login in progress.
    pub fn missing_transaction() -> Error {
        Error::generic("missing_transaction", "Invalid state")
    }

    /// `GenericError('state_mismatch', 'Invalid state')`: the response's state is not ours.
    pub fn state_mismatch() -> Error {
        Error::generic("state_mismatch", "Invalid state")
    }

    /// `GenericError('login_required', …)`.
    pub fn login_required(description: &str) -> Error {
        Error::generic("login_required", description)
    }

    /// The `/authorize` answer to `prompt=none` when the session exists but needs a second factor
    /// first: `login_required` with this description (Auth0's wording, as auth0-spa-js matches it).
    pub(crate) fn is_mfa_step_up(&self) -> bool {
        self.error == "login_required" && self.description == MFA_STEP_UP_DESCRIPTION
    }

    /// Whether only the user can resolve this silent-renewal failure, in a login popup: the token
    /// endpoint's `mfa_required` (refresh path) or the iframe's MFA step-up (auth0-spa-js 2.28's
    /// `interactiveErrorHandler` rule).
    pub(crate) fn asks_for_interaction(&self) -> bool {
        self.class == ErrorClass::MfaRequired || self.is_mfa_step_up()
    }
}

impl std::ops::Deref for Error {
    type Target = ErrorFields;
    fn deref(&self) -> &ErrorFields {
        &self.0
    }
}

impl std::ops::DerefMut for Error {
    fn deref_mut(&mut self) -> &mut ErrorFields {
        &mut self.0
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.description)
    }
}

impl std::error::Error for Error {}

/// Shorthand for results in the SDK.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_mfa_token() {
        let e = Error::mfa_required("Multifactor authentication required", "secret-mfa-token", None);
        let shown = format!("{e:?}");
        assert!(!shown.contains("secret-mfa-token") && shown.contains("mfa_required"), "{shown}");
    }

    #[test]
    fn only_an_mfa_required_with_a_token_names_the_request() {
        let rows = [
            (Error::mfa_required("d", "mt", None), Some(("openid", Some("https://api/")))),
            (Error::generic("mfa_required", "no token, no class"), None),
            (Error::missing_refresh_token("https://x/", "s"), Some(("s", Some("https://x/")))),
            (Error::generic("invalid_grant", "d"), None),
        ];
        for (e, want) in rows {
            let keeps_its_own = e.class == ErrorClass::MissingRefreshToken;
            let named = e.for_request("openid", Some("https://api/"));
            let got = named.scope.as_deref().map(|s| (s, named.audience.as_deref()));
            assert_eq!(got, want, "{}", named.error);
            if keeps_its_own {
                assert_eq!(named.scope.as_deref(), Some("s"), "another class keeps its fields");
            }
        }
    }

    #[test]
    fn missing_refresh_token_message_matches_auth0_spa_js() {
        let e = Error::missing_refresh_token("default", "openid offline_access");
        assert_eq!(e.description, "Missing Refresh Token (audience: '', scope: 'openid offline_access')");
        assert_eq!(e.audience.as_deref(), Some("default"));
        let e = Error::missing_refresh_token("https://api", "openid");
        assert_eq!(e.description, "Missing Refresh Token (audience: 'https://api', scope: 'openid')");
        assert_eq!(e.class, ErrorClass::MissingRefreshToken);
        assert_eq!(e.error, "missing_refresh_token");
    }

    #[test]
    fn popup_and_timeout_errors_use_auth0_codes() {
        assert_eq!((Error::timeout().error.as_str(), Error::timeout().description.as_str()), ("timeout", "Timeout"));
        assert_eq!(Error::popup_cancelled().description, "Popup closed");
        assert_eq!(Error::popup_open().error, "popup_open");
        assert_eq!(Error::popup_timeout().class, ErrorClass::PopupTimeout);
    }

    #[test]
    fn state_errors_are_distinct_codes_with_the_same_message() {
        assert_eq!(Error::missing_transaction().error, "missing_transaction");
        assert_eq!(Error::state_mismatch().error, "state_mismatch");
        assert_eq!(Error::state_mismatch().to_string(), "Invalid state");
    }

    #[test]
    fn only_mfa_asks_for_interaction() {
        let rows = [
            (Error::mfa_required("Multifactor authentication required", "mt", None), true),
            (Error::login_required(MFA_STEP_UP_DESCRIPTION), true),
            (Error::login_required("Login required"), false),
            (Error::generic("mfa_required", MFA_STEP_UP_DESCRIPTION), false),
            (Error::generic("consent_required", MFA_STEP_UP_DESCRIPTION), false),
            (Error::missing_refresh_token("default", "openid"), false),
            (Error::timeout(), false),
        ];
        for (e, want) in rows {
            assert_eq!(e.asks_for_interaction(), want, "{} / {}", e.error, e.description);
        }
        assert!(Error::login_required(MFA_STEP_UP_DESCRIPTION).is_mfa_step_up());
        assert!(!Error::mfa_required("x", "mt", None).is_mfa_step_up());
    }
}
