//! The progress bar on stderr: tokens fetched of the total, shown only when stderr is a
//! terminal and the listing needs more than one page. Nothing at all otherwise, so piped or
//! captured stderr stays clean.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress indicator that appears once the first page shows more pages will follow.
#[derive(Debug)]
pub struct Progress {
    enabled: bool,
    bar: Option<ProgressBar>,
}

impl Progress {
    /// Enabled when stderr is a terminal.
    pub fn for_stderr() -> Self {
        Self::new(std::io::stderr().is_terminal())
    }

    /// A progress indicator that draws only if `enabled`.
    pub fn new(enabled: bool) -> Self {
        Self { enabled, bar: None }
    }

    /// Reports `fetched` tokens so far out of `expected` (what the listing will yield, from
    /// the first page's `totalCount`, the offset and `--max-items`). The bar appears on the
    /// first call where more is expected than fetched.
    pub fn update(&mut self, fetched: u64, expected: u64) {
        if !self.enabled {
            return;
        }
        if self.bar.is_none() && expected > fetched {
            let bar = ProgressBar::with_draw_target(
                Some(expected),
                ProgressDrawTarget::stderr_with_hz(10),
            );
            let style = ProgressStyle::with_template(
                "{spinner} {pos}/{len} tokens fetched [{bar:30}] {elapsed}",
            )
            .map(|s| s.progress_chars("=> "))
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar.set_position(fetched);
            bar.enable_steady_tick(Duration::from_millis(120));
            self.bar = Some(bar);
        } else if let Some(bar) = &self.bar {
            bar.set_length(expected.max(fetched));
            bar.set_position(fetched);
        }
    }

    /// Removes the bar (before the table is printed, or before an error message).
    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }

    /// Whether a bar is showing.
    #[cfg(test)]
    fn is_visible(&self) -> bool {
        self.bar.is_some()
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_appears_when_disabled() {
        let mut progress = Progress::new(false);
        progress.update(10, 100);
        assert!(!progress.is_visible());
    }

    #[test]
    fn a_single_page_listing_shows_no_bar() {
        let mut progress = Progress::new(true);
        progress.update(20, 20);
        assert!(!progress.is_visible());
    }
}
