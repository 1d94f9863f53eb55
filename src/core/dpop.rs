//! DPoP (RFC 9449) decisions: the proof JWT's header and claims, the JWK thumbprint sent as
//! `dpop_jkt`, the access-token hash `ath`, the IndexedDB names auth0-spa-js uses, and when a
//! token request is retried with a server nonce. Signing and key storage are WebCrypto's and
//! IndexedDB's, done by the driver; nothing here holds a private key.

use super::encoding::base64url_encode;
use super::http::HttpResponse;
use super::json::{write_string, Json};
use super::pkce::code_challenge_s256;
use super::{Error, Result};

/// The `id` auth0-spa-js stores Auth0's own nonce and the key pair under (`{clientId}::auth0`).
const AUTH0_ID: &str = "auth0";

/// The IndexedDB key of a nonce, and with `id` `None` of the key pair, as auth0-spa-js's
/// `DpopStorage.buildKey`: `{clientId}::auth0` for Auth0's own, `{clientId}::_{id}` for an API's
/// (docs/behaviour.md §3.10), so an app moving from auth0-spa-js keeps its key and nonces.
pub fn storage_key(client_id: &str, id: Option<&str>) -> String {
    let mut key = String::from(client_id);
    key.push_str("::");
    match id.filter(|i| !i.is_empty()) {
        Some(id) => {
            key.push('_');
            key.push_str(id);
        }
        None => key.push_str(AUTH0_ID),
    }
    key
}

/// The prefix of every IndexedDB key of a client (what logout deletes).
pub fn storage_prefix(client_id: &str) -> String {
    let mut prefix = String::from(client_id);
    prefix.push_str("::");
    prefix
}

/// The public half of the client's ES256 key as a JWK (RFC 7518 §6.2.1): P-256 coordinates,
/// base64url, 32 bytes each. Public, so printing it is harmless.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicJwk {
    /// The x coordinate, base64url.
    pub x: String,
    /// The y coordinate, base64url.
    pub y: String,
}

impl PublicJwk {
    /// Reads WebCrypto's `exportKey('jwk', publicKey)` text; only `kty: EC`, `crv: P-256` with
    /// 32-byte coordinates is accepted (the `alg` this SDK signs with is ES256, RFC 9449 §4.2).
    ///
    /// # Errors
    /// A plain `Error` (`dpop_key_error`) for anything else, e.g. a private `d` member.
    pub fn parse(text: &str) -> Result<PublicJwk> {
        let bad = || Error::plain("dpop_key_error", "The DPoP key is not a public ES256 (P-256) key");
        let json = Json::parse(text).map_err(|_| bad())?;
        if json.str_field("kty") != Some("EC") || json.str_field("crv") != Some("P-256") || json.get("d").is_some() {
            return Err(bad());
        }
        // 32 bytes are 43 base64url characters without padding.
        let coordinate = |name: &str| -> Result<String> {
            match json.str_field(name) {
                Some(v) if v.len() == 43 => Ok(v.to_owned()),
                _ => Err(bad()),
            }
        };
        Ok(PublicJwk { x: coordinate("x")?, y: coordinate("y")? })
    }

    /// The required members in lexicographic order, no whitespace: RFC 7638 §3.2's input, and
    /// the `jwk` header of proofs (a public key only, RFC 9449 §4.2).
    fn canonical(&self) -> String {
        let mut out = String::from(r#"{"crv":"P-256","kty":"EC","x":"#);
        write_string(&self.x, &mut out);
        out.push_str(r#","y":"#);
        write_string(&self.y, &mut out);
        out.push('}');
        out
    }

    /// RFC 7638 JWK SHA-256 thumbprint, base64url: `dpop_jkt` on `/authorize` (RFC 9449 §10).
    pub fn thumbprint(&self) -> String {
        code_challenge_s256(&self.canonical())
    }
}

/// `ath` (RFC 9449 §4.2): base64url SHA-256 of the access token's ASCII.
pub fn access_token_hash(access_token: &str) -> String {
    code_challenge_s256(access_token)
}

/// `htu` (RFC 9449 §4.2): the target URI without query and fragment.
pub fn htu(url: &str) -> &str {
    let end = url.bytes().position(|b| b == b'?' || b == b'#').unwrap_or(url.len());
    url.get(..end).unwrap_or(url)
}

/// The random bytes a `jti` is made of: 128 bits, as a UUID's.
pub const JTI_BYTES: usize = 16;

/// A `jti` (RFC 9449 §4.2, §11.1): [`JTI_BYTES`] random bytes, base64url. Fewer bytes are an
/// error.
pub fn jti(bytes: &[u8]) -> Result<String> {
    match bytes.get(..JTI_BYTES) {
        Some(b) => Ok(base64url_encode(b)),
        None => Err(Error::plain("random_source_failure", "The random number generator returned too few bytes")),
    }
}

/// The claims of one proof (RFC 9449 §4.2).
#[derive(Clone, PartialEq, Eq)]
pub struct ProofClaims {
    /// `htm`: the request method.
    pub htm: String,
    /// `htu`: the target URI, already without query and fragment ([`htu`]).
    pub htu: String,
    /// `iat`: seconds since the epoch.
    pub iat: u64,
    /// `jti`: unique per proof.
    pub jti: String,
    /// `nonce`: the server's latest `DPoP-Nonce`, when it gave one (§8).
    pub nonce: Option<String>,
    /// `ath`: the access-token hash, for resource requests (§7).
    pub ath: Option<String>,
}

impl std::fmt::Debug for ProofClaims {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProofClaims { .. }")
    }
}

/// `BASE64URL(header) . BASE64URL(claims)`: the JWS signing input of a proof whose header is
/// `{"alg":"ES256","typ":"dpop+jwt","jwk":…}` (RFC 9449 §4.2, RFC 7515 §5.1).
pub fn signing_input(jwk: &PublicJwk, claims: &ProofClaims) -> String {
    let mut header = String::from(r#"{"alg":"ES256","typ":"dpop+jwt","jwk":"#);
    header.push_str(&jwk.canonical());
    header.push('}');
    let mut body = String::from(r#"{"iat":"#);
    body.push_str(&Json::Number(claims.iat as f64).to_json_string());
    for (name, value) in [("jti", Some(&claims.jti)), ("htm", Some(&claims.htm)), ("htu", Some(&claims.htu)), ("nonce", claims.nonce.as_ref()), ("ath", claims.ath.as_ref())] {
        if let Some(v) = value {
            body.push_str(",\"");
            body.push_str(name);
            body.push_str("\":");
            write_string(v, &mut body);
        }
    }
    body.push('}');
    let mut input = base64url_encode(header.as_bytes());
    input.push('.');
    input.push_str(&base64url_encode(body.as_bytes()));
    input
}

/// The compact proof: the signing input, `.`, and the base64url ES256 signature, which WebCrypto
/// already gives in JWS form (`r || s`, 64 bytes; RFC 7518 §3.4).
///
/// # Errors
/// A plain `Error` (`dpop_key_error`) when the signature is not 64 bytes.
pub fn proof(signing_input: &str, signature: &[u8]) -> Result<String> {
    if signature.len() != 64 {
        return Err(Error::plain("dpop_key_error", "The DPoP key produced a signature that is not ES256"));
    }
    let mut out = String::from(signing_input);
    out.push('.');
    out.push_str(&base64url_encode(signature));
    Ok(out)
}

/// What to do after a token-endpoint response when DPoP is on (RFC 9449 §8, auth0-spa-js
/// `getJSON`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AfterResponse {
    /// Use the response as it is (success or another error).
    Accept,
    /// `use_dpop_nonce` with a new nonce on the first attempt: send once more with it.
    Retry(String),
    /// `use_dpop_nonce` again, or without a nonce: `UseDpopNonceError` carrying the nonce, if any.
    Fail(Option<String>),
}

/// Whether the response is the token endpoint's `use_dpop_nonce` error (§8): a non-2xx whose
/// JSON body says so.
fn is_use_dpop_nonce(response: &HttpResponse) -> bool {
    !response.is_success() && Json::parse(&response.body).ok().is_some_and(|b| b.str_field("error") == Some("use_dpop_nonce"))
}

/// Decides a response: one retry with the `DPoP-Nonce` the server gave, never a second.
pub fn after_response(response: &HttpResponse, retried: bool) -> AfterResponse {
    if !is_use_dpop_nonce(response) {
        return AfterResponse::Accept;
    }
    match (&response.dpop_nonce, retried) {
        (Some(nonce), false) => AfterResponse::Retry(nonce.clone()),
        (nonce, _) => AfterResponse::Fail(nonce.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::encoding::base64url_decode;
    use super::*;

    // RFC 7638 §3.1's example is RSA; this EC key and thumbprint are from RFC 9449 §6.1 / the
    // `dpop_jkt` example of §10 (the key of §4.1's proof).
    const X: &str = "l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs";
    const Y: &str = "9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA";

    fn jwk() -> PublicJwk {
        PublicJwk { x: X.into(), y: Y.into() }
    }

    #[test]
    fn thumbprint_matches_rfc_9449() {
        assert_eq!(jwk().thumbprint(), "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I");
    }

    #[test]
    fn jwk_parsing_accepts_only_public_p256() {
        let ok = format!(r#"{{"kty":"EC","crv":"P-256","x":"{X}","y":"{Y}","ext":true,"key_ops":["verify"]}}"#);
        assert_eq!(PublicJwk::parse(&ok).unwrap(), jwk());
        for bad in [
            format!(r#"{{"kty":"EC","crv":"P-384","x":"{X}","y":"{Y}"}}"#),
            format!(r#"{{"kty":"RSA","crv":"P-256","x":"{X}","y":"{Y}"}}"#),
            format!(r#"{{"kty":"EC","crv":"P-256","x":"{X}","y":"{Y}","d":"secret"}}"#),
            format!(r#"{{"kty":"EC","crv":"P-256","x":"{X}"}}"#),
            format!(r#"{{"kty":"EC","crv":"P-256","x":"AAAA","y":"{Y}"}}"#),
            "not json".to_owned(),
        ] {
            assert_eq!(PublicJwk::parse(&bad).unwrap_err().error, "dpop_key_error", "{bad}");
        }
    }

    #[test]
    fn storage_keys_match_auth0_spa_js() {
        assert_eq!(storage_key("abc", None), "abc::auth0");
        assert_eq!(storage_key("abc", Some("")), "abc::auth0");
        assert_eq!(storage_key("abc", Some("api")), "abc::_api");
        assert_eq!(storage_prefix("abc"), "abc::");
    }

    #[test]
    fn htu_drops_query_and_fragment() {
        for (url, want) in [
            ("https://t/oauth/token", "https://t/oauth/token"),
            ("https://t/a?b=1#c", "https://t/a"),
            ("https://t/a#c?d", "https://t/a"),
            ("https://t/?", "https://t/"),
        ] {
            assert_eq!(htu(url), want);
        }
    }

    #[test]
    fn ath_is_rfc_9449_example() {
        // RFC 9449 §7.1: the access token "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU" hashes to:
        assert_eq!(access_token_hash("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"), "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo");
    }

    #[test]
    fn jti_is_128_random_bits() {
        assert_eq!(jti(&[0xff; 16]).unwrap(), "_____________________w");
        assert_eq!(jti(&[0; 17]).unwrap().len(), 22);
        assert!(jti(&[0; 15]).is_err());
    }

    #[test]
    fn signing_input_has_the_rfc_header_and_claims() {
        let claims = ProofClaims { htm: "POST".into(), htu: "https://t/oauth/token".into(), iat: 1_700_000_000, jti: "j".into(), nonce: Some("n".into()), ath: None };
        let input = signing_input(&jwk(), &claims);
        let (h, c) = input.split_once('.').unwrap();
        let header = String::from_utf8(base64url_decode(h).unwrap()).unwrap();
        assert_eq!(header, format!(r#"{{"alg":"ES256","typ":"dpop+jwt","jwk":{{"crv":"P-256","kty":"EC","x":"{X}","y":"{Y}"}}}}"#));
        let body = String::from_utf8(base64url_decode(c).unwrap()).unwrap();
        assert_eq!(body, r#"{"iat":1700000000,"jti":"j","htm":"POST","htu":"https://t/oauth/token","nonce":"n"}"#);
        let without = ProofClaims { nonce: None, ath: Some("a\"".into()), ..claims };
        let body = String::from_utf8(base64url_decode(signing_input(&jwk(), &without).split_once('.').unwrap().1).unwrap()).unwrap();
        assert_eq!(body, r#"{"iat":1700000000,"jti":"j","htm":"POST","htu":"https://t/oauth/token","ath":"a\""}"#);
        assert_eq!(format!("{without:?}"), "ProofClaims { .. }");
    }

    #[test]
    fn proof_needs_a_64_byte_signature() {
        assert_eq!(proof("a.b", &[0; 64]).unwrap(), ["a.b.", &"A".repeat(86)].concat());
        assert!(proof("a.b", &[0; 70]).is_err());
    }

    #[test]
    fn one_retry_on_use_dpop_nonce_with_a_nonce() {
        let r = |status: u16, body: &str, nonce: Option<&str>| HttpResponse { status, body: body.into(), dpop_nonce: nonce.map(Into::into) };
        let nonce_error = r#"{"error":"use_dpop_nonce","error_description":"x"}"#;
        let table = [
            (r(400, nonce_error, Some("n1")), false, AfterResponse::Retry("n1".into())),
            (r(400, nonce_error, Some("n2")), true, AfterResponse::Fail(Some("n2".into()))),
            (r(400, nonce_error, None), false, AfterResponse::Fail(None)),
            (r(401, nonce_error, Some("n")), false, AfterResponse::Retry("n".into())),
            (r(200, r#"{"access_token":"a"}"#, Some("n")), false, AfterResponse::Accept),
            (r(400, r#"{"error":"invalid_grant"}"#, Some("n")), false, AfterResponse::Accept),
            (r(400, "not json", Some("n")), false, AfterResponse::Accept),
        ];
        for (response, retried, want) in table {
            assert_eq!(after_response(&response, retried), want, "{response:?}");
        }
    }
}
