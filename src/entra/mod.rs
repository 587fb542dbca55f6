//! Microsoft Entra ID: clouds and authority hosts, device-code and refresh flows, token claims.
