//! The `/authorize` URL (RFC 6749 §4.1.1, OIDC Core 3.1.2.1), built parameter-for-parameter
//! like auth0-spa-js `_prepareAuthorizeUrl` + `getAuthorizeParams`
//! (docs/behaviour.md §2.3), plus the `auth0Client` telemetry encodings (§2.2).
//!
//! Parameter order is JavaScript object order: `client_id`, `scope`, the client-level
//! `authorizationParams`, the per-call ones, then `response_type`, `response_mode`, `state`,
//! `nonce`, `redirect_uri`, `code_challenge`, `code_challenge_method` (and `dpop_jkt`); a key
//! that already appeared earlier keeps its first position but takes the SDK's value. Values are
//! encoded as `URLSearchParams` does, and `&auth0Client=…` always comes last.
//!
//! Security properties (tested below): the PKCE verifier never appears in the URL (C5); the SDK's
//! `client_id`, `state`, `nonce`, `code_challenge` and `code_challenge_method` cannot be
//! overridden by parameters; `redirect_uri` comes from the call, the client options, or, for
//! popup / iframe only, the page origin given by the caller — never from the current page URL
//! (L1).

use super::encoding::{base64_encode, encode_uri_component, form_serialize};
use super::json::Json;
use super::options::{ClientOptions, ParamList};
use super::pkce::{PkcePair, CODE_CHALLENGE_METHOD};
use super::rng::{new_nonce, new_state, Rng};
use super::scope::DEFAULT_AUDIENCE;
use super::transaction::LoginTransaction;
use super::Result;

/// How the authorization server returns its response (`response_mode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ResponseMode {
    /// Redirect back with `?code=…&state=…` (`loginWithRedirect`; OAuth 2.0 Multiple Response
    /// Type Encoding Practices §2.1).
    Query,
    /// `postMessage` to the opener / parent (popup and hidden iframe; Auth0's `web_message`).
    WebMessage,
}

impl ResponseMode {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            ResponseMode::Query => "query",
            ResponseMode::WebMessage => "web_message",
        }
    }
}

/// The secrets of one authorization request, kept apart from the URL builder so tests can
/// replay exact URLs.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct AuthorizeSecrets {
    /// `state` (RFC 6749 §10.12).
    pub state: String,
    /// `nonce` (OIDC Core 3.1.2.1).
    pub nonce: String,
    /// The PKCE pair (RFC 7636); only the challenge goes into the URL.
    pub pkce: PkcePair,
}

impl AuthorizeSecrets {
    /// Fresh `state`, `nonce` and PKCE pair, drawn in auth0-spa-js's order.
    ///
    /// # Errors
    /// When the random source fails.
    pub fn generate(rng: &mut dyn Rng) -> Result<AuthorizeSecrets> {
        let state = new_state(rng)?;
        let nonce = new_nonce(rng)?;
        let pkce = PkcePair::generate(rng)?;
        Ok(AuthorizeSecrets { state, nonce, pkce })
    }
}

impl std::fmt::Debug for AuthorizeSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthorizeSecrets").field("state", &self.state).field("pkce", &self.pkce).finish()
    }
}

/// One authorization request, as the client orchestrator describes it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct AuthorizeRequest<'a> {
    /// The validated client options (client id, base URL, client-level params, scope map).
    pub options: &'a ClientOptions,
    /// Per-call `authorizationParams`. For the hidden iframe, pass the merged client + call
    /// params with `prompt=none` (and an organization hint) as auth0-spa-js does.
    pub params: &'a ParamList,
    /// `query` for redirects, `web_message` for popup and iframe.
    pub response_mode: ResponseMode,
    /// Last-resort `redirect_uri`: the page **origin** (`window.location.origin`) for popup and
    /// iframe, `None` for redirects (auth0-spa-js then omits `redirect_uri`).
    pub fallback_redirect_uri: Option<&'a str>,
    /// RFC 9449 §10 `dpop_jkt` when DPoP is on.
    pub dpop_jkt: Option<&'a str>,
}

/// A built authorization request: the URL to open plus what the callback needs.
#[derive(Clone, PartialEq)]
pub(crate) struct PreparedAuthorize {
    /// The complete `/authorize` URL (contains the challenge, never the verifier).
    pub url: String,
    /// The `state` sent.
    pub state: String,
    /// The `nonce` sent (checked in the ID token, OIDC Core 3.1.3.7 step 11).
    pub nonce: String,
    /// The PKCE verifier for the token request (RFC 7636 §4.5). Secret.
    pub code_verifier: String,
    /// The computed scope sent (also the cache key scope).
    pub scope: String,
    /// `audience` of the merged params, or `default`.
    pub audience: String,
    /// The `redirect_uri` sent, if any; the token request must repeat it verbatim
    /// (RFC 6749 §4.1.3, security case A13).
    pub redirect_uri: Option<String>,
    /// `organization`: per-call, else client-level (for the transaction and ID-token check).
    pub organization: Option<String>,
}

impl PreparedAuthorize {
    /// The transaction auth0-spa-js stores for `loginWithRedirect` (§3.8).
    pub(crate) fn into_transaction(self, app_state: Option<Json>) -> LoginTransaction {
        LoginTransaction {
            nonce: self.nonce,
            code_verifier: self.code_verifier,
            scope: self.scope,
            audience: self.audience,
            redirect_uri: self.redirect_uri,
            state: self.state,
            app_state,
            response_type: "code".to_owned(),
            organization: self.organization,
        }
    }
}

impl std::fmt::Debug for PreparedAuthorize {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedAuthorize")
            .field("url", &self.url)
            .field("scope", &self.scope)
            .field("audience", &self.audience)
            .field("redirect_uri", &self.redirect_uri)
            .field("code_verifier", &"[redacted]")
            .finish()
    }
}

/// Draws fresh secrets and builds the request.
///
/// # Errors
/// When the random source fails.
pub(crate) fn prepare_authorize(request: &AuthorizeRequest<'_>, rng: &mut dyn Rng) -> Result<PreparedAuthorize> {
    let secrets = AuthorizeSecrets::generate(rng)?;
    Ok(build_authorize(request, secrets))
}

/// Builds the request from given secrets (deterministic; see the module docs for the order).
pub(crate) fn build_authorize(request: &AuthorizeRequest<'_>, secrets: AuthorizeSecrets) -> PreparedAuthorize {
    let options = request.options;
    let call = request.params;

    let scope = options.scope.scopes_to_request(call.get_truthy("scope"), call.get_truthy("audience"));
    let redirect_uri = call
        .get_truthy("redirect_uri")
        .or_else(|| options.redirect_uri())
        .or(request.fallback_redirect_uri.filter(|r| !r.is_empty()))
        .map(str::to_owned);
    let organization = call.get_truthy("organization").or_else(|| options.organization()).map(str::to_owned);

    let mut params = ParamList::new();
    params.set("client_id", &options.client_id);
    params.set("scope", "");
    params.extend(&options.authorization_params);
    params.extend(call);
    // Values the SDK owns: set after the spreads, so they keep any earlier position but can
    // never be overridden by an application parameter.
    params.set("client_id", &options.client_id);
    params.set("scope", &scope);
    params.set("response_type", "code");
    params.set("response_mode", request.response_mode.as_str());
    params.set("state", &secrets.state);
    params.set("nonce", &secrets.nonce);
    match &redirect_uri {
        Some(uri) => params.set("redirect_uri", uri),
        None => {
            params.remove("redirect_uri");
        }
    }
    params.set("code_challenge", &secrets.pkce.code_challenge);
    params.set("code_challenge_method", CODE_CHALLENGE_METHOD);
    if let Some(jkt) = request.dpop_jkt {
        params.set("dpop_jkt", jkt);
    }
    let audience = params.get_truthy("audience").unwrap_or(DEFAULT_AUDIENCE).to_owned();

    let mut url = String::with_capacity(options.base_url.len() + 512);
    url.push_str(&options.base_url);
    url.push_str("/authorize?");
    url.push_str(&form_serialize(params.pairs()));
    push_auth0_client(&mut url, &options.auth0_client);

    PreparedAuthorize {
        url,
        state: secrets.state,
        nonce: secrets.nonce,
        code_verifier: secrets.pkce.code_verifier,
        scope,
        audience,
        redirect_uri,
        organization,
    }
}

/// JavaScript `btoa` on a string: standard base64 of its characters as Latin-1 bytes; `None`
/// where `btoa` would throw (a character above U+00FF).
pub(crate) fn btoa(text: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len());
    for c in text.chars() {
        bytes.push(u8::try_from(u32::from(c)).ok()?);
    }
    Some(base64_encode(&bytes))
}

/// `btoa(JSON.stringify(obj))`, falling back to base64 of the UTF-8 bytes for text `btoa` would
/// reject (options validation already refuses such telemetry, so this is only a no-panic net).
fn btoa_json(value: &Json) -> String {
    let json = value.to_json_string();
    btoa(&json).unwrap_or_else(|| base64_encode(json.as_bytes()))
}

/// The `auth0Client` query value for `/authorize` and `/v2/logout`:
/// `encodeURIComponent(btoa(JSON.stringify(telemetry without env)))` (2.13.0 dropped `env` to
/// keep URLs short, §2.2).
pub(crate) fn auth0_client_query_value(telemetry: &Json) -> String {
    let mut without_env = telemetry.clone();
    without_env.remove("env");
    encode_uri_component(&btoa_json(&without_env))
}

/// The `Auth0-Client` header of `/oauth/token` and `/oauth/revoke`:
/// `btoa(JSON.stringify(telemetry))` with `env` kept (§2.2).
pub fn auth0_client_header(telemetry: &Json) -> String {
    btoa_json(telemetry)
}

/// Appends `&auth0Client=…` (shared with the logout URL).
pub(crate) fn push_auth0_client(url: &mut String, telemetry: &Json) {
    url.push_str("&auth0Client=");
    url.push_str(&auth0_client_query_value(telemetry));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::encoding::{base64url_decode, form_parse};
    use crate::core::pkce::code_challenge_s256;
    use crate::core::rng::SeqRng;

    fn options(text: &str) -> ClientOptions {
        ClientOptions::from_json(&Json::parse(text).unwrap()).unwrap()
    }

    fn secrets() -> AuthorizeSecrets {
        AuthorizeSecrets {
            state: "c3RhdGU+Lz0=".into(),
            nonce: "bm9uY2U==".into(),
            pkce: PkcePair { code_verifier: "VERIFIER-not-in-url".into(), code_challenge: "CHALLENGE".into() },
        }
    }

    fn params(pairs: &[(&str, &str)]) -> ParamList {
        let mut p = ParamList::new();
        for (k, v) in pairs {
            p.set(k, v);
        }
        p
    }

    fn build(o: &ClientOptions, call: &ParamList, mode: ResponseMode, fallback: Option<&str>) -> PreparedAuthorize {
        build_authorize(
            &AuthorizeRequest { options: o, params: call, response_mode: mode, fallback_redirect_uri: fallback, dpop_jkt: None },
            secrets(),
        )
    }

    fn query(url: &str) -> Vec<(String, String)> {
        let q = url.split_once('?').unwrap().1;
        form_parse(q)
    }

    fn keys(url: &str) -> Vec<String> {
        query(url).into_iter().map(|(k, _)| k).collect()
    }

    const TELEMETRY: &str = "eyJuYW1lIjoiYXV0aDAtc3BhLWpzIiwidmVyc2lvbiI6IjIuMjguMyJ9";

    #[test]
    fn matches_the_verified_auth0_spa_js_url_shape() {
        let o = options(r#"{"domain":"tenant.auth0.com","clientId":"abc","useRefreshTokens":true,
            "authorizationParams":{"redirect_uri":"https://app.example.com/cb"}}"#);
        let p = build(&o, &ParamList::new(), ResponseMode::Query, None);
        assert_eq!(
            p.url,
            "https://tenant.auth0.com/authorize?client_id=abc&scope=openid+profile+email+offline_access\
             &redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&response_type=code&response_mode=query\
             &state=c3RhdGU%2BLz0%3D&nonce=bm9uY2U%3D%3D&code_challenge=CHALLENGE&code_challenge_method=S256\
             &auth0Client=eyJuYW1lIjoiYXV0aDAtc3BhLWpzIiwidmVyc2lvbiI6IjIuMjguMyJ9"
        );
        assert_eq!(p.scope, "openid profile email offline_access");
        assert_eq!(p.audience, "default");
        assert_eq!(p.redirect_uri.as_deref(), Some("https://app.example.com/cb"));
    }

    #[test]
    fn default_telemetry_decodes_to_auth0_spa_js_json() {
        let decoded = base64url_decode(TELEMETRY).unwrap();
        assert_eq!(String::from_utf8(decoded).unwrap(), r#"{"name":"auth0-spa-js","version":"2.28.3"}"#);
    }

    #[test]
    fn redirect_uri_without_client_value_goes_after_nonce() {
        let o = options(r#"{"domain":"t.auth0.com","clientId":"abc"}"#);
        let p = build(&o, &params(&[("redirect_uri", "https://app/cb")]), ResponseMode::Query, None);
        assert_eq!(keys(&p.url), ["client_id", "scope", "redirect_uri", "response_type", "response_mode", "state", "nonce", "code_challenge", "code_challenge_method", "auth0Client"]);
        let o = options(r#"{"domain":"t.auth0.com","clientId":"abc"}"#);
        let p = build(&o, &params(&[("audience", "x")]), ResponseMode::WebMessage, Some("https://app.example.com"));
        assert_eq!(keys(&p.url), ["client_id", "scope", "audience", "response_type", "response_mode", "state", "nonce", "redirect_uri", "code_challenge", "code_challenge_method", "auth0Client"]);
    }

    #[test]
    fn client_params_then_call_params_in_insertion_order() {
        let o = options(r#"{"domain":"t","clientId":"abc","authorizationParams":{"audience":"https://api","zeta":"1","scope":"read:x","alpha":"2"}}"#);
        let p = build(&o, &params(&[("beta", "3"), ("zeta", "9")]), ResponseMode::Query, None);
        let q = query(&p.url);
        let ks: Vec<&str> = q.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(&ks[..6], ["client_id", "scope", "audience", "zeta", "alpha", "beta"]);
        assert_eq!(q[3].1, "9", "per-call value replaces the client value in place");
        assert_eq!(q[1].1, "openid read:x");
    }

    #[test]
    fn per_call_scope_is_merged_and_keeps_scope_position() {
        let o = options(r#"{"domain":"t","clientId":"abc"}"#);
        let p = build(&o, &params(&[("foo", "1"), ("scope", "read:x openid")]), ResponseMode::Query, None);
        let q = query(&p.url);
        assert_eq!(q[1], ("scope".to_string(), "openid profile email read:x".to_string()));
        assert_eq!(q[2].0, "foo");
        assert_eq!(p.scope, "openid profile email read:x");
    }

    #[test]
    fn login_uses_only_the_per_call_audience_to_pick_the_scope_slot() {
        let o = options(r#"{"domain":"t","clientId":"abc","useRefreshTokens":true,
            "authorizationParams":{"audience":"https://api","scope":{"https://api":"read:things"}}}"#);
        let p = build(&o, &ParamList::new(), ResponseMode::Query, None);
        assert_eq!(p.scope, "openid offline_access");
        assert_eq!(p.audience, "https://api", "transaction audience is the merged one");
        let p = build(&o, &params(&[("audience", "https://api")]), ResponseMode::Query, None);
        assert_eq!(p.scope, "openid read:things offline_access");
    }

    #[test]
    fn response_mode_and_type_are_fixed() {
        let o = options(r#"{"domain":"t","clientId":"abc"}"#);
        let p = build(&o, &params(&[("response_type", "token"), ("response_mode", "fragment")]), ResponseMode::WebMessage, Some("https://o"));
        let q = query(&p.url);
        let get = |k: &str| q.iter().find(|(kk, _)| kk == k).map(|(_, v)| v.clone());
        assert_eq!(get("response_type").as_deref(), Some("code"));
        assert_eq!(get("response_mode").as_deref(), Some("web_message"));
        assert_eq!(ResponseMode::Query.as_str(), "query");
    }

    #[test]
    fn sdk_owned_values_cannot_be_overridden_by_params() {
        let o = options(r#"{"domain":"t","clientId":"abc","authorizationParams":{"state":"evil","client_id":"other"}}"#);
        let p = build(&o, &params(&[("nonce", "evil"), ("code_challenge", "evil"), ("code_challenge_method", "plain")]), ResponseMode::Query, None);
        let q = query(&p.url);
        let get = |k: &str| q.iter().find(|(kk, _)| kk == k).map(|(_, v)| v.clone()).unwrap();
        assert_eq!(get("client_id"), "abc");
        assert_eq!(get("state"), "c3RhdGU+Lz0=");
        assert_eq!(get("nonce"), "bm9uY2U==");
        assert_eq!(get("code_challenge"), "CHALLENGE");
        assert_eq!(get("code_challenge_method"), "S256");
        assert_eq!(q.iter().filter(|(k, _)| k == "state").count(), 1);
    }

    #[test]
    fn redirect_uri_prefers_call_then_client_then_origin_fallback() {
        let o = options(r#"{"domain":"t","clientId":"abc","authorizationParams":{"redirect_uri":"https://client/cb"}}"#);
        assert_eq!(build(&o, &params(&[("redirect_uri", "https://call/cb")]), ResponseMode::Query, None).redirect_uri.as_deref(), Some("https://call/cb"));
        assert_eq!(build(&o, &ParamList::new(), ResponseMode::WebMessage, Some("https://origin")).redirect_uri.as_deref(), Some("https://client/cb"));
        let bare = options(r#"{"domain":"t","clientId":"abc"}"#);
        assert_eq!(build(&bare, &ParamList::new(), ResponseMode::WebMessage, Some("https://origin")).redirect_uri.as_deref(), Some("https://origin"));
        // An empty per-call value falls through like JS `||`, and appears once.
        let p = build(&o, &params(&[("redirect_uri", "")]), ResponseMode::Query, None);
        assert_eq!(p.redirect_uri.as_deref(), Some("https://client/cb"));
        assert_eq!(query(&p.url).iter().filter(|(k, _)| k == "redirect_uri").count(), 1);
    }

    #[test]
    fn redirect_login_without_any_redirect_uri_omits_it() {
        let o = options(r#"{"domain":"t","clientId":"abc"}"#);
        let p = build(&o, &params(&[("redirect_uri", "")]), ResponseMode::Query, None);
        assert_eq!(p.redirect_uri, None);
        assert!(!keys(&p.url).iter().any(|k| k == "redirect_uri"));
    }

    #[test]
    fn redirect_uri_is_never_taken_from_the_page_url() {
        // L1: only call, client, or the origin passed by the caller; nothing else exists here.
        let o = options(r#"{"domain":"t","clientId":"abc"}"#);
        let p = build(&o, &ParamList::new(), ResponseMode::Query, None);
        assert!(!p.url.contains("evil"));
        assert_eq!(p.redirect_uri, None);
    }

    #[test]
    fn verifier_never_appears_in_the_url() {
        let o = options(r#"{"domain":"t","clientId":"abc"}"#);
        let mut rng = SeqRng::new(11);
        for _ in 0..50 {
            let req = AuthorizeRequest { options: &o, params: &ParamList::new(), response_mode: ResponseMode::Query, fallback_redirect_uri: None, dpop_jkt: None };
            let p = prepare_authorize(&req, &mut rng).unwrap();
            assert!(!p.url.contains(&p.code_verifier));
            assert!(!p.url.contains(&encode_uri_component(&p.code_verifier)));
            let q = query(&p.url);
            let challenge = &q.iter().find(|(k, _)| k == "code_challenge").unwrap().1;
            assert_eq!(challenge, &code_challenge_s256(&p.code_verifier));
            assert!(!format!("{p:?}").contains(&p.code_verifier));
        }
    }

    #[test]
    fn prepared_request_uses_fresh_state_nonce_and_verifier() {
        let o = options(r#"{"domain":"t","clientId":"abc"}"#);
        let req = AuthorizeRequest { options: &o, params: &ParamList::new(), response_mode: ResponseMode::Query, fallback_redirect_uri: None, dpop_jkt: None };
        let mut rng = SeqRng::new(5);
        let a = prepare_authorize(&req, &mut rng).unwrap();
        let b = prepare_authorize(&req, &mut rng).unwrap();
        assert_ne!(a.state, b.state);
        assert_ne!(a.nonce, b.nonce);
        assert_ne!(a.code_verifier, b.code_verifier);
        assert_eq!(a.state.len(), 60);
        let q = query(&a.url);
        assert_eq!(q.iter().find(|(k, _)| k == "state").unwrap().1, a.state);
        assert_eq!(q.iter().find(|(k, _)| k == "nonce").unwrap().1, a.nonce);
    }

    #[test]
    fn iframe_sends_prompt_none_as_a_call_parameter() {
        let o = options(r#"{"domain":"t","clientId":"abc","authorizationParams":{"audience":"https://api","ui_locales":"fr"}}"#);
        let mut merged = o.authorization_params.clone();
        merged.extend(&params(&[("prompt", "none")]));
        let p = build(&o, &merged, ResponseMode::WebMessage, Some("https://app.example.com"));
        let ks = keys(&p.url);
        assert_eq!(&ks[..5], ["client_id", "scope", "audience", "ui_locales", "prompt"]);
        assert!(p.url.contains("&prompt=none&"));
        assert!(p.url.contains("response_mode=web_message"));
        assert!(p.url.contains("redirect_uri=https%3A%2F%2Fapp.example.com&"));
    }

    #[test]
    fn organization_prefers_the_call_then_the_client() {
        let o = options(r#"{"domain":"t","clientId":"abc","authorizationParams":{"organization":"org_client"}}"#);
        assert_eq!(build(&o, &ParamList::new(), ResponseMode::Query, None).organization.as_deref(), Some("org_client"));
        assert_eq!(build(&o, &params(&[("organization", "org_call")]), ResponseMode::Query, None).organization.as_deref(), Some("org_call"));
        let bare = options(r#"{"domain":"t","clientId":"abc"}"#);
        assert_eq!(build(&bare, &ParamList::new(), ResponseMode::Query, None).organization, None);
    }

    #[test]
    fn dpop_jkt_comes_after_the_challenge_method() {
        let o = options(r#"{"domain":"t","clientId":"abc"}"#);
        let req = AuthorizeRequest { options: &o, params: &ParamList::new(), response_mode: ResponseMode::Query, fallback_redirect_uri: None, dpop_jkt: Some("jkt") };
        let p = build_authorize(&req, secrets());
        assert!(p.url.contains("&code_challenge_method=S256&dpop_jkt=jkt&auth0Client="));
    }

    #[test]
    fn values_are_encoded_like_url_search_params() {
        let o = options(r#"{"domain":"t","clientId":"a b&c"}"#);
        let p = build(&o, &params(&[("login_hint", "a+b@x.com"), ("x y", "~!*'()")]), ResponseMode::Query, None);
        assert!(p.url.starts_with("https://t/authorize?client_id=a+b%26c&"));
        assert!(p.url.contains("&login_hint=a%2Bb%40x.com&x+y=%7E%21*%27%28%29&"));
    }

    #[test]
    fn telemetry_in_the_url_drops_env_but_the_header_keeps_it() {
        let o = options(r#"{"domain":"t","clientId":"abc","auth0Client":{"name":"n","version":"1","env":{"a":"b"}}}"#);
        let p = build(&o, &ParamList::new(), ResponseMode::Query, None);
        let value = p.url.rsplit_once("&auth0Client=").unwrap().1;
        assert_eq!(value, encode_uri_component(&base64_encode(br#"{"name":"n","version":"1"}"#)));
        assert!(value.contains("%3D") || !value.contains('='), "value is URI-encoded");
        assert_eq!(auth0_client_header(&o.auth0_client), base64_encode(br#"{"name":"n","version":"1","env":{"a":"b"}}"#));
    }

    #[test]
    fn auth0_client_is_always_the_last_parameter() {
        let o = options(r#"{"domain":"t","clientId":"abc"}"#);
        let p = build(&o, &params(&[("auth0Client", "spoof")]), ResponseMode::Query, None);
        assert!(p.url.ends_with(&["&auth0Client=", TELEMETRY].concat()));
    }

    #[test]
    fn btoa_encodes_latin1_and_refuses_wider_characters() {
        assert_eq!(btoa("é").as_deref(), Some("6Q=="));
        assert_eq!(btoa("abc").as_deref(), Some("YWJj"));
        assert_eq!(btoa("中"), None);
    }

    #[test]
    fn prepared_request_becomes_the_auth0_transaction() {
        let o = options(r#"{"domain":"t","clientId":"abc","authorizationParams":{"redirect_uri":"https://app/cb","organization":"org_1"}}"#);
        let tx = build(&o, &ParamList::new(), ResponseMode::Query, None).into_transaction(Some(Json::str("s")));
        assert_eq!(
            tx.to_json_string(),
            r#"{"nonce":"bm9uY2U==","code_verifier":"VERIFIER-not-in-url","scope":"openid profile email","audience":"default","redirect_uri":"https://app/cb","state":"c3RhdGU+Lz0=","appState":"s","response_type":"code","organization":"org_1"}"#
        );
    }

    #[test]
    fn legacy_options_build_the_same_url_as_v2() {
        let v1 = options(r#"{"domain":"t","client_id":"abc","redirect_uri":"https://app/cb","audience":"https://api"}"#);
        let v2 = options(r#"{"domain":"t","clientId":"abc","authorizationParams":{"redirect_uri":"https://app/cb","audience":"https://api"}}"#);
        assert_eq!(build(&v1, &ParamList::new(), ResponseMode::Query, None).url, build(&v2, &ParamList::new(), ResponseMode::Query, None).url);
    }
}
