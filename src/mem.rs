//! Host memory and sizes: fallible allocation and checked arithmetic.
//!
//! Every host allocation whose size grows with the input goes through [`zeroed`],
//! [`vec_filled`], [`with_capacity`] or [`reserve_exact`], so a machine without the memory gets
//! `Error::OutOfMemory` instead of an abort. Every size computed from the input goes through
//! [`Size`], so an overflow is `Error::SizeOverflow` instead of a wrapped (release) or
//! panicking (debug) value.

use crate::error::{Error, Result};

fn out_of_memory<T>(len: usize) -> Error {
    Error::OutOfMemory { bytes: len.saturating_mul(size_of::<T>()), backend: "host" }
}

/// An empty vector with room for `len` elements.
pub fn with_capacity<T>(len: usize) -> Result<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(len).map_err(|_| out_of_memory::<T>(len))?;
    Ok(v)
}

/// `len` zeroed elements from a zeroed allocation (calloc), as `vec![0; len]` makes them: big
/// buffers come from the OS already zero and their pages fault in on whichever thread first
/// writes them, so there is no single-threaded fill pass (`vec_filled` writes every element).
pub fn zeroed<T: bytemuck::Zeroable>(len: usize) -> Result<Vec<T>> {
    if len == 0 || size_of::<T>() == 0 {
        return Ok(Vec::new());
    }
    let layout = std::alloc::Layout::array::<T>(len)
        .map_err(|_| Error::SizeOverflow(format!("{len} elements of {} bytes", size_of::<T>())))?;
    // SAFETY: the layout has a non-zero size (len > 0, T not zero-sized).
    let ptr = unsafe { std::alloc::alloc_zeroed(layout) };
    if ptr.is_null() {
        return Err(out_of_memory::<T>(len));
    }
    // SAFETY: allocated by the global allocator with the layout of `len` T's (what a Vec of
    // capacity `len` frees with); all-zero bytes are a valid T (`Zeroable`).
    Ok(unsafe { Vec::from_raw_parts(ptr.cast::<T>(), len, len) })
}

/// `len` copies of `value`.
pub fn vec_filled<T: Clone>(len: usize, value: T) -> Result<Vec<T>> {
    let mut v = with_capacity(len)?;
    v.resize(len, value);
    Ok(v)
}

/// Room for `extra` more elements in `v`.
pub fn reserve_exact<T>(v: &mut Vec<T>, extra: usize) -> Result<()> {
    v.try_reserve_exact(extra).map_err(|_| out_of_memory::<T>(v.len().saturating_add(extra)))
}

/// `iter`'s items in a vector allocated fallibly up front (`len` is how many there are).
pub fn collect_exact<T>(len: usize, iter: impl IntoIterator<Item = T>) -> Result<Vec<T>> {
    let mut v = with_capacity(len)?;
    v.extend(iter);
    Ok(v)
}

/// A size under construction: each step is checked, the first overflow is kept and named.
///
/// ```
/// # use cherenkov::mem::Size;
/// assert_eq!(Size::of(3, "n").times(4).plus(1).get().unwrap(), 13);
/// assert!(Size::of(usize::MAX, "n").times(2).get().is_err());
/// ```
#[derive(Debug, Clone, Copy)]
#[must_use]
pub struct Size {
    value: Option<usize>,
    what: &'static str,
}

impl Size {
    pub fn of(value: usize, what: &'static str) -> Self {
        Self { value: Some(value), what }
    }
    pub fn times(self, k: usize) -> Self {
        Self { value: self.value.and_then(|v| v.checked_mul(k)), ..self }
    }
    pub fn plus(self, k: usize) -> Self {
        Self { value: self.value.and_then(|v| v.checked_add(k)), ..self }
    }
    /// `self + other` (each checked on its own).
    pub fn and(self, other: Size) -> Self {
        let value = match (self.value, other.value) {
            (Some(a), Some(b)) => a.checked_add(b),
            _ => None,
        };
        Self { value, what: self.what }
    }
    pub fn get(self) -> Result<usize> {
        self.value.ok_or_else(|| Error::SizeOverflow(format!("{} overflows usize", self.what)))
    }
    /// The size as a byte count of `T`s that fits an allocation (isize::MAX).
    pub fn bytes_of<T>(self) -> Result<usize> {
        let bytes = self.times(size_of::<T>()).get()?;
        if bytes > isize::MAX as usize {
            return Err(Error::SizeOverflow(format!("{} is {bytes} bytes, more than an allocation holds", self.what)));
        }
        Ok(bytes)
    }
}

/// `flat` cut into consecutive pieces of `lens` (which sum to at most its length; anything past
/// them is dropped). The first piece keeps `flat`'s allocation, each later piece is copied
/// once from what remains: cheap when the pieces shrink, as a tree's layers do.
pub(crate) fn split_lengths<T>(mut flat: Vec<T>, lens: impl IntoIterator<Item = usize>) -> Vec<Vec<T>> {
    let lens = lens.into_iter();
    let mut out = Vec::with_capacity(lens.size_hint().0);
    for len in lens {
        let rest = flat.split_off(len);
        out.push(std::mem::replace(&mut flat, rest));
    }
    out
}

/// Asks the CPU to bring `value`'s cache lines into L1 ahead of a random read (a hint: nothing
/// observable changes; nothing off x86-64). The IFMA MSM accumulator calls it when it queues a
/// bucket that its next flush reads (the portable one measured no faster with it).
#[inline(always)]
pub fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let start = (value as *const T).cast::<i8>();
        let size = size_of::<T>();
        // Every line the value touches: one address per 64 bytes from its start, and its last byte.
        for offset in (0..size).step_by(64).chain(size.checked_sub(1)) {
            // SAFETY: a prefetch never faults and changes no memory; the address is inside `value`.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(start.add(offset)) };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_lengths_cuts_in_order() {
        let parts = split_lengths((0..10u32).collect(), [4, 0, 3, 2]);
        assert_eq!(parts, vec![vec![0, 1, 2, 3], vec![], vec![4, 5, 6], vec![7, 8]]);
        assert!(split_lengths(Vec::<u8>::new(), []).is_empty());
    }

    #[test]
    fn impossible_allocations_are_errors() {
        assert!(matches!(with_capacity::<u64>(usize::MAX / 4), Err(Error::OutOfMemory { .. })));
        assert!(matches!(vec_filled(usize::MAX / 2, 0u32), Err(Error::OutOfMemory { .. })));
        let mut v = vec![1u8];
        assert!(matches!(reserve_exact(&mut v, usize::MAX), Err(Error::OutOfMemory { .. })));
        assert_eq!(vec_filled(3, 7u8).unwrap(), [7, 7, 7]);
        assert_eq!(collect_exact(2, [1, 2]).unwrap(), [1, 2]);
        assert_eq!(zeroed::<u64>(3).unwrap(), [0, 0, 0]);
        assert!(zeroed::<u8>(0).unwrap().is_empty());
        assert!(matches!(zeroed::<u64>(usize::MAX / 4), Err(Error::SizeOverflow(_))));
        assert!(matches!(zeroed::<u8>(isize::MAX as usize), Err(Error::OutOfMemory { .. })));
    }

    #[test]
    fn sizes_are_checked() {
        assert_eq!(Size::of(5, "x").times(3).plus(2).and(Size::of(1, "y")).get().unwrap(), 18);
        assert!(matches!(Size::of(usize::MAX, "x").plus(1).get(), Err(Error::SizeOverflow(m)) if m.contains('x')));
        assert!(Size::of(1, "x").and(Size::of(usize::MAX, "y").times(2)).get().is_err());
        assert!(Size::of(usize::MAX / 8, "x").bytes_of::<u64>().is_err());
        assert_eq!(Size::of(4, "x").bytes_of::<u32>().unwrap(), 16);
    }
}
