//! Byte and text encodings the protocol needs, written out so the browser build pulls in no
//! extra crates: base64 and base64url (RFC 4648 §4, §5), `encodeURIComponent`, and the
//! `application/x-www-form-urlencoded` serializer/parser that `URLSearchParams` implements
//! (WHATWG URL §5).

const STD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Byte offset of the first occurrence of `needle` in `haystack` (a non-empty needle). Written
/// out because `str::find(&str)` brings core's two-way searcher and its panic paths into the wasm.
pub fn find(haystack: &str, needle: &str) -> Option<usize> {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    if n.is_empty() {
        return Some(0);
    }
    (0..h.len()).find(|&i| h.get(i..).is_some_and(|rest| rest.starts_with(n)))
}

fn encode_with(bytes: &[u8], alphabet: &[u8; 64], pad: bool) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let byte = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let n = (byte(0) << 16) | (byte(1) << 8) | byte(2);
        let chars = chunk.len() + 1;
        for i in 0..4 {
            if i < chars {
                out.push(char::from(alphabet.get(((n >> (18 - 6 * i)) & 63) as usize).copied().unwrap_or(b'A')));
            } else if pad {
                out.push('=');
            }
        }
    }
    out
}

/// Standard base64 with padding, as `btoa` produces for ASCII input.
pub fn base64_encode(bytes: &[u8]) -> String {
    encode_with(bytes, STD, true)
}

/// base64url without padding (RFC 4648 §5), as PKCE (RFC 7636 §4.2) and JWTs (RFC 7515 §2) use.
pub fn base64url_encode(bytes: &[u8]) -> String {
    encode_with(bytes, URL, false)
}

/// Decodes base64url (padding optional). Also accepts the standard alphabet, as `atob`-based
/// JWT decoders do after replacing characters. Returns `None` on any other character or a
/// length that cannot be base64.
pub fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let trimmed = text.trim_end_matches('=');
    if trimmed.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(trimmed.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0u32;
    for c in trimmed.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

fn hex_digit(n: u8) -> char {
    char::from(b"0123456789ABCDEF".get(usize::from(n & 15)).copied().unwrap_or(b'0'))
}

fn percent_encode(s: &str, keep: impl Fn(u8) -> bool, space_as_plus: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if keep(b) {
            out.push(b as char);
        } else if space_as_plus && b == b' ' {
            out.push('+');
        } else {
            out.push('%');
            out.push(hex_digit(b >> 4));
            out.push(hex_digit(b));
        }
    }
    out
}

/// JavaScript's `encodeURIComponent`.
pub(crate) fn encode_uri_component(s: &str) -> String {
    percent_encode(s, |b| b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b), false)
}

/// One name or value as `URLSearchParams.toString()` writes it (space becomes `+`).
pub fn form_encode(s: &str) -> String {
    percent_encode(s, |b| b.is_ascii_alphanumeric() || b"*-._".contains(&b), true)
}

/// Serialises pairs as `URLSearchParams` does: `a=1&b=2`, in the given order.
pub(crate) fn form_serialize<K: AsRef<str>, V: AsRef<str>>(pairs: &[(K, V)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(&form_encode(k.as_ref()));
        out.push('=');
        out.push_str(&form_encode(v.as_ref()));
    }
    out
}

fn unhex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Decodes one form-encoded component: `+` is a space, `%XX` a byte; malformed escapes stay as
/// they are and invalid UTF-8 becomes U+FFFD, exactly as `URLSearchParams` does.
pub(crate) fn form_decode(s: &str) -> String {
    let mut out = Vec::with_capacity(s.len());
    let mut rest = s.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        rest = tail;
        match b {
            b'+' => out.push(b' '),
            b'%' => match tail {
                [h, l, after @ ..] => match (unhex(*h), unhex(*l)) {
                    (Some(h), Some(l)) => {
                        out.push(h << 4 | l);
                        rest = after;
                    }
                    _ => out.push(b'%'),
                },
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Parses a query string (without the leading `?`) into ordered pairs, as `URLSearchParams`.
/// Empty segments (`a=1&&b=2`) are skipped; a segment without `=` has an empty value.
pub fn form_parse(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|seg| !seg.is_empty())
        .map(|seg| match seg.split_once('=') {
            Some((k, v)) => (form_decode(k), form_decode(v)),
            None => (form_decode(seg), String::new()),
        })
        .collect()
}

#[cfg(any(target_arch = "wasm32", test))]
/// Byte equality eight bytes at a time. On wasm32, `==` on slices lowers to compiler-builtins'
/// byte-by-byte `memcmp`, which made comparing the cache-hit memo's kilobytes of JSON the
/// largest cost of a cache hit (Chromium profile); this loop uses 64-bit loads.
pub(crate) fn bytes_equal(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (a_words, a_rest) = a.as_chunks::<8>();
    let (b_words, b_rest) = b.as_chunks::<8>();
    for (x, y) in a_words.iter().zip(b_words) {
        if u64::from_ne_bytes(*x) != u64::from_ne_bytes(*y) {
            return false;
        }
    }
    a_rest.iter().zip(b_rest).all(|(x, y)| x == y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_gives_the_first_byte_offset_like_str_find() {
        for (hay, needle) in [("a::b::c", "::"), ("abc", "abc"), ("abc", "c"), ("abc", "x"), ("", "x"), ("ab", "abc"), ("héllo://x", "://"), ("abc", "")] {
            assert_eq!(find(hay, needle), hay.find(needle), "{hay:?} {needle:?}");
        }
    }

    #[test]
    fn bytes_equal_agrees_with_slice_equality() {
        let base: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
        for len in [0, 1, 7, 8, 9, 15, 16, 17, 999, 1000] {
            let a = &base[..len];
            assert!(bytes_equal(a, a));
            assert!(!bytes_equal(a, &base[..len.saturating_sub(1)]) || len == 0);
            for i in [0, len / 2, len.saturating_sub(1)] {
                if len == 0 {
                    continue;
                }
                let mut b = a.to_vec();
                b[i] ^= 1;
                assert!(!bytes_equal(a, &b), "len {len}, flipped byte {i}");
            }
        }
    }

    

    #[test]
    fn base64_matches_rfc4648_vectors() {
        // RFC 4648 §10.
        let cases = [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")];
        for (plain, enc) in cases {
            assert_eq!(base64_encode(plain.as_bytes()), enc);
            assert_eq!(base64url_decode(enc).unwrap(), plain.as_bytes());
        }
    }

    #[test]
    fn base64url_uses_url_alphabet_without_padding() {
        assert_eq!(base64url_encode(&[0xfb, 0xff]), "-_8");
        assert_eq!(base64_encode(&[0xfb, 0xff]), "+/8=");
        assert_eq!(base64url_decode("-_8").unwrap(), vec![0xfb, 0xff]);
    }

    #[test]
    fn base64url_decode_rejects_garbage() {
        assert!(base64url_decode("a").is_none());
        assert!(base64url_decode("ab!c").is_none());
        assert!(base64url_decode("ab c").is_none());
    }

    #[test]
    fn encode_uri_component_matches_javascript() {
        assert_eq!(encode_uri_component("a b&c=d/é!~*'()"), "a%20b%26c%3Dd%2F%C3%A9!~*'()");
    }

    #[test]
    fn form_encoding_matches_url_search_params() {
        assert_eq!(form_serialize(&[("scope", "openid profile"), ("redirect_uri", "https://a.b/cb?x=1")]), "scope=openid+profile&redirect_uri=https%3A%2F%2Fa.b%2Fcb%3Fx%3D1");
        assert_eq!(form_encode("a~b!"), "a%7Eb%21");
    }

    #[test]
    fn form_parse_decodes_like_url_search_params() {
        let pairs = form_parse("code=a%20b+c&state=x%3D%3D&&flag&bad=%zz%4");
        assert_eq!(pairs, vec![
            ("code".into(), "a b c".into()),
            ("state".into(), "x==".into()),
            ("flag".into(), "".into()),
            ("bad".into(), "%zz%4".into()),
        ]);
        assert_eq!(form_parse("x=%FF"), vec![("x".into(), "\u{FFFD}".into())]);
    }
}
