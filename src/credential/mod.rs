//! ExecCredential (client.authentication.k8s.io v1 and v1beta1) and KUBERNETES_EXEC_INFO.
