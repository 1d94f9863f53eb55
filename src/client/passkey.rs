//! The token grant of `client.passkey` (auth0-spa-js 2.28.3's `PasskeyApiClient`,
//! docs/behaviour.md §1.6): what `signup`, `login` and `getTokenWithPasskey` send to `/oauth/token`
//! once the browser's WebAuthn ceremony has produced a credential. Everything before it (the
//! `/passkey/register` and `/passkey/challenge` requests, the ceremony, the credential's
//! serialisation) is JavaScript loaded on first use (js/passkey-api.js); the grant's answer is
//! checked and stored as a login's is ([`super::token_exchange::LoginWithGrant`]).

use super::token_exchange::GrantTarget;
use super::Shared;
use crate::core::cache::CacheKey;
use crate::core::http::HttpRequest;
use crate::core::json::Json;
use crate::core::options::ClientOptions;
use crate::core::{Error, Result};

/// The `grant_type` of Auth0's passkey (WebAuthn) token exchange.
pub(crate) const PASSKEY_GRANT: &str = "urn:okta:params:oauth:grant-type:webauthn";

/// One passkey grant, decided: the body's members after `client_id`, and where it asks for
/// tokens (the audience and scope that name its cache key, the organization the ID token must
/// name).
pub(crate) struct PasskeyGrant {
    members: Vec<(String, Json)>,
    target: GrantTarget,
}

impl std::fmt::Debug for PasskeyGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The members hold the auth_session and the signed credential: never printed.
        let t = &self.target;
        write!(f, "PasskeyGrant({} members, audience {:?}, scope {:?}, organization {:?})", self.members.len(), t.audience, t.scope, t.organization)
    }
}

/// A text argument as auth0-spa-js's `x && …` / `x || default` read it: a non-empty string, else
/// absent (anything else the page passed is ignored, never sent).
fn truthy<'a>(args: &'a Json, key: &str) -> Option<&'a str> {
    args.str_field(key).filter(|s| !s.is_empty())
}

/// Decides the grant from js/passkey-api.js's `{ authSession, credential, realm?, organization?,
/// scope?, audience? }`, as auth0-spa-js's `_requestTokenForPasskey` and `oauthToken` do: the
/// audience, organization and scope of a grant that logs in ([`GrantTarget`]); the body is
/// `grant_type`, `auth_session`, `authn_response` (the credential, an object), `realm` and
/// `organization` when given, then `audience` (when there is one) and `scope`. Without an
/// `authSession` text or a credential object nothing is sent: `GenericError('invalid_request')`
/// (auth0-spa-js would post the grant without them and get the server's refusal).
pub(crate) fn passkey_grant(options: &ClientOptions, args: &Json) -> Result<PasskeyGrant> {
    let auth_session = truthy(args, "authSession");
    let credential = args.get("credential").filter(|c| c.as_object().is_some());
    let (Some(auth_session), Some(credential)) = (auth_session, credential) else {
        return Err(Error::generic("invalid_request", "passkey: an authSession and a credential are required"));
    };
    let target = GrantTarget::new(options, truthy(args, "audience"), truthy(args, "scope"), truthy(args, "organization"));
    let mut members = vec![
        ("grant_type".to_owned(), Json::str(PASSKEY_GRANT)),
        ("auth_session".to_owned(), Json::str(auth_session)),
        ("authn_response".to_owned(), credential.clone()),
    ];
    let optional = [("realm", truthy(args, "realm")), ("organization", target.organization.as_deref()), ("audience", target.audience.as_deref()), ("scope", Some(target.scope.as_str()))];
    for (name, value) in optional {
        if let Some(v) = value {
            members.push((name.to_owned(), Json::str(v)));
        }
    }
    Ok(PasskeyGrant { members, target })
}

/// The request of a passkey grant (always JSON: `authn_response` is an object), the cache key its
/// answer is stored under, and the organization its ID token must name.
pub(super) fn passkey_request(c: &Shared, args: &Json) -> Result<(HttpRequest, CacheKey, Option<String>)> {
    let PasskeyGrant { members, target } = passkey_grant(&c.options, args)?;
    Ok((c.token_endpoint.json_grant(members), target.key(c.client_id()), target.organization))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(extra: &str) -> ClientOptions {
        let text = format!(r#"{{"domain":"t.example.com","clientId":"c1"{extra}}}"#);
        ClientOptions::from_json(&Json::parse(&text).unwrap()).unwrap()
    }

    const CREDENTIAL: &str = r#"{"id":"cred","rawId":"cred","type":"public-key","response":{"clientDataJSON":"e30"}}"#;

    fn args(extra: &str) -> Json {
        Json::parse(&format!(r#"{{"authSession":"sess","credential":{CREDENTIAL}{extra}}}"#)).unwrap()
    }

    /// The body as JSON text, with the credential shortened to `C`.
    fn body(g: &PasskeyGrant) -> String {
        Json::Object(g.members.clone()).to_json_string().replace(CREDENTIAL, "C")
    }

    #[test]
    fn the_grant_follows_auth0_spa_js_defaults_and_order() {
        let default_scope = "openid profile email";
        // (client options, call arguments, body, audience, scope, organization)
        type Row<'a> = (&'a str, &'a str, &'a str, Option<&'a str>, &'a str, Option<&'a str>);
        let table: [Row; 6] = [
            ("", "", r#"{"grant_type":"urn:okta:params:oauth:grant-type:webauthn","auth_session":"sess","authn_response":C,"scope":"openid profile email"}"#, None, default_scope, None),
            (
                "",
                r#","realm":"Username-Password-Authentication","organization":"org_1","scope":"read:x","audience":"https://api/""#,
                r#"{"grant_type":"urn:okta:params:oauth:grant-type:webauthn","auth_session":"sess","authn_response":C,"realm":"Username-Password-Authentication","organization":"org_1","audience":"https://api/","scope":"openid profile email read:x"}"#,
                Some("https://api/"),
                "openid profile email read:x",
                Some("org_1"),
            ),
            // The client's audience and organization when the call names none.
            (
                r#","authorizationParams":{"audience":"https://client/","organization":"org_c"}"#,
                "",
                r#"{"grant_type":"urn:okta:params:oauth:grant-type:webauthn","auth_session":"sess","authn_response":C,"organization":"org_c","audience":"https://client/","scope":"openid profile email"}"#,
                Some("https://client/"),
                default_scope,
                Some("org_c"),
            ),
            // The call's win over the client's.
            (
                r#","authorizationParams":{"audience":"https://client/","organization":"org_c"}"#,
                r#","audience":"https://call/","organization":"org_call""#,
                r#"{"grant_type":"urn:okta:params:oauth:grant-type:webauthn","auth_session":"sess","authn_response":C,"organization":"org_call","audience":"https://call/","scope":"openid profile email"}"#,
                Some("https://call/"),
                default_scope,
                Some("org_call"),
            ),
            // An audience's own scope slot, with useRefreshTokens' offline_access.
            (
                r#","useRefreshTokens":true,"authorizationParams":{"scope":{"https://api/":"read:a"}}"#,
                r#","audience":"https://api/""#,
                r#"{"grant_type":"urn:okta:params:oauth:grant-type:webauthn","auth_session":"sess","authn_response":C,"audience":"https://api/","scope":"openid read:a offline_access"}"#,
                Some("https://api/"),
                "openid read:a offline_access",
                None,
            ),
            // Empty or non-text values are absent, as auth0-spa-js's `x && …` leaves them out.
            ("", r#","realm":"","organization":7,"scope":null,"audience":"""#, r#"{"grant_type":"urn:okta:params:oauth:grant-type:webauthn","auth_session":"sess","authn_response":C,"scope":"openid profile email"}"#, None, default_scope, None),
        ];
        for (client, call, expected, audience, scope, organization) in table {
            let g = passkey_grant(&options(client), &args(call)).unwrap();
            assert_eq!(body(&g), expected, "{client} {call}");
            let t = &g.target;
            assert_eq!((t.audience.as_deref(), t.scope.as_str(), t.organization.as_deref()), (audience, scope, organization), "{client} {call}");
        }
    }

    #[test]
    fn no_auth_session_or_credential_object_sends_nothing() {
        for bad in [r#"{"credential":{}}"#, r#"{"authSession":"","credential":{}}"#, r#"{"authSession":"s"}"#, r#"{"authSession":"s","credential":"{}"}"#, r#"{"authSession":"s","credential":[]}"#] {
            let e = passkey_grant(&options(""), &Json::parse(bad).unwrap()).unwrap_err();
            assert_eq!((e.error.as_str(), e.class), ("invalid_request", crate::core::ErrorClass::Generic), "{bad}");
        }
    }

    #[test]
    fn debug_never_prints_the_session_or_the_credential() {
        let g = passkey_grant(&options(""), &args("")).unwrap();
        let printed = format!("{g:?}");
        assert!(!printed.contains("sess") && !printed.contains("clientDataJSON"), "{printed}");
    }
}
