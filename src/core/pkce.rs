//! PKCE (RFC 7636): a fresh `code_verifier` per authorization request and its `S256`
//! `code_challenge`, as auth0-spa-js makes them (docs/behaviour.md §2.1).
//!
//! Only `S256` exists here: RFC 7636 §7.2 forbids downgrading to `plain` (security case C4).

use super::encoding::base64url_encode;
use super::sha256::sha256;
use super::rng::{random_string, Rng};
use super::Result;

/// The only `code_challenge_method` the SDK sends (RFC 7636 §4.3). It is always sent
/// explicitly, because servers such as oidc-provider reject a challenge without a method (C2).
pub(crate) const CODE_CHALLENGE_METHOD: &str = "S256";

/// `BASE64URL(SHA256(ASCII(code_verifier)))` without padding (RFC 7636 §4.2).
pub fn code_challenge_s256(verifier: &str) -> String {
    base64url_encode(&sha256(verifier.as_bytes()))
}

/// One PKCE verifier with its challenge.
///
/// The verifier is a secret (RFC 7636 §7.1): it goes only into transaction storage and the
/// token request, never into a URL, log or error (security case C5); `Debug` redacts it.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct PkcePair {
    /// The `code_verifier`: 43 characters of the RFC 7636 §4.1 unreserved alphabet.
    pub code_verifier: String,
    /// The `code_challenge` sent on `/authorize` with method [`CODE_CHALLENGE_METHOD`].
    pub code_challenge: String,
}

impl PkcePair {
    /// A new pair from fresh randomness; never reuse one across requests (C3).
    ///
    /// # Errors
    /// When the random source fails (see [`random_string`]).
    pub fn generate(rng: &mut dyn Rng) -> Result<PkcePair> {
        let code_verifier = random_string(rng)?;
        let code_challenge = code_challenge_s256(&code_verifier);
        Ok(PkcePair { code_verifier, code_challenge })
    }
}

impl std::fmt::Debug for PkcePair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PkcePair")
            .field("code_verifier", &"[redacted]")
            .field("code_challenge", &self.code_challenge)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::rng::SeqRng;

    #[test]
    fn challenge_matches_the_rfc7636_appendix_b_vector() {
        assert_eq!(
            code_challenge_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn challenge_is_base64url_without_padding() {
        for v in ["a", "ab", "abc", "~.-_", "0123456789"] {
            let c = code_challenge_s256(v);
            assert_eq!(c.len(), 43, "SHA-256 is 32 bytes = 43 base64url chars");
            assert!(c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{c}");
        }
    }

    #[test]
    fn generated_verifier_is_43_unreserved_characters_and_matches_its_challenge() {
        let pair = PkcePair::generate(&mut SeqRng::new(3)).unwrap();
        assert!(pair.code_verifier.len() >= 43 && pair.code_verifier.len() <= 128);
        assert!(pair.code_verifier.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b)));
        assert_eq!(pair.code_challenge, code_challenge_s256(&pair.code_verifier));
        assert_ne!(pair.code_challenge, pair.code_verifier, "S256, never plain");
    }

    #[test]
    fn every_generated_pair_is_fresh() {
        let mut rng = SeqRng::new(9);
        let a = PkcePair::generate(&mut rng).unwrap();
        let b = PkcePair::generate(&mut rng).unwrap();
        assert_ne!(a.code_verifier, b.code_verifier);
        assert_ne!(a.code_challenge, b.code_challenge);
    }

    #[test]
    fn debug_output_never_shows_the_verifier() {
        let pair = PkcePair::generate(&mut SeqRng::new(4)).unwrap();
        let shown = format!("{pair:?}");
        assert!(!shown.contains(&pair.code_verifier));
        assert!(shown.contains(&pair.code_challenge));
    }

    #[test]
    fn method_is_s256() {
        assert_eq!(CODE_CHALLENGE_METHOD, "S256");
    }
}
