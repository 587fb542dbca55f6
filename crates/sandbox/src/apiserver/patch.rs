//! PATCH bodies on the `json-patch` crate: JSON merge patch (RFC 7386), JSON patch (RFC 6902),
//! and strategic merge patch treated as a merge patch (lists replaced, `$`-directives dropped;
//! enough for kubectl label/annotate/apply, not the real server's per-field list merging).
//! What stays here is where kube-apiserver differs from the RFCs: its errors. A patch that does
//! not decode is a 400 BadRequest; one that does not apply is a 422 Invalid with the server's
//! generic message and the patch library's error as the cause (`errors.NewGenericServerResponse`).

use super::status::{ApiError, ApiResult};
use serde_json::{Value, json};

pub fn merge_patch(target: &mut Value, patch: &Value) {
    json_patch::merge(target, patch);
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

/// Applies all operations or none (the library undoes a partly applied patch).
pub fn json_patch(doc: &mut Value, patch: &Value) -> ApiResult<()> {
    let ops: json_patch::Patch = serde_json::from_value(patch.clone())
        .map_err(|e| ApiError::bad_request(format!("invalid JSON patch: {e}")))?;
    json_patch::patch(doc, &ops).map_err(|e| {
        let mut err = ApiError::new(
            422,
            "Invalid",
            "the server rejected our request due to an error in our request",
        );
        err.details = Some(json!({
            "causes": [{"reason": "UnexpectedServerResponse", "message": e.to_string()}]
        }));
        err
    })
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
            {"op":"copy","from":"/l/0","path":"/c"},
            {"op":"move","from":"/c","path":"/m"},
        ]);
        assert!(json_patch(&mut d, &p).is_ok());
        assert_eq!(d, json!({"metadata":{"labels":{"b":"2"}},"l":[5,6],"m":5}));
    }

    #[test]
    fn errors_are_statuses_like_the_api_servers() {
        let mut d = json!({"a":1});
        // Does not decode: 400.
        let e = json_patch(&mut d, &json!({"op":"add"})).unwrap_err();
        assert_eq!((e.code, e.reason), (400, "BadRequest"));
        let e = json_patch(&mut d, &json!([{"op":"frobnicate","path":"/a"}])).unwrap_err();
        assert_eq!(e.code, 400);
        // Does not apply: 422 Invalid, and nothing of the patch is kept.
        let p = json!([{"op":"add","path":"/b","value":2},{"op":"remove","path":"/nope/x"}]);
        let e = json_patch(&mut d, &p).unwrap_err();
        assert_eq!((e.code, e.reason), (422, "Invalid"));
        let cause = &e.details.as_ref().unwrap()["causes"][0];
        assert!(
            cause["message"].as_str().unwrap().contains("/nope/x"),
            "{cause}"
        );
        let e = json_patch(&mut d, &json!([{"op":"test","path":"/a","value":2}])).unwrap_err();
        assert_eq!(e.code, 422);
        assert_eq!(d, json!({"a":1}));
    }
}
