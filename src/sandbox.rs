//! The HubSpot-compatible sandbox server (axum). Owned by the sandbox work; this file fixes
//! the public interface that the CLI, the demo mode and the tests use.

use std::net::SocketAddr;
use std::time::Duration;

/// How a sandbox is started.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// 0 picks a free port.
    pub port: u16,
    /// The bearer token the sandbox accepts.
    pub token: String,
    /// Number of seeded tickets.
    pub tickets: usize,
    /// Seed for the deterministic data.
    pub seed: u64,
    /// Latency added to every response.
    pub latency: Duration,
    /// HubSpot-like burst limit: `max` requests per `window`.
    pub rate_limit: Option<RateLimit>,
}

/// A per-window request budget like HubSpot's `TEN_SECONDLY_ROLLING`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub max: u32,
    pub window: Duration,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            port: 0,
            token: "demo-token".to_owned(),
            tickets: 500,
            seed: 42,
            latency: Duration::ZERO,
            rate_limit: None,
        }
    }
}

/// A running sandbox.
pub struct SandboxHandle {
    addr: SocketAddr,
}

impl SandboxHandle {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// Binds 127.0.0.1:`config.port` and serves in a background task on the current runtime.
pub async fn spawn(config: SandboxConfig) -> std::io::Result<SandboxHandle> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", config.port)).await?;
    Ok(SandboxHandle {
        addr: listener.local_addr()?,
    })
}

/// Serves in the foreground until Ctrl-C or SIGTERM.
pub async fn serve_until_shutdown(
    config: SandboxConfig,
    on_ready: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let h = spawn(config).await?;
    on_ready(h.addr());
    Ok(())
}
