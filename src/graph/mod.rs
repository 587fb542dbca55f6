//! Microsoft Graph: group display name <-> object id, a user's groups.
//!
//! Only the few v1.0 calls kubectl-entra needs, over reqwest with Graph's error shape
//! (ENTRA-PROTOCOL.md §7). The base URL follows the cloud or `--graph-endpoint`.

mod client;
mod connect;
mod endpoint;
mod error;
mod groups_by_name;
mod members;
mod odata;
mod retry;

pub use client::{DirectoryObject, GraphClient};
pub use connect::{GraphAccess, TokenSource};
pub use endpoint::{base_url, token_resource};
pub use error::GraphError;
pub use groups_by_name::{is_object_id, one_group_named};
pub use members::Members;
pub use odata::{
    display_name_filter, display_name_prefix_filter, encode_query_value, escape_string_literal,
};
pub use retry::{RetryPolicy, parse_retry_after};
