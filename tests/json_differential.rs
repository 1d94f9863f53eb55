//! Differential tests of `core::json` against serde_json (`preserve_order`, `float_roundtrip`)
//! with generated inputs: parsing of values serde_json writes, duplicate keys, the writer,
//! mutated and malformed texts, and (in json_differential/sdk_documents.rs) every document shape
//! the SDK parses.
//!
//! The documented differences from serde_json, each of which follows `JSON.parse`:
//! * lone surrogate escapes (`"\ud800"`): serde_json rejects them; `JSON.parse` keeps them and we
//!   store U+FFFD (a Rust string cannot hold a surrogate). Every text is therefore compared with
//!   serde_json's reading of the same text with its lone surrogate escapes written as `\ufffd`
//!   ([`replace_lone_surrogates`]).
//! * numbers beyond the f64 range (`1e400`): serde_json rejects them ("number out of range");
//!   `JSON.parse` and we give ±Infinity.
//! * nesting: we reject a value more than 64 levels below the root ([`MAX_DEPTH`]); serde_json
//!   allows 127 levels of arrays/objects and `JSON.parse` is limited only by the engine's stack.
//!
//! Duplicate keys need no exception: serde_json's `preserve_order` map keeps a repeated key at its
//! first position with its last value, which is the `JSON.parse` rule (checked against a small
//! reference implementation of that rule in `duplicate_keys_follow_json_parse`).
//!
//! Not compared (serde_json keeps document order as we do): a JS object lists integer-like keys
//! (`"0"`, `"7"`) first, so `JSON.stringify(JSON.parse(text))` may reorder them; see `core::json`.
//!
//! A failing case prints its minimal input; set `PROPTEST_CASES` to run more cases.

#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed unwrap is a failed test

#[path = "json_differential/sdk_documents.rs"]
mod sdk_documents;

use auth0_spa_wasm::core::json::Json;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::TestCaseError;
use serde_json::Value;

/// Our parser rejects a value nested deeper than this below the root.
const MAX_DEPTH: usize = 64;

/// `cases` per property (enough to find shape bugs, few enough to run in seconds) unless the
/// environment sets `PROPTEST_CASES`.
fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(cases);
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

// ---- comparison -------------------------------------------------------------------------------

/// Same tree: same kinds, strings, member order, and numbers equal as f64 (sign of zero too).
fn same(ours: &Json, theirs: &Value) -> bool {
    match (ours, theirs) {
        (Json::Null, Value::Null) => true,
        (Json::Bool(a), Value::Bool(b)) => a == b,
        (Json::Number(a), Value::Number(b)) => {
            b.as_f64().is_some_and(|b| *a == b && a.is_sign_negative() == b.is_sign_negative())
        }
        (Json::String(a), Value::String(b)) => a == b,
        (Json::Array(a), Value::Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y)),
        (Json::Object(a), Value::Object(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|((ka, va), (kb, vb))| ka == kb && same(va, vb))
        }
        _ => false,
    }
}

/// Depth of the deepest value, the root being 0 (what our parser limits).
fn value_depth(v: &Value) -> usize {
    match v {
        Value::Array(a) => a.iter().map(|x| 1 + value_depth(x)).max().unwrap_or(0),
        Value::Object(m) => m.values().map(|x| 1 + value_depth(x)).max().unwrap_or(0),
        _ => 0,
    }
}

fn has_non_finite(v: &Json) -> bool {
    match v {
        Json::Number(n) => !n.is_finite(),
        Json::Array(a) => a.iter().any(has_non_finite),
        Json::Object(m) => m.iter().any(|(_, x)| has_non_finite(x)),
        _ => false,
    }
}

/// The text with every lone surrogate escape inside a string written as `\ufffd`: what
/// `JSON.parse` followed by a UTF-8 encode (`TextEncoder`) gives, and what we store.
fn replace_lone_surrogates(text: &str) -> String {
    // The code unit of the four hex digits at `i` (`from_str_radix` alone would take a `+`).
    let hex_at = |i: usize| {
        let h = text.get(i..i + 4).filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))?;
        u32::from_str_radix(h, 16).ok()
    };
    let low_at = |i: usize| text.get(i..i + 2) == Some("\\u") && hex_at(i + 2).is_some_and(|lo| (0xDC00..0xE000).contains(&lo));
    let bytes = text.as_bytes();
    let (mut out, mut i, mut in_string) = (String::with_capacity(text.len()), 0, false);
    while i < bytes.len() {
        let c = bytes[i];
        if !in_string || c != b'\\' {
            in_string ^= c == b'"';
            let len = text[i..].chars().next().map_or(1, char::len_utf8);
            out.push_str(&text[i..i + len]);
            i += len;
            continue;
        }
        let unit = if bytes.get(i + 1) == Some(&b'u') { hex_at(i + 2) } else { None };
        match unit {
            Some(0xD800..=0xDBFF) if low_at(i + 6) => {
                out.push_str(&text[i..i + 12]);
                i += 12;
            }
            Some(0xD800..=0xDFFF) => {
                out.push_str("\\ufffd");
                i += 6;
            }
            _ => {
                // Any other escape: copy the backslash and the escaped character.
                let len = text[i + 1..].chars().next().map_or(0, char::len_utf8);
                out.push_str(&text[i..i + 1 + len]);
                i += 1 + len;
            }
        }
    }
    out
}

/// Both parsers agree on `text` (accept/reject and tree), up to the documented differences.
fn agree(text: &str) -> Result<(), TestCaseError> {
    let ours = Json::parse(text);
    let fixed = replace_lone_surrogates(text);
    // We read a lone surrogate exactly as an escaped U+FFFD.
    prop_assert_eq!(ours.clone().ok(), Json::parse(&fixed).ok(), "lone surrogates read as U+FFFD: {:?}", text);
    match (ours, serde_json::from_str::<Value>(&fixed)) {
        (Ok(o), Ok(t)) => prop_assert!(same(&o, &t), "trees differ for {:?}:\nours  {:?}\nserde {:?}", text, o, t),
        (Err(_), Err(_)) => {}
        (Ok(o), Err(e)) => prop_assert!(
            e.to_string().starts_with("number out of range") && has_non_finite(&o),
            "only we accept {:?} ({}): {:?}", text, e, o
        ),
        (Err(e), Ok(t)) => {
            prop_assert!(value_depth(&t) > MAX_DEPTH, "only serde_json accepts {:?} (ours fails at {})", text, e.offset)
        }
    }
    Ok(())
}

/// Our tree for a serde_json value (to test the writer without our parser).
fn from_value(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Number(n) => Json::Number(n.as_f64().unwrap()),
        Value::String(s) => Json::String(s.clone()),
        Value::Array(a) => Json::Array(a.iter().map(from_value).collect()),
        Value::Object(m) => Json::Object(m.iter().map(|(k, v)| (k.clone(), from_value(v))).collect()),
    }
}

// ---- generators -------------------------------------------------------------------------------

/// Finite numbers of every kind: safe integers, full-range i64/u64, fractions, huge and tiny.
fn number() -> impl Strategy<Value = Value> {
    use proptest::num::f64 as f;
    prop_oneof![
        (-1_000_000i64..1_000_000).prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e3..1e3f64).prop_map(Value::from),
        (f::POSITIVE | f::NEGATIVE | f::NORMAL | f::SUBNORMAL | f::ZERO).prop_map(Value::from),
    ]
}

/// Keys that often collide, odd ones (`__proto__`, integer-like) and arbitrary strings.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![4 => "[a-d]", 1 => Just("__proto__".to_owned()), 1 => "[0-9]", 2 => any::<String>()]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number(),
        any::<String>().prop_map(Value::String),
        "[a-z\\\\\"\u{0}-\u{1f}\u{7f}\u{e9}\u{2028}\u{1F600}]{0,6}".prop_map(Value::String),
    ]
}

/// Arbitrary JSON values, nested a few levels.
fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..6).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A document whose objects may repeat keys; `render` writes it, `reference` reads it back with
/// the `JSON.parse` rule.
#[derive(Clone, Debug)]
enum Doc {
    /// A value without duplicate keys.
    Leaf(Value),
    /// An array of documents.
    Array(Vec<Doc>),
    /// Members in text order, keys possibly repeated.
    Object(Vec<(String, Doc)>),
}

impl Doc {
    /// The text, with serde_json's escapes and number formats.
    fn render(&self) -> String {
        match self {
            Doc::Leaf(v) => v.to_string(),
            Doc::Array(items) => format!("[{}]", items.iter().map(Doc::render).collect::<Vec<_>>().join(",")),
            Doc::Object(members) => {
                let parts: Vec<String> = members.iter().map(|(k, v)| format!("{}:{}", Value::from(k.as_str()), v.render())).collect();
                format!("{{{}}}", parts.join(","))
            }
        }
    }

    /// `JSON.parse` semantics written out: a repeated key keeps its first position, takes the last
    /// value. Independent of serde_json's map so that it can check serde_json too.
    fn reference(&self) -> Value {
        match self {
            Doc::Leaf(v) => v.clone(),
            Doc::Array(items) => Value::Array(items.iter().map(Doc::reference).collect()),
            Doc::Object(members) => {
                let mut out: Vec<(String, Value)> = Vec::new();
                for (k, v) in members {
                    let v = v.reference();
                    match out.iter_mut().find(|(seen, _)| seen == k) {
                        Some(slot) => slot.1 = v,
                        None => out.push((k.clone(), v)),
                    }
                }
                Value::Object(out.into_iter().collect())
            }
        }
    }
}

/// Documents with repeated keys: nested objects over a small key set, then one member of the
/// top level repeated at a chosen later position with a new value.
fn doc_with_duplicates() -> impl Strategy<Value = Doc> {
    let tree = leaf().prop_map(Doc::Leaf).prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Doc::Array),
            prop::collection::vec(("[a-c]".prop_map(String::from), inner), 0..7).prop_map(Doc::Object),
        ]
    });
    (prop::collection::vec((key(), tree), 1..8), any::<Index>(), any::<Index>(), value()).prop_map(|(mut members, from, to, v)| {
        let repeated = members[from.index(members.len())].0.clone();
        let at = to.index(members.len() + 1);
        members.insert(at, (repeated, Doc::Leaf(v)));
        Doc::Object(members)
    })
}

/// A text changed the ways a broken store or network changes it.
#[derive(Clone, Debug)]
enum Mutation {
    Truncate(Index),
    Replace(Index, char),
    Insert(Index, String),
    Delete(Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let junk_char = prop_oneof![
        prop::sample::select("{}[],:\"\\01-+.eEunt \n\u{0}\u{1f}\u{e9}\u{1F600}".chars().collect::<Vec<_>>()),
        any::<char>(),
    ];
    let junk = prop_oneof![
        prop::sample::select(vec![r"\ud800", r"\udc00", r"\ud83d\ude00", r"\u00", "1e400", "-0", "00", "[]", "{}", ",", "\"", "nul", "\\"])
            .prop_map(String::from),
        "[\\[\\]{}:,\" 0-9a-z\\\\.-]{1,4}",
    ];
    prop_oneof![
        any::<Index>().prop_map(Mutation::Truncate),
        (any::<Index>(), junk_char).prop_map(|(i, c)| Mutation::Replace(i, c)),
        (any::<Index>(), junk).prop_map(|(i, s)| Mutation::Insert(i, s)),
        any::<Index>().prop_map(Mutation::Delete),
    ]
}

fn mutate(text: &str, m: &Mutation) -> String {
    let chars: Vec<char> = text.chars().collect();
    let at = |i: &Index, extra: usize| i.index(chars.len() + extra);
    let mut out = chars.clone();
    match m {
        Mutation::Truncate(i) => out.truncate(at(i, 1)),
        Mutation::Replace(i, c) if !chars.is_empty() => out[at(i, 0)] = *c,
        Mutation::Insert(i, s) => {
            let p = at(i, 1);
            out.splice(p..p, s.chars());
        }
        Mutation::Delete(i) if !chars.is_empty() => {
            out.remove(at(i, 0));
        }
        _ => {}
    }
    out.into_iter().collect()
}

/// Number texts in every shape the grammar allows (and a few it does not).
fn number_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "-?(0|[1-9][0-9]{0,24})(\\.[0-9]{1,24})?([eE][+-]?[0-9]{1,3})?",
        1 => "-?[0-9]{1,3}(\\.[0-9]{0,2})?([eE][+-]?[0-9]{0,3})?",
        1 => "[+.]?[0-9]{1,2}[.eE]?",
    ]
}

/// String literals written with every escape form serde_json never writes itself.
fn string_literal() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => any::<char>().prop_filter("plain", |c| *c != '"' && *c != '\\' && *c >= ' ').prop_map(String::from),
        2 => prop::sample::select(vec!["\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t"]).prop_map(String::from),
        2 => (any::<char>(), any::<bool>()).prop_map(|(c, upper)| {
            let mut units = [0u16; 2];
            let s: String = c.encode_utf16(&mut units).iter().map(|u| format!("\\u{u:04x}")).collect();
            if upper { s.to_uppercase().replace("\\U", "\\u") } else { s }
        }),
        1 => (0xD800u32..0xE000).prop_map(|u| format!("\\u{u:04X}")),
        1 => prop::sample::select(vec!["\u{1}", "\\x", "\\u12", "\\uZZZZ", "\\", "\\U0041", "\u{1f}"]).prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..8).prop_map(|p| format!("\"{}\"", p.concat()))
}

// ---- properties -------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(384))]

    /// 1. Whatever serde_json writes, compact or pretty, we read to the same tree.
    #[test]
    fn reads_what_serde_json_writes(v in value()) {
        for text in [serde_json::to_string(&v).unwrap(), serde_json::to_string_pretty(&v).unwrap()] {
            let ours = Json::parse(&text);
            prop_assert!(ours.as_ref().is_ok_and(|o| same(o, &v)), "{:?} read as {:?}", text, ours);
        }
    }

    /// 1. Number texts of every shape: same value, or both reject, or ±Infinity where serde_json
    /// reports "number out of range" (`JSON.parse` gives ±Infinity too).
    #[test]
    fn numbers_agree(text in number_text()) {
        agree(&text)?;
        if let Err(e) = serde_json::from_str::<Value>(&text) {
            if e.to_string().starts_with("number out of range") {
                let sign = if text.starts_with('-') { f64::NEG_INFINITY } else { f64::INFINITY };
                prop_assert_eq!(Json::parse(&text), Ok(Json::Number(sign)));
            }
        }
    }

    /// 1. String escapes of every form, including invalid ones and lone surrogates.
    #[test]
    fn string_escapes_agree(text in string_literal()) {
        agree(&text)?;
    }

    /// 2. Repeated keys: serde_json (preserve_order) follows the `JSON.parse` rule, and so do we.
    #[test]
    fn duplicate_keys_follow_json_parse(doc in doc_with_duplicates()) {
        let text = doc.render();
        let expected = doc.reference();
        let theirs: Value = serde_json::from_str(&text).unwrap();
        // Value's PartialEq ignores map order: compare the texts, which keep it.
        prop_assert_eq!(theirs.to_string(), expected.to_string(), "serde_json differs from JSON.parse on {:?}", text);
        let ours = Json::parse(&text).unwrap();
        prop_assert!(same(&ours, &expected), "{:?} read as {:?}", text, ours);
        // get/set/remove/write act on the one member per key.
        if let (Some((k, v)), Json::Object(members)) = (expected.as_object().and_then(|m| m.iter().next()), &ours) {
            prop_assert_eq!(members.iter().filter(|(m, _)| m == k).count(), 1);
            prop_assert!(same(ours.get(k).unwrap(), v));
            let mut copy = ours.clone();
            copy.set(k, Json::Null);
            prop_assert_eq!(copy.as_object().unwrap().iter().filter(|(m, _)| m == k).count(), 1);
            prop_assert_eq!(copy.get(k), Some(&Json::Null));
            prop_assert_eq!(copy.remove(k), Some(Json::Null));
            prop_assert_eq!(copy.get(k), None);
        }
        agree(&ours.to_json_string())?;
    }

    /// 3. The writer: valid JSON for serde_json with the same tree, our own round trip, and the very
    /// bytes serde_json writes when there is no float formatting to differ on.
    #[test]
    fn writer_round_trips(v in value()) {
        let ours = from_value(&v);
        let text = ours.to_json_string();
        let theirs: Value = serde_json::from_str(&text).map_err(|e| TestCaseError::fail(format!("{text:?}: {e}")))?;
        // JSON.stringify writes -0 as 0.
        prop_assert!(same(&from_value(&positive_zero(&v)), &theirs), "{:?} reads back as {:?}", text, theirs);
        prop_assert_eq!(Json::parse(&text), Ok(ours.clone()));
        if only_safe_integers(&v) {
            prop_assert_eq!(text, v.to_string());
        }
    }

    /// 4. Mutated texts never panic and both parsers agree on them.
    #[test]
    fn mutated_texts_agree(v in value(), mutations in prop::collection::vec(mutation(), 1..4)) {
        let mut text = v.to_string();
        for m in &mutations {
            text = mutate(&text, m);
        }
        agree(&text)?;
    }

    /// 4. Nesting: we accept values up to 64 levels below the root and reject deeper ones without
    /// overflowing the stack; serde_json allows 127 levels of containers.
    #[test]
    fn nesting_limit(depth in 0usize..140, objects in any::<bool>(), leaf in prop::sample::select(vec!["1", "[]", "{}", "\"s\""])) {
        let (open, close) = if objects { ("{\"k\":", "}") } else { ("[", "]") };
        let text = format!("{}{}{}", open.repeat(depth), leaf, close.repeat(depth));
        agree(&text)?;
        prop_assert_eq!(Json::parse(&text).is_ok(), depth <= MAX_DEPTH, "depth {}", depth);
    }
}

fn positive_zero(v: &Value) -> Value {
    match v {
        Value::Number(n) if n.as_f64() == Some(0.0) => Value::from(0),
        Value::Array(a) => Value::Array(a.iter().map(positive_zero).collect()),
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), positive_zero(v))).collect()),
        v => v.clone(),
    }
}

fn only_safe_integers(v: &Value) -> bool {
    match v {
        Value::Number(n) => n.as_i64().is_some_and(|i| i.unsigned_abs() < 1 << 53) || n.as_u64().is_some_and(|u| u < 1 << 53),
        Value::Array(a) => a.iter().all(only_safe_integers),
        Value::Object(m) => m.values().all(only_safe_integers),
        _ => true,
    }
}

// ---- the documented differences, spelled out ---------------------------------------------------

#[test]
fn serde_json_rejects_lone_surrogates_that_we_read_as_replacement_characters() {
    let cases = [
        (r#""\ud800""#, "\u{FFFD}"),
        (r#""\udc00x""#, "\u{FFFD}x"),
        (r#""\ud800\u0041""#, "\u{FFFD}A"),
        (r#""\ud800\ud83d\ude00""#, "\u{FFFD}\u{1F600}"),
    ];
    for (text, ours) in cases {
        assert!(serde_json::from_str::<Value>(text).is_err(), "{text}");
        assert_eq!(Json::parse(text), Ok(Json::str(ours)), "{text}");
    }
}

#[test]
fn serde_json_rejects_out_of_range_numbers_that_we_read_as_infinity() {
    for (text, n) in [("1e400", f64::INFINITY), ("-1e400", f64::NEG_INFINITY)] {
        assert!(serde_json::from_str::<Value>(text).unwrap_err().to_string().starts_with("number out of range"));
        assert_eq!(Json::parse(text), Ok(Json::Number(n)));
    }
    // Underflow is zero for both.
    assert_eq!(serde_json::from_str::<Value>("1e-400").unwrap().as_f64(), Some(0.0));
    assert_eq!(Json::parse("1e-400"), Ok(Json::Number(0.0)));
}

#[test]
fn nesting_between_our_limit_and_serde_jsons_is_ours_to_reject() {
    let nested = |n: usize| format!("{}1{}", "[".repeat(n), "]".repeat(n));
    assert!(Json::parse(&nested(MAX_DEPTH)).is_ok());
    assert!(Json::parse(&nested(MAX_DEPTH + 1)).is_err());
    assert!(serde_json::from_str::<Value>(&nested(127)).is_ok());
    assert!(serde_json::from_str::<Value>(&nested(128)).is_err());
}

#[test]
fn serde_json_preserve_order_keeps_the_first_position_and_the_last_value() {
    let text = r#"{"a":1,"b":2,"a":3}"#;
    assert_eq!(serde_json::from_str::<Value>(text).unwrap().to_string(), r#"{"a":3,"b":2}"#);
    assert_eq!(Json::parse(text).unwrap().to_json_string(), r#"{"a":3,"b":2}"#);
}
