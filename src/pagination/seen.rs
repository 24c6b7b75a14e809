//! The fingerprints of the ids a listing yielded, to drop repeats: a window of the latest
//! W in the stable phase, every one of them once escalated (`docs/listing.md`, "Duplicates
//! and memory"). A fingerprint is the id hashed under a per-listing random key: 8 bytes an
//! id, and no collision a server could craft.

use std::collections::{HashSet, VecDeque};
use std::hash::{BuildHasher, BuildHasherDefault, Hasher, RandomState};

use crate::generated::types::ApiToken;

pub(super) struct Seen {
    /// Every fingerprint remembered, for lookups.
    set: HashSet<u64, BuildHasherDefault<Prehashed>>,
    /// In the stable phase, the fingerprints of `set` oldest first, to forget the oldest;
    /// empty once escalated.
    order: VecDeque<u64>,
    /// W: how many to remember in the stable phase.
    window: usize,
    /// Whether drift was seen: from then on nothing is forgotten.
    escalated: bool,
    /// The per-listing key of the fingerprints.
    key: RandomState,
}

impl Seen {
    pub(super) fn new(window: usize) -> Self {
        Self {
            set: HashSet::default(),
            order: VecDeque::new(),
            window,
            escalated: false,
            key: RandomState::new(),
        }
    }

    /// Stops forgetting, for the rest of the listing.
    pub(super) fn escalate(&mut self) {
        if !self.escalated {
            tracing::debug!(
                target: crate::LOG_TARGET,
                remembered = self.set.len(),
                "drift seen: remembering every id yielded from now on"
            );
            self.escalated = true;
            self.order = VecDeque::new();
        }
    }

    /// Drops the tokens of one page whose id was remembered (or repeats within the page),
    /// remembering the others. A repeat escalates on the spot. In the stable phase the
    /// oldest fingerprints are forgotten beyond W, or beyond this page if it is larger.
    pub(super) fn dedupe(&mut self, tokens: &mut Vec<ApiToken>) {
        let keep = self.window.max(tokens.len());
        tokens.retain(|token| {
            let fingerprint = self.key.hash_one(token.id.as_str());
            if !self.set.insert(fingerprint) {
                self.escalate();
                return false;
            }
            if !self.escalated {
                self.order.push_back(fingerprint);
                while self.order.len() > keep {
                    if let Some(oldest) = self.order.pop_front() {
                        self.set.remove(&oldest);
                    }
                }
            }
            true
        });
    }

    /// How many fingerprints are remembered now.
    #[cfg(test)]
    fn remembered(&self) -> usize {
        self.set.len()
    }
}

/// The hasher of a set of fingerprints: they are hashes already, so it keeps them as is.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*byte);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pagination::script::token;

    /// Tokens `tok-{from}` .. `tok-{to - 1}`.
    fn page(from: usize, to: usize) -> Vec<ApiToken> {
        (from..to).map(|i| token(&format!("tok-{i:05}"))).collect()
    }

    fn ids(tokens: &[ApiToken]) -> Vec<String> {
        tokens.iter().map(|t| t.id.clone()).collect()
    }

    #[test]
    fn the_stable_phase_remembers_exactly_the_latest_w_ids_however_many_pass() {
        let mut seen = Seen::new(300);
        let mut peak = 0;
        for start in (0..20_000).step_by(100) {
            let mut tokens = page(start, start + 100);
            seen.dedupe(&mut tokens);
            assert_eq!(tokens.len(), 100, "nothing dropped on stable data");
            peak = peak.max(seen.remembered());
        }
        assert_eq!(peak, 300);
        assert_eq!(seen.remembered(), 300);
        assert!(!seen.escalated);
        // The latest 300 are remembered (the oldest of them is dropped as a repeat, and
        // escalates), the one before them was forgotten.
        let mut oldest = page(19_700, 19_701);
        seen.dedupe(&mut oldest);
        assert!(oldest.is_empty());
        assert!(seen.escalated, "the repeat of 19700 escalated");
        let mut forgotten = page(19_699, 19_700);
        seen.dedupe(&mut forgotten);
        assert_eq!(ids(&forgotten), ["tok-19699"]);
    }

    #[test]
    fn a_page_larger_than_the_window_is_remembered_whole() {
        let mut seen = Seen::new(50);
        let mut tokens = page(0, 120);
        seen.dedupe(&mut tokens);
        assert_eq!(seen.remembered(), 120);
        let mut repeat = page(0, 120);
        seen.dedupe(&mut repeat);
        assert!(
            repeat.is_empty(),
            "a server that does not advance is caught"
        );
    }

    #[test]
    fn a_repeat_is_dropped_and_from_then_on_nothing_is_forgotten() {
        let mut seen = Seen::new(300);
        for start in (0..800).step_by(100) {
            seen.dedupe(&mut page(start, start + 100));
        }
        assert_eq!(seen.remembered(), 300);
        // One token shifted back under the listing: 799 comes again.
        let mut shifted = page(799, 899);
        seen.dedupe(&mut shifted);
        assert_eq!(shifted.len(), 99);
        assert!(seen.escalated);
        seen.dedupe(&mut page(899, 999));
        assert_eq!(
            seen.remembered(),
            300 + 99 + 100,
            "the window and every id since"
        );
    }

    #[test]
    fn escalating_first_keeps_ids_a_large_page_would_push_out_of_the_window() {
        // W = 300 after 500 ids; the next page holds 60 new ids, then 40 of those yielded
        // 290 to 251 positions back. Escalated first, all 40 are still remembered.
        let fresh = || (0..60).map(|i| token(&format!("new-{i}")));
        let mut escalated = Seen::new(300);
        escalated.dedupe(&mut page(0, 500));
        escalated.escalate();
        let mut tokens: Vec<ApiToken> = fresh().chain(page(210, 250)).collect();
        escalated.dedupe(&mut tokens);
        assert_eq!(tokens.len(), 60);
        assert_eq!(escalated.remembered(), 500 + 60);

        // Not escalated first, the 60 new ids push 200..260 out before the repeats come.
        let mut stable = Seen::new(300);
        for start in (0..500).step_by(100) {
            stable.dedupe(&mut page(start, start + 100));
        }
        let mut tokens: Vec<ApiToken> = fresh().chain(page(210, 250)).collect();
        stable.dedupe(&mut tokens);
        assert_eq!(tokens.len(), 100, "the repeats were forgotten");
    }

    #[test]
    fn repeats_within_one_page_are_dropped() {
        let mut seen = Seen::new(300);
        let mut tokens = page(0, 3);
        tokens.push(token("tok-00001"));
        seen.dedupe(&mut tokens);
        assert_eq!(ids(&tokens), ["tok-00000", "tok-00001", "tok-00002"]);
    }
}
