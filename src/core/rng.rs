//! Randomness as a port: the core never draws random bytes itself, it asks an [`Rng`].
//!
//! The browser layer implements [`Rng`] with `crypto.getRandomValues`; tests use the
//! deterministic [`SeqRng`]. On top of it sit the three secrets of an authorization request,
//! generated exactly like auth0-spa-js `createRandomString` / `encode`
//! (docs/behaviour.md §2.1): 43 characters from a 66-character alphabet with rejection
//! sampling (no modulo bias, security case B4), and `state` / `nonce` as standard base64 of such
//! a string.

use super::encoding::base64_encode;
use super::{Error, Result};

/// A source of cryptographically secure random bytes.
///
/// Fallible because the browser's `crypto.getRandomValues` may be missing (insecure context,
/// exotic runtime); the SDK must then fail instead of falling back to a weak source
/// (security case C9).
pub(crate) trait Rng {
    /// Fills `buf` entirely with random bytes, or reports why it cannot.
    fn fill(&mut self, buf: &mut [u8]) -> Result<()>;
}

/// The alphabet of `createRandomString` (auth0-spa-js `src/utils.ts`), in the same order, so a
/// given byte sequence yields the same string as auth0-spa-js. All 66 characters are RFC 7636
/// §4.1 "unreserved" characters, so the string is a valid PKCE `code_verifier`.
pub(crate) const RANDOM_ALPHABET: &[u8; 66] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_~.";

/// Length of every random string (43, the RFC 7636 §4.1 minimum verifier length); 43 symbols of
/// log2(66) bits give about 260 bits of entropy.
pub(crate) const RANDOM_STRING_LEN: usize = 43;

/// Bytes at or above this value are discarded: 198 = 3 × 66 is the largest multiple of the
/// alphabet size that fits in a byte, so `byte % 66` is uniform below it (auth0-spa-js 2.18.0).
const ACCEPT_BELOW: u8 = 198;

/// How many times [`random_string`] refills its buffer before giving up. A working generator
/// rejects about 23% of bytes, so two rounds nearly always suffice; the bound turns a broken
/// generator (say, all `0xFF`) into an error instead of an endless loop.
const MAX_ROUNDS: usize = 16;

/// A random string of [`RANDOM_STRING_LEN`] characters from [`RANDOM_ALPHABET`], as
/// auth0-spa-js `createRandomString` makes it (used raw as the PKCE `code_verifier`, §2.1).
///
/// # Errors
/// The generator's own error, or a plain error `random_source_failure` if it keeps returning
/// only rejected (biased) bytes.
pub(crate) fn random_string(rng: &mut dyn Rng) -> Result<String> {
    let mut out = String::with_capacity(RANDOM_STRING_LEN);
    let mut buf = [0u8; RANDOM_STRING_LEN];
    for _ in 0..MAX_ROUNDS {
        let want = RANDOM_STRING_LEN - out.len();
        let chunk = buf.get_mut(..want).unwrap_or(&mut []);
        rng.fill(chunk)?;
        for &b in chunk.iter() {
            if b < ACCEPT_BELOW {
                let idx = usize::from(b) % RANDOM_ALPHABET.len();
                if let Some(&c) = RANDOM_ALPHABET.get(idx) {
                    out.push(char::from(c));
                }
            }
        }
        if out.len() == RANDOM_STRING_LEN {
            return Ok(out);
        }
    }
    Err(Error::plain(
        "random_source_failure",
        "The random number generator keeps returning unusable bytes",
    ))
}

/// A fresh `state` value: `btoa(createRandomString())`, i.e. standard base64 with padding
/// (60 characters ending in `==`), exactly as auth0-spa-js sends it (§2.1). RFC 6749 §10.12
/// requires it to be unguessable; it is compared verbatim on the callback.
pub(crate) fn new_state(rng: &mut dyn Rng) -> Result<String> {
    Ok(base64_encode(random_string(rng)?.as_bytes()))
}

/// A fresh OpenID Connect `nonce` (OIDC Core 3.1.2.1), same format as [`new_state`].
pub(crate) fn new_nonce(rng: &mut dyn Rng) -> Result<String> {
    Ok(base64_encode(random_string(rng)?.as_bytes()))
}

#[cfg(test)]
/// A deterministic xorshift64* generator.
///
/// **For tests and host-side tools only**: it is predictable by design, so a test can replay
/// exact URLs and secrets. Production code must use the browser's `crypto.getRandomValues`.
#[derive(Clone, Debug)]
pub(crate) struct SeqRng {
    state: u64,
}

#[cfg(test)]
impl SeqRng {
    /// A generator started from `seed` (0 is mapped to a fixed non-zero seed, since xorshift
    /// would otherwise stay at zero forever).
    pub fn new(seed: u64) -> SeqRng {
        SeqRng { state: if seed == 0 { 0x9E37_79B9_7F4A_7C15 } else { seed } }
    }

    fn next_u64(&mut self) -> u64 {
        let mut x = self.state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.state = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

#[cfg(test)]
impl Rng for SeqRng {
    fn fill(&mut self, buf: &mut [u8]) -> Result<()> {
        for chunk in buf.chunks_mut(8) {
            let bytes = self.next_u64().to_le_bytes();
            for (dst, src) in chunk.iter_mut().zip(bytes.iter()) {
                *dst = *src;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// Replays a fixed byte script, then repeats its last byte.
    struct ScriptRng {
        bytes: Vec<u8>,
        pos: usize,
        calls: usize,
    }

    impl Rng for ScriptRng {
        fn fill(&mut self, buf: &mut [u8]) -> Result<()> {
            self.calls += 1;
            for b in buf.iter_mut() {
                *b = *self.bytes.get(self.pos).or(self.bytes.last()).unwrap_or(&0);
                self.pos += 1;
            }
            Ok(())
        }
    }

    struct FailingRng;
    impl Rng for FailingRng {
        fn fill(&mut self, _buf: &mut [u8]) -> Result<()> {
            Err(Error::plain("crypto_unavailable", "no crypto"))
        }
    }

    #[test]
    fn random_string_has_43_characters_from_the_auth0_alphabet() {
        let mut rng = SeqRng::new(1);
        for _ in 0..1000 {
            let s = random_string(&mut rng).unwrap();
            assert_eq!(s.len(), 43);
            assert!(s.bytes().all(|b| RANDOM_ALPHABET.contains(&b)), "{s}");
        }
    }

    #[test]
    fn alphabet_is_the_66_rfc7636_unreserved_characters_in_auth0_order() {
        assert_eq!(RANDOM_ALPHABET.len(), 66);
        assert_eq!(&RANDOM_ALPHABET[..10], b"0123456789");
        assert_eq!(&RANDOM_ALPHABET[62..], b"-_~.");
        let unique: HashSet<_> = RANDOM_ALPHABET.iter().collect();
        assert_eq!(unique.len(), 66);
        assert!(RANDOM_ALPHABET.iter().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(b)));
    }

    #[test]
    fn bytes_map_to_the_same_characters_as_auth0_spa_js() {
        // byte % 66: 0 -> '0', 10 -> 'A', 36 -> 'a', 65 -> '.', 66 -> '0', 197 -> '.'
        let mut script = vec![0, 10, 36, 65, 66, 197];
        script.resize(43, 1);
        let mut rng = ScriptRng { bytes: script, pos: 0, calls: 0 };
        let s = random_string(&mut rng).unwrap();
        assert!(s.starts_with("0Aa.0."), "{s}");
    }

    #[test]
    fn bytes_198_and_above_are_rejected_to_avoid_modulo_bias() {
        // 198..=255 would map to '0'..'v' a fourth time; they must be skipped, not folded.
        let mut script: Vec<u8> = (198..=255).collect();
        script.extend(std::iter::repeat_n(5u8, 43));
        let mut rng = ScriptRng { bytes: script, pos: 0, calls: 0 };
        let s = random_string(&mut rng).unwrap();
        assert_eq!(s, "5".repeat(43));
        assert!(rng.calls >= 2, "rejected bytes must be replaced by refilling");
    }

    #[test]
    fn every_accepted_character_is_equally_likely() {
        // Over all 256 byte values, each of the 66 characters is produced exactly 3 times.
        let mut counts = [0usize; 66];
        for b in 0u8..=255 {
            if b < ACCEPT_BELOW {
                counts[usize::from(b) % 66] += 1;
            }
        }
        assert!(counts.iter().all(|&c| c == 3));
    }

    #[test]
    fn a_generator_stuck_on_rejected_bytes_errors_instead_of_hanging() {
        let mut rng = ScriptRng { bytes: vec![0xFF], pos: 0, calls: 0 };
        let err = random_string(&mut rng).unwrap_err();
        assert_eq!(err.error, "random_source_failure");
        assert_eq!(rng.calls, MAX_ROUNDS);
    }

    #[test]
    fn a_failing_generator_propagates_its_error() {
        let err = random_string(&mut FailingRng).unwrap_err();
        assert_eq!(err.error, "crypto_unavailable");
        assert_eq!(new_state(&mut FailingRng).unwrap_err().error, "crypto_unavailable");
        assert_eq!(new_nonce(&mut FailingRng).unwrap_err().error, "crypto_unavailable");
    }

    #[test]
    fn no_duplicates_over_100_000_samples() {
        let mut rng = SeqRng::new(0xDEAD_BEEF);
        let mut seen = HashSet::with_capacity(100_000);
        for _ in 0..100_000 {
            assert!(seen.insert(random_string(&mut rng).unwrap()));
        }
    }

    #[test]
    fn state_and_nonce_are_standard_base64_of_a_random_string() {
        let mut rng = SeqRng::new(7);
        let state = new_state(&mut rng).unwrap();
        assert_eq!(state.len(), 60);
        assert!(state.ends_with("=="));
        assert!(state.bytes().all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b)));
        let decoded = crate::core::encoding::base64url_decode(&state).unwrap();
        assert_eq!(decoded.len(), 43);
        assert!(decoded.iter().all(|b| RANDOM_ALPHABET.contains(b)));
        let nonce = new_nonce(&mut rng).unwrap();
        assert_eq!(nonce.len(), 60);
        assert_ne!(state, nonce);
    }

    #[test]
    fn seq_rng_is_deterministic_per_seed() {
        let a = random_string(&mut SeqRng::new(42)).unwrap();
        let b = random_string(&mut SeqRng::new(42)).unwrap();
        let c = random_string(&mut SeqRng::new(43)).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        // Seed 0 must not get stuck producing zeros.
        let z = random_string(&mut SeqRng::new(0)).unwrap();
        assert_ne!(z, "0".repeat(43));
    }
}
