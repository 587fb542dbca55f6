//! Every verb list of can-i in one place.

/// kubectl's known verbs on resources (others get a warning, not an error), the everyday ones
/// first, then deletecollection.
const RESOURCE_VERBS: [&str; 16] = [
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
    "use",
    "bind",
    "impersonate",
    "*",
    "approve",
    "sign",
    "escalate",
    "attest",
];

/// The verbs of everyday work (rakkess's defaults minus deletecollection): the matrix's
/// columns unless `--verbs` says otherwise, and what `--list` checks one by one when a rules
/// review is incomplete.
pub const EVERYDAY_VERBS: &[&str] = RESOURCE_VERBS.split_at(7).0;

/// What shell completion offers for a VERB: the everyday verbs and deletecollection.
pub const COMPLETION_VERBS: &[&str] = RESOURCE_VERBS.split_at(8).0;

/// kubectl's known verbs on non-resource URLs.
const NON_RESOURCE_VERBS: [&str; 8] = [
    "get", "put", "post", "head", "options", "delete", "patch", "*",
];

/// Whether kubectl knows the verb (for a resource, or for a `/non/resource/url`).
pub fn is_known_verb(verb: &str, non_resource: bool) -> bool {
    if non_resource {
        NON_RESOURCE_VERBS.contains(&verb)
    } else {
        RESOURCE_VERBS.contains(&verb)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everyday_verbs_are_known_resource_verbs() {
        assert_eq!(
            EVERYDAY_VERBS,
            [
                "get", "list", "watch", "create", "update", "patch", "delete"
            ]
        );
        assert_eq!(COMPLETION_VERBS[..7], *EVERYDAY_VERBS);
        assert_eq!(COMPLETION_VERBS[7], "deletecollection");
        assert!(is_known_verb("post", true) && !is_known_verb("list", true));
        assert!(is_known_verb("deletecollection", false) && !is_known_verb("frobnicate", false));
    }
}
