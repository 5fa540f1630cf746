//! Printing for the non-interactive commands (the only module allowed to write to stdout).
