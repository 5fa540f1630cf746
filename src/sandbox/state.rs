//! The state every request handler shares: the store behind its lock, plus what the front
//! door in `sandbox.rs` needs (faults, rate limiter, token, base URL). It owns no behaviour
//! beyond taking the lock; it must not know about routes or HTTP.

use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use super::faults::Faults;
use super::rate_limit::Limiter;
use super::store::Store;

pub(crate) struct AppState {
    pub(super) store: RwLock<Store>,
    pub(super) faults: Arc<Faults>,
    pub(super) limiter: Limiter,
    pub(super) token: String,
    pub(super) base_url: String,
    pub(super) account: Account,
}

/// The portal and app the sandbox's token belongs to, as token info and account info give
/// them, and the scopes it was granted (requests needing another are refused).
#[derive(Debug, Clone)]
pub(crate) struct Account {
    pub(super) portal_id: u64,
    pub(super) app_id: u64,
    pub(super) user_id: u64,
    pub(super) scopes: Vec<String>,
    pub(super) time_zone: String,
    pub(super) ui_domain: String,
    pub(super) data_hosting_location: String,
}

impl AppState {
    /// The store for reading. A poisoned lock is taken over: a panicking handler must not
    /// take the whole sandbox down.
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, Store> {
        self.store.read().unwrap_or_else(|e| e.into_inner())
    }
    /// The store for writing (see [`AppState::read`] on poisoning).
    pub(crate) fn write(&self) -> RwLockWriteGuard<'_, Store> {
        self.store.write().unwrap_or_else(|e| e.into_inner())
    }
}
