//! The per-call options of the methods, read from the JSON text the package entry hands over
//! (`js/index.js`): strict, typed errors naming the bad option, as the constructor's options are
//! read by `core::options`.

use super::{CacheMode, GetTokenOptions, TokenResult};
use crate::core::json::Json;
use crate::core::options::ParamList;
use crate::core::Error;

/// Parses the JSON text of `what`; not JSON is `InvalidConfigurationError`.
pub fn parse_json(text: &str, what: &str) -> Result<Json, Error> {
    Json::parse(text).map_err(|_| {
        let mut m = String::from(what);
        m.push_str(" is not valid JSON");
        Error::invalid_options(&m)
    })
}

/// A `…InSeconds` option in ms; absent or null is `None`, anything but a finite non-negative
/// number is `InvalidConfigurationError` naming it.
fn seconds_to_ms(value: Option<&Json>, name: &str) -> Result<Option<u64>, Error> {
    match value {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Number(n)) if n.is_finite() && *n >= 0.0 => Ok(Some((*n * 1000.0) as u64)),
        Some(_) => {
            let mut m = String::from(name);
            m.push_str(" must be a non-negative number of seconds");
            Err(Error::invalid_options(&m))
        }
    }
}

/// The options of `getTokenSilently` / `checkSession`, and whether `detailedResponse` is on.
pub fn token_options(text: &str) -> Result<(GetTokenOptions, bool), Error> {
    let json = parse_json(text, "getTokenSilently options")?;
    let cache_mode = match json.str_field("cacheMode") {
        None | Some("on") => CacheMode::On,
        Some("off") => CacheMode::Off,
        Some("cache-only") => CacheMode::CacheOnly,
        Some(_) => return Err(Error::invalid_options("cacheMode must be 'on', 'off' or 'cache-only'")),
    };
    let authorization_params = ParamList::from_json(json.get("authorizationParams"), "authorizationParams")?;
    let timeout_ms = seconds_to_ms(json.get("timeoutInSeconds"), "timeoutInSeconds")?;
    let detailed = json.get("detailedResponse").and_then(Json::as_bool).unwrap_or(false);
    Ok((GetTokenOptions { cache_mode, authorization_params, timeout_ms }, detailed))
}

/// The `authorizationParams`, timeout and `closePopup` of a popup call (`loginWithPopup` /
/// `getTokenWithPopup`).
pub fn popup_call(options_json: &str, config_json: &str) -> Result<(ParamList, Option<u64>, bool), Error> {
    let json = parse_json(options_json, "popup options")?;
    let config = parse_json(config_json, "popup config")?;
    let params = ParamList::from_json(json.get("authorizationParams"), "authorizationParams")?;
    let timeout = seconds_to_ms(config.get("timeoutInSeconds"), "timeoutInSeconds")?;
    let close = config.get("closePopup").and_then(Json::as_bool).unwrap_or(true);
    Ok((params, timeout, close))
}

/// `getTokenSilently({detailedResponse: true})`'s object, keys in auth0-spa-js's order.
pub fn verbose_response(token: &TokenResult) -> Json {
    let mut verbose = Json::Object(vec![
        ("id_token".to_owned(), Json::str(&token.id_token)),
        ("token_type".to_owned(), Json::str(&token.token_type)),
        ("access_token".to_owned(), Json::str(&token.access_token)),
        ("expires_in".to_owned(), Json::Number(token.expires_in)),
    ]);
    if let Some(scope) = &token.scope {
        verbose.set("scope", Json::str(scope));
    }
    verbose
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::TokenSource;

    #[test]
    fn token_options_read_every_field_and_default_the_rest() {
        let (o, detailed) = token_options("{}").unwrap();
        assert_eq!((o.cache_mode, o.timeout_ms, detailed), (CacheMode::On, None, false));
        let (o, detailed) = token_options(r#"{"cacheMode":"cache-only","timeoutInSeconds":2.5,"detailedResponse":true,"authorizationParams":{"audience":"a"}}"#).unwrap();
        assert_eq!((o.cache_mode, o.timeout_ms, detailed), (CacheMode::CacheOnly, Some(2500), true));
        assert_eq!(o.authorization_params.get("audience"), Some("a"));
        assert_eq!(token_options(r#"{"cacheMode":"off"}"#).unwrap().0.cache_mode, CacheMode::Off);
    }

    #[test]
    fn bad_call_options_are_invalid_configuration_naming_the_option() {
        for (text, names) in [
            (r#"{"cacheMode":"sometimes"}"#, "cacheMode"),
            (r#"{"timeoutInSeconds":-1}"#, "timeoutInSeconds"),
            (r#"{"timeoutInSeconds":"NaN"}"#, "timeoutInSeconds"),
            ("{", "getTokenSilently options"),
        ] {
            let e = token_options(text).err().unwrap();
            assert_eq!(e.class, crate::core::ErrorClass::InvalidConfiguration, "{text}");
            assert!(e.description.contains(names), "{text}: {}", e.description);
        }
    }

    #[test]
    fn popup_calls_close_the_popup_unless_told_not_to() {
        assert!(popup_call("{}", "{}").unwrap().2);
        let (_, timeout, close) = popup_call("{}", r#"{"closePopup":false,"timeoutInSeconds":10}"#).unwrap();
        assert_eq!((timeout, close), (Some(10_000), false));
    }

    #[test]
    fn the_verbose_response_has_auth0_spa_js_key_order_and_scope_only_when_granted() {
        let mut t = TokenResult { access_token: "at".into(), id_token: "id".into(), token_type: "Bearer".into(), expires_in: 60.0, scope: None, source: TokenSource::Cache };
        assert_eq!(verbose_response(&t).to_json_string(), r#"{"id_token":"id","token_type":"Bearer","access_token":"at","expires_in":60}"#);
        t.scope = Some("openid".into());
        assert!(verbose_response(&t).to_json_string().ends_with(r#","scope":"openid"}"#));
    }
}
