//! The Auth0 `/v2/logout` URL, built exactly like auth0-spa-js `_buildLogoutUrl`
//! (docs/behaviour.md §2.9):
//! `{base}/v2/logout?client_id=…&<logoutParams in order>&auth0Client=…` and, when `federated`
//! is truthy, a bare `&federated` at the very end.
//!
//! `returnTo` is forwarded as given: the SDK never derives it from the current URL, and the
//! server must refuse unregistered values (security case K4).

use super::authorize::push_auth0_client;
use super::encoding::form_serialize;
use super::json::Json;
use super::options::{ClientOptions, ParamList};
use super::params::js_string;
use super::{Error, Result};

/// Builds the logout URL.
///
/// * `client_id`: `None` omits `client_id` (auth0-spa-js `logout({clientId: null})`).
/// * `logout_params`: every logout parameter except `federated`, in the application's order
///   (`returnTo` wherever the application put it).
/// * `federated`: appends `&federated` (also log out of the upstream identity provider).
pub(crate) fn build_logout_url(
    base_url: &str,
    client_id: Option<&str>,
    logout_params: &ParamList,
    federated: bool,
    telemetry: &Json,
) -> String {
    let mut params = ParamList::new();
    if let Some(id) = client_id {
        params.set("client_id", id);
    }
    params.extend(logout_params);
    let mut url = String::with_capacity(base_url.len() + 256);
    url.push_str(base_url);
    url.push_str("/v2/logout?");
    url.push_str(&form_serialize(params.pairs()));
    push_auth0_client(&mut url, telemetry);
    if federated {
        url.push_str("&federated");
    }
    url
}

/// Builds the logout URL from the JS `LogoutOptions` object (`{clientId?, logoutParams?}`):
/// `clientId` absent or empty means the client's own id, `null` omits it; `logoutParams.federated`
/// is read with JavaScript truthiness.
///
/// # Errors
/// `invalid_configuration` naming the member when `clientId` or a logout parameter is an
/// object or array, or `logoutParams` is not an object.
pub(crate) fn logout_url(options: &ClientOptions, logout_options: &Json) -> Result<String> {
    let client_id = match logout_options.get("clientId") {
        Some(Json::Null) => None,
        None => Some(options.client_id.clone()),
        Some(v) => match js_string(v) {
            Some(id) if !id.is_empty() => Some(id),
            Some(_) => Some(options.client_id.clone()),
            None => return Err(Error::invalid_options("\"clientId\" must be a string or null")),
        },
    };
    let mut raw = logout_options.get("logoutParams").cloned();
    let federated = raw.as_mut().and_then(|p| p.remove("federated")).is_some_and(|f| js_truthy(&f));
    let params = ParamList::from_json(raw.as_ref(), "logoutParams")?;
    Ok(build_logout_url(&options.base_url, client_id.as_deref(), &params, federated, &options.auth0_client))
}

/// JavaScript truthiness of a JSON value.
fn js_truthy(value: &Json) -> bool {
    match value {
        Json::Null => false,
        Json::Bool(b) => *b,
        Json::Number(n) => *n != 0.0 && !n.is_nan(),
        Json::String(s) => !s.is_empty(),
        Json::Array(_) | Json::Object(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TELEMETRY: &str = "eyJuYW1lIjoiYXV0aDAtc3BhLWpzIiwidmVyc2lvbiI6IjIuMjguMyJ9";

    fn options() -> ClientOptions {
        ClientOptions::from_json(&Json::parse(r#"{"domain":"tenant.auth0.com","clientId":"abc"}"#).unwrap()).unwrap()
    }

    fn url(logout_options: &str) -> String {
        logout_url(&options(), &Json::parse(logout_options).unwrap()).unwrap()
    }

    #[test]
    fn matches_the_verified_auth0_spa_js_logout_url() {
        assert_eq!(
            url(r#"{"logoutParams":{"returnTo":"https://app.example.com","federated":true}}"#),
            ["https://tenant.auth0.com/v2/logout?client_id=abc&returnTo=https%3A%2F%2Fapp.example.com&auth0Client=", TELEMETRY, "&federated"].concat()
        );
    }

    #[test]
    fn without_options_only_client_id_and_telemetry_are_sent() {
        assert_eq!(url("{}"), ["https://tenant.auth0.com/v2/logout?client_id=abc&auth0Client=", TELEMETRY].concat());
    }

    #[test]
    fn null_client_id_omits_client_id() {
        assert_eq!(url(r#"{"clientId":null}"#), ["https://tenant.auth0.com/v2/logout?&auth0Client=", TELEMETRY].concat());
        let u = url(r#"{"clientId":null,"logoutParams":{"returnTo":"https://a"}}"#);
        assert!(u.starts_with("https://tenant.auth0.com/v2/logout?returnTo=https%3A%2F%2Fa&auth0Client="));
    }

    #[test]
    fn explicit_client_id_replaces_the_client_one_and_empty_falls_back() {
        assert!(url(r#"{"clientId":"other"}"#).contains("?client_id=other&"));
        assert!(url(r#"{"clientId":""}"#).contains("?client_id=abc&"));
        assert!(logout_url(&options(), &Json::parse(r#"{"clientId":{}}"#).unwrap()).is_err());
    }

    #[test]
    fn federated_goes_last_and_only_when_truthy() {
        for truthy in ["true", "1", "\"yes\"", "{}"] {
            let u = url(&["{\"logoutParams\":{\"federated\":", truthy, ",\"returnTo\":\"https://a\"}}"].concat());
            assert!(u.ends_with("&federated"), "{truthy}");
            assert!(!u.contains("federated=") , "{truthy}");
        }
        for falsy in ["false", "0", "\"\"", "null"] {
            let u = url(&["{\"logoutParams\":{\"federated\":", falsy, "}}"].concat());
            assert!(!u.contains("federated"), "{falsy}");
        }
    }

    #[test]
    fn other_logout_params_follow_in_the_application_order() {
        let u = url(r#"{"logoutParams":{"foo":"1","returnTo":"https://a","federated":true,"bar":2}}"#);
        assert_eq!(
            u,
            ["https://tenant.auth0.com/v2/logout?client_id=abc&foo=1&returnTo=https%3A%2F%2Fa&bar=2&auth0Client=", TELEMETRY, "&federated"].concat()
        );
    }

    #[test]
    fn nested_logout_params_are_rejected() {
        assert!(logout_url(&options(), &Json::parse(r#"{"logoutParams":{"x":{"y":1}}}"#).unwrap()).is_err());
        assert!(logout_url(&options(), &Json::parse(r#"{"logoutParams":"x"}"#).unwrap()).is_err());
    }

    #[test]
    fn telemetry_drops_env_in_the_logout_url() {
        let o = ClientOptions::from_json(&Json::parse(r#"{"domain":"t","clientId":"abc","auth0Client":{"name":"n","version":"1","env":{"e":"1"}}}"#).unwrap()).unwrap();
        let u = build_logout_url(&o.base_url, Some("abc"), &ParamList::new(), false, &o.auth0_client);
        assert!(u.ends_with("&auth0Client=eyJuYW1lIjoibiIsInZlcnNpb24iOiIxIn0%3D"), "{u}");
    }

    #[test]
    fn low_level_builder_matches_the_js_options_path() {
        let mut p = ParamList::new();
        p.set("returnTo", "https://app.example.com");
        let o = options();
        assert_eq!(
            build_logout_url(&o.base_url, Some("abc"), &p, true, &o.auth0_client),
            url(r#"{"logoutParams":{"returnTo":"https://app.example.com","federated":true}}"#)
        );
    }
}
