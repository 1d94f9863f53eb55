//! A small, strict JSON reader and writer (RFC 8259).
//!
//! The browser build avoids serde_json because it costs tens of KiB of wasm
//! (docs/performance.md). This module parses the handful of documents the
//! SDK reads (token responses, cache entries, transactions, ID-token segments, options) into an
//! order-preserving [`Json`] tree, and writes them back byte-compatible with `JSON.stringify`.
//!
//! Where it differs from `JSON.parse`: nesting deeper than 64 is an error; a lone surrogate escape
//! (`\ud800`) becomes U+FFFD (a Rust string cannot hold it); and members keep document order,
//! whereas a JS object lists integer-like keys (`"0"`, `"7"`) first, in ascending order.

use super::number::{parse_number, push_number};

/// A parsed JSON value. Objects keep their members in document order, as `JSON.parse` does,
/// so that a value written back out matches what auth0-spa-js would have written.
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// Any JSON number (IEEE-754 double, like JavaScript).
    Number(f64),
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<Json>),
    /// An object: one member per key, in order. [`Json::parse`] collapses a repeated key as
    /// `JSON.parse` does (the member stays at its first position and takes the last value);
    /// code that builds an object keeps its keys unique (use [`Json::set`]).
    Object(Vec<(String, Json)>),
}

/// Why a document is not JSON. Carries the byte offset so callers can report it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    /// Byte offset where parsing stopped.
    pub offset: usize,
}

/// Nesting limit: deeper documents are rejected instead of exhausting the stack.
const MAX_DEPTH: usize = 64;

impl Json {
    /// Parses a complete JSON text; trailing non-whitespace is an error.
    pub fn parse(text: &str) -> Result<Json, JsonError> {
        let mut parser = Parser { bytes: text.as_bytes(), pos: 0 };
        parser.skip_ws();
        let value = parser.value(0)?;
        parser.skip_ws();
        if parser.pos != parser.bytes.len() {
            return Err(JsonError { offset: parser.pos });
        }
        Ok(value)
    }

    /// The member `key` of an object, or `None` for other values.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    /// The number, if this is a finite number.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Json::Number(n) if n.is_finite() => Some(*n),
            _ => None,
        }
    }

    /// The boolean, if this is a boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The members, if this is an object.
    pub fn as_object(&self) -> Option<&[(String, Json)]> {
        match self {
            Json::Object(m) => Some(m),
            _ => None,
        }
    }

    /// The elements, if this is an array.
    pub fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Array(a) => Some(a),
            _ => None,
        }
    }

    /// Convenience: `self[key]` as a string.
    pub fn str_field(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Json::as_str)
    }

    /// Sets `key` on an object (replacing an existing member in place, else appending).
    /// Does nothing on non-objects.
    pub fn set(&mut self, key: &str, value: Json) {
        if let Json::Object(members) = self {
            if let Some(slot) = members.iter_mut().find(|(k, _)| k == key) {
                slot.1 = value;
            } else {
                members.push((key.to_owned(), value));
            }
        }
    }

    /// Removes `key` from an object; returns the removed value.
    pub fn remove(&mut self, key: &str) -> Option<Json> {
        if let Json::Object(members) = self {
            let idx = members.iter().position(|(k, _)| k == key)?;
            return Some(members.remove(idx).1);
        }
        None
    }

    /// A new string value.
    pub fn str(s: &str) -> Json {
        Json::String(s.to_owned())
    }

    /// Serialises like `JSON.stringify(value)` (no whitespace; non-finite numbers as `null`).
    pub fn to_json_string(&self) -> String {
        let mut out = String::new();
        self.write_to(&mut out);
        out
    }

    fn write_to(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(true) => out.push_str("true"),
            Json::Bool(false) => out.push_str("false"),
            Json::Number(n) => write_number(*n, out),
            Json::String(s) => write_string(s, out),
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write_to(out);
                }
                out.push(']');
            }
            Json::Object(members) => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_string(k, out);
                    out.push(':');
                    v.write_to(out);
                }
                out.push('}');
            }
        }
    }
}

/// Writes a number as `JSON.stringify` does (JavaScript's `String(n)`, non-finite as `null`),
/// without Rust's float formatting (see [`super::number`]).
fn write_number(n: f64, out: &mut String) {
    push_number(out, n);
}

/// Writes a JSON string literal with the escapes `JSON.stringify` uses.
pub(crate) fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                // `\u00XX`, lower-case hex as JSON.stringify writes it.
                let hex = |v: u32| char::from(b"0123456789abcdef".get(v as usize & 15).copied().unwrap_or(b'0'));
                out.push_str("\\u00");
                out.push(hex(c as u32 >> 4));
                out.push(hex(c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

struct Parser<'a> {
    bytes: &'a [u8],
    pos: usize,
}

/// Adds a parsed member: a repeated key keeps its first position and takes the new value, as
/// `JSON.parse` creates the property once and then assigns it. Kept out of the recursive parser's
/// frame (the wasm stack is small: tests/e2e/stack.test.mjs).
#[inline(never)]
fn insert_member(members: &mut Vec<(String, Json)>, key: String, value: Json) {
    match members.iter_mut().find(|(k, _)| *k == key) {
        Some(slot) => slot.1 = value,
        None => members.push((key, value)),
    }
}

impl Parser<'_> {
    fn err<T>(&self) -> Result<T, JsonError> {
        Err(JsonError { offset: self.pos })
    }

    fn rest(&self) -> &[u8] {
        self.bytes.get(self.pos..).unwrap_or_default()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, lit: &[u8]) -> Result<(), JsonError> {
        if self.rest().starts_with(lit) {
            self.pos += lit.len();
            Ok(())
        } else {
            self.err()
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, JsonError> {
        if depth > MAX_DEPTH {
            return self.err();
        }
        match self.peek() {
            Some(b'n') => self.eat(b"null").map(|_| Json::Null),
            Some(b't') => self.eat(b"true").map(|_| Json::Bool(true)),
            Some(b'f') => self.eat(b"false").map(|_| Json::Bool(false)),
            Some(b'"') => self.string().map(Json::String),
            Some(b'[') => {
                self.pos += 1;
                let mut items = Vec::new();
                self.skip_ws();
                if self.peek() == Some(b']') {
                    self.pos += 1;
                    return Ok(Json::Array(items));
                }
                loop {
                    self.skip_ws();
                    items.push(self.value(depth + 1)?);
                    self.skip_ws();
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b']') => {
                            self.pos += 1;
                            return Ok(Json::Array(items));
                        }
                        _ => return self.err(),
                    }
                }
            }
            Some(b'{') => {
                self.pos += 1;
                let mut members = Vec::new();
                self.skip_ws();
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                    return Ok(Json::Object(members));
                }
                loop {
                    self.skip_ws();
                    if self.peek() != Some(b'"') {
                        return self.err();
                    }
                    let key = self.string()?;
                    self.skip_ws();
                    self.eat(b":")?;
                    self.skip_ws();
                    let value = self.value(depth + 1)?;
                    insert_member(&mut members, key, value);
                    self.skip_ws();
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b'}') => {
                            self.pos += 1;
                            return Ok(Json::Object(members));
                        }
                        _ => return self.err(),
                    }
                }
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => self.err(),
        }
    }

    // Not inlined into the recursive `value`: its locals would be on every level's frame.
    #[inline(never)]
    fn number(&mut self) -> Result<Json, JsonError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return self.err(),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return self.err();
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return self.err();
            }
            self.digits();
        }
        let text = self.bytes.get(start..self.pos).unwrap_or_default();
        parse_number(text).map(Json::Number).ok_or(JsonError { offset: start })
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut v = 0u32;
        for _ in 0..4 {
            let d = match self.peek() {
                Some(c @ b'0'..=b'9') => c - b'0',
                Some(c @ b'a'..=b'f') => c - b'a' + 10,
                Some(c @ b'A'..=b'F') => c - b'A' + 10,
                _ => return self.err(),
            };
            v = v * 16 + u32::from(d);
            self.pos += 1;
        }
        Ok(v)
    }

    #[inline(never)]
    fn string(&mut self) -> Result<String, JsonError> {
        self.pos += 1; // opening quote
        let mut out = String::new();
        loop {
            let run_start = self.pos;
            while let Some(c) = self.peek() {
                if c == b'"' || c == b'\\' || c < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            let run = std::str::from_utf8(self.bytes.get(run_start..self.pos).unwrap_or_default()).map_err(|_| JsonError { offset: run_start })?;
            out.push_str(run);
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let esc = self.peek();
                    self.pos += 1;
                    match esc {
                        Some(b'"') => out.push('"'),
                        Some(b'\\') => out.push('\\'),
                        Some(b'/') => out.push('/'),
                        Some(b'b') => out.push('\u{8}'),
                        Some(b'f') => out.push('\u{c}'),
                        Some(b'n') => out.push('\n'),
                        Some(b'r') => out.push('\r'),
                        Some(b't') => out.push('\t'),
                        Some(b'u') => {
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) && self.rest().starts_with(b"\\u") {
                                let save = self.pos;
                                self.pos += 2;
                                let lo = self.hex4()?;
                                if (0xDC00..0xE000).contains(&lo) {
                                    0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                                } else {
                                    self.pos = save;
                                    0xFFFD
                                }
                            } else {
                                hi
                            };
                            // Lone surrogates cannot live in a Rust string: replace them, as
                            // TextDecoder would.
                            out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                        }
                        _ => return self.err(),
                    }
                }
                _ => return self.err(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_scalars_and_nesting() {
        let v = Json::parse(r#" {"a": [1, -2.5, 3e2, true, false, null], "b": {"c": "d"}} "#).unwrap();
        assert_eq!(v.get("a").unwrap().as_array().unwrap().len(), 6);
        assert_eq!(v.get("a").unwrap().as_array().unwrap()[2], Json::Number(300.0));
        assert_eq!(v.get("b").unwrap().str_field("c"), Some("d"));
    }

    #[test]
    fn rejects_malformed_documents() {
        for bad in ["", "{", "{\"", "[1,]", "{\"a\":1,}", "01", "1.", "-", "tru", "\"\\x\"", "{} x", "{'a':1}", "\"\u{1}\""] {
            assert!(Json::parse(bad).is_err(), "{bad:?} should fail");
        }
    }

    #[test]
    fn rejects_excessive_nesting_without_overflowing_the_stack() {
        let deep = "[".repeat(10_000);
        assert!(Json::parse(&deep).is_err());
    }

    #[test]
    fn unescapes_strings_including_surrogate_pairs() {
        let v = Json::parse(r#""a\"b\\c\/\n\u00e9\ud83d\ude00""#).unwrap();
        assert_eq!(v.as_str(), Some("a\"b\\c/\né😀"));
        let lone = Json::parse(r#""\ud800x""#).unwrap();
        assert_eq!(lone.as_str(), Some("\u{FFFD}x"));
    }

    #[test]
    fn round_trips_like_json_stringify() {
        let text = r#"{"body":{"access_token":"x","expires_in":86400,"scope":"openid \"q\""},"expiresAt":1700000000,"f":0.5,"n":null,"a":[]}"#;
        assert_eq!(Json::parse(text).unwrap().to_json_string(), text);
        assert_eq!(Json::str("\u{1}\t").to_json_string(), r#""\u0001\t""#);
        assert_eq!(Json::Number(f64::NAN).to_json_string(), "null");
    }

    #[test]
    fn numbers_and_control_characters_are_written_as_json_stringify_writes_them() {
        let v = Json::parse("[1.50,1e2,-0,1E21,1e-7,0.1,-2.5e-3,1700000000,12345678901234567890]").unwrap();
        assert_eq!(v.to_json_string(), "[1.5,100,0,1e+21,1e-7,0.1,-0.0025,1700000000,12345678901234567000]");
        assert_eq!(Json::str("\u{1f}\u{b}").to_json_string(), r#""\u001f\u000b""#);
    }

    #[test]
    fn duplicate_keys_keep_the_first_position_and_the_last_value() {
        let mut v = Json::parse(r#"{"a":1,"b":2,"a":3}"#).unwrap();
        assert_eq!(v, Json::Object(vec![("a".into(), Json::Number(3.0)), ("b".into(), Json::Number(2.0))]));
        assert_eq!(v.get("a").and_then(Json::as_f64), Some(3.0));
        assert_eq!(v.to_json_string(), r#"{"a":3,"b":2}"#);
        v.set("a", Json::Null);
        assert_eq!(v.to_json_string(), r#"{"a":null,"b":2}"#);
        assert_eq!(v.remove("a"), Some(Json::Null));
        assert_eq!(v.get("a"), None);
        // Nested objects collapse too; a repeated key may change the value's type.
        let v = Json::parse(r#"[{"x":{"y":1,"y":[2]},"x":{"z":0,"z":{}}}]"#).unwrap();
        assert_eq!(v.to_json_string(), r#"[{"x":{"z":{}}}]"#);
    }

    #[test]
    fn set_and_remove_preserve_order() {
        let mut v = Json::parse(r#"{"a":1,"b":2}"#).unwrap();
        v.set("a", Json::str("x"));
        v.set("c", Json::Null);
        assert_eq!(v.remove("b"), Some(Json::Number(2.0)));
        assert_eq!(v.to_json_string(), r#"{"a":"x","c":null}"#);
    }
}
