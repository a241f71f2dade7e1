//! Twiddle tables: tw[i] = w^i for i < n/2, w the (inverse) root of unity of order n. Computed
//! once per (field, size, direction) and kept: a table for 2^k serves every transform of 2^k.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use rayon::prelude::*;

use super::field::NttField;
use crate::error::Result;
use crate::mem;

type Key = (TypeId, u32, bool);
type Cache = Mutex<HashMap<Key, Arc<dyn Any + Send + Sync>>>;

fn compute<F: NttField>(log_n: u32, inverse: bool) -> Result<Vec<F>> {
    let root = F::root_of_unity(log_n as usize);
    let w = if inverse { root.inv() } else { root };
    let half = (1usize << log_n) / 2;
    // Chunks start from a power and multiply on: parallel, and one pow per chunk.
    const CHUNK: usize = 1 << 12;
    let mut tw = mem::vec_filled(half, F::zero())?;
    tw.par_chunks_mut(CHUNK).enumerate().for_each(|(c, out)| {
        let mut x = w.pow_u64((c * CHUNK) as u64);
        for t in out {
            *t = x;
            x = x * w;
        }
    });
    Ok(tw)
}

/// The host table for a size-2^log_n transform.
pub(super) fn host<F: NttField>(log_n: u32, inverse: bool) -> Result<Arc<Vec<F>>> {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let key = (TypeId::of::<F>(), log_n, inverse);
    let cache = CACHE.get_or_init(Default::default);
    if let Some(t) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return Ok(t.clone().downcast::<Vec<F>>().expect("keyed by type"));
    }
    let table = Arc::new(compute::<F>(log_n, inverse)?);
    cache.lock().unwrap_or_else(|e| e.into_inner()).insert(key, table.clone());
    Ok(table)
}
