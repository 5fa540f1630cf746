//! The non-interactive commands: `sandbox`, `tickets list|get`, `paths`.
