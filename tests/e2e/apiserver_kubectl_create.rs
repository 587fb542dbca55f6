//! `kubectl create <type>` goes through client-go's typed clients, which send protobuf: the
//! stored object must equal what kubectl would have sent as JSON.

use crate::support::apiserver as apiserver_support;
use apiserver_support::*;
use serde_json::Value;

/// Every non-empty leaf of `want` is present and equal in `got`.
fn contains(got: &Value, want: &Value, path: &str) -> Result<(), String> {
    match want {
        Value::Object(m) => {
            for (k, v) in m {
                contains(
                    got.get(k).unwrap_or(&Value::Null),
                    v,
                    &format!("{path}.{k}"),
                )?;
            }
            Ok(())
        }
        Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                contains(
                    got.get(i).unwrap_or(&Value::Null),
                    v,
                    &format!("{path}[{i}]"),
                )?;
            }
            Ok(())
        }
        Value::Null => Ok(()),
        leaf if got == leaf => Ok(()),
        leaf => Err(format!("{path}: want {leaf}, got {got}")),
    }
}

#[test]
fn typed_client_creates_match_client_side_objects() {
    require_kubectl();
    let c = start();
    let admin = c.kubeconfig("admin", ADMIN_TOKEN);
    assert_eq!(c.kubectl(&admin, &["create", "namespace", "dev"]).code, 0);
    let cases: Vec<(&str, Vec<&str>)> = vec![
        (
            "configmap/cm1",
            vec![
                "create",
                "configmap",
                "cm1",
                "--from-literal=a=b",
                "-n",
                "dev",
            ],
        ),
        (
            "secret/s1",
            vec![
                "create",
                "secret",
                "generic",
                "s1",
                "--from-literal=a=b",
                "-n",
                "dev",
            ],
        ),
        (
            "serviceaccount/sa1",
            vec!["create", "serviceaccount", "sa1", "-n", "dev"],
        ),
        (
            "role/r1",
            vec![
                "create",
                "role",
                "r1",
                "--verb=get,list",
                "--resource=pods,deployments.apps",
                "-n",
                "dev",
            ],
        ),
        (
            "rolebinding/rb1",
            vec![
                "create",
                "rolebinding",
                "rb1",
                "--role=r1",
                "--group=g1",
                "--user=u1",
                "-n",
                "dev",
            ],
        ),
        (
            "clusterrole/cr1",
            vec![
                "create",
                "clusterrole",
                "cr1",
                "--verb=get",
                "--non-resource-url=/logs/*",
            ],
        ),
        (
            "clusterrolebinding/crb1",
            vec![
                "create",
                "clusterrolebinding",
                "crb1",
                "--clusterrole=cr1",
                "--serviceaccount=dev:sa1",
            ],
        ),
        (
            "deployment/d1",
            vec![
                "create",
                "deployment",
                "d1",
                "--image=nginx",
                "--port=80",
                "--replicas=2",
                "-n",
                "dev",
            ],
        ),
        (
            "job/j1",
            vec!["create", "job", "j1", "--image=nginx", "-n", "dev"],
        ),
        (
            "cronjob/cj1",
            vec![
                "create",
                "cronjob",
                "cj1",
                "--image=nginx",
                "--schedule=*/5 * * * *",
                "-n",
                "dev",
            ],
        ),
        (
            "service/svc1",
            vec![
                "create",
                "service",
                "clusterip",
                "svc1",
                "--tcp=80:8080",
                "-n",
                "dev",
            ],
        ),
    ];
    for (obj, args) in cases {
        let mut dry = args.clone();
        dry.extend(["--dry-run=client", "-o", "json"]);
        let want = c.kubectl(&admin, &dry);
        assert_eq!(want.code, 0, "{obj}: {}", want.stderr);
        let r = c.kubectl(&admin, &args);
        assert_eq!(r.code, 0, "{obj}: {}", r.stderr);
        assert!(r.stdout.contains(" created"), "{}", r.stdout);
        let got = c.kubectl(&admin, &["get", obj, "-n", "dev", "-o", "json"]);
        let mut want: Value = serde_json::from_str(&want.stdout).expect("dry-run json");
        let got: Value = serde_json::from_str(&got.stdout).expect("get json");
        if let Some(m) = want.as_object_mut() {
            m.remove("status");
            m.remove("metadata");
        }
        if let Err(e) = contains(&got, &want, obj) {
            panic!("{e}\nwant {want}\ngot {got}");
        }
    }
}
