//! Compact JWT decoding (RFC 7519 §7.2 steps 1–6, without signature verification).
//!
//! auth0-spa-js never verifies ID-token signatures (docs/behaviour.md §4, §10 item 1: the token comes
//! straight from the token endpoint over TLS, which OIDC Core 3.1.3.7 step 6 allows); it only
//! decodes the header and payload and checks claims. This module does the decoding, strictly: a
//! token is exactly three non-empty dot-separated base64url parts whose header and payload are
//! UTF-8 JSON objects. Anything else is "ID token could not be decoded" (§4 row 1), never a panic
//! (security case D16).
//!
//! The decoded form mirrors auth0-spa-js's `decode()` (`src/jwt.ts`) so it can be cached
//! byte-for-byte like the JS SDK does (§3.3): `claims` starts with `__raw` (the whole token),
//! followed by every payload claim in token order; `user` is the claims minus the protocol claims.

use super::encoding::base64url_decode;
use super::error::{Error, Result};
use super::json::Json;

/// The error code of every ID-token failure that is not about time (decode and claim checks).
/// auth0-spa-js throws plain `Error`s without a code (§4); we add one so programs can branch.
pub(crate) const INVALID_ID_TOKEN: &str = "invalid_id_token";

/// The message auth0-spa-js uses for any token that is not a well-formed compact JWT (§4 row 1).
pub(crate) const DECODE_ERROR_MESSAGE: &str = "ID token could not be decoded";

/// Claims that describe the token rather than the user; `getUser()` returns every other claim
/// (`sub` stays). The exact list of auth0-spa-js `idTokendecoded` (§4, last paragraph).
pub const PROTOCOL_CLAIMS: [&str; 30] = [
    "iss", "aud", "exp", "nbf", "iat", "jti", "azp", "nonce", "auth_time", "at_hash", "c_hash", "acr", "amr",
    "sub_jwk", "cnf", "sip_from_tag", "sip_date", "sip_callid", "sip_cseq_num", "sip_via_branch", "orig", "dest",
    "mky", "events", "toe", "txn", "rph", "sid", "vot", "vtm",
];

/// The key under which auth0-spa-js keeps the raw token inside `claims` (`getIdTokenClaims().__raw`).
pub const RAW_CLAIM: &str = "__raw";

/// A decoded (not verified) compact JWT, in the shape auth0-spa-js caches as `decodedToken` (§3.3).
#[derive(Clone, PartialEq)]
pub struct DecodedToken {
    /// The whole token as received (`id_token`, and `claims.__raw`).
    pub raw: String,
    /// First part, still base64url (`decodedToken.encoded.header`).
    pub encoded_header: String,
    /// Second part, still base64url (`decodedToken.encoded.payload`).
    pub encoded_payload: String,
    /// Third part, still base64url (`decodedToken.encoded.signature`); never verified (§4).
    pub signature: String,
    /// The JOSE header object (`alg`, `typ`, `kid`, …).
    pub header: Json,
    /// `{"__raw": raw, …payload claims in token order}`, exactly as auth0-spa-js builds `claims`.
    pub claims: Json,
}

impl std::fmt::Debug for DecodedToken {
    /// Redacted: a token must never end up in logs or error output (invariant I6).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DecodedToken { header: ")?;
        f.write_str(&self.header.to_json_string())?;
        f.write_str(", claims: <redacted> }")
    }
}

impl DecodedToken {
    /// One claim of the payload (never `__raw`), for the claim checks of OIDC Core 3.1.3.7.
    pub fn claim(&self, name: &str) -> Option<&Json> {
        if name == RAW_CLAIM {
            return None;
        }
        self.claims.get(name)
    }

    /// A string claim, if present and a string.
    pub fn str_claim(&self, name: &str) -> Option<&str> {
        self.claim(name).and_then(Json::as_str)
    }

    /// A numeric claim (NumericDate, RFC 7519 §2), if present and a finite number.
    pub fn num_claim(&self, name: &str) -> Option<f64> {
        self.claim(name).and_then(Json::as_f64)
    }

    /// The profile `getUser()` returns: claims minus protocol claims (§4).
    pub fn user(&self) -> Json {
        user_claims(&self.claims)
    }
}

/// Decodes a compact JWS (RFC 7515 §7.1) into header and claims without checking the signature.
/// Fails with a plain `Error("ID token could not be decoded")` (code [`INVALID_ID_TOKEN`]) unless
/// the token has exactly three non-empty parts and header and payload are base64url UTF-8 JSON
/// objects (§4 row 1; D16: two segments, bad base64url, non-JSON payload all land here).
pub fn decode(token: &str) -> Result<DecodedToken> {
    let mut parts = token.split('.');
    let (header_b64, payload_b64, signature) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(h), Some(p), Some(s), None) if !h.is_empty() && !p.is_empty() && !s.is_empty() => (h, p, s),
        _ => return Err(decode_error()),
    };
    let header = decode_object(header_b64).ok_or_else(decode_error)?;
    let payload = decode_object(payload_b64).ok_or_else(decode_error)?;
    let mut claims = Json::Object(vec![(RAW_CLAIM.to_owned(), Json::str(token))]);
    if let Json::Object(members) = payload {
        for (k, v) in members {
            claims.set(&k, v);
        }
    }
    Ok(DecodedToken {
        raw: token.to_owned(),
        encoded_header: header_b64.to_owned(),
        encoded_payload: payload_b64.to_owned(),
        signature: signature.to_owned(),
        header,
        claims,
    })
}

/// The user profile from a claims object: every member except `__raw` and [`PROTOCOL_CLAIMS`], in
/// order (`sub` stays). This is auth0-spa-js's `decodedToken.user` / `getUser()` (§4).
pub fn user_claims(claims: &Json) -> Json {
    let members = claims
        .as_object()
        .unwrap_or(&[])
        .iter()
        .filter(|(k, _)| k != RAW_CLAIM && !PROTOCOL_CLAIMS.contains(&k.as_str()))
        .cloned()
        .collect();
    Json::Object(members)
}

fn decode_error() -> Error {
    Error::plain(INVALID_ID_TOKEN, DECODE_ERROR_MESSAGE)
}

fn decode_object(part: &str) -> Option<Json> {
    let bytes = base64url_decode(part)?;
    let text = String::from_utf8(bytes).ok()?;
    match Json::parse(&text).ok()? {
        obj @ Json::Object(_) => Some(obj),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::encoding::base64url_encode;

    fn b64(s: &str) -> String {
        base64url_encode(s.as_bytes())
    }

    fn token(header: &str, payload: &str) -> String {
        let mut t = b64(header);
        t.push('.');
        t.push_str(&b64(payload));
        t.push_str(".c2ln");
        t
    }

    fn is_decode_error(r: Result<DecodedToken>) -> bool {
        matches!(r, Err(e) if e.description == DECODE_ERROR_MESSAGE && e.error == INVALID_ID_TOKEN && e.class == crate::core::ErrorClass::Plain)
    }

    #[test]
    fn decodes_header_payload_and_keeps_the_encoded_parts() {
        let t = token(r#"{"alg":"RS256","typ":"JWT"}"#, r#"{"sub":"u1","iss":"https://x/","n":1}"#);
        let d = decode(&t).unwrap();
        assert_eq!(d.raw, t);
        assert_eq!(d.header.str_field("alg"), Some("RS256"));
        assert_eq!(d.signature, "c2ln");
        let mut parts = t.split('.');
        assert_eq!(Some(d.encoded_header.as_str()), parts.next());
        assert_eq!(Some(d.encoded_payload.as_str()), parts.next());
        assert_eq!(d.str_claim("sub"), Some("u1"));
        assert_eq!(d.num_claim("n"), Some(1.0));
    }

    #[test]
    fn claims_start_with_raw_then_follow_token_order_like_auth0_spa_js() {
        let t = token(r#"{"alg":"RS256"}"#, r#"{"z":1,"a":2,"sub":"s"}"#);
        let d = decode(&t).unwrap();
        let keys: Vec<&str> = d.claims.as_object().unwrap().iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["__raw", "z", "a", "sub"]);
        assert_eq!(d.claims.str_field("__raw"), Some(t.as_str()));
        assert_eq!(d.claim("__raw"), None, "__raw is not a payload claim");
    }

    #[test]
    fn rejects_tokens_without_exactly_three_non_empty_parts() {
        let good = token(r#"{"alg":"RS256"}"#, r#"{"sub":"s"}"#);
        let mut parts = good.split('.');
        let (h, p) = (parts.next().unwrap(), parts.next().unwrap());
        for bad in [
            String::new(),
            h.to_owned(),
            [h, p].join("."),
            [h, p, ""].join("."),
            ["", p, "sig"].join("."),
            [h, "", "sig"].join("."),
            [h, p, "sig", "x"].join("."),
            [h, p, "sig", "x", "y"].join("."), // JWE-shaped
        ] {
            assert!(is_decode_error(decode(&bad)), "{bad:?}");
        }
    }

    #[test]
    fn rejects_bad_base64url_non_json_and_non_object_segments() {
        assert!(is_decode_error(decode("a!b.c.d")));
        assert!(is_decode_error(decode(&token("{\"alg\":\"RS256\"}", "not json"))));
        assert!(is_decode_error(decode(&token("not json", "{}"))));
        assert!(is_decode_error(decode(&token("{\"alg\":\"RS256\"}", "[1,2]"))));
        assert!(is_decode_error(decode(&token("{\"alg\":\"RS256\"}", "\"str\""))));
        assert!(is_decode_error(decode(&token("null", "{}"))));
        // Valid base64url of invalid UTF-8.
        let bad_utf8 = base64url_encode(&[0xff, 0xfe, b'{', b'}']);
        let mut t = b64("{}");
        t.push('.');
        t.push_str(&bad_utf8);
        t.push_str(".sig");
        assert!(is_decode_error(decode(&t)));
    }

    #[test]
    fn never_panics_on_arbitrary_input() {
        for s in ["...", "..", ".", "a.b.c", "\u{0}.\u{0}.\u{0}", "eyJ.eyJ.x", "ey J.ey J.x", "%%.%%.%%", "=.=.="] {
            let _ = decode(s);
        }
    }

    #[test]
    fn user_claims_drop_protocol_claims_and_raw_but_keep_sub() {
        let t = token(
            r#"{"alg":"RS256"}"#,
            r#"{"iss":"i","sub":"s","aud":"a","exp":1,"iat":1,"nonce":"n","sid":"x","auth_time":1,"name":"N","email":"e"}"#,
        );
        let d = decode(&t).unwrap();
        assert_eq!(d.user().to_json_string(), r#"{"sub":"s","name":"N","email":"e"}"#);
        assert_eq!(user_claims(&d.claims), d.user());
    }

    #[test]
    fn protocol_claim_list_is_the_auth0_spa_js_list() {
        assert_eq!(PROTOCOL_CLAIMS.len(), 30);
        assert!(!PROTOCOL_CLAIMS.contains(&"sub"));
        for c in ["iss", "aud", "exp", "nbf", "iat", "jti", "azp", "nonce", "auth_time", "sid", "vtm", "cnf"] {
            assert!(PROTOCOL_CLAIMS.contains(&c), "{c}");
        }
    }

    #[test]
    fn debug_output_never_contains_the_token() {
        let t = token(r#"{"alg":"RS256"}"#, r#"{"sub":"secret-subject"}"#);
        let d = decode(&t).unwrap();
        let shown = format!("{d:?}");
        assert!(!shown.contains(&t) && !shown.contains("secret-subject"), "{shown}");
    }
}
