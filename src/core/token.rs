//! `/oauth/token` requests and responses (RFC 6749 §4.1.3, §5, §6; docs/behaviour.md §2.5, §2.6).
//!
//! Requests are built exactly as auth0-spa-js's `oauthToken()` builds them: `POST
//! {domainUrl}/oauth/token`, `Content-Type` form or JSON (`useFormData`), an `Auth0-Client`
//! header, and a body whose keys come in the same order (`client_id` first, then the merged
//! custom `authorizationParams`, then the grant's own keys). `audience` and `scope` are never sent
//! (no MRRT support).
//!
//! Responses are parsed strictly, unlike auth0-spa-js, which caches whatever a 2xx carries
//! (security cases E1–E14): a success must be a JSON object with a string `access_token`, a
//! `token_type` we understand (`Bearer` or `DPoP`, any case: RFC 6749 §7.1, §5.1), a usable
//! `expires_in`, and string-typed `refresh_token` / `id_token` / `scope` when present. Errors
//! are classified by the OAuth `error` code only, never by the description (F3).

use super::encoding::form_serialize;
use super::error::{Error, Result};
use super::http::{HttpRequest, HttpResponse};
use super::json::Json;
use super::jwt;
use super::UnixMillis;

/// Error code of a 2xx token response that cannot be used (security cases E1–E9). Ours:
/// auth0-spa-js has no such check.
pub(crate) const INVALID_TOKEN_RESPONSE: &str = "invalid_token_response";

/// The longest access-token lifetime we believe: one year. A larger `expires_in` (or a JWT `exp`
/// further away) is clamped to it, so no cache entry lives forever (security case E7).
pub(crate) const MAX_EXPIRES_IN_SECS: u64 = 365 * 24 * 3600;

/// Keys of the merged `authorizationParams` that auth0-spa-js strips from token-request bodies
/// (§2.5: `audience`/`scope` outside MRRT/exchange, plus its internal option names).
const STRIPPED_KEYS: [&str; 9] =
    ["audience", "scope", "timeout", "baseUrl", "auth0Client", "useFormData", "useMrrt", "dpop", "preserveRefreshToken"];

/// Protocol keys a custom parameter may never set: the grant's own values always win, so an
/// `authorizationParams` entry cannot swap the client, grant, code, verifier or refresh token.
const PROTECTED_KEYS: [&str; 5] = ["client_id", "grant_type", "code", "code_verifier", "refresh_token"];

/// Where and how to send token requests: one per client, built from its options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenEndpoint {
    /// The domain URL (`https://{domain}` or the `domain` option verbatim when it has a scheme,
    /// §1.3); the endpoint is `{base_url}/oauth/token`.
    pub base_url: String,
    /// The client id, sent as `client_id`, first in every body.
    pub client_id: String,
    /// `Auth0-Client` header value: `btoa(JSON.stringify(auth0Client))`, already encoded (§2.2).
    pub auth0_client_header: String,
    /// `useFormData` (default true): `application/x-www-form-urlencoded` body, else JSON (§1.3).
    pub use_form_data: bool,
}

impl TokenEndpoint {
    /// `{base_url}/oauth/token` (auth0-spa-js concatenates verbatim).
    pub fn url(&self) -> String {
        let mut url = self.base_url.clone();
        url.push_str("/oauth/token");
        url
    }

    /// The `authorization_code` grant (RFC 6749 §4.1.3 + PKCE, RFC 7636 §4.5). Body order as
    /// auth0-spa-js: `client_id`, the custom params in `extra` (iframe flow: the merged
    /// `authorizationParams` minus `audience`/`scope`), `code_verifier`, `grant_type`, `code`,
    /// `redirect_uri`. `redirect_uri` must be the one sent on `/authorize` (the transaction's,
    /// security case A13); `None` omits it, as a redirect login without one does (§1.4). A
    /// `redirect_uri` inside `extra` only fixes its position; its value is always this argument.
    /// (auth0-spa-js's iframe path puts `code` before `grant_type`; servers ignore key order.)
    pub fn authorization_code(&self, code: &str, code_verifier: &str, redirect_uri: Option<&str>, extra: &[(String, String)]) -> HttpRequest {
        let mut params = self.base_params(extra, redirect_uri);
        assign(&mut params, "code_verifier", code_verifier);
        assign(&mut params, "grant_type", "authorization_code");
        assign(&mut params, "code", code);
        if let Some(uri) = redirect_uri {
            assign(&mut params, "redirect_uri", uri);
        }
        self.post(&params)
    }

    /// The `refresh_token` grant (RFC 6749 §6). Body order as auth0-spa-js (§2.5, verified):
    /// `client_id`, custom params (a `redirect_uri` among them keeps its place), `grant_type`,
    /// `refresh_token`, `redirect_uri` (call ‖ client ‖ page origin, chosen by the caller).
    /// With Multi-Resource Refresh Tokens, `resource` (audience, scope) asks for a token of that
    /// audience and scope (§2.6 point 3); they come last.
    pub fn refresh_token(&self, refresh_token: &str, redirect_uri: &str, extra: &[(String, String)], resource: Option<(&str, &str)>) -> HttpRequest {
        let mut params = self.base_params(extra, Some(redirect_uri));
        assign(&mut params, "grant_type", "refresh_token");
        assign(&mut params, "refresh_token", refresh_token);
        assign(&mut params, "redirect_uri", redirect_uri);
        if let Some((audience, scope)) = resource {
            assign(&mut params, "audience", audience);
            assign(&mut params, "scope", scope);
        }
        self.post(&params)
    }

    /// A grant whose body the caller assembles: `client_id`, then `params` in order. The token
    /// exchange (RFC 8693 §2.1; Auth0 Custom Token Exchange: `grant_type`, `subject_token`,
    /// `subject_token_type`, the actor token, `scope`, `audience`, `organization`, custom members)
    /// and the MFA grants (whose body js/mfa-api.js assembles, `client::mfa`) use it.
    pub fn grant(&self, params: &[(String, String)]) -> HttpRequest {
        let mut body = vec![("client_id".to_owned(), self.client_id.clone())];
        for (k, v) in params {
            if k != "client_id" {
                assign(&mut body, k, v);
            }
        }
        self.post(&body)
    }

    /// A grant whose body must be JSON whatever `useFormData` says, because a member is an object:
    /// the passkey grant's `authn_response` (auth0-spa-js's `oauthToken` sends the webauthn grant
    /// as JSON always, docs/behaviour.md §1.6). `client_id` first, then `members` in order (the
    /// caller names no `client_id` among them).
    pub fn json_grant(&self, mut members: Vec<(String, Json)>) -> HttpRequest {
        members.insert(0, ("client_id".to_owned(), Json::str(&self.client_id)));
        self.request("application/json", Json::Object(members).to_json_string())
    }

    /// `POST /oauth/revoke` for a refresh token (RFC 7009 §2.1, docs/behaviour.md §2.11):
    /// `client_id`, `token_type_hint=refresh_token`, `token`, form-encoded or JSON as the token
    /// requests are, with the `Auth0-Client` header.
    pub fn revoke(&self, refresh_token: &str) -> HttpRequest {
        let params = [("client_id", self.client_id.as_str()), ("token_type_hint", "refresh_token"), ("token", refresh_token)];
        let params: Vec<(String, String)> = params.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        let mut request = self.post(&params);
        request.url = self.base_url.clone();
        request.url.push_str("/oauth/revoke");
        request
    }

    fn base_params(&self, extra: &[(String, String)], redirect_uri: Option<&str>) -> Vec<(String, String)> {
        let mut params = vec![("client_id".to_owned(), self.client_id.clone())];
        for (k, v) in extra {
            let key = k.as_str();
            if STRIPPED_KEYS.contains(&key) || PROTECTED_KEYS.contains(&key) {
                continue;
            }
            if key == "redirect_uri" {
                if let Some(uri) = redirect_uri {
                    assign(&mut params, key, uri);
                }
                continue;
            }
            assign(&mut params, key, v);
        }
        params
    }

    fn post(&self, params: &[(String, String)]) -> HttpRequest {
        let (content_type, body) = if self.use_form_data {
            ("application/x-www-form-urlencoded", form_serialize(params))
        } else {
            let members = params.iter().map(|(k, v)| (k.clone(), Json::str(v))).collect();
            ("application/json", Json::Object(members).to_json_string())
        };
        self.request(content_type, body)
    }

    /// `POST {base_url}/oauth/token` with `body` of `content_type` and the `Auth0-Client` header.
    fn request(&self, content_type: &str, body: String) -> HttpRequest {
        HttpRequest {
            url: self.url(),
            method: "POST",
            headers: vec![
                ("Content-Type".to_owned(), content_type.to_owned()),
                ("Auth0-Client".to_owned(), self.auth0_client_header.clone()),
            ],
            body,
        }
    }
}

/// `Object.assign` for one key: replace in place (keeping its position) or append.
fn assign(params: &mut Vec<(String, String)>, key: &str, value: &str) {
    if let Some(slot) = params.iter_mut().find(|(k, _)| k == key) {
        slot.1 = value.to_owned();
    } else {
        params.push((key.to_owned(), value.to_owned()));
    }
}

/// A successful, validated token response (RFC 6749 §5.1).
///
/// `expires_in` is the lifetime we act on, never "forever" (security case E7):
/// * present: a JSON number ≥ 0 (anything else is an error), floored, clamped to
///   [`MAX_EXPIRES_IN_SECS`];
/// * absent (it is only RECOMMENDED): derived from the access token's `exp` when the access token
///   is a decodable JWT (`exp − now`, at least 0, clamped), else 0, i.e. the token is used for
///   this call and the next `getTokenSilently` fetches a new one.
#[derive(Clone, PartialEq)]
pub struct TokenResponse {
    /// `access_token` (non-empty).
    pub access_token: String,
    /// `token_type` as sent (`Bearer`, `DPoP`, any case); cached verbatim like auth0-spa-js.
    pub token_type: String,
    /// The effective lifetime in seconds (see the type's documentation).
    pub expires_in: u64,
    /// `refresh_token`, when the server issued one.
    pub refresh_token: Option<String>,
    /// `id_token`, when present (verified separately by `id_token::verify_id_token`).
    pub id_token: Option<String>,
    /// The granted `scope` as sent by the server (`oauthTokenScope` in the cache).
    pub scope: Option<String>,
    fields: Vec<(String, Json)>,
}

impl std::fmt::Debug for TokenResponse {
    /// Redacted: tokens never reach logs (invariant I6).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenResponse")
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .field("has_refresh_token", &self.refresh_token.is_some())
            .field("has_id_token", &self.id_token.is_some())
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

impl TokenResponse {
    /// Every member of the response in the server's order, minus `error`/`error_description`
    /// (auth0-spa-js drops those too), with `expires_in` set to the effective value. The cache
    /// body is built from these so it matches what auth0-spa-js stores (§3.2).
    pub fn fields(&self) -> &[(String, Json)] {
        &self.fields
    }

    /// The response as a JSON object (e.g. the return value of a token exchange).
    pub fn to_json(&self) -> Json {
        Json::Object(self.fields.clone())
    }

    /// Sets the refresh token (in both the typed field and [`Self::fields`]): used to keep the
    /// current refresh token when a refresh response carries none (security case F2, see
    /// `rotation`).
    pub(crate) fn set_refresh_token(&mut self, refresh_token: &str) {
        self.refresh_token = Some(refresh_token.to_owned());
        let value = Json::str(refresh_token);
        if let Some(slot) = self.fields.iter_mut().find(|(k, _)| k == "refresh_token") {
            slot.1 = value;
        } else {
            self.fields.push(("refresh_token".to_owned(), value));
        }
    }
}

/// Reads a token-endpoint answer. 2xx → a validated [`TokenResponse`] (E1–E11: malformed JSON,
/// a non-object body, a missing/mistyped `access_token`, an unknown `token_type`, a bad
/// `expires_in`, mistyped `refresh_token`/`id_token`/`scope`, or an `error` member are errors).
/// Otherwise → the error the server sent, classified by its `error` code (§2.5):
/// `mfa_required` → `MfaRequiredError`; `missing_refresh_token` → `MissingRefreshTokenError`
/// (audience `default`, empty scope: the caller may rebuild it with its own); anything else →
/// `GenericError(error ‖ 'request_error', error_description ‖ 'HTTP error. Unable to fetch {url}')`;
/// a body that is not a JSON object → `GenericError('request_error', 'HTTP error {status}. Unable
/// to fetch {url}')`. `url` is only used in messages; `now_ms` only to derive a missing
/// `expires_in` from a JWT access token.
pub fn parse_token_response(response: &HttpResponse, url: &str, now_ms: UnixMillis) -> Result<TokenResponse> {
    if !response.is_success() {
        return Err(error_from_body(response, url));
    }
    let body = match Json::parse(&response.body) {
        Ok(v) => v,
        Err(_) => return Err(malformed(url, "the body is not JSON")),
    };
    let members = match body {
        Json::Object(m) => m,
        _ => return Err(malformed(url, "the body is not a JSON object")),
    };
    let obj = Json::Object(members);
    // E11: a 200 that carries an OAuth error is an error, not a success without a token.
    if obj.get("error").is_some_and(|e| !matches!(e, Json::Null)) {
        return Err(error_from_object(&obj, url));
    }
    let access_token = match obj.str_field("access_token") {
        Some(s) if !s.is_empty() => s.to_owned(),
        _ => return Err(malformed(url, "\"access_token\" must be a non-empty string")),
    };
    let token_type = match obj.str_field("token_type") {
        Some(t) if t.eq_ignore_ascii_case("bearer") || t.eq_ignore_ascii_case("dpop") => t.to_owned(),
        _ => return Err(malformed(url, "\"token_type\" must be Bearer or DPoP")),
    };
    let refresh_token = optional_string(&obj, "refresh_token", false).map_err(|m| malformed(url, m))?;
    let id_token = optional_string(&obj, "id_token", false).map_err(|m| malformed(url, m))?;
    let scope = optional_string(&obj, "scope", true).map_err(|m| malformed(url, m))?;
    let expires_in = match obj.get("expires_in") {
        None => expires_in_from_jwt(&access_token, now_ms),
        Some(Json::Number(n)) if n.is_finite() && *n >= 0.0 => clamp_lifetime(*n),
        Some(_) => return Err(malformed(url, "\"expires_in\" must be a non-negative number")),
    };

    let mut fields: Vec<(String, Json)> = match obj {
        Json::Object(m) => m.into_iter().filter(|(k, _)| k != "error" && k != "error_description").collect(),
        _ => Vec::new(),
    };
    let lifetime = Json::Number(expires_in as f64);
    if let Some(slot) = fields.iter_mut().find(|(k, _)| k == "expires_in") {
        slot.1 = lifetime;
    } else {
        fields.push(("expires_in".to_owned(), lifetime));
    }
    Ok(TokenResponse { access_token, token_type, expires_in, refresh_token, id_token, scope, fields })
}

/// True when the failure means the refresh token that was sent can never work again, so the
/// caller must stop using it (drop it, then iframe fallback or a new login; never retry it):
/// `invalid_grant` (expired, revoked, reused — oidc-provider and Auth0 send it for all of them,
/// security cases F3, F4, F11, F12), `missing_refresh_token`, and a 2xx we could not read
/// ([`INVALID_TOKEN_RESPONSE`]: the server accepted, and with rotation consumed, the token, but
/// its successor was lost). Keyed on the code only, never on the description (F3).
pub(crate) fn is_refresh_token_dead(e: &Error) -> bool {
    matches!(e.error.as_str(), "invalid_grant" | "missing_refresh_token" | INVALID_TOKEN_RESPONSE)
}

/// Reads a `/oauth/revoke` answer: any 2xx is success (RFC 7009 §2.2: the server answers 200
/// for unknown tokens too); otherwise `GenericError(error ‖ 'revoke_error', error_description ‖
/// 'HTTP error {status}')`, as auth0-spa-js reports it (§2.11).
pub fn parse_revoke_response(response: &HttpResponse) -> Result<()> {
    if response.is_success() {
        return Ok(());
    }
    let body = Json::parse(&response.body).ok();
    let field = |k: &str| body.as_ref().and_then(|b| b.str_field(k)).filter(|s| !s.is_empty()).map(str::to_owned);
    let error = field("error").unwrap_or_else(|| "revoke_error".to_owned());
    let description = field("error_description").unwrap_or_else(|| {
        let mut m = String::from("HTTP error ");
        crate::core::number::push_u64(&mut m, u64::from(response.status));
        m
    });
    Err(Error::generic(&error, &description))
}

/// A 2xx that is unusable: `GenericError('invalid_token_response', …)`.
fn malformed(url: &str, what: &str) -> Error {
    let mut m = String::from("Invalid token response from ");
    m.push_str(url);
    m.push_str(": ");
    m.push_str(what);
    Error::generic(INVALID_TOKEN_RESPONSE, &m)
}

/// A member that must be a string when present (E9: `null` or a number is an error). An empty
/// string is accepted only where `allow_empty` (an empty `scope`); an empty refresh or ID token
/// is malformed.
fn optional_string(obj: &Json, key: &'static str, allow_empty: bool) -> Result<Option<String>, &'static str> {
    match obj.get(key) {
        None => Ok(None),
        Some(Json::String(s)) if allow_empty || !s.is_empty() => Ok(Some(s.clone())),
        Some(_) => Err(match key {
            "refresh_token" => "\"refresh_token\" must be a non-empty string",
            "id_token" => "\"id_token\" must be a non-empty string",
            _ => "\"scope\" must be a string",
        }),
    }
}

fn clamp_lifetime(secs: f64) -> u64 {
    if secs >= MAX_EXPIRES_IN_SECS as f64 {
        MAX_EXPIRES_IN_SECS
    } else if secs > 0.0 {
        secs.floor() as u64
    } else {
        0
    }
}

/// `exp − now` of a JWT access token, or 0 when it is opaque or has no numeric `exp`.
fn expires_in_from_jwt(access_token: &str, now_ms: UnixMillis) -> u64 {
    match jwt::decode(access_token).ok().and_then(|t| t.num_claim("exp")) {
        Some(exp) => clamp_lifetime(exp - (now_ms / 1000) as f64),
        None => 0,
    }
}

fn error_from_body(response: &HttpResponse, url: &str) -> Error {
    match Json::parse(&response.body) {
        Ok(obj @ Json::Object(_)) => error_from_object(&obj, url),
        _ => {
            let mut m = String::from("HTTP error ");
            push_decimal(&mut m, response.status);
            m.push_str(". Unable to fetch ");
            m.push_str(url);
            Error::generic("request_error", &m)
        }
    }
}

fn push_decimal(out: &mut String, n: u16) {
    let mut started = false;
    for div in [10_000u16, 1000, 100, 10, 1] {
        let digit = (n / div) % 10;
        if digit != 0 || started || div == 1 {
            started = true;
            out.push(char::from(b'0' + digit as u8));
        }
    }
}

fn error_from_object(obj: &Json, url: &str) -> Error {
    let default_message = || {
        let mut m = String::from("HTTP error. Unable to fetch ");
        m.push_str(url);
        m
    };
    let description = match obj.str_field("error_description") {
        Some(d) if !d.is_empty() => d.to_owned(),
        _ => default_message(),
    };
    match obj.str_field("error").filter(|c| !c.is_empty()) {
        Some("mfa_required") => {
            let token = obj.str_field("mfa_token");
            let requirements = obj.get("mfa_requirements").filter(|r| !matches!(r, Json::Null)).cloned();
            let mut e = Error::mfa_required(&description, token.unwrap_or(""), requirements);
            if token.is_none() {
                e.mfa_token = None;
            }
            e
        }
        Some("missing_refresh_token") => Error::missing_refresh_token("default", ""),
        Some(code) => Error::generic(code, &description),
        None => Error::generic("request_error", &description),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The failures that leave the session as it is (the client surfaces them; it does not retry:
    /// a request that reached the server may have consumed a single-use code or refresh token,
    /// E14): network errors, timeouts, `server_error`, `temporarily_unavailable`.
    fn is_transient(e: &Error) -> bool {
        matches!(e.error.as_str(), "request_error" | "timeout" | "server_error" | "temporarily_unavailable")
    }
    use crate::core::encoding::base64url_encode;
    use crate::core::ErrorClass;

    const URL: &str = "https://tenant.example.com/oauth/token";
    const NOW_MS: u64 = 1_750_000_000_000;

    fn endpoint(form: bool) -> TokenEndpoint {
        TokenEndpoint {
            base_url: "https://tenant.example.com".into(),
            client_id: "abc".into(),
            auth0_client_header: "eyJuYW1lIjoiYXV0aDAtc3BhLWpzIn0=".into(),
            use_form_data: form,
        }
    }

    fn ok(body: &str) -> HttpResponse {
        HttpResponse { status: 200, body: body.into(), dpop_nonce: None }
    }

    fn parse(body: &str) -> Result<TokenResponse> {
        parse_token_response(&ok(body), URL, NOW_MS)
    }

    fn malformed_code(body: &str) -> String {
        let e = parse(body).unwrap_err();
        assert_eq!(e.class, ErrorClass::Generic);
        e.error.clone()
    }

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    const GOOD: &str = r#"{"access_token":"at","id_token":"a.b.c","scope":"openid profile","expires_in":86400,"token_type":"Bearer","refresh_token":"rt"}"#;

    // ---- requests -----------------------------------------------------------------------

    #[test]
    fn code_exchange_posts_the_redirect_callback_body_in_auth0_order() {
        let r = endpoint(true).authorization_code("CODE1", "ver", Some("https://app.example.com/cb"), &[]);
        assert_eq!(r.url, "https://tenant.example.com/oauth/token");
        assert_eq!(r.method, "POST");
        assert_eq!(r.body, "client_id=abc&code_verifier=ver&grant_type=authorization_code&code=CODE1&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb");
    }

    #[test]
    fn json_grant_is_json_whatever_use_form_data_says_with_client_id_first() {
        for form in [true, false] {
            let members = vec![("grant_type".to_owned(), Json::str("g")), ("o".to_owned(), Json::Object(vec![("a".to_owned(), Json::str("b"))]))];
            let r = endpoint(form).json_grant(members);
            assert_eq!(r.url, URL);
            assert_eq!(r.headers[0], ("Content-Type".to_owned(), "application/json".to_owned()));
            assert_eq!(r.body, r#"{"client_id":"abc","grant_type":"g","o":{"a":"b"}}"#);
        }
    }

    #[test]
    fn code_exchange_without_redirect_uri_omits_it() {
        let r = endpoint(true).authorization_code("C", "v", None, &pairs(&[("redirect_uri", "https://evil/")]));
        assert_eq!(r.body, "client_id=abc&code_verifier=v&grant_type=authorization_code&code=C");
    }

    #[test]
    fn token_requests_carry_content_type_and_auth0_client_headers() {
        let r = endpoint(true).refresh_token("rt", "https://app", &[], None);
        assert_eq!(r.headers, pairs(&[("Content-Type", "application/x-www-form-urlencoded"), ("Auth0-Client", "eyJuYW1lIjoiYXV0aDAtc3BhLWpzIn0=")]));
        let r = endpoint(false).refresh_token("rt", "https://app", &[], None);
        assert_eq!(r.headers.first().map(|h| h.1.as_str()), Some("application/json"));
    }

    #[test]
    fn refresh_body_matches_auth0_when_redirect_uri_is_a_client_param() {
        // Verified against auth0-spa-js: client_id, redirect_uri, grant_type, refresh_token.
        let extra = pairs(&[("redirect_uri", "https://app.example.com/cb"), ("scope", "openid offline_access")]);
        let r = endpoint(true).refresh_token("RT-1", "https://app.example.com/cb", &extra, None);
        assert_eq!(r.body, "client_id=abc&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&grant_type=refresh_token&refresh_token=RT-1");
    }

    #[test]
    fn refresh_body_appends_redirect_uri_after_the_token_otherwise() {
        let r = endpoint(true).refresh_token("RT-1", "https://app", &pairs(&[("ui_locales", "de")]), None);
        assert_eq!(r.body, "client_id=abc&ui_locales=de&grant_type=refresh_token&refresh_token=RT-1&redirect_uri=https%3A%2F%2Fapp");
    }

    #[test]
    fn audience_scope_and_internal_options_are_never_sent() {
        let extra = pairs(&[("audience", "https://api"), ("scope", "openid"), ("timeout", "5000"), ("useMrrt", "true"), ("organization", "org_1")]);
        let r = endpoint(true).authorization_code("C", "v", Some("https://app"), &extra);
        assert_eq!(r.body, "client_id=abc&organization=org_1&code_verifier=v&grant_type=authorization_code&code=C&redirect_uri=https%3A%2F%2Fapp");
    }

    #[test]
    fn custom_params_cannot_override_protocol_values() {
        let extra = pairs(&[("client_id", "evil"), ("grant_type", "password"), ("code", "X"), ("code_verifier", "Y"), ("refresh_token", "Z"), ("redirect_uri", "https://evil")]);
        let r = endpoint(true).refresh_token("RT", "https://app", &extra, None);
        assert_eq!(r.body, "client_id=abc&redirect_uri=https%3A%2F%2Fapp&grant_type=refresh_token&refresh_token=RT");
        let r = endpoint(true).authorization_code("C", "v", Some("https://app"), &extra);
        assert_eq!(r.body, "client_id=abc&redirect_uri=https%3A%2F%2Fapp&code_verifier=v&grant_type=authorization_code&code=C");
    }

    #[test]
    fn a_multi_resource_refresh_names_its_audience_and_scope_last() {
        let extra = pairs(&[("audience", "ignored"), ("scope", "ignored"), ("ui_locales", "de")]);
        let r = endpoint(true).refresh_token("RT", "https://app", &extra, Some(("https://api/", "openid read")));
        assert_eq!(r.body, "client_id=abc&ui_locales=de&grant_type=refresh_token&refresh_token=RT&redirect_uri=https%3A%2F%2Fapp&audience=https%3A%2F%2Fapi%2F&scope=openid+read");
    }

    #[test]
    fn json_bodies_keep_the_same_keys_and_order() {
        let r = endpoint(false).authorization_code("C", "v", Some("https://app/cb"), &[]);
        assert_eq!(r.body, r#"{"client_id":"abc","code_verifier":"v","grant_type":"authorization_code","code":"C","redirect_uri":"https://app/cb"}"#);
    }

    // ---- successful responses -----------------------------------------------------------

    #[test]
    fn parses_a_complete_response_and_keeps_every_field_in_order() {
        let t = parse(r#"{"access_token":"at","id_token":"a.b.c","scope":"openid","expires_in":86400,"token_type":"Bearer","refresh_token":"rt","x_custom":{"a":1},"error_description":"ignored"}"#).unwrap();
        assert_eq!(t.access_token, "at");
        assert_eq!(t.token_type, "Bearer");
        assert_eq!(t.expires_in, 86400);
        assert_eq!(t.refresh_token.as_deref(), Some("rt"));
        assert_eq!(t.id_token.as_deref(), Some("a.b.c"));
        assert_eq!(t.scope.as_deref(), Some("openid"));
        assert_eq!(
            t.to_json().to_json_string(),
            r#"{"access_token":"at","id_token":"a.b.c","scope":"openid","expires_in":86400,"token_type":"Bearer","refresh_token":"rt","x_custom":{"a":1}}"#
        );
    }

    #[test]
    fn e1_a_body_that_is_not_json_is_rejected() {
        assert_eq!(malformed_code("{\""), INVALID_TOKEN_RESPONSE);
        assert_eq!(malformed_code(""), INVALID_TOKEN_RESPONSE);
        assert_eq!(malformed_code("<html>ok</html>"), INVALID_TOKEN_RESPONSE);
    }

    #[test]
    fn e2_a_body_that_is_not_an_object_is_rejected() {
        for body in ["null", "[]", "\"x\"", "1", "true"] {
            assert_eq!(malformed_code(body), INVALID_TOKEN_RESPONSE, "{body}");
        }
    }

    #[test]
    fn e4_access_token_missing_or_not_a_string_is_rejected() {
        for body in [
            r#"{"token_type":"Bearer","expires_in":1}"#,
            r#"{"access_token":null,"token_type":"Bearer","expires_in":1}"#,
            r#"{"access_token":5,"token_type":"Bearer","expires_in":1}"#,
            r#"{"access_token":"","token_type":"Bearer","expires_in":1}"#,
        ] {
            let e = parse(body).unwrap_err();
            assert_eq!(e.error, INVALID_TOKEN_RESPONSE);
            assert!(e.description.contains("access_token"), "{}", e.description);
        }
    }

    #[test]
    fn e5_token_type_missing_or_unknown_is_rejected() {
        for body in [r#"{"access_token":"a","expires_in":1}"#, r#"{"access_token":"a","token_type":"mac","expires_in":1}"#, r#"{"access_token":"a","token_type":1,"expires_in":1}"#] {
            assert_eq!(malformed_code(body), INVALID_TOKEN_RESPONSE, "{body}");
        }
    }

    #[test]
    fn e6_token_type_is_case_insensitive_and_kept_verbatim() {
        let t = parse(r#"{"access_token":"a","token_type":"bEARER","expires_in":1}"#).unwrap();
        assert_eq!(t.token_type, "bEARER");
        let t = parse(r#"{"access_token":"a","token_type":"dpop","expires_in":1}"#).unwrap();
        assert_eq!(t.token_type, "dpop");
    }

    #[test]
    fn e7_missing_expires_in_with_an_opaque_token_expires_at_once() {
        let t = parse(r#"{"access_token":"opaque","token_type":"Bearer"}"#).unwrap();
        assert_eq!(t.expires_in, 0);
        assert_eq!(t.to_json().to_json_string(), r#"{"access_token":"opaque","token_type":"Bearer","expires_in":0}"#);
    }

    #[test]
    fn e7_missing_expires_in_is_derived_from_a_jwt_access_token() {
        let mut at = base64url_encode(br#"{"alg":"RS256"}"#);
        at.push('.');
        at.push_str(&base64url_encode(b"{\"exp\":1750000300}"));
        at.push_str(".sig");
        let body = Json::Object(vec![("access_token".into(), Json::str(&at)), ("token_type".into(), Json::str("Bearer"))]).to_json_string();
        assert_eq!(parse(&body).unwrap().expires_in, 300);
        // An already expired JWT gives 0, a far-future one is clamped.
        let mut old = base64url_encode(br#"{"alg":"RS256"}"#);
        old.push('.');
        old.push_str(&base64url_encode(b"{\"exp\":1}"));
        old.push_str(".sig");
        let body = Json::Object(vec![("access_token".into(), Json::str(&old)), ("token_type".into(), Json::str("Bearer"))]).to_json_string();
        assert_eq!(parse(&body).unwrap().expires_in, 0);
    }

    #[test]
    fn expires_in_that_is_negative_or_not_a_number_is_rejected() {
        for v in ["-1", "\"3600\"", "null", "true", "{}"] {
            let body = [r#"{"access_token":"a","token_type":"Bearer","expires_in":"#, v, "}"].concat();
            let e = parse(&body).unwrap_err();
            assert!(e.description.contains("expires_in"), "{v}: {}", e.description);
        }
    }

    #[test]
    fn absurd_expires_in_is_clamped_to_one_year_and_fractions_are_floored() {
        let t = parse(r#"{"access_token":"a","token_type":"Bearer","expires_in":1e300}"#).unwrap();
        assert_eq!(t.expires_in, MAX_EXPIRES_IN_SECS);
        assert_eq!(t.fields().iter().find(|(k, _)| k == "expires_in").map(|(_, v)| v.clone()), Some(Json::Number(MAX_EXPIRES_IN_SECS as f64)));
        let t = parse(r#"{"access_token":"a","token_type":"Bearer","expires_in":59.9}"#).unwrap();
        assert_eq!(t.expires_in, 59);
    }

    #[test]
    fn e9_refresh_token_id_token_or_scope_with_the_wrong_type_is_rejected() {
        for (k, v) in [("refresh_token", "null"), ("refresh_token", "5"), ("refresh_token", "\"\""), ("id_token", "null"), ("id_token", "[]"), ("scope", "null"), ("scope", "1")] {
            let body = [r#"{"access_token":"a","token_type":"Bearer","expires_in":1,""#, k, "\":", v, "}"].concat();
            let e = parse(&body).unwrap_err();
            assert_eq!(e.error, INVALID_TOKEN_RESPONSE, "{k}={v}");
            assert!(e.description.contains(k), "{}", e.description);
        }
        // An empty scope string is a string.
        assert!(parse(r#"{"access_token":"a","token_type":"Bearer","expires_in":1,"scope":""}"#).is_ok());
    }

    #[test]
    fn e11_a_200_carrying_an_oauth_error_is_an_error() {
        let e = parse(r#"{"error":"invalid_grant","error_description":"nope","access_token":"a","token_type":"Bearer"}"#).unwrap_err();
        assert_eq!((e.error.as_str(), e.description.as_str()), ("invalid_grant", "nope"));
    }

    #[test]
    fn a_refresh_response_without_refresh_token_parses_with_none() {
        let t = parse(r#"{"access_token":"a","token_type":"Bearer","expires_in":60}"#).unwrap();
        assert_eq!(t.refresh_token, None);
        assert_eq!(t.id_token, None);
    }

    #[test]
    fn set_refresh_token_updates_the_typed_field_and_the_cached_fields() {
        let mut t = parse(r#"{"access_token":"a","token_type":"Bearer","expires_in":60}"#).unwrap();
        t.set_refresh_token("kept");
        assert_eq!(t.refresh_token.as_deref(), Some("kept"));
        assert_eq!(t.to_json().str_field("refresh_token"), Some("kept"));
        let mut t = parse(GOOD).unwrap();
        t.set_refresh_token("new");
        assert_eq!(t.to_json().to_json_string(), GOOD.replace("\"rt\"", "\"new\""));
    }

    #[test]
    fn debug_output_hides_the_tokens() {
        let t = parse(GOOD).unwrap();
        let shown = format!("{t:?}");
        assert!(!shown.contains("\"at\"") && !shown.contains("\"rt\"") && !shown.contains("a.b.c"), "{shown}");
    }

    // ---- error responses ----------------------------------------------------------------

    fn err(status: u16, body: &str) -> Error {
        parse_token_response(&HttpResponse { status, body: body.into(), dpop_nonce: None }, URL, NOW_MS).unwrap_err()
    }

    #[test]
    fn oauth_errors_become_generic_errors_with_code_and_description() {
        let e = err(400, r#"{"error":"invalid_grant","error_description":"Unknown or invalid refresh token."}"#);
        assert_eq!(e.class, ErrorClass::Generic);
        assert_eq!((e.error.as_str(), e.description.as_str()), ("invalid_grant", "Unknown or invalid refresh token."));
    }

    #[test]
    fn missing_code_or_description_use_auth0_defaults() {
        let e = err(400, r#"{"foo":1}"#);
        assert_eq!((e.error.as_str(), e.description.as_str()), ("request_error", "HTTP error. Unable to fetch https://tenant.example.com/oauth/token"));
        let e = err(401, r#"{"error":"invalid_client"}"#);
        assert_eq!((e.error.as_str(), e.description.as_str()), ("invalid_client", "HTTP error. Unable to fetch https://tenant.example.com/oauth/token"));
    }

    #[test]
    fn mfa_required_becomes_mfa_required_error_with_token_and_requirements() {
        let e = err(403, r#"{"error":"mfa_required","error_description":"Multifactor authentication required","mfa_token":"mt","mfa_requirements":{"challenge":[{"type":"otp"}]}}"#);
        assert_eq!(e.class, ErrorClass::MfaRequired);
        assert_eq!(e.error, "mfa_required");
        assert_eq!(e.description, "Multifactor authentication required");
        assert_eq!(e.mfa_token.as_deref(), Some("mt"));
        assert_eq!(e.mfa_requirements.as_ref().map(|r| r.to_json_string()), Some(r#"{"challenge":[{"type":"otp"}]}"#.to_owned()));
        let e = err(403, r#"{"error":"mfa_required"}"#);
        assert_eq!(e.mfa_token, None);
    }

    #[test]
    fn missing_refresh_token_code_becomes_missing_refresh_token_error() {
        let e = err(403, r#"{"error":"missing_refresh_token","error_description":"x"}"#);
        assert_eq!(e.class, ErrorClass::MissingRefreshToken);
        assert!(is_refresh_token_dead(&e));
    }

    #[test]
    fn classification_uses_the_code_never_the_description() {
        // A description that mentions MFA or a missing refresh token does not change the class.
        let e = err(400, r#"{"error":"invalid_request","error_description":"mfa_required missing_refresh_token Unknown or invalid refresh token."}"#);
        assert_eq!(e.class, ErrorClass::Generic);
        assert!(!is_refresh_token_dead(&e));
        // oidc-provider's generic text still is a dead refresh token (F3).
        assert!(is_refresh_token_dead(&err(400, r#"{"error":"invalid_grant","error_description":"grant request is invalid"}"#)));
    }

    #[test]
    fn e14_server_errors_without_json_are_request_errors_with_the_status() {
        let e = err(503, "<html>Service Unavailable</html>");
        assert_eq!(e.class, ErrorClass::Generic);
        assert_eq!(e.error, "request_error");
        assert_eq!(e.description, "HTTP error 503. Unable to fetch https://tenant.example.com/oauth/token");
        assert!(is_transient(&e));
        assert!(!is_refresh_token_dead(&e));
        let e = err(500, "[]");
        assert_eq!(e.description, "HTTP error 500. Unable to fetch https://tenant.example.com/oauth/token");
    }

    #[test]
    fn e14_server_errors_with_json_keep_their_code() {
        let e = err(500, r#"{"error":"server_error","error_description":"boom"}"#);
        assert_eq!(e.error, "server_error");
        assert!(is_transient(&e));
        assert!(is_transient(&err(503, r#"{"error":"temporarily_unavailable"}"#)));
    }

    #[test]
    fn e12_e13_grant_and_client_errors_are_neither_transient_nor_misfiled() {
        let grant = err(400, r#"{"error":"invalid_grant"}"#);
        assert!(is_refresh_token_dead(&grant) && !is_transient(&grant));
        for code in ["invalid_client", "unauthorized_client", "invalid_scope", "access_denied"] {
            let e = err(401, &[r#"{"error":""#, code, r#""}"#].concat());
            assert_eq!(e.error, code);
            assert!(!is_transient(&e) && !is_refresh_token_dead(&e), "{code}");
        }
    }

    #[test]
    fn network_failures_and_timeouts_from_the_platform_are_transient() {
        assert!(is_transient(&Error::plain("timeout", "Timeout when executing 'fetch'")));
        assert!(is_transient(&Error::plain("request_error", "Failed to fetch")));
    }

    #[test]
    fn an_unreadable_success_means_the_refresh_token_was_consumed() {
        let e = parse("{\"").unwrap_err();
        assert!(is_refresh_token_dead(&e));
        assert!(!is_transient(&e));
    }

    #[test]
    fn e19_markup_in_error_description_is_kept_as_plain_text() {
        let e = err(400, r#"{"error":"access_denied","error_description":"<img src=x onerror=alert(1)>"}"#);
        assert_eq!(e.description, "<img src=x onerror=alert(1)>");
    }
}
