//! HubSpot CRM HTTP client. Owned by the client work.
