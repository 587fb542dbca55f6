//! Decoding of the Kubernetes protobuf wire format for the objects kubectl's typed clients send
//! (`kubectl create namespace|configmap|secret|serviceaccount|role|rolebinding|...`, and the
//! self reviews of `kubectl auth`): client-go sends those bodies as
//! `application/vnd.kubernetes.protobuf` and does not fall back to JSON.
//! Unknown fields are skipped.
//!
//! Hand-written, deliberately, after checking the maintained candidate: `k8s-pb` 0.9.0
//! (kube-rs's prost-generated Kubernetes types) has every message kubectl sends here (Namespace, ConfigMap, Secret, ServiceAccount, Service, Role,
//! RoleBinding, ClusterRole(Binding), Deployment, Job, CronJob, the self reviews, and the
//! `runtime.Unknown` envelope), but it decodes into prost structs only: no serde support, no
//! feature flags, no conversion to k8s-openapi or JSON, no published descriptor set for
//! `prost-reflect`, and its README says "WIP. Not yet useable as is". The store keeps objects
//! as Kubernetes JSON, so using it would mean hand-writing a struct-to-JSON conversion for
//! every message (ObjectMeta, PolicyRule, PodSpec, Container, IntOrString...) on top of
//! ~39,000 generated lines and prost: more hand-written code than the field tables below,
//! with the same Kubernetes JSON details to get right. The tables give the JSON directly.

use super::status::{ApiError, ApiResult};
use base64::Engine;
use serde_json::{Map, Value, json};

const MAGIC: &[u8] = b"k8s\x00";

#[derive(Clone, Copy)]
enum F {
    Str,
    Bool,
    /// A plain int: zero is unset.
    Int,
    /// A pointer int (`*int32`): zero is a value.
    OptInt,
    /// `intstr.IntOrString`: {type, intVal, strVal}.
    IntOrStr,
    Msg(&'static [Field]),
    MapStr,
    MapBytes,
    RepStr,
    RepMsg(&'static [Field]),
}

type Field = (u32, &'static str, F);

const TYPE_META: &[Field] = &[(1, "apiVersion", F::Str), (2, "kind", F::Str)];
const OBJECT_META: &[Field] = &[
    (1, "name", F::Str),
    (2, "generateName", F::Str),
    (3, "namespace", F::Str),
    (6, "resourceVersion", F::Str),
    (11, "labels", F::MapStr),
    (12, "annotations", F::MapStr),
    (14, "finalizers", F::RepStr),
];
const POLICY_RULE: &[Field] = &[
    (1, "verbs", F::RepStr),
    (2, "apiGroups", F::RepStr),
    (3, "resources", F::RepStr),
    (4, "resourceNames", F::RepStr),
    (5, "nonResourceURLs", F::RepStr),
];
const LABEL_REQ: &[Field] = &[
    (1, "key", F::Str),
    (2, "operator", F::Str),
    (3, "values", F::RepStr),
];
const LABEL_SELECTOR: &[Field] = &[
    (1, "matchLabels", F::MapStr),
    (2, "matchExpressions", F::RepMsg(LABEL_REQ)),
];
const AGGREGATION: &[Field] = &[(1, "clusterRoleSelectors", F::RepMsg(LABEL_SELECTOR))];
const SUBJECT: &[Field] = &[
    (1, "kind", F::Str),
    (2, "apiGroup", F::Str),
    (3, "name", F::Str),
    (4, "namespace", F::Str),
];
const ROLE_REF: &[Field] = &[
    (1, "apiGroup", F::Str),
    (2, "kind", F::Str),
    (3, "name", F::Str),
];
const RESOURCE_ATTRS: &[Field] = &[
    (1, "namespace", F::Str),
    (2, "verb", F::Str),
    (3, "group", F::Str),
    (4, "version", F::Str),
    (5, "resource", F::Str),
    (6, "subresource", F::Str),
    (7, "name", F::Str),
];
const NON_RESOURCE_ATTRS: &[Field] = &[(1, "path", F::Str), (2, "verb", F::Str)];
const SSAR_SPEC: &[Field] = &[
    (1, "resourceAttributes", F::Msg(RESOURCE_ATTRS)),
    (2, "nonResourceAttributes", F::Msg(NON_RESOURCE_ATTRS)),
];
const SSRR_SPEC: &[Field] = &[(1, "namespace", F::Str)];
const LOCAL_REF: &[Field] = &[(1, "name", F::Str)];
const OBJECT_REF: &[Field] = &[(2, "namespace", F::Str), (3, "name", F::Str)];

const META: Field = (1, "metadata", F::Msg(OBJECT_META));

const CONTAINER_PORT: &[Field] = &[
    (1, "name", F::Str),
    (2, "hostPort", F::Int),
    (3, "containerPort", F::Int),
    (4, "protocol", F::Str),
];
const ENV_VAR: &[Field] = &[(1, "name", F::Str), (2, "value", F::Str)];
const CONTAINER: &[Field] = &[
    (1, "name", F::Str),
    (2, "image", F::Str),
    (3, "command", F::RepStr),
    (4, "args", F::RepStr),
    (5, "workingDir", F::Str),
    (6, "ports", F::RepMsg(CONTAINER_PORT)),
    (7, "env", F::RepMsg(ENV_VAR)),
    (14, "imagePullPolicy", F::Str),
];
const POD_SPEC: &[Field] = &[
    (2, "containers", F::RepMsg(CONTAINER)),
    (3, "restartPolicy", F::Str),
    (6, "dnsPolicy", F::Str),
    (7, "nodeSelector", F::MapStr),
    (8, "serviceAccountName", F::Str),
    (20, "initContainers", F::RepMsg(CONTAINER)),
];
const POD_TEMPLATE: &[Field] = &[
    (1, "metadata", F::Msg(OBJECT_META)),
    (2, "spec", F::Msg(POD_SPEC)),
];
const DEPLOYMENT_SPEC: &[Field] = &[
    (1, "replicas", F::OptInt),
    (2, "selector", F::Msg(LABEL_SELECTOR)),
    (3, "template", F::Msg(POD_TEMPLATE)),
];
const JOB_SPEC: &[Field] = &[
    (1, "parallelism", F::OptInt),
    (2, "completions", F::OptInt),
    (3, "activeDeadlineSeconds", F::OptInt),
    (6, "template", F::Msg(POD_TEMPLATE)),
    (7, "backoffLimit", F::OptInt),
];
const JOB_TEMPLATE: &[Field] = &[
    (1, "metadata", F::Msg(OBJECT_META)),
    (2, "spec", F::Msg(JOB_SPEC)),
];
const CRON_JOB_SPEC: &[Field] = &[
    (1, "schedule", F::Str),
    (3, "concurrencyPolicy", F::Str),
    (4, "suspend", F::Bool),
    (5, "jobTemplate", F::Msg(JOB_TEMPLATE)),
];
const SERVICE_PORT: &[Field] = &[
    (1, "name", F::Str),
    (2, "protocol", F::Str),
    (3, "port", F::Int),
    (4, "targetPort", F::IntOrStr),
    (5, "nodePort", F::Int),
];
const SERVICE_SPEC: &[Field] = &[
    (1, "ports", F::RepMsg(SERVICE_PORT)),
    (2, "selector", F::MapStr),
    (3, "clusterIP", F::Str),
    (4, "type", F::Str),
    (10, "externalName", F::Str),
];

fn schema(kind: &str) -> Option<&'static [Field]> {
    Some(match kind {
        "Namespace" | "SelfSubjectReview" => &[META],
        "ConfigMap" => &[
            META,
            (2, "data", F::MapStr),
            (3, "binaryData", F::MapBytes),
            (4, "immutable", F::Bool),
        ],
        "Secret" => &[
            META,
            (2, "data", F::MapBytes),
            (3, "type", F::Str),
            (4, "stringData", F::MapStr),
            (5, "immutable", F::Bool),
        ],
        "ServiceAccount" => &[
            META,
            (2, "secrets", F::RepMsg(OBJECT_REF)),
            (3, "imagePullSecrets", F::RepMsg(LOCAL_REF)),
            (4, "automountServiceAccountToken", F::Bool),
        ],
        "Role" => &[META, (2, "rules", F::RepMsg(POLICY_RULE))],
        "ClusterRole" => &[
            META,
            (2, "rules", F::RepMsg(POLICY_RULE)),
            (3, "aggregationRule", F::Msg(AGGREGATION)),
        ],
        "RoleBinding" | "ClusterRoleBinding" => &[
            META,
            (2, "subjects", F::RepMsg(SUBJECT)),
            (3, "roleRef", F::Msg(ROLE_REF)),
        ],
        "Deployment" => &[META, (2, "spec", F::Msg(DEPLOYMENT_SPEC))],
        "Job" => &[META, (2, "spec", F::Msg(JOB_SPEC))],
        "CronJob" => &[META, (2, "spec", F::Msg(CRON_JOB_SPEC))],
        "Service" => &[META, (2, "spec", F::Msg(SERVICE_SPEC))],
        "SelfSubjectAccessReview" => &[META, (2, "spec", F::Msg(SSAR_SPEC))],
        "SelfSubjectRulesReview" => &[META, (2, "spec", F::Msg(SSRR_SPEC))],
        _ => return None,
    })
}

enum Wire<'a> {
    Varint(u64),
    Len(&'a [u8]),
}

fn varint(buf: &[u8], pos: &mut usize) -> Option<u64> {
    let mut out = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *buf.get(*pos)?;
        *pos += 1;
        out |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(out);
        }
    }
    None
}

/// The (field number, value) pairs of one message.
fn fields(buf: &[u8]) -> Option<Vec<(u32, Wire<'_>)>> {
    let mut pos = 0;
    let mut out = Vec::new();
    while pos < buf.len() {
        let tag = varint(buf, &mut pos)?;
        let num = u32::try_from(tag >> 3).ok()?;
        match tag & 7 {
            0 => out.push((num, Wire::Varint(varint(buf, &mut pos)?))),
            1 => pos = pos.checked_add(8)?,
            2 => {
                let len = usize::try_from(varint(buf, &mut pos)?).ok()?;
                let end = pos.checked_add(len)?;
                out.push((num, Wire::Len(buf.get(pos..end)?)));
                pos = end;
            }
            5 => pos = pos.checked_add(4)?,
            _ => return None,
        }
    }
    (pos == buf.len()).then_some(out)
}

fn string(b: &[u8]) -> Option<String> {
    String::from_utf8(b.to_vec()).ok()
}

fn map_entry(b: &[u8], bytes: bool) -> Option<(String, Value)> {
    let mut k = String::new();
    let mut v = Value::String(String::new());
    for (n, w) in fields(b)? {
        match (n, w) {
            (1, Wire::Len(x)) => k = string(x)?,
            (2, Wire::Len(x)) if bytes => {
                v = json!(base64::engine::general_purpose::STANDARD.encode(x))
            }
            (2, Wire::Len(x)) => v = json!(string(x)?),
            _ => {}
        }
    }
    Some((k, v))
}

fn message(buf: &[u8], schema: &[Field]) -> Option<Value> {
    let mut out = Map::new();
    for (num, wire) in fields(buf)? {
        let Some((_, name, ty)) = schema.iter().find(|(n, _, _)| *n == num) else {
            continue;
        };
        let name = name.to_string();
        // Empty strings and false are "unset" (JSON omitempty); proto2 still sends them.
        match (ty, wire) {
            (F::Str, Wire::Len(b)) => {
                if !b.is_empty() {
                    out.insert(name, json!(string(b)?));
                }
            }
            (F::Int | F::OptInt, Wire::Varint(v)) => {
                // int32/int64 fields are two's-complement varints.
                if v != 0 || matches!(ty, F::OptInt) {
                    out.insert(name, json!(v as i64));
                }
            }
            (F::IntOrStr, Wire::Len(b)) => {
                let m = message(
                    b,
                    &[
                        (1, "type", F::Int),
                        (2, "intVal", F::OptInt),
                        (3, "strVal", F::Str),
                    ],
                )?;
                let v = if m["type"] == 1 {
                    m.get("strVal").cloned().unwrap_or(json!(""))
                } else {
                    m.get("intVal").cloned().unwrap_or(json!(0))
                };
                out.insert(name, v);
            }
            (F::Bool, Wire::Varint(v)) => {
                if v != 0 {
                    out.insert(name, json!(true));
                }
            }
            (F::Msg(s), Wire::Len(b)) => {
                out.insert(name, message(b, s)?);
            }
            (F::MapStr | F::MapBytes, Wire::Len(b)) => {
                let (k, v) = map_entry(b, matches!(ty, F::MapBytes))?;
                if let Some(m) = out.entry(name).or_insert(json!({})).as_object_mut() {
                    m.insert(k, v);
                }
            }
            (F::RepStr, Wire::Len(b)) => {
                if let Some(a) = out.entry(name).or_insert(json!([])).as_array_mut() {
                    a.push(json!(string(b)?));
                }
            }
            (F::RepMsg(s), Wire::Len(b)) => {
                let item = message(b, s)?;
                if let Some(a) = out.entry(name).or_insert(json!([])).as_array_mut() {
                    a.push(item);
                }
            }
            _ => return None,
        }
    }
    Some(Value::Object(out))
}

/// Decodes a `k8s\0`-prefixed `runtime.Unknown` envelope into the JSON form of the object.
pub fn decode(bytes: &[u8]) -> ApiResult<Value> {
    let bad = || ApiError::bad_request("the protobuf body could not be decoded");
    let body = bytes.strip_prefix(MAGIC).ok_or_else(bad)?;
    let mut type_meta = json!({});
    let mut raw: &[u8] = &[];
    for (num, w) in fields(body).ok_or_else(bad)? {
        match (num, w) {
            (1, Wire::Len(b)) => type_meta = message(b, TYPE_META).ok_or_else(bad)?,
            (2, Wire::Len(b)) => raw = b,
            _ => {}
        }
    }
    let kind = type_meta["kind"].as_str().unwrap_or_default().to_string();
    let schema = schema(&kind).ok_or_else(|| {
        ApiError::unsupported_media(&format!("application/vnd.kubernetes.protobuf ({kind})"))
    })?;
    let mut obj = message(raw, schema).ok_or_else(bad)?;
    obj["apiVersion"] = type_meta["apiVersion"].clone();
    obj["kind"] = json!(kind);
    Ok(obj)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn len_field(num: u32, b: &[u8]) -> Vec<u8> {
        let mut out = vec![((num << 3) | 2) as u8, b.len() as u8];
        out.extend_from_slice(b);
        out
    }

    #[test]
    fn namespace_envelope() {
        let tm = [len_field(1, b"v1"), len_field(2, b"Namespace")].concat();
        let label = [len_field(1, b"a"), len_field(2, b"b")].concat();
        let meta = [len_field(1, b"dev"), len_field(11, &label)].concat();
        let raw = len_field(1, &meta);
        let body = [MAGIC.to_vec(), len_field(1, &tm), len_field(2, &raw)].concat();
        let v = decode(&body).unwrap_or_default();
        assert_eq!(v["kind"], "Namespace");
        assert_eq!(v["metadata"]["name"], "dev");
        assert_eq!(v["metadata"]["labels"]["a"], "b");
        assert!(decode(b"k8s\x00\xff\xff").is_err());
        assert!(decode(b"nope").is_err());
    }
}
