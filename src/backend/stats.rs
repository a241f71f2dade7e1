//! Device counters: what a device call costs, counted where every transfer, allocation and
//! launch passes ([`super::Gpu`]), so the emulator and a GPU count the same for the same call and
//! a machine without a GPU shows a device operation's cost. Clones of an engine share them.

use std::sync::atomic::{AtomicU64, Ordering};

/// What device work an engine has done since it was made (or since `Engine::reset_stats`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeviceStats {
    /// Bytes copied host → device.
    pub bytes_to_device: u64,
    /// Bytes copied device → host.
    pub bytes_to_host: u64,
    /// Kernel launches.
    pub launches: u64,
    /// Device allocations (fresh device memory), and the bytes they took.
    pub allocations: u64,
    pub bytes_allocated: u64,
    /// Allocations served from the device's pool of dropped buffers: no device call.
    pub pooled_allocations: u64,
    /// Times the host waits for the device: once per transfer and per fresh allocation
    /// (cuMemAlloc may synchronize); launches are queued (`Gpu` counts for either backend).
    pub synchronizations: u64,
    /// Host-side copies through pinned staging buffers: a transfer above 1 MiB goes in 16 MiB
    /// chunks, each copied on the host into (or out of) a staging buffer.
    pub staging_copies: u64,
}

impl std::fmt::Display for DeviceStats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} B to device, {} B to host, {} launches, {} allocations ({} B), {} pooled, {} syncs, {} staging copies",
            self.bytes_to_device,
            self.bytes_to_host,
            self.launches,
            self.allocations,
            self.bytes_allocated,
            self.pooled_allocations,
            self.synchronizations,
            self.staging_copies
        )
    }
}

/// The shared counters behind [`DeviceStats`].
#[derive(Debug, Default)]
pub(crate) struct Counters {
    to_device: AtomicU64,
    to_host: AtomicU64,
    launches: AtomicU64,
    allocations: AtomicU64,
    allocated: AtomicU64,
    pooled: AtomicU64,
    syncs: AtomicU64,
    staging: AtomicU64,
}

/// Transfers up to this size are direct copies (`cuda.rs`: `DIRECT_BYTES`).
pub(crate) const DIRECT_BYTES: usize = 1 << 20;
/// The staging chunk (`cuda.rs`: `STAGE_BYTES`).
pub(crate) const STAGE_BYTES: usize = 16 << 20;

fn add(c: &AtomicU64, v: usize) {
    c.fetch_add(v as u64, Ordering::Relaxed);
}

impl Counters {
    pub(crate) fn allocation(&self, bytes: usize) {
        add(&self.allocations, 1);
        add(&self.allocated, bytes);
        add(&self.syncs, 1);
    }
    pub(crate) fn reuse(&self) {
        add(&self.pooled, 1);
    }
    fn transfer(&self, bytes: usize) {
        add(&self.syncs, 1);
        if bytes > DIRECT_BYTES {
            add(&self.staging, bytes.div_ceil(STAGE_BYTES));
        }
    }
    pub(crate) fn upload(&self, bytes: usize) {
        add(&self.to_device, bytes);
        self.transfer(bytes);
    }
    pub(crate) fn download(&self, bytes: usize) {
        add(&self.to_host, bytes);
        self.transfer(bytes);
    }
    pub(crate) fn launch(&self) {
        add(&self.launches, 1);
    }
    pub(crate) fn get(&self) -> DeviceStats {
        let g = |c: &AtomicU64| c.load(Ordering::Relaxed);
        DeviceStats {
            bytes_to_device: g(&self.to_device),
            bytes_to_host: g(&self.to_host),
            launches: g(&self.launches),
            allocations: g(&self.allocations),
            bytes_allocated: g(&self.allocated),
            pooled_allocations: g(&self.pooled),
            synchronizations: g(&self.syncs),
            staging_copies: g(&self.staging),
        }
    }
    pub(crate) fn reset(&self) {
        for c in [
            &self.to_device,
            &self.to_host,
            &self.launches,
            &self.allocations,
            &self.allocated,
            &self.pooled,
            &self.syncs,
            &self.staging,
        ] {
            c.store(0, Ordering::Relaxed);
        }
    }
}
