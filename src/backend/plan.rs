//! Launch plans: which kernel, with what grid, block, shared memory and arguments. A plan is
//! built once in Rust and executed by the `cuda` or the `emu` backend alike, so the emulator
//! tests the real orchestration, not a copy of it.

use super::device::DeviceBuffer;

/// A CUDA grid or block shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dim3 {
    pub x: u32,
    pub y: u32,
    pub z: u32,
}

impl Dim3 {
    pub const fn x(x: u32) -> Self {
        Self { x, y: 1, z: 1 }
    }
    pub fn volume(&self) -> u64 {
        self.x as u64 * self.y as u64 * self.z as u64
    }
    pub fn as_array(&self) -> [u32; 3] {
        [self.x, self.y, self.z]
    }
}

/// One kernel argument, passed by value as cuLaunchKernel's `kernelParams` expects.
#[derive(Debug, Clone)]
pub enum KernelArg<'a> {
    U32(u32),
    U64(u64),
    /// A device buffer's address; the borrow keeps the buffer alive for the launch.
    Buffer(&'a super::device::RawBuffer),
    /// A device buffer's address plus a byte offset inside it.
    BufferAt(&'a super::device::RawBuffer, u64),
    /// A plain value of any size (a field element, a small struct), as 8-byte words.
    Value(Vec<u64>),
}

/// One kernel launch.
#[derive(Debug, Clone)]
pub struct Launch<'a> {
    pub kernel: &'static str,
    pub grid: Dim3,
    pub block: Dim3,
    /// Dynamic shared memory in bytes.
    pub shared_bytes: u32,
    pub args: Vec<KernelArg<'a>>,
}

impl<'a> Launch<'a> {
    pub fn new(kernel: &'static str, grid: Dim3, block: Dim3) -> Self {
        Self { kernel, grid, block, shared_bytes: 0, args: Vec::new() }
    }
    pub fn shared(mut self, bytes: u32) -> Self {
        self.shared_bytes = bytes;
        self
    }
    pub fn u32(mut self, v: u32) -> Self {
        self.args.push(KernelArg::U32(v));
        self
    }
    pub fn u64(mut self, v: u64) -> Self {
        self.args.push(KernelArg::U64(v));
        self
    }
    /// A by-value argument of a `#[repr(C)]`/POD type, e.g. a field element in device encoding.
    pub fn val<T: bytemuck::Pod>(mut self, v: T) -> Self {
        let bytes = bytemuck::bytes_of(&v);
        let mut words = vec![0u64; bytes.len().div_ceil(8).max(1)];
        bytemuck::cast_slice_mut::<u64, u8>(&mut words)[..bytes.len()].copy_from_slice(bytes);
        self.args.push(KernelArg::Value(words));
        self
    }
    /// A by-value argument laid out as the elements of `v` one after another (a C struct of
    /// arrays of `T`, e.g. a table of constants that the kernel keeps in its constant bank).
    pub fn val_slice<T: bytemuck::Pod>(mut self, v: &[T]) -> Self {
        let bytes: &[u8] = bytemuck::cast_slice(v);
        let mut words = vec![0u64; bytes.len().div_ceil(8).max(1)];
        bytemuck::cast_slice_mut::<u64, u8>(&mut words)[..bytes.len()].copy_from_slice(bytes);
        self.args.push(KernelArg::Value(words));
        self
    }
    pub fn buf<T>(mut self, b: &'a DeviceBuffer<T>) -> Self {
        self.args.push(KernelArg::Buffer(b.raw()));
        self
    }
    /// The address of element `offset` of `b` (≤ its length: one past the end is a valid,
    /// empty view); a larger offset is clamped to the end.
    pub fn buf_at<T>(mut self, b: &'a DeviceBuffer<T>, offset: usize) -> Self {
        let bytes = (offset.min(b.len()) * std::mem::size_of::<T>()) as u64;
        self.args.push(KernelArg::BufferAt(b.raw(), bytes));
        self
    }
    /// A null pointer (an absent optional buffer).
    pub fn null(mut self) -> Self {
        self.args.push(KernelArg::U64(0));
        self
    }
}

/// Kernel arguments laid out as cuLaunchKernel's `kernelParams` wants them: each argument's
/// bytes at an 8-byte aligned offset (a u32 reads the low half: little-endian), one pointer each.
#[derive(Default)]
pub(crate) struct ArgWords {
    words: Vec<u64>,
    starts: Vec<usize>,
}

impl ArgWords {
    /// A launch's arguments, buffers turned into addresses by `addr` (None: a buffer of another
    /// backend, an error).
    pub(crate) fn marshal(
        launch: &Launch<'_>,
        addr: impl Fn(&super::device::RawBuffer) -> Option<u64>,
    ) -> crate::error::Result<Self> {
        let mut words = Self::default();
        for arg in &launch.args {
            match arg {
                KernelArg::U32(v) => words.push(&[*v as u64]),
                KernelArg::U64(v) => words.push(&[*v]),
                KernelArg::Value(w) => words.push(w),
                KernelArg::Buffer(b) => {
                    words.push(&[addr(b).ok_or_else(|| super::device::foreign_buffer(launch.kernel))?])
                }
                KernelArg::BufferAt(b, off) => {
                    let base = addr(b).ok_or_else(|| super::device::foreign_buffer(launch.kernel))?;
                    words.push(&[base + off])
                }
            }
        }
        Ok(words)
    }

    pub(crate) fn push(&mut self, w: &[u64]) {
        self.starts.push(self.words.len());
        self.words.extend_from_slice(w);
    }
    /// Pointers into the words; valid while `self` is neither moved from nor changed.
    pub(crate) fn pointers(&mut self) -> Vec<*mut std::ffi::c_void> {
        let base = self.words.as_mut_ptr();
        // SAFETY: every start is an index into `words`.
        self.starts.iter().map(|&s| unsafe { base.add(s) }.cast()).collect()
    }
}

/// The device limits a plan depends on. The emulator reports fixed, GPU-like values so that
/// plans made for it look like plans made for a real device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceProps {
    pub sm_count: u32,
    pub max_threads_per_block: u32,
    pub max_dynamic_shared: u32,
}

/// A launch-invariant 32-bit divisor as kernels divide by it (`kernels/util/fastdiv.cuh`):
/// Granlund and Montgomery's round-up method, a multiply-high, two adds and two shifts, exact for
/// every 32-bit dividend. Passed by value (`Launch::val`).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct FastDiv {
    pub d: u32,
    m: u32,
    s1: u32,
    s2: u32,
}

impl FastDiv {
    /// The divisor `d` (≥ 1; 0 is taken as 1, which no caller passes: widths and tile counts
    /// are nonzero).
    pub fn new(d: u32) -> Self {
        let d = d.max(1);
        let l = 32 - (d - 1).leading_zeros(); // ceil(log2 d)
        let m = ((((1u64 << l) - d as u64) << 32) / d as u64 + 1) as u32;
        Self { d, m, s1: l.min(1), s2: l.saturating_sub(1) }
    }
    /// `n / d` the way the kernels compute it.
    pub fn div(&self, n: u32) -> u32 {
        let t = ((n as u64 * self.m as u64) >> 32) as u32;
        (t + ((n - t) >> self.s1)) >> self.s2
    }
}

/// Threads per block for element-wise kernels.
pub const ELEMENTWISE_BLOCK: u32 = 256;
/// Blocks per SM for grid-stride element-wise kernels: enough to hide latency, few enough
/// that each thread loops a few times.
const ELEMENTWISE_BLOCKS_PER_SM: u64 = 8;

/// Grid and block for a grid-stride loop over `n` elements; `None` when `n == 0`.
pub fn elementwise(n: u64, props: &DeviceProps) -> Option<(Dim3, Dim3)> {
    elementwise_in_blocks_of(n, ELEMENTWISE_BLOCK, props)
}

/// [`elementwise`] with `block` threads a block (a kernel whose shared memory is sized per
/// thread), the same threads an SM at most.
pub fn elementwise_in_blocks_of(n: u64, block: u32, props: &DeviceProps) -> Option<(Dim3, Dim3)> {
    if n == 0 || block == 0 {
        return None;
    }
    let per_sm = ELEMENTWISE_BLOCKS_PER_SM * ELEMENTWISE_BLOCK as u64 / block as u64;
    let blocks = n.div_ceil(block as u64).min(props.sm_count.max(1) as u64 * per_sm.max(1));
    Some((Dim3::x(blocks as u32), Dim3::x(block)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROPS: DeviceProps = DeviceProps { sm_count: 132, max_threads_per_block: 1024, max_dynamic_shared: 232448 };

    #[test]
    fn fast_division_is_exact() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(crate::check::seed_from_env());
        let mut divisors: Vec<u32> = vec![1, 2, 3, 5, 7, 64, 96, 255, 256, 257, (1 << 31) - 1, 1 << 31, (1 << 31) + 1];
        divisors.extend([u32::MAX - 1, u32::MAX]);
        divisors.extend((0..200).map(|_| rng.random::<u32>() >> rng.random_range(0..32)).map(|d| d.max(1)));
        for d in divisors {
            let f = FastDiv::new(d);
            let mut ns: Vec<u32> = vec![0, 1, d - 1, d, d.wrapping_add(1), u32::MAX, u32::MAX - 1, u32::MAX / d * d];
            ns.extend((0..500).map(|_| rng.random::<u32>() >> rng.random_range(0..32)));
            for n in ns {
                assert_eq!(f.div(n), n / d, "{n} / {d}");
            }
        }
    }

    #[test]
    fn elementwise_covers_every_element_once_per_stride() {
        assert_eq!(elementwise(0, &PROPS), None);
        let (g, b) = elementwise(1, &PROPS).unwrap();
        assert_eq!((g.x, b.x), (1, 256));
        let (g, _) = elementwise(257, &PROPS).unwrap();
        assert_eq!(g.x, 2);
        // Huge n: the grid is capped and the stride loop covers the rest, in 64-bit indices.
        let (g, b) = elementwise(1 << 40, &PROPS).unwrap();
        assert_eq!(g.x as u64, 132 * 8);
        assert!(g.volume() * b.volume() < (1 << 40));
    }
}
