//! Tolerant readers of Automerge values: a missing key or a value of the
//! wrong type reads as `None`, never as a panic. Validation reports those.
use automerge::{AutoCommit, ObjId, ReadDoc, ScalarValue, Value};

/// The object at `key`, if there is one.
pub(crate) fn object(doc: &AutoCommit, parent: &ObjId, key: &str) -> Option<ObjId> {
    match doc.get(parent, key) {
        Ok(Some((Value::Object(_), id))) => Some(id),
        _ => None,
    }
}

/// Every (key, object) in a map whose value is an object.
pub(crate) fn children(doc: &AutoCommit, map: &ObjId) -> Vec<(String, ObjId)> {
    doc.map_range(map, ..)
        .filter(|item| matches!(item.value, automerge::ValueRef::Object(_)))
        .map(|item| (item.key.to_string(), item.id()))
        .collect()
}

pub(crate) fn scalar(doc: &AutoCommit, obj: &ObjId, key: &str) -> Option<ScalarValue> {
    match doc.get(obj, key) {
        Ok(Some((Value::Scalar(s), _))) => Some(s.into_owned()),
        _ => None,
    }
}

/// A scalar read as a number, whichever numeric type the writer used
/// (JavaScript clients write whole numbers as integers).
pub(crate) fn scalar_number(v: &ScalarValue) -> Option<f64> {
    match v {
        ScalarValue::F64(f) => Some(*f),
        ScalarValue::Int(i) => Some(*i as f64),
        ScalarValue::Uint(u) => Some(*u as f64),
        ScalarValue::Timestamp(t) => Some(*t as f64),
        _ => None,
    }
}

pub(crate) fn number(doc: &AutoCommit, obj: &ObjId, key: &str) -> Option<f64> {
    scalar(doc, obj, key).as_ref().and_then(scalar_number)
}

pub(crate) fn string(doc: &AutoCommit, obj: &ObjId, key: &str) -> Option<String> {
    match scalar(doc, obj, key)? {
        ScalarValue::Str(s) => Some(s.to_string()),
        _ => None,
    }
}

pub(crate) fn boolean(doc: &AutoCommit, obj: &ObjId, key: &str) -> Option<bool> {
    match scalar(doc, obj, key)? {
        ScalarValue::Boolean(b) => Some(b),
        _ => None,
    }
}

/// The text object at `key` as a string.
pub(crate) fn text(doc: &AutoCommit, obj: &ObjId, key: &str) -> String {
    object(doc, obj, key)
        .and_then(|t| doc.text(&t).ok())
        .unwrap_or_default()
}

/// Readers over a hydrated map (one `hydrate` call reads a whole subtree
/// far faster than a `get` per field).
pub(crate) mod hydrated {
    use automerge::ScalarValue;
    use automerge::hydrate::{Map, Value};

    pub(crate) fn map<'a>(map: &'a Map, key: &str) -> Option<&'a Map> {
        match map.get(key)? {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The maps inside a map, by key.
    pub(crate) fn children(map: &Map) -> impl Iterator<Item = (&String, &Map)> {
        map.iter().filter_map(|(k, v)| match &v.value {
            Value::Map(m) => Some((k, m)),
            _ => None,
        })
    }

    fn scalar<'a>(map: &'a Map, key: &str) -> Option<&'a ScalarValue> {
        match map.get(key)? {
            Value::Scalar(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn number(map: &Map, key: &str) -> Option<f64> {
        scalar(map, key).and_then(super::scalar_number)
    }

    pub(crate) fn string(map: &Map, key: &str) -> Option<String> {
        match scalar(map, key)? {
            ScalarValue::Str(s) => Some(s.to_string()),
            _ => None,
        }
    }

    pub(crate) fn boolean(map: &Map, key: &str) -> Option<bool> {
        match scalar(map, key)? {
            ScalarValue::Boolean(b) => Some(*b),
            _ => None,
        }
    }

    pub(crate) fn text(map: &Map, key: &str) -> String {
        match map.get(key) {
            Some(Value::Text(t)) => String::from(t),
            _ => String::new(),
        }
    }
}
