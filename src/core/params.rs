//! Ordered parameter lists with JavaScript object semantics (the authorize, logout and token
//! parameters of docs/behaviour.md §2.3, §2.9), the `String(value)` rule that turns option values
//! into parameter text, and the wording of option type errors, shared by `options.rs`.

use super::json::Json;
use super::{Error, Result};

/// Ordered query parameters with JavaScript object semantics: setting an existing key replaces
/// its value but keeps its position, a new key goes last. auth0-spa-js builds its `/authorize`
/// and `/v2/logout` URLs by spreading objects into one another, so this is what reproduces its
/// exact parameter order (§2.3, §2.9).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParamList {
    pairs: Vec<(String, String)>,
}

impl ParamList {
    /// An empty list.
    pub fn new() -> ParamList {
        ParamList { pairs: Vec::new() }
    }

    /// Reads a JS params object (`authorizationParams`, `logoutParams`): strings, numbers and
    /// booleans become text as `String(v)` would make them; `null` members are dropped; `null`
    /// or an absent object gives an empty list.
    ///
    /// # Errors
    /// `invalid_configuration` naming `what.key` when a member is an object or array, or
    /// naming `what` when the value itself is not an object.
    pub fn from_json(value: Option<&Json>, what: &str) -> Result<ParamList> {
        let mut list = ParamList::new();
        let members = match value {
            None | Some(Json::Null) => return Ok(list),
            Some(Json::Object(members)) => members,
            Some(_) => return Err(not_an_object(what)),
        };
        for (key, v) in members {
            list.set_json(key, v, what)?;
        }
        Ok(list)
    }

    /// Sets `key` from a JSON scalar (see [`ParamList::from_json`]).
    pub(crate) fn set_json(&mut self, key: &str, value: &Json, what: &str) -> Result<()> {
        match value {
            Json::Null => Ok(()),
            Json::Object(_) | Json::Array(_) => {
                let mut name = String::from(what);
                name.push('.');
                name.push_str(key);
                Err(type_error(&name, "a string, number or boolean"))
            }
            scalar => {
                if let Some(text) = js_string(scalar) {
                    self.set(key, &text);
                }
                Ok(())
            }
        }
    }

    /// The value of `key`, if present (possibly empty).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// The value of `key` if present and non-empty: JavaScript's `params[key] || …` test.
    pub(crate) fn get_truthy(&self, key: &str) -> Option<&str> {
        self.get(key).filter(|v| !v.is_empty())
    }

    /// Sets `key`, keeping its position if it already exists (JS property assignment).
    pub fn set(&mut self, key: &str, value: &str) {
        match self.pairs.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => {
                slot.1.clear();
                slot.1.push_str(value);
            }
            None => self.pairs.push((key.to_owned(), value.to_owned())),
        }
    }

    /// Removes `key` (a JS `undefined` value, which `URLSearchParams` then never sees).
    pub fn remove(&mut self, key: &str) -> Option<String> {
        let idx = self.pairs.iter().position(|(k, _)| k == key)?;
        Some(self.pairs.remove(idx).1)
    }

    /// Applies every pair of `other` in order: JavaScript `{...this, ...other}`.
    pub fn extend(&mut self, other: &ParamList) {
        for (k, v) in &other.pairs {
            self.set(k, v);
        }
    }

    /// The pairs in order.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// True when there are no pairs.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }
}

/// `String(value)` for JSON scalars (`null` and containers give `None`). Numbers print as
/// JavaScript does for the values options use (integers without a fraction).
pub(crate) fn js_string(value: &Json) -> Option<String> {
    match value {
        Json::String(s) => Some(s.clone()),
        Json::Bool(true) => Some("true".to_owned()),
        Json::Bool(false) => Some("false".to_owned()),
        Json::Number(_) => Some(value.to_json_string()),
        Json::Null | Json::Object(_) | Json::Array(_) => None,
    }
}

/// `InvalidConfigurationError`: `what` must be an object.
pub(crate) fn not_an_object(what: &str) -> Error {
    type_error(what, "an object")
}

/// `InvalidConfigurationError`: `"what" must be {expected}`, the one wording of every option type error.
pub(crate) fn type_error(what: &str, expected: &str) -> Error {
    let mut m = String::from("\"");
    m.push_str(what);
    m.push_str("\" must be ");
    m.push_str(expected);
    Error::invalid_options(&m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn param_list_set_keeps_position_like_js_object_spread() {
        let mut a = ParamList::new();
        a.set("a", "1");
        a.set("b", "2");
        let mut b = ParamList::new();
        b.set("c", "3");
        b.set("a", "x");
        a.extend(&b);
        let pairs: Vec<(&str, &str)> = a.pairs().iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(pairs, vec![("a", "x"), ("b", "2"), ("c", "3")]);
        assert_eq!(a.remove("b").as_deref(), Some("2"));
        assert_eq!(a.get("b"), None);
        a.set("e", "");
        assert_eq!(a.get("e"), Some(""));
        assert_eq!(a.get_truthy("e"), None);
    }

    #[test]
    fn js_string_matches_javascript_string_conversion() {
        assert_eq!(js_string(&Json::Number(300.0)).as_deref(), Some("300"));
        assert_eq!(js_string(&Json::Number(-0.0)).as_deref(), Some("0"));
        assert_eq!(js_string(&Json::Number(0.25)).as_deref(), Some("0.25"));
        assert_eq!(js_string(&Json::Bool(false)).as_deref(), Some("false"));
        assert_eq!(js_string(&Json::Null), None);
    }
}
