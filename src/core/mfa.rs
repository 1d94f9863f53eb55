//! Auth0's MFA API as auth0-spa-js 2.28.3's `MfaApiClient` (`client.mfa`) uses it
//! (docs/behaviour.md §1.5): the context remembered per `mfa_token` when a token request answers
//! `mfa_required`, and the body of the MFA grants `verify()` sends to `/oauth/token`
//! (Auth0 docs, "Authenticate With Resource Owner Password Grant and MFA": `mfa-otp`,
//! `mfa-oob`, `mfa-recovery-code`). The `/mfa/authenticators`, `/mfa/associate` and
//! `/mfa/challenge` calls are JavaScript loaded on first use (`js/mfa-api.js`).

use super::json::Json;
use super::{Error, ErrorClass, UnixMillis};

/// `grant_type` of a one-time password from an authenticator app.
pub const MFA_OTP_GRANT: &str = "http://auth0.com/oauth/grant-type/mfa-otp";
/// `grant_type` of an out-of-band challenge (SMS, voice, email, push), with `oob_code`.
pub const MFA_OOB_GRANT: &str = "http://auth0.com/oauth/grant-type/mfa-oob";
/// `grant_type` of a recovery code.
pub const MFA_RECOVERY_CODE_GRANT: &str = "http://auth0.com/oauth/grant-type/mfa-recovery-code";

/// How long a context is kept: auth0-spa-js's `MfaContextManager` default (10 minutes), as long
/// as Auth0's `mfa_token` lives.
pub const MFA_CONTEXT_TTL_MS: u64 = 10 * 60 * 1000;

/// auth0-spa-js's `verify` / `getEnrollmentFactors` message when no context is found.
pub(crate) const CONTEXT_NOT_FOUND: &str = "MFA context not found for this MFA token. Please retry the original request to get a new MFA token.";
/// auth0-spa-js's `getAuthenticators` message when no context is found (code `invalid_request`).
pub(crate) const LIST_CONTEXT_NOT_FOUND: &str = "MFA context not found for this MFA token";
/// auth0-spa-js's `verify` message when no code is given (code `invalid_request`).
pub(crate) const NO_GRANT_TYPE: &str = "Unable to determine grant type. Provide one of: otp, oobCode, or recoveryCode.";

/// What a token request that answered `mfa_required` asked for, so that `verify` can ask again
/// with the second factor and store the result under the same cache key.
#[derive(Clone, Debug, PartialEq)]
pub struct MfaContext {
    /// The scope requested.
    pub scope: Option<String>,
    /// The audience requested (`None`: the client's default, cached as `default`).
    pub audience: Option<String>,
    /// The server's `mfa_requirements` (`challenge` and `enroll` lists), as sent.
    pub requirements: Option<Json>,
    created_ms: UnixMillis,
}

impl MfaContext {
    /// A context of a request for `scope` and `audience` that got `requirements`.
    pub fn new(scope: Option<String>, audience: Option<String>, requirements: Option<Json>) -> MfaContext {
        MfaContext { scope, audience, requirements, created_ms: 0 }
    }

    /// The JSON auth0-spa-js's `MfaContext` has (`scope`, `audience`, `mfaRequirements`), for the
    /// JS half of `getAuthenticators` (which filters by the `challenge` types).
    pub fn to_json(&self) -> Json {
        let mut out = Json::Object(Vec::new());
        if let Some(s) = &self.scope {
            out.set("scope", Json::str(s));
        }
        if let Some(a) = &self.audience {
            out.set("audience", Json::str(a));
        }
        if let Some(r) = &self.requirements {
            out.set("mfaRequirements", r.clone());
        }
        out
    }
}

/// The contexts of one client, keyed by `mfa_token` (auth0-spa-js's `MfaContextManager`): several
/// MFA flows may be under way at once. Its `Debug` shows how many, never the tokens.
#[derive(Default)]
pub struct MfaContexts {
    entries: Vec<(String, MfaContext)>,
}

impl std::fmt::Debug for MfaContexts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MfaContexts({} contexts)", self.entries.len())
    }
}

/// auth0-spa-js's expiry test: older than the TTL, strictly (`now - createdAt > ttl`).
fn expired(context: &MfaContext, now: UnixMillis) -> bool {
    now.saturating_sub(context.created_ms) > MFA_CONTEXT_TTL_MS
}

impl MfaContexts {
    /// Remembers `context` for `mfa_token` as of `now`, replacing an older one, after dropping
    /// every expired context (as `MfaContextManager.set` cleans up).
    pub fn remember(&mut self, mfa_token: &str, mut context: MfaContext, now: UnixMillis) {
        self.entries.retain(|(token, c)| !expired(c, now) && token != mfa_token);
        context.created_ms = now;
        self.entries.push((mfa_token.to_owned(), context));
    }

    /// The context of `mfa_token`, unless it is unknown or expired (an expired one is dropped).
    pub fn get(&mut self, mfa_token: &str, now: UnixMillis) -> Option<&MfaContext> {
        let at = self.entries.iter().position(|(token, _)| token == mfa_token)?;
        if self.entries.get(at).is_some_and(|(_, c)| expired(c, now)) {
            self.entries.remove(at);
            return None;
        }
        self.entries.get(at).map(|(_, c)| c)
    }

    /// Forgets `mfa_token`'s context (after a successful `verify`).
    pub fn remove(&mut self, mfa_token: &str) {
        self.entries.retain(|(token, _)| token != mfa_token);
    }

    /// How many contexts are kept (expired ones included until the next `remember`).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// A `verify` parameter as the text auth0-spa-js would send: strings as they are, numbers as
/// JavaScript prints them; anything else (absent, `null`, objects) is not sent.
fn text(params: &Json, key: &str) -> Option<String> {
    match params.get(key)? {
        Json::String(s) => Some(s.clone()),
        n @ Json::Number(_) => Some(n.to_json_string()),
        _ => None,
    }
}

/// JavaScript truthiness of a parameter (`"" `, `0` and absence are false).
fn truthy(params: &Json, key: &str) -> bool {
    match params.get(key) {
        Some(Json::String(s)) => !s.is_empty(),
        Some(Json::Number(n)) => *n != 0.0 && !n.is_nan(),
        Some(Json::Bool(b)) => *b,
        Some(Json::Null) | None => false,
        Some(_) => true,
    }
}

/// The grant `verify(params)` uses, by which code it was given, in auth0-spa-js's order of
/// precedence: `otp`, then `oobCode`, then `recoveryCode`; `None` when none is given.
pub fn verify_grant_type(params: &Json) -> Option<&'static str> {
    [("otp", MFA_OTP_GRANT), ("oobCode", MFA_OOB_GRANT), ("recoveryCode", MFA_RECOVERY_CODE_GRANT)]
        .into_iter()
        .find(|(key, _)| truthy(params, key))
        .map(|(_, grant)| grant)
}

/// The body of the MFA grant after `client_id`, in auth0-spa-js's order: `grant_type`, then
/// each code given (`otp`, `oob_code`, `binding_code`, `recovery_code`), then `mfa_token`.
/// auth0-spa-js sends `audience` and `scope` with no MFA grant (the `mfa_token` carries them).
pub fn verify_body(grant_type: &str, params: &Json, mfa_token: &str) -> Vec<(String, String)> {
    let mut body = vec![("grant_type".to_owned(), grant_type.to_owned())];
    for (from, to) in [("otp", "otp"), ("oobCode", "oob_code"), ("bindingCode", "binding_code"), ("recoveryCode", "recovery_code")] {
        if let Some(v) = text(params, from) {
            body.push((to.to_owned(), v));
        }
    }
    body.push(("mfa_token".to_owned(), mfa_token.to_owned()));
    body
}

/// `getEnrollmentFactors`: the `enroll` list of the context's requirements (`[]` when there is
/// none); no context, or one without requirements, is auth0-spa-js's `MfaEnrollmentFactorsError`.
pub fn enrollment_factors(context: Option<&MfaContext>) -> Result<Json, Error> {
    let requirements = context.and_then(|c| c.requirements.as_ref()).ok_or_else(|| Error::new(ErrorClass::MfaEnrollmentFactors, "mfa_context_not_found", CONTEXT_NOT_FOUND))?;
    Ok(match requirements.get("enroll") {
        Some(list @ Json::Array(items)) if !items.is_empty() => list.clone(),
        _ => Json::Array(Vec::new()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(text: &str) -> Json {
        Json::parse(text).unwrap_or(Json::Null)
    }

    #[test]
    fn the_grant_follows_the_first_code_given() {
        let rows = [
            (r#"{"otp":"123456"}"#, Some(MFA_OTP_GRANT)),
            (r#"{"otp":123456}"#, Some(MFA_OTP_GRANT)),
            (r#"{"oobCode":"oob","bindingCode":"1"}"#, Some(MFA_OOB_GRANT)),
            (r#"{"recoveryCode":"R"}"#, Some(MFA_RECOVERY_CODE_GRANT)),
            (r#"{"otp":"1","oobCode":"o","recoveryCode":"r"}"#, Some(MFA_OTP_GRANT)),
            (r#"{"otp":"","oobCode":"o"}"#, Some(MFA_OOB_GRANT)),
            (r#"{"otp":0,"recoveryCode":"r"}"#, Some(MFA_RECOVERY_CODE_GRANT)),
            (r#"{"otp":null}"#, None),
            (r#"{"bindingCode":"1"}"#, None),
            (r#"{}"#, None),
        ];
        for (params, want) in rows {
            assert_eq!(verify_grant_type(&json(params)), want, "{params}");
        }
    }

    #[test]
    fn the_body_carries_every_code_given_in_auth0_spa_js_order() {
        let body = verify_body(MFA_OOB_GRANT, &json(r#"{"bindingCode":"42","oobCode":"oob-1","mfaToken":"ignored"}"#), "mt");
        let want: Vec<(String, String)> = [("grant_type", MFA_OOB_GRANT), ("oob_code", "oob-1"), ("binding_code", "42"), ("mfa_token", "mt")]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        assert_eq!(body, want);
        let body = verify_body(MFA_OTP_GRANT, &json(r#"{"otp":123456,"recoveryCode":null}"#), "mt");
        assert_eq!(body.get(1), Some(&("otp".to_owned(), "123456".to_owned())));
        assert_eq!(body.len(), 3);
    }

    #[test]
    fn contexts_live_ten_minutes_per_token() {
        let mut contexts = MfaContexts::default();
        let ctx = MfaContext::new(Some("openid".into()), Some("https://api".into()), None);
        contexts.remember("a", ctx.clone(), 1_000);
        contexts.remember("b", MfaContext::new(None, None, None), 2_000);
        assert_eq!(contexts.get("a", 1_000 + MFA_CONTEXT_TTL_MS).map(|c| c.audience.clone()), Some(Some("https://api".into())));
        assert!(contexts.get("a", 1_001 + MFA_CONTEXT_TTL_MS).is_none(), "expired after the TTL, strictly");
        assert_eq!(contexts.len(), 1, "an expired context is dropped when looked up");
        assert!(contexts.get("unknown", 2_000).is_none());
        contexts.remember("c", ctx.clone(), 3_000 + MFA_CONTEXT_TTL_MS);
        assert_eq!(contexts.len(), 1, "remember drops every expired context");
        contexts.remember("c", MfaContext::new(Some("x".into()), None, None), 3_001 + MFA_CONTEXT_TTL_MS);
        assert_eq!(contexts.get("c", 3_001 + MFA_CONTEXT_TTL_MS).and_then(|c| c.scope.clone()), Some("x".into()), "a newer context replaces the older");
        contexts.remove("c");
        assert!(contexts.is_empty());
    }

    #[test]
    fn debug_never_shows_a_token() {
        let mut contexts = MfaContexts::default();
        contexts.remember("secret-mfa-token", MfaContext::new(None, None, None), 0);
        assert_eq!(format!("{contexts:?}"), "MfaContexts(1 contexts)");
    }

    #[test]
    fn enrollment_factors_as_auth0_spa_js_returns_them() {
        let with = |r: &str| MfaContext::new(None, None, Some(json(r)));
        let rows: [(Option<MfaContext>, Result<&str, &str>); 5] = [
            (None, Err("mfa_context_not_found")),
            (Some(MfaContext::new(None, None, None)), Err("mfa_context_not_found")),
            (Some(with(r#"{"challenge":[{"type":"otp"}]}"#)), Ok("[]")),
            (Some(with(r#"{"enroll":[]}"#)), Ok("[]")),
            (Some(with(r#"{"enroll":[{"type":"otp"},{"type":"phone"}]}"#)), Ok(r#"[{"type":"otp"},{"type":"phone"}]"#)),
        ];
        for (context, want) in rows {
            let got = enrollment_factors(context.as_ref());
            match want {
                Ok(text) => assert_eq!(got.map(|j| j.to_json_string()).ok().as_deref(), Some(text)),
                Err(code) => {
                    let e = got.err();
                    assert_eq!(e.as_ref().map(|e| (e.class, e.error.as_str(), e.description.as_str())), Some((ErrorClass::MfaEnrollmentFactors, code, CONTEXT_NOT_FOUND)));
                }
            }
        }
    }

    #[test]
    fn the_context_json_has_auth0_spa_js_names() {
        let c = MfaContext::new(Some("openid".into()), None, Some(json(r#"{"challenge":[{"type":"otp"}]}"#)));
        assert_eq!(c.to_json().to_json_string(), r#"{"scope":"openid","mfaRequirements":{"challenge":[{"type":"otp"}]}}"#);
    }
}
