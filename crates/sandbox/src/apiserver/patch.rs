//! PATCH bodies: JSON merge patch (RFC 7386), strategic merge patch treated as a merge patch
//! (lists replaced, `$`-directives dropped; enough for kubectl label/annotate/apply), and JSON
//! patch (RFC 6902: add, remove, replace, test, copy, move).
//! Hand-written because the JSON patch crates are not in the dependency set and these are short.

use super::status::{ApiError, ApiResult};
use serde_json::Value;

pub fn merge_patch(target: &mut Value, patch: &Value) {
    match patch {
        Value::Object(p) => {
            if !target.is_object() {
                *target = Value::Object(Default::default());
            }
            if let Value::Object(t) = target {
                for (k, v) in p {
                    if v.is_null() {
                        t.remove(k);
                    } else {
                        merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
                    }
                }
            }
        }
        other => *target = other.clone(),
    }
}

/// Removes strategic-merge directives (`$patch`, `$setElementOrder/...`, `$retainKeys`, ...).
fn strip_directives(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|k, _| !k.starts_with('$'));
            m.values_mut().for_each(strip_directives);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_directives),
        _ => {}
    }
}

pub fn strategic_merge_patch(target: &mut Value, patch: &Value) {
    let mut p = patch.clone();
    strip_directives(&mut p);
    merge_patch(target, &p);
}

fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

fn split_pointer(path: &str) -> ApiResult<(String, String)> {
    let idx = path
        .rfind('/')
        .ok_or_else(|| ApiError::bad_request(format!("invalid JSON pointer {path:?}")))?;
    Ok((path[..idx].to_string(), unescape(&path[idx + 1..])))
}

fn add(doc: &mut Value, path: &str, value: Value) -> ApiResult<()> {
    if path.is_empty() {
        *doc = value;
        return Ok(());
    }
    let (parent, last) = split_pointer(path)?;
    let missing = || {
        ApiError::bad_request(format!(
            "add operation does not apply: doc is missing path: {path:?}"
        ))
    };
    match doc.pointer_mut(&parent).ok_or_else(missing)? {
        Value::Object(m) => {
            m.insert(last, value);
        }
        Value::Array(a) => {
            let i = if last == "-" {
                a.len()
            } else {
                last.parse::<usize>().map_err(|_| missing())?
            };
            if i > a.len() {
                return Err(missing());
            }
            a.insert(i, value);
        }
        _ => return Err(missing()),
    }
    Ok(())
}

fn remove(doc: &mut Value, path: &str) -> ApiResult<Value> {
    let (parent, last) = split_pointer(path)?;
    let missing = || {
        ApiError::bad_request(format!(
            "remove operation does not apply: doc is missing path: {path:?}"
        ))
    };
    match doc.pointer_mut(&parent).ok_or_else(missing)? {
        Value::Object(m) => m.remove(&last).ok_or_else(missing),
        Value::Array(a) => {
            let i = last.parse::<usize>().map_err(|_| missing())?;
            if i >= a.len() {
                return Err(missing());
            }
            Ok(a.remove(i))
        }
        _ => Err(missing()),
    }
}

pub fn json_patch(doc: &mut Value, patch: &Value) -> ApiResult<()> {
    let ops = patch
        .as_array()
        .ok_or_else(|| ApiError::bad_request("json patch must be an array of operations"))?;
    for op in ops {
        let s = |k: &str| op.get(k).and_then(|v| v.as_str()).map(str::to_string);
        let path =
            s("path").ok_or_else(|| ApiError::bad_request("json patch operation without path"))?;
        let value = || {
            op.get("value")
                .cloned()
                .ok_or_else(|| ApiError::bad_request("json patch operation without value"))
        };
        match s("op").as_deref() {
            Some("add") => add(doc, &path, value()?)?,
            Some("remove") => {
                remove(doc, &path)?;
            }
            Some("replace") => {
                remove(doc, &path)?;
                add(doc, &path, value()?)?;
            }
            Some("test") => {
                if doc.pointer(&path) != Some(&value()?) {
                    return Err(ApiError::bad_request(format!(
                        "testing value {path:?} failed"
                    )));
                }
            }
            Some(verb @ ("copy" | "move")) => {
                let from = s("from")
                    .ok_or_else(|| ApiError::bad_request("json patch operation without from"))?;
                let v = if verb == "move" {
                    remove(doc, &from)?
                } else {
                    doc.pointer(&from).cloned().ok_or_else(|| {
                        ApiError::bad_request(format!(
                            "copy operation does not apply: doc is missing from path: {from:?}"
                        ))
                    })?
                };
                add(doc, &path, v)?;
            }
            other => {
                return Err(ApiError::bad_request(format!(
                    "unexpected json patch operation {:?}",
                    other.unwrap_or_default()
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge() {
        let mut t = json!({"metadata":{"labels":{"a":"1","b":"2"}},"x":[1,2]});
        merge_patch(
            &mut t,
            &json!({"metadata":{"labels":{"a":null,"c":"3"}},"x":[3]}),
        );
        assert_eq!(t, json!({"metadata":{"labels":{"b":"2","c":"3"}},"x":[3]}));
        let mut t = json!({"a":1});
        strategic_merge_patch(
            &mut t,
            &json!({"$setElementOrder/x":[1],"b":{"$patch":"replace","c":1}}),
        );
        assert_eq!(t, json!({"a":1,"b":{"c":1}}));
    }

    #[test]
    fn json_ops() {
        let mut d = json!({"metadata":{"labels":{"a":"1"}},"l":[1]});
        let p = json!([
            {"op":"add","path":"/metadata/labels/b","value":"2"},
            {"op":"remove","path":"/metadata/labels/a"},
            {"op":"replace","path":"/l/0","value":5},
            {"op":"add","path":"/l/-","value":6},
            {"op":"test","path":"/l/1","value":6},
        ]);
        assert!(json_patch(&mut d, &p).is_ok());
        assert_eq!(d, json!({"metadata":{"labels":{"b":"2"}},"l":[5,6]}));
        assert!(json_patch(&mut d, &json!([{"op":"remove","path":"/nope/x"}])).is_err());
        assert!(json_patch(&mut d, &json!({"op":"add"})).is_err());
    }
}
