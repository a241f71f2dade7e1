//! Progress of a long run on stderr.

/// Progress over groups of work on stderr: a bar on a terminal, one line per group elsewhere
/// (a log, CI), so a long run is never silent.
pub(crate) struct Progress {
    bar: Option<indicatif::ProgressBar>,
    verb: &'static str,
    suffix: String,
    /// Groups begun through [`Progress::next`].
    started: std::cell::Cell<usize>,
}

impl Progress {
    pub(crate) fn new(len: usize, verb: &'static str, first: &str, suffix: String) -> Self {
        use std::io::IsTerminal;
        if !std::io::stderr().is_terminal() {
            return Self { bar: None, verb, suffix, started: Default::default() };
        }
        let bar = indicatif::ProgressBar::new(len as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(&format!(
                "{{spinner}} [{{bar:20}}] {{pos}}/{{len}} {verb} {{msg}}{{prefix}} ({{elapsed}})"
            ))
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.set_prefix(suffix.clone());
        // The first frame names the first group (it read "checking  on cpu" before).
        bar.set_message(first.to_string());
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Self { bar: Some(bar), verb, suffix, started: Default::default() }
    }

    /// Group `step` (0-based), named `what`, starts.
    pub(crate) fn start(&self, step: usize, what: &str) {
        match &self.bar {
            Some(bar) => {
                bar.set_position(step as u64);
                bar.set_message(what.to_string());
            }
            None => eprintln!("{} {what}{} ...", self.verb, self.suffix),
        }
    }

    /// The group after the last one `next` began (the first at the first call), named `what`,
    /// starts: for work that names its groups as it reaches them.
    pub(crate) fn next(&self, what: &str) {
        let step = self.started.get();
        self.started.set(step + 1);
        self.start(step, what);
    }

    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
