//! Microsoft Graph: group display name <-> object id, a user's groups.
