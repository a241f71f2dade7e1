//! Where a prover's time goes, from its own `tracing` spans: a layer that sums, per span name,
//! the time between each enter and exit (the busy time of synchronous spans, the polls of
//! instrumented futures). Included with `#[path]` by the SP1 adapters' shard examples and the
//! SP1 v5 patch demo, which print the sums side by side with stock SP1's.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tracing::span::Id;
use tracing::Subscriber;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

/// The per-name sums; clones share them.
#[derive(Clone, Default)]
pub struct SpanTimes(Arc<Mutex<HashMap<&'static str, Duration>>>);

thread_local! {
    /// The spans this thread is in, innermost last, with when it entered each. Kept per thread,
    /// not in the span: one span may be entered by several threads at once (SP1 enters a parent
    /// span in each worker thread it spawns).
    static ENTERED: std::cell::RefCell<Vec<(Id, Instant)>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl SpanTimes {
    /// Installs a layer that records every span up to debug level as the global subscriber and
    /// returns its sums.
    pub fn install() -> Self {
        let times = Self::default();
        let layer = times.clone().with_filter(tracing::level_filters::LevelFilter::DEBUG);
        tracing::subscriber::set_global_default(tracing_subscriber::registry().with(layer))
            .expect("no other global subscriber");
        times
    }

    /// The sums so far, which start again from zero.
    pub fn take(&self) -> HashMap<&'static str, Duration> {
        std::mem::take(&mut self.0.lock().unwrap())
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for SpanTimes {
    fn on_enter(&self, id: &Id, _: Context<'_, S>) {
        ENTERED.with(|e| e.borrow_mut().push((id.clone(), Instant::now())));
    }

    fn on_exit(&self, id: &Id, ctx: Context<'_, S>) {
        let start = ENTERED.with(|e| {
            let mut e = e.borrow_mut();
            let at = e.iter().rposition(|(entered, _)| entered == id)?;
            Some(e.remove(at).1)
        });
        if let (Some(start), Some(meta)) = (start, ctx.metadata(id)) {
            *self.0.lock().unwrap().entry(meta.name()).or_default() += start.elapsed();
        }
    }
}
