//! Client options: the JS `Auth0ClientOptions` object, validated once at construction into a
//! [`ClientOptions`] with auth0-spa-js defaults (docs/behaviour.md §1.3).
//!
//! The JS facade hands the options over as a [`Json`] value: it `JSON.stringify`s the user's
//! object with a replacer that turns non-finite numbers into strings (`"NaN"`, `"Infinity"`) so
//! they are rejected here, and it keeps the function-valued options (`cache`, `nowProvider`,
//! `openUrl`…) on its side. A custom `cache` object is therefore the facade's business; if a
//! `cache` key does arrive (non-null), `cacheLocation` is not validated, as in auth0-spa-js where
//! `cache` takes precedence.
//!
//! Two shapes are accepted:
//! * **v2** (`clientId`, `authorizationParams: {...}`): the auth0-spa-js 2.x shape. Unknown
//!   top-level keys are ignored, as auth0-spa-js ignores them.
//! * **v1 / legacy** (`client_id` with no `clientId`, and `audience`, `scope`, `redirect_uri`,
//!   `max_age`, `organization`… at the top level), still shown in Auth0's refresh-token-rotation
//!   guide. Every top-level key that is not a client option becomes an authorize parameter, as
//!   in auth0-spa-js 1.x, and 1.x defaults apply where they differ: `useRefreshTokensFallback`
//!   defaults to `true`, and the scope is `openid profile email` (or
//!   `advancedOptions.defaultScope`) **plus** the configured `scope`.
//!
//! Deliberate differences from auth0-spa-js, all of them rejecting input auth0-spa-js would
//! have misused: wrong types and negative / non-finite numbers are errors instead of being
//! coerced (security case J6), `leeway` above [`MAX_LEEWAY_SECONDS`] and timeouts above
//! [`MAX_TIMEOUT_SECONDS`] (where `setTimeout` overflows) are errors, nested objects in
//! `authorizationParams` (other than `scope`) are errors instead of becoming `[object Object]`,
//! `null` parameter values are dropped instead of being sent as the text `null`, and one
//! trailing slash is removed from `domain` and a scheme-less `issuer`.

use super::json::Json;
pub use super::params::ParamList;
use super::option_values::{
    auth0_client, cache_location, client_authorization, domain_url, interactive_error_handler, is_absent, legacy_authorization, optional_bool,
    optional_number, optional_string, parse_int, refresh_token_mode_is_online, check_anonymous_cache_mode, required_string, timeout_ms, token_issuer,
    ClientScope,
};
use super::params::not_an_object;
use super::scope::{session_scope, ScopeConfig};
use super::{Error, Result};

/// `auth0Client.name` sent by default. We send auth0-spa-js's own telemetry so that tenants'
/// logs, rate-limit rules and Actions that look at it keep working (§2.2).
pub(crate) const DEFAULT_AUTH0_CLIENT_NAME: &str = "auth0-spa-js";

/// `auth0Client.version` sent by default: the auth0-spa-js release whose behaviour we match.
pub(crate) const DEFAULT_AUTH0_CLIENT_VERSION: &str = "2.28.3";

/// Default ID-token clock-skew leeway in seconds (`leeway || 60`, §1.3).
pub(crate) const DEFAULT_LEEWAY_SECONDS: u64 = 60;

/// Largest accepted `leeway`: beyond an hour the `exp`/`nbf` checks (OIDC Core 3.1.3.7) would
/// be meaningless (security case J6).
pub(crate) const MAX_LEEWAY_SECONDS: f64 = 3600.0;

/// Default per-request timeout of token calls (`DEFAULT_FETCH_TIMEOUT_MS`, §1.3).
pub(crate) const DEFAULT_HTTP_TIMEOUT_SECONDS: u64 = 10;

/// Default timeout of iframe and popup `/authorize` round trips (§1.3).
pub(crate) const DEFAULT_AUTHORIZE_TIMEOUT_SECONDS: u64 = 60;

/// Largest accepted timeout: `setTimeout` delays above 2^31-1 ms fire immediately.
pub(crate) const MAX_TIMEOUT_SECONDS: f64 = 2_147_483.0;

/// Default lifetime in days of the `is.authenticated` and organization-hint cookies (§1.3).
pub(crate) const DEFAULT_SESSION_CHECK_EXPIRY_DAYS: f64 = 1.0;

/// Where tokens are cached (`cacheLocation`, §3.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CacheLocation {
    /// In memory, per client instance (the default).
    Memory,
    /// `window.localStorage`, shared by tabs.
    LocalStorage,
}

/// The validated client configuration, with every auth0-spa-js default applied.
#[derive(Clone, Debug, PartialEq)]
pub struct ClientOptions {
    /// `domain` exactly as configured (returned by `getConfiguration()`).
    pub domain: String,
    /// `clientId` (or v1 `client_id`): sent as `client_id`, part of every storage key.
    pub client_id: String,
    /// Base URL of every endpoint: `https://` + domain unless it already has an `http(s)://`
    /// scheme, without a trailing slash (`getDomain`, §1.3).
    pub base_url: String,
    /// The expected `iss` of ID tokens (OIDC Core 3.1.3.7 step 2) and of RFC 9207 authorization
    /// responses: `{base_url}/` by default; a configured issuer with an `https://` or `http://`
    /// scheme is used verbatim, otherwise it becomes `https://{issuer}/` (`getTokenIssuer`).
    pub issuer: String,
    /// ID-token clock-skew leeway in whole seconds (`leeway || 60`; fractions round up).
    pub leeway_seconds: u64,
    /// Token cache location.
    pub cache_location: CacheLocation,
    /// Renew with the `refresh_token` grant instead of the hidden iframe; adds `offline_access`.
    pub use_refresh_tokens: bool,
    /// Fall back to the iframe when no / an invalid refresh token is found (§6). Default
    /// `false` for the v2 shape, `true` for the v1 shape (its 1.x default).
    pub use_refresh_tokens_fallback: bool,
    /// `useMrrt`: Multi-Resource Refresh Tokens: any refresh token of the client may renew
    /// tokens for another audience (docs/behaviour.md §2.6 point 7).
    pub use_mrrt: bool,
    /// `interactiveErrorHandler: 'popup'`: a `getTokenSilently` that fails because the user must
    /// interact (MFA step-up) completes in a login popup instead (docs/behaviour.md §2.5).
    pub interactive_popup: bool,
    /// `createAnonymousSessionOnFailedSilentAuth` (auth0-spa-js 2.27): `checkSession` asks JS to
    /// start an anonymous session when it finds the user logged out
    /// ([`crate::core::anonymous::wants_anonymous_session`]).
    pub anonymous_on_failed_silent_auth: bool,
    /// `refreshTokenMode: 'online'`: session-bound, non-rotating Online Refresh Tokens asked for
    /// with `online_access` (docs/behaviour.md §1.3). The package entry refuses it without
    /// `useRefreshTokens` and `useDpop`, as auth0-spa-js's constructor does.
    pub online_refresh_tokens: bool,
    /// `useDpop`: sender-constrained tokens with DPoP proofs (RFC 9449; docs/behaviour.md §2.10).
    pub use_dpop: bool,
    /// Timeout of each token / revoke request in milliseconds (`httpTimeoutInSeconds || 10`).
    pub http_timeout_ms: u64,
    /// Timeout of iframe / popup round trips in milliseconds when the call gives none
    /// (`authorizeTimeoutInSeconds || 60`).
    pub authorize_timeout_ms: u64,
    /// `application/x-www-form-urlencoded` token bodies (true) or JSON (false).
    pub use_form_data: bool,
    /// Keep the login transaction in a cookie instead of `sessionStorage` (§3.8).
    pub use_cookies_for_transactions: bool,
    /// Lifetime in days of the SDK's session-hint cookies (`sessionCheckExpiryDays || 1`).
    pub session_check_expiry_days: f64,
    /// `Domain=` attribute of every SDK cookie; `None` when unset or empty.
    pub cookie_domain: Option<String>,
    /// Write `_legacy_` cookie twins without `SameSite` (§3.9); only an explicit `false` turns
    /// it off.
    pub legacy_same_site_cookie: bool,
    /// Telemetry object after `stripAuth0Client` (only `name`, `version`, `env` of the right
    /// types), in the application's key order; the default names auth0-spa-js (§2.2).
    pub auth0_client: Json,
    /// Client-level `authorizationParams` in insertion order, **without** `scope` (the scope
    /// lives in [`ClientOptions::scope`]; on the wire it always comes right after `client_id`).
    pub authorization_params: ParamList,
    /// The client scope per audience, with `openid` and `offline_access` injected (§2.4).
    pub scope: ScopeConfig,
    /// `authorizationParams.max_age` as auth0-spa-js's `parseNumber` reads it (`parseInt` for
    /// strings), for the `auth_time` check (OIDC Core 3.1.3.7 step 13). `None` when absent or
    /// not a number. Note auth0-spa-js skips the check when it is `0` (a falsy test).
    pub max_age: Option<u64>,
    /// True when the options came in the v1 shape (`client_id`, top-level authorize params).
    pub legacy_shape: bool,
}

/// Whether this build carries the features that only some apps turn on (Cargo feature `parity`:
/// DPoP, MRRT, the interactive error handler, online refresh tokens, token exchange, revocation,
/// the MFA and passkey grants). The package's lite module is built without them and loads for
/// apps whose options need none of them (docs/module-split.md); reads go through the accessors
/// below, so that in the lite build their code is never reached and the compiler drops it.
pub const PARITY: bool = cfg!(feature = "parity");

impl ClientOptions {
    /// Validates the JS options object and applies the defaults.
    ///
    /// # Errors
    /// `InvalidConfigurationError` (`invalid_configuration`) whose message names the offending
    /// option: missing or empty `domain` / `clientId`, an unknown `cacheLocation`
    /// (`Invalid cache location "x"`, auth0-spa-js's text), a numeric option that is negative,
    /// non-finite, too large or not a number, a wrong type, or telemetry that `btoa` cannot
    /// encode.
    pub fn from_json(options: &Json) -> Result<ClientOptions> {
        if options.as_object().is_none() {
            return Err(not_an_object("options"));
        }
        check_anonymous_cache_mode(options)?;
        let legacy_shape = is_absent(options.get("clientId")) && !is_absent(options.get("client_id"));
        let client_id_key = if legacy_shape { "client_id" } else { "clientId" };

        let domain = required_string(options, "domain")?;
        let client_id = required_string(options, client_id_key)?;
        let base_url = domain_url(domain)?;
        let issuer = match optional_string(options, "issuer")? {
            Some(given) if !given.is_empty() => token_issuer(given),
            _ => {
                let mut i = base_url.clone();
                i.push('/');
                i
            }
        };

        let leeway = optional_number(options, "leeway", MAX_LEEWAY_SECONDS)?;
        let leeway_seconds = match leeway {
            Some(n) if n > 0.0 => n.ceil() as u64,
            _ => DEFAULT_LEEWAY_SECONDS,
        };
        let http_timeout_ms = timeout_ms(options, "httpTimeoutInSeconds", DEFAULT_HTTP_TIMEOUT_SECONDS)?;
        let authorize_timeout_ms =
            timeout_ms(options, "authorizeTimeoutInSeconds", DEFAULT_AUTHORIZE_TIMEOUT_SECONDS)?;
        let session_check_expiry_days =
            match optional_number(options, "sessionCheckExpiryDays", f64::MAX)? {
                Some(n) if n > 0.0 => n,
                _ => DEFAULT_SESSION_CHECK_EXPIRY_DAYS,
            };

        let cache_location = if is_absent(options.get("cache")) {
            cache_location(options.get("cacheLocation"))?
        } else {
            CacheLocation::Memory
        };

        let use_refresh_tokens = optional_bool(options, "useRefreshTokens", false)?;
        let use_refresh_tokens_fallback = optional_bool(options, "useRefreshTokensFallback", legacy_shape)?;
        let use_mrrt = optional_bool(options, "useMrrt", false)?;
        let interactive_popup = interactive_error_handler(options)?;
        let anonymous_on_failed_silent_auth = optional_bool(options, "createAnonymousSessionOnFailedSilentAuth", false)?;
        let use_dpop = optional_bool(options, "useDpop", false)?;
        let use_form_data = optional_bool(options, "useFormData", true)?;
        let use_cookies_for_transactions = optional_bool(options, "useCookiesForTransactions", false)?;
        let legacy_same_site_cookie = optional_bool(options, "legacySameSiteCookie", true)?;
        let cookie_domain = optional_string(options, "cookieDomain")?
            .filter(|d| !d.is_empty())
            .map(str::to_owned);

        let auth0_client = auth0_client(options.get("auth0Client"))?;

        let online_refresh_tokens = refresh_token_mode_is_online(options)?;
        let session = session_scope(use_refresh_tokens, online_refresh_tokens);
        let (authorization_params, scope) = if legacy_shape {
            legacy_authorization(options, session)?
        } else {
            let (params, client_scope) = client_authorization(options.get("authorizationParams"))?;
            let scope = match client_scope {
                ClientScope::Text(s) => ScopeConfig::from_string(Some(&s), session),
                ClientScope::Map(map) => ScopeConfig::from_map(&map, session),
            };
            (params, scope)
        };

        let max_age = match authorization_params.get("max_age") {
            None => None,
            Some(text) => match parse_int(text) {
                Some((true, n)) if n > 0 => {
                    return Err(Error::invalid_options("\"max_age\" must not be negative"));
                }
                Some((_, n)) => Some(n),
                None => None,
            },
        };

        Ok(ClientOptions {
            domain: domain.to_owned(),
            client_id: client_id.to_owned(),
            base_url,
            issuer,
            leeway_seconds,
            cache_location,
            use_refresh_tokens,
            use_refresh_tokens_fallback,
            use_mrrt,
            interactive_popup,
            anonymous_on_failed_silent_auth,
            online_refresh_tokens,
            use_dpop,
            http_timeout_ms,
            authorize_timeout_ms,
            use_form_data,
            use_cookies_for_transactions,
            session_check_expiry_days,
            cookie_domain,
            legacy_same_site_cookie,
            auth0_client,
            authorization_params,
            scope,
            max_age,
            legacy_shape,
        })
    }

    /// `useDpop`, in a build that carries DPoP ([`PARITY`]).
    pub fn dpop(&self) -> bool {
        PARITY && self.use_dpop
    }

    /// `useMrrt`, in a build that carries Multi-Resource Refresh Tokens ([`PARITY`]).
    pub fn mrrt(&self) -> bool {
        PARITY && self.use_mrrt
    }

    /// `interactiveErrorHandler: 'popup'`, in a build that carries it ([`PARITY`]).
    pub fn popup_on_interaction(&self) -> bool {
        PARITY && self.interactive_popup
    }

    /// `refreshTokenMode: 'online'`, in a build that carries it ([`PARITY`]; it needs DPoP).
    pub fn online_refresh(&self) -> bool {
        PARITY && self.online_refresh_tokens
    }

    /// Whether these options turn on a feature only the full build carries: a lite build refuses
    /// them at construction, and the package entry then makes the client on the full build
    /// (js/index.js `client`; docs/module-split.md).
    pub fn need_full_build(&self) -> bool {
        self.use_dpop || self.use_mrrt || self.interactive_popup || self.online_refresh_tokens
    }

    /// The client-level `audience`, if set and non-empty.
    pub fn audience(&self) -> Option<&str> {
        self.authorization_params.get_truthy("audience")
    }

    /// The client-level `redirect_uri`, if set and non-empty.
    pub fn redirect_uri(&self) -> Option<&str> {
        self.authorization_params.get_truthy("redirect_uri")
    }

    /// The client-level `organization`, if set and non-empty.
    pub fn organization(&self) -> Option<&str> {
        self.authorization_params.get_truthy("organization")
    }
}

/// The default telemetry object `{name: "auth0-spa-js", version: "2.28.3"}` (§2.2).
pub(crate) fn default_auth0_client() -> Json {
    Json::Object(vec![
        ("name".to_owned(), Json::str(DEFAULT_AUTH0_CLIENT_NAME)),
        ("version".to_owned(), Json::str(DEFAULT_AUTH0_CLIENT_VERSION)),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ErrorClass;

    fn parse(text: &str) -> Result<ClientOptions> {
        ClientOptions::from_json(&Json::parse(text).unwrap())
    }

    fn ok(text: &str) -> ClientOptions {
        parse(text).unwrap()
    }

    fn err(text: &str) -> String {
        let e = parse(text).unwrap_err();
        assert_eq!(e.class, ErrorClass::InvalidConfiguration);
        assert_eq!(e.error, "invalid_configuration");
        e.description.clone()
    }

    const MIN: &str = r#""domain":"tenant.auth0.com","clientId":"abc""#;

    fn with(extra: &str) -> String {
        let mut s = String::from("{");
        s.push_str(MIN);
        if !extra.is_empty() {
            s.push(',');
            s.push_str(extra);
        }
        s.push('}');
        s
    }

    #[test]
    fn minimal_v2_options_get_auth0_defaults() {
        let o = ok(&with(""));
        assert_eq!(o.client_id, "abc");
        assert_eq!(o.domain, "tenant.auth0.com");
        assert_eq!(o.base_url, "https://tenant.auth0.com");
        assert_eq!(o.issuer, "https://tenant.auth0.com/");
        assert_eq!(o.leeway_seconds, 60);
        assert_eq!(o.cache_location, CacheLocation::Memory);
        assert!(!o.use_refresh_tokens);
        assert!(!o.use_refresh_tokens_fallback);
        assert_eq!(o.http_timeout_ms, 10_000);
        assert_eq!(o.authorize_timeout_ms, 60_000);
        assert!(o.use_form_data);
        assert!(!o.use_cookies_for_transactions);
        assert_eq!(o.session_check_expiry_days, 1.0);
        assert_eq!(o.cookie_domain, None);
        assert!(o.legacy_same_site_cookie);
        assert_eq!(o.auth0_client.to_json_string(), r#"{"name":"auth0-spa-js","version":"2.28.3"}"#);
        assert!(o.authorization_params.is_empty());
        assert_eq!(o.scope.scopes_to_request(None, None), "openid profile email");
        assert_eq!(o.max_age, None);
        assert!(!o.legacy_shape);
    }

    #[test]
    fn every_v2_option_is_read() {
        let o = ok(&with(
            r#""issuer":"https://login.example.com/","leeway":30,"cacheLocation":"localstorage",
            "useRefreshTokens":true,"useRefreshTokensFallback":true,"httpTimeoutInSeconds":5,
            "authorizeTimeoutInSeconds":20,"useFormData":false,"useCookiesForTransactions":true,
            "sessionCheckExpiryDays":7,"cookieDomain":".example.com","legacySameSiteCookie":false,
            "auth0Client":{"name":"my-sdk","version":"1.0.0","env":{"react":"18"}},
            "authorizationParams":{"audience":"https://api","redirect_uri":"https://app/cb"}"#,
        ));
        assert_eq!(o.issuer, "https://login.example.com/");
        assert_eq!(o.leeway_seconds, 30);
        assert_eq!(o.cache_location, CacheLocation::LocalStorage);
        assert!(o.use_refresh_tokens && o.use_refresh_tokens_fallback);
        assert_eq!((o.http_timeout_ms, o.authorize_timeout_ms), (5_000, 20_000));
        assert!(!o.use_form_data && o.use_cookies_for_transactions && !o.legacy_same_site_cookie);
        assert_eq!(o.session_check_expiry_days, 7.0);
        assert_eq!(o.cookie_domain.as_deref(), Some(".example.com"));
        assert_eq!(o.auth0_client.to_json_string(), r#"{"name":"my-sdk","version":"1.0.0","env":{"react":"18"}}"#);
        assert_eq!(o.audience(), Some("https://api"));
        assert_eq!(o.redirect_uri(), Some("https://app/cb"));
        assert_eq!(o.scope.scopes_to_request(None, None), "openid profile email offline_access");
    }

    #[test]
    fn domain_gets_https_unless_it_has_an_http_scheme_and_loses_one_trailing_slash() {
        assert_eq!(ok(r#"{"domain":"t.auth0.com/","clientId":"a"}"#).base_url, "https://t.auth0.com");
        assert_eq!(ok(r#"{"domain":"https://t.auth0.com","clientId":"a"}"#).base_url, "https://t.auth0.com");
        let local = ok(r#"{"domain":"http://127.0.0.1:3001","clientId":"a"}"#);
        assert_eq!(local.base_url, "http://127.0.0.1:3001");
        assert_eq!(local.issuer, "http://127.0.0.1:3001/");
    }

    #[test]
    fn missing_or_unusable_domain_is_rejected_by_name() {
        assert!(err(r#"{"clientId":"a"}"#).contains("\"domain\""));
        assert!(err(r#"{"domain":"","clientId":"a"}"#).contains("\"domain\""));
        assert!(err(r#"{"domain":"   ","clientId":"a"}"#).contains("\"domain\""));
        assert!(err(r#"{"domain":42,"clientId":"a"}"#).contains("\"domain\""));
        for bad in ["https://", "a b.com", "evil.com?x=", "evil.com#x", "https:///x", "x://y"] {
            let text = with("").replace("tenant.auth0.com", bad);
            assert!(err(&text).contains("\"domain\""), "{bad}");
        }
    }

    #[test]
    fn missing_or_empty_client_id_is_rejected_by_name() {
        assert!(err(r#"{"domain":"d"}"#).contains("\"clientId\""));
        assert!(err(r#"{"domain":"d","clientId":""}"#).contains("\"clientId\""));
        assert!(err(r#"{"domain":"d","clientId":5}"#).contains("\"clientId\""));
        assert!(err(r#"{"domain":"d","client_id":""}"#).contains("\"client_id\""));
    }

    #[test]
    fn options_must_be_an_object() {
        assert!(err("[]").contains("\"options\""));
        assert!(err("null").contains("\"options\""));
    }

    #[test]
    fn issuer_with_a_scheme_is_verbatim_otherwise_https_with_slash() {
        assert_eq!(ok(&with(r#""issuer":"https://x.com""#)).issuer, "https://x.com");
        assert_eq!(ok(&with(r#""issuer":"http://127.0.0.1:3001""#)).issuer, "http://127.0.0.1:3001");
        assert_eq!(ok(&with(r#""issuer":"login.x.com""#)).issuer, "https://login.x.com/");
        assert_eq!(ok(&with(r#""issuer":"login.x.com/""#)).issuer, "https://login.x.com/");
        assert_eq!(ok(&with(r#""issuer":"""#)).issuer, "https://tenant.auth0.com/");
        assert!(err(&with(r#""issuer":1"#)).contains("\"issuer\""));
    }

    #[test]
    fn zero_leeway_means_sixty_like_auth0() {
        assert_eq!(ok(&with(r#""leeway":0"#)).leeway_seconds, 60);
        assert_eq!(ok(&with(r#""leeway":null"#)).leeway_seconds, 60);
        assert_eq!(ok(&with(r#""leeway":0.5"#)).leeway_seconds, 1);
        assert_eq!(ok(&with(r#""leeway":3600"#)).leeway_seconds, 3600);
    }

    #[test]
    fn negative_nan_huge_or_non_numeric_leeway_is_rejected() {
        for bad in [r#""leeway":-1"#, r#""leeway":"NaN""#, r#""leeway":"Infinity""#, r#""leeway":"60""#, r#""leeway":true"#] {
            assert!(err(&with(bad)).contains("\"leeway\""), "{bad}");
        }
        assert!(err(&with(r#""leeway":3601"#)).contains("too large"));
        assert!(err(&with(r#""leeway":1e300"#)).contains("\"leeway\""));
    }

    #[test]
    fn zero_timeouts_and_expiry_days_fall_back_to_defaults() {
        let o = ok(&with(r#""httpTimeoutInSeconds":0,"authorizeTimeoutInSeconds":0,"sessionCheckExpiryDays":0"#));
        assert_eq!((o.http_timeout_ms, o.authorize_timeout_ms), (10_000, 60_000));
        assert_eq!(o.session_check_expiry_days, 1.0);
        assert_eq!(ok(&with(r#""httpTimeoutInSeconds":2.5"#)).http_timeout_ms, 2_500);
        assert_eq!(ok(&with(r#""sessionCheckExpiryDays":0.5"#)).session_check_expiry_days, 0.5);
    }

    #[test]
    fn bad_numeric_options_are_rejected_by_name() {
        for key in ["httpTimeoutInSeconds", "authorizeTimeoutInSeconds", "sessionCheckExpiryDays"] {
            for v in ["-1", "\"NaN\"", "\"-Infinity\"", "\"10\"", "false"] {
                let mut text = String::from("\"");
                text.push_str(key);
                text.push_str("\":");
                text.push_str(v);
                assert!(err(&with(&text)).contains(key), "{key}={v}");
            }
        }
        assert!(err(&with(r#""httpTimeoutInSeconds":2147484"#)).contains("too large"));
    }

    #[test]
    fn cache_location_accepts_memory_and_localstorage_only() {
        assert_eq!(ok(&with(r#""cacheLocation":"memory""#)).cache_location, CacheLocation::Memory);
        assert_eq!(ok(&with(r#""cacheLocation":"""#)).cache_location, CacheLocation::Memory);
        assert_eq!(err(&with(r#""cacheLocation":"sessionstorage""#)), "Invalid cache location \"sessionstorage\"");
        assert_eq!(err(&with(r#""cacheLocation":"localStorage""#)), "Invalid cache location \"localStorage\"");
        assert_eq!(err(&with(r#""cacheLocation":5"#)), "Invalid cache location \"5\"");
    }

    #[test]
    fn a_custom_cache_takes_precedence_over_cache_location() {
        let o = ok(&with(r#""cache":{},"cacheLocation":"bogus""#));
        assert_eq!(o.cache_location, CacheLocation::Memory);
    }

    #[test]
    fn boolean_options_must_be_booleans() {
        for key in ["useRefreshTokens", "useRefreshTokensFallback", "useFormData", "useCookiesForTransactions", "legacySameSiteCookie"] {
            let mut text = String::from("\"");
            text.push_str(key);
            text.push_str("\":\"yes\"");
            let e = err(&with(&text));
            assert!(e.contains(key) && e.contains("boolean"), "{e}");
        }
        assert!(!ok(&with(r#""useRefreshTokens":null"#)).use_refresh_tokens);
    }

    #[test]
    fn cookie_domain_must_be_a_string_and_empty_means_unset() {
        assert_eq!(ok(&with(r#""cookieDomain":"""#)).cookie_domain, None);
        assert!(err(&with(r#""cookieDomain":true"#)).contains("\"cookieDomain\""));
    }

    #[test]
    fn refresh_token_mode_online_asks_for_online_access_instead_of_offline_access() {
        let online = ok(&with(r#""useRefreshTokens":true,"refreshTokenMode":"online""#));
        assert!(online.online_refresh_tokens);
        assert_eq!(online.scope.get("default"), Some("openid profile email online_access"));
        let offline = ok(&with(r#""useRefreshTokens":true,"refreshTokenMode":"offline""#));
        assert!(!offline.online_refresh_tokens);
        assert_eq!(offline.scope.get("default"), Some("openid profile email offline_access"));
        assert!(!ok(&with(r#""refreshTokenMode":null"#)).online_refresh_tokens);
        assert!(err(&with(r#""refreshTokenMode":"sometimes""#)).contains("refreshTokenMode"));
    }

    #[test]
    fn interactive_error_handler_is_popup_or_off() {
        for (value, popup) in [("\"popup\"", Some(true)), ("null", Some(false)), ("false", Some(false)), ("\"\"", Some(false)), ("\"redirect\"", None), ("true", None)] {
            let text = with(&["\"interactiveErrorHandler\":", value].concat());
            match popup {
                Some(want) => assert_eq!(ok(&text).interactive_popup, want, "{value}"),
                None => assert!(err(&text).contains("interactiveErrorHandler"), "{value}"),
            }
        }
        assert!(!ok(&with("\"useFormData\":true")).interactive_popup);
    }

    #[test]
    fn the_anonymous_session_options_are_accepted_and_checked_by_name() {
        assert!(!ok(&with("")).anonymous_on_failed_silent_auth);
        assert!(ok(&with(r#""createAnonymousSessionOnFailedSilentAuth":true"#)).anonymous_on_failed_silent_auth);
        assert!(!ok(&with(r#""createAnonymousSessionOnFailedSilentAuth":null"#)).anonymous_on_failed_silent_auth);
        assert!(err(&with(r#""createAnonymousSessionOnFailedSilentAuth":"yes""#)).contains("createAnonymousSessionOnFailedSilentAuth"));
        for good in [r#""anonymousSessionsCacheMode":"localStorage""#, r#""anonymousSessionsCacheMode":"memory""#, r#""anonymousSessionsCacheMode":null"#] {
            ok(&with(good));
        }
        // `cacheLocation`'s spelling, another word, another type: named, never a silent fallback.
        for bad in [r#""anonymousSessionsCacheMode":"localstorage""#, r#""anonymousSessionsCacheMode":"session""#, r#""anonymousSessionsCacheMode":1"#] {
            assert!(err(&with(bad)).contains("anonymousSessionsCacheMode"), "{bad}");
        }
        for off in [r#""refreshTokenMode":"offline""#, r#""useDpop":false"#, r#""useMrrt":null"#, r#""interactiveErrorHandler":"""#, r#""workerUrl":"/w.js""#, r#""enterpriseConnect":true"#] {
            ok(&with(off));
        }
    }

    #[test]
    fn unknown_v2_top_level_keys_are_ignored() {
        let o = ok(&with(r#""audience":"https://ignored","somethingElse":{"x":1}"#));
        assert!(o.authorization_params.is_empty());
        assert_eq!(o.audience(), None);
    }

    #[test]
    fn auth0_client_is_stripped_like_strip_auth0_client() {
        let o = ok(&with(r#""auth0Client":{"env":{"a":"1"},"name":"x","version":2,"extra":"drop","name2":1}"#));
        assert_eq!(o.auth0_client.to_json_string(), r#"{"env":{"a":"1"},"name":"x","version":2}"#);
        let o = ok(&with(r#""auth0Client":{"name":5,"version":true,"env":"str"}"#));
        assert_eq!(o.auth0_client.to_json_string(), "{}");
        assert!(err(&with(r#""auth0Client":"x""#)).contains("\"auth0Client\""));
    }

    #[test]
    fn auth0_client_that_btoa_cannot_encode_is_rejected() {
        assert!(err(&with(r#""auth0Client":{"name":"sdk-\u4e2d"}"#)).contains("Latin-1"));
        // Latin-1 (é) is fine, as btoa accepts it.
        assert!(parse(&with(r#""auth0Client":{"name":"sdk-é"}"#)).is_ok());
    }

    #[test]
    fn default_telemetry_constant_names_auth0_spa_js() {
        assert_eq!(DEFAULT_AUTH0_CLIENT_NAME, "auth0-spa-js");
        assert_eq!(DEFAULT_AUTH0_CLIENT_VERSION, "2.28.3");
        assert_eq!(default_auth0_client().str_field("version"), Some("2.28.3"));
    }

    #[test]
    fn authorization_params_keep_order_and_stringify_scalars_like_js() {
        let o = ok(&with(r#""authorizationParams":{"redirect_uri":"https://a/cb","max_age":300,"custom":true,"f":1.5,"gone":null,"audience":"x"}"#));
        let pairs: Vec<(&str, &str)> = o.authorization_params.pairs().iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(pairs, vec![("redirect_uri", "https://a/cb"), ("max_age", "300"), ("custom", "true"), ("f", "1.5"), ("audience", "x")]);
    }

    #[test]
    fn nested_authorization_params_are_rejected_by_name() {
        assert!(err(&with(r#""authorizationParams":{"foo":{"a":1}}"#)).contains("\"authorizationParams.foo\""));
        assert!(err(&with(r#""authorizationParams":{"foo":[1]}"#)).contains("\"authorizationParams.foo\""));
        assert!(err(&with(r#""authorizationParams":"x""#)).contains("\"authorizationParams\""));
    }

    #[test]
    fn client_scope_string_replaces_the_default_but_keeps_openid() {
        let o = ok(&with(r#""authorizationParams":{"scope":"read:x"}"#));
        assert_eq!(o.scope.scopes_to_request(None, None), "openid read:x");
        assert_eq!(o.authorization_params.get("scope"), None, "scope lives in ScopeConfig");
    }

    #[test]
    fn client_scope_object_builds_a_per_audience_map() {
        let o = ok(&with(r#""useRefreshTokens":true,"authorizationParams":{"audience":"https://api","scope":{"https://api":"read:things"}}"#));
        assert_eq!(o.scope.get("default"), Some("openid offline_access"));
        assert_eq!(o.scope.get("https://api"), Some("openid read:things offline_access"));
        assert!(err(&with(r#""authorizationParams":{"scope":{"a":1}}"#)).contains("\"authorizationParams.scope.a\""));
        assert!(err(&with(r#""authorizationParams":{"scope":7}"#)).contains("\"authorizationParams.scope\""));
    }

    #[test]
    fn max_age_is_parsed_like_parse_int() {
        assert_eq!(ok(&with(r#""authorizationParams":{"max_age":300}"#)).max_age, Some(300));
        assert_eq!(ok(&with(r#""authorizationParams":{"max_age":"120s"}"#)).max_age, Some(120));
        assert_eq!(ok(&with(r#""authorizationParams":{"max_age":" +42"}"#)).max_age, Some(42));
        assert_eq!(ok(&with(r#""authorizationParams":{"max_age":"abc"}"#)).max_age, None);
        assert_eq!(ok(&with(r#""authorizationParams":{"max_age":0}"#)).max_age, Some(0));
        assert_eq!(ok(&with(r#""authorizationParams":{"max_age":"99999999999999999999999"}"#)).max_age, Some(u64::MAX));
        assert!(err(&with(r#""authorizationParams":{"max_age":-5}"#)).contains("\"max_age\""));
        assert!(err(&with(r#""authorizationParams":{"max_age":"-5"}"#)).contains("\"max_age\""));
    }

    #[test]
    fn legacy_v1_shape_is_detected_and_mapped() {
        let o = ok(r#"{"domain":"t.auth0.com","client_id":"abc","redirect_uri":"https://app/cb",
            "audience":"https://api","useRefreshTokens":true,"cacheLocation":"localstorage",
            "max_age":600,"organization":"org_1","connection":"github","prompt":"login",
            "ui_locales":"fr","login_hint":"a@b.c","screen_hint":"signup","display":"page",
            "invitation":"inv","acr_values":"mfa","customParam":"x"}"#);
        assert!(o.legacy_shape);
        assert_eq!(o.client_id, "abc");
        assert!(o.use_refresh_tokens_fallback, "v1 default is true");
        assert_eq!(o.cache_location, CacheLocation::LocalStorage);
        assert_eq!(o.redirect_uri(), Some("https://app/cb"));
        assert_eq!(o.audience(), Some("https://api"));
        assert_eq!(o.organization(), Some("org_1"));
        assert_eq!(o.max_age, Some(600));
        let keys: Vec<&str> = o.authorization_params.pairs().iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, vec!["redirect_uri", "audience", "max_age", "organization", "connection", "prompt",
            "ui_locales", "login_hint", "screen_hint", "display", "invitation", "acr_values", "customParam"]);
        assert_eq!(o.scope.scopes_to_request(None, None), "openid profile email offline_access");
    }

    #[test]
    fn legacy_fallback_default_can_be_turned_off() {
        let o = ok(r#"{"domain":"d","client_id":"a","useRefreshTokensFallback":false}"#);
        assert!(!o.use_refresh_tokens_fallback);
    }

    #[test]
    fn legacy_scope_adds_to_openid_profile_email_like_v1() {
        let o = ok(r#"{"domain":"d","client_id":"a","scope":"read:x email"}"#);
        assert_eq!(o.scope.scopes_to_request(None, None), "openid profile email read:x");
        let o = ok(r#"{"domain":"d","client_id":"a","scope":"read:x","advancedOptions":{"defaultScope":"email"}}"#);
        assert_eq!(o.scope.scopes_to_request(None, None), "openid email read:x");
        assert!(err(r#"{"domain":"d","client_id":"a","scope":5}"#).contains("\"scope\""));
    }

    #[test]
    fn legacy_top_level_params_must_be_scalars() {
        assert!(err(r#"{"domain":"d","client_id":"a","audience":{"x":1}}"#).contains("\"options.audience\""));
    }

    #[test]
    fn client_id_wins_over_client_id_snake_case_when_both_are_given() {
        let o = ok(r#"{"domain":"d","clientId":"v2","client_id":"v1"}"#);
        assert!(!o.legacy_shape);
        assert_eq!(o.client_id, "v2");
    }

    #[test]
    fn the_full_builds_options_are_named_and_read_as_off_in_the_lite_build() {
        // (options, needs the full build, [dpop(), mrrt(), popup_on_interaction(), online_refresh()] when the build carries them)
        let table: [(&str, bool, [bool; 4]); 7] = [
            ("", false, [false; 4]),
            (r#""useDpop":false,"useMrrt":false"#, false, [false; 4]),
            (r#""useRefreshTokens":true"#, false, [false; 4]),
            (r#""useDpop":true"#, true, [true, false, false, false]),
            (r#""useMrrt":true"#, true, [false, true, false, false]),
            (r#""interactiveErrorHandler":"popup""#, true, [false, false, true, false]),
            (r#""useDpop":true,"useRefreshTokens":true,"refreshTokenMode":"online""#, true, [true, false, false, true]),
        ];
        for (extra, needs_full, on) in table {
            let o = ok(&with(extra));
            assert_eq!(o.need_full_build(), needs_full, "{extra}");
            let read = [o.dpop(), o.mrrt(), o.popup_on_interaction(), o.online_refresh()];
            assert_eq!(read, on.map(|v| v && PARITY), "{extra} (PARITY = {PARITY})");
        }
    }
}
