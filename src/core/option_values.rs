//! Reading one option of `Auth0ClientOptions`: the type rule of each kind of value (strings,
//! booleans, bounded numbers, timeouts), the options with a meaning of their own (`domain`,
//! `issuer`, `auth0Client`, `cacheLocation`, `authorizationParams` in both shapes, the feature
//! switches), and the refusal of options whose feature this SDK lacks. `options.rs` assembles
//! them into a [`ClientOptions`](super::options::ClientOptions) (docs/behaviour.md §1.3).

use super::authorize::btoa;
use super::encoding::find;
use super::json::Json;
use super::options::{default_auth0_client, CacheLocation, ParamList, MAX_TIMEOUT_SECONDS};
use super::params::{js_string, not_an_object, type_error};
use super::scope::{get_unique_scopes, ScopeConfig, DEFAULT_SCOPE};
use super::{Error, Result};

/// Client options that are never forwarded as authorize parameters in the v1 shape.
const CLIENT_OPTION_KEYS: &[&str] = &[
    "domain",
    "clientId",
    "client_id",
    "issuer",
    "leeway",
    "cacheLocation",
    "cache",
    "useRefreshTokens",
    "useRefreshTokensFallback",
    "authorizeTimeoutInSeconds",
    "httpTimeoutInSeconds",
    "useFormData",
    "useCookiesForTransactions",
    "sessionCheckExpiryDays",
    "cookieDomain",
    "legacySameSiteCookie",
    "auth0Client",
    "authorizationParams",
    "advancedOptions",
    "nowProvider",
    "workerUrl",
    "useDpop",
    "useMrrt",
    "refreshTokenMode",
    "interactiveErrorHandler",
    "sessionTransferTokenQueryParamName",
    "anonymousSessionsCacheMode",
    "createAnonymousSessionOnFailedSilentAuth",
    "enterpriseConnect",
    "scope",
];

/// The client scope as configured, before `injectDefaultScopes`.
pub(super) enum ClientScope {
    Text(String),
    Map(Vec<(String, String)>),
}

/// `refreshTokenMode`: `'online'`, or `'offline'` (the default; also absent or `null`); any other
/// value is named in an `InvalidConfigurationError`.
pub(super) fn refresh_token_mode_is_online(options: &Json) -> Result<bool> {
    match options.get("refreshTokenMode") {
        None | Some(Json::Null) => Ok(false),
        Some(Json::String(s)) if s == "offline" => Ok(false),
        Some(Json::String(s)) if s == "online" => Ok(true),
        Some(_) => Err(Error::invalid_options("`refreshTokenMode` must be 'offline' or 'online'")),
    }
}

/// `interactiveErrorHandler`: `'popup'` turns the popup handler on; absent, `null`, `false` or
/// `''` leave it off; any other value is a mistake worth naming (auth0-spa-js knows only `'popup'`).
pub(super) fn interactive_error_handler(options: &Json) -> Result<bool> {
    match options.get("interactiveErrorHandler") {
        None | Some(Json::Null) | Some(Json::Bool(false)) => Ok(false),
        Some(Json::String(s)) if s.is_empty() => Ok(false),
        Some(Json::String(s)) if s == "popup" => Ok(true),
        Some(_) => Err(Error::invalid_options("`interactiveErrorHandler` must be 'popup' (or left out)")),
    }
}

/// `anonymousSessionsCacheMode` (auth0-spa-js 2.27): where `client.anonymous` keeps its session,
/// `'localStorage'` (the default; also absent or `null`) or `'memory'`. js/anonymous.js reads the
/// value itself; this only refuses anything else by name, where auth0-spa-js would silently fall
/// back to memory (a typo such as `'localstorage'`, `cacheLocation`'s spelling, would lose the
/// session on every reload).
pub(super) fn check_anonymous_cache_mode(options: &Json) -> Result<()> {
    match options.get("anonymousSessionsCacheMode") {
        None | Some(Json::Null) => Ok(()),
        Some(Json::String(s)) if s == "localStorage" || s == "memory" => Ok(()),
        Some(_) => Err(Error::invalid_options("`anonymousSessionsCacheMode` must be 'localStorage' or 'memory' (or left out)")),
    }
}

pub(super) fn is_absent(v: Option<&Json>) -> bool {
    matches!(v, None | Some(Json::Null))
}

pub(super) fn required_string<'a>(options: &'a Json, key: &str) -> Result<&'a str> {
    match options.get(key) {
        Some(Json::String(s)) if !s.trim().is_empty() => Ok(s),
        _ => Err(type_error(key, "a non-empty string")),
    }
}

pub(super) fn optional_string<'a>(options: &'a Json, key: &str) -> Result<Option<&'a str>> {
    match options.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(s)) => Ok(Some(s)),
        Some(_) => Err(type_error(key, "a string")),
    }
}

pub(super) fn optional_bool(options: &Json, key: &str, default: bool) -> Result<bool> {
    match options.get(key) {
        None | Some(Json::Null) => Ok(default),
        Some(Json::Bool(b)) => Ok(*b),
        Some(_) => Err(type_error(key, "a boolean")),
    }
}

/// A finite number in `0..=max`, or `None` when absent / `null`.
pub(super) fn optional_number(options: &Json, key: &str, max: f64) -> Result<Option<f64>> {
    match options.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Number(n)) if n.is_finite() && *n >= 0.0 && *n <= max => Ok(Some(*n)),
        Some(Json::Number(n)) if n.is_finite() && *n > max => {
            let mut m = String::from("\"");
            m.push_str(key);
            m.push_str("\" is too large (at most ");
            m.push_str(&Json::Number(max).to_json_string());
            m.push(')');
            Err(Error::invalid_options(&m))
        }
        Some(_) => Err(type_error(key, "a non-negative number")),
    }
}

/// A timeout option in seconds, `|| default` semantics, as milliseconds.
pub(super) fn timeout_ms(options: &Json, key: &str, default_seconds: u64) -> Result<u64> {
    Ok(match optional_number(options, key, MAX_TIMEOUT_SECONDS)? {
        Some(n) if n > 0.0 => (n * 1000.0).round() as u64,
        _ => default_seconds * 1000,
    })
}

pub(super) fn cache_location(value: Option<&Json>) -> Result<CacheLocation> {
    match value {
        None | Some(Json::Null) => Ok(CacheLocation::Memory),
        Some(Json::String(s)) if s.is_empty() || s == "memory" => Ok(CacheLocation::Memory),
        Some(Json::String(s)) if s == "localstorage" => Ok(CacheLocation::LocalStorage),
        Some(other) => {
            let shown = js_string(other).unwrap_or_else(|| other.to_json_string());
            let mut m = String::from("Invalid cache location \"");
            m.push_str(&shown);
            m.push('"');
            Err(Error::invalid_options(&m))
        }
    }
}

/// `getDomain`: adds `https://` unless the domain has an http(s) scheme; drops one trailing
/// slash so that endpoint paths join cleanly.
pub(super) fn domain_url(domain: &str) -> Result<String> {
    let bad = || type_error("domain", "a host name such as \"tenant.auth0.com\" or an http(s) URL");
    if domain.chars().any(|c| c.is_whitespace() || c.is_control() || c == '?' || c == '#') {
        return Err(bad());
    }
    let (scheme, rest) = if let Some(rest) = domain.strip_prefix("https://") {
        ("https://", rest)
    } else if let Some(rest) = domain.strip_prefix("http://") {
        ("http://", rest)
    } else {
        ("https://", domain)
    };
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.is_empty() || rest.starts_with('/') || find(rest, "://").is_some() {
        return Err(bad());
    }
    let mut url = String::with_capacity(scheme.len() + rest.len());
    url.push_str(scheme);
    url.push_str(rest);
    Ok(url)
}

/// `getTokenIssuer` for a configured issuer: verbatim with an http(s) scheme, else
/// `https://{issuer}/`.
pub(super) fn token_issuer(issuer: &str) -> String {
    if issuer.starts_with("https://") || issuer.starts_with("http://") {
        return issuer.to_owned();
    }
    let host = issuer.strip_suffix('/').unwrap_or(issuer);
    let mut out = String::from("https://");
    out.push_str(host);
    out.push('/');
    out
}

/// `stripAuth0Client`: keeps `name` (string), `version` (string or number) and `env` (any
/// `typeof 'object'` value), in the given order; absent / `null` gives the default.
pub(super) fn auth0_client(value: Option<&Json>) -> Result<Json> {
    let members = match value {
        None | Some(Json::Null) => return Ok(default_auth0_client()),
        Some(Json::Object(members)) => members,
        Some(_) => return Err(not_an_object("auth0Client")),
    };
    let mut kept = Vec::new();
    for (key, v) in members {
        let keep = match key.as_str() {
            "name" => matches!(v, Json::String(_)),
            "version" => matches!(v, Json::String(_) | Json::Number(_)),
            "env" => matches!(v, Json::Object(_) | Json::Array(_) | Json::Null),
            _ => false,
        };
        if keep && !kept.iter().any(|(k, _): &(String, Json)| k == key) {
            kept.push((key.clone(), v.clone()));
        }
    }
    let stripped = Json::Object(kept);
    // btoa() throws on characters above U+00FF: fail now, not at the first login.
    if btoa(&stripped.to_json_string()).is_none() {
        return Err(Error::invalid_options("\"auth0Client\" must contain only Latin-1 characters"));
    }
    Ok(stripped)
}

/// Splits v2 `authorizationParams` into the plain parameters and the client scope.
pub(super) fn client_authorization(value: Option<&Json>) -> Result<(ParamList, ClientScope)> {
    let members = match value {
        None | Some(Json::Null) => return Ok((ParamList::new(), ClientScope::Text(DEFAULT_SCOPE.to_owned()))),
        Some(Json::Object(members)) => members,
        Some(_) => return Err(not_an_object("authorizationParams")),
    };
    let mut params = ParamList::new();
    let mut scope = ClientScope::Text(DEFAULT_SCOPE.to_owned());
    for (key, v) in members {
        if key == "scope" {
            scope = client_scope(v)?;
        } else {
            params.set_json(key, v, "authorizationParams")?;
        }
    }
    Ok((params, scope))
}

/// `authorizationParams.scope`: a string, or (2.8+) an object `{ [audience]: scope }`. `null`
/// keeps the default.
pub(super) fn client_scope(value: &Json) -> Result<ClientScope> {
    match value {
        Json::Null => Ok(ClientScope::Text(DEFAULT_SCOPE.to_owned())),
        Json::String(s) => Ok(ClientScope::Text(s.clone())),
        Json::Object(members) => {
            let mut map = Vec::with_capacity(members.len());
            for (audience, v) in members {
                match v {
                    Json::String(s) => map.push((audience.clone(), s.clone())),
                    Json::Null => {}
                    _ => {
                        let mut name = String::from("authorizationParams.scope.");
                        name.push_str(audience);
                        return Err(type_error(&name, "a string"));
                    }
                }
            }
            Ok(ClientScope::Map(map))
        }
        _ => Err(type_error("authorizationParams.scope", "a string or an object of strings")),
    }
}

/// The v1 shape: top-level non-option keys become authorize parameters; scope follows 1.x
/// (`openid` + `advancedOptions.defaultScope ?? 'openid profile email'` + `scope`).
pub(super) fn legacy_authorization(options: &Json, session: Option<&str>) -> Result<(ParamList, ScopeConfig)> {
    let mut params = ParamList::new();
    if let Some(members) = options.as_object() {
        for (key, v) in members {
            if !CLIENT_OPTION_KEYS.contains(&key.as_str()) {
                params.set_json(key, v, "options")?;
            }
        }
    }
    let scope = optional_string(options, "scope")?;
    let default_scope = match options.get("advancedOptions") {
        None | Some(Json::Null) => None,
        Some(adv @ Json::Object(_)) => optional_string(adv, "defaultScope")
            .map_err(|_| type_error("advancedOptions.defaultScope", "a string"))?,
        Some(_) => return Err(not_an_object("advancedOptions")),
    };
    let mut client_scope = get_unique_scopes(&[Some(default_scope.unwrap_or(DEFAULT_SCOPE)), scope]);

    // A v2-style `authorizationParams` next to v1 keys is applied on top of them.
    let (extra, explicit_scope) = client_authorization(options.get("authorizationParams"))?;
    params.extend(&extra);
    let explicit = options.get("authorizationParams").and_then(|p| p.get("scope"));
    let config = match (explicit_scope, explicit) {
        (ClientScope::Map(map), _) => ScopeConfig::from_map(&map, session),
        (ClientScope::Text(s), Some(Json::String(_))) => {
            client_scope = get_unique_scopes(&[Some(&client_scope), Some(&s)]);
            ScopeConfig::from_string(Some(&client_scope), session)
        }
        _ => ScopeConfig::from_string(Some(&client_scope), session),
    };
    Ok((params, config))
}

/// JavaScript `parseInt(text, 10)`: optional leading whitespace and sign, then decimal digits up
/// to the first non-digit. Returns `(negative, magnitude)` (saturating), or `None` for `NaN`.
pub(super) fn parse_int(text: &str) -> Option<(bool, u64)> {
    let t = text.trim_start();
    let (negative, digits) = if let Some(rest) = t.strip_prefix('-') {
        (true, rest)
    } else {
        (false, t.strip_prefix('+').unwrap_or(t))
    };
    let mut value: u64 = 0;
    let mut any = false;
    for b in digits.bytes() {
        if !b.is_ascii_digit() {
            break;
        }
        any = true;
        value = value.saturating_mul(10).saturating_add(u64::from(b - b'0'));
    }
    if any {
        Some((negative, value))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_int_follows_javascript() {
        assert_eq!(parse_int("12abc"), Some((false, 12)));
        assert_eq!(parse_int("  -3"), Some((true, 3)));
        assert_eq!(parse_int("1e3"), Some((false, 1)));
        assert_eq!(parse_int(""), None);
        assert_eq!(parse_int("-"), None);
        assert_eq!(parse_int("x1"), None);
    }
}
