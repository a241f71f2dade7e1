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

struct Entered(Instant);

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
    fn on_enter(&self, id: &Id, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(Entered(Instant::now()));
        }
    }

    fn on_exit(&self, id: &Id, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            if let Some(Entered(start)) = span.extensions_mut().remove::<Entered>() {
                *self.0.lock().unwrap().entry(span.name()).or_default() += start.elapsed();
            }
        }
    }
}
