//! The retries one listing's page requests share. Each request may retry up to
//! `max_retries` times on its own, but together they draw on one allowance of
//! `max_retries` retries, given back one per page received (up to the allowance): against
//! a server that fails every request, `concurrency(8)` makes as many retries as
//! `concurrency(1)`, not eight times as many, while a healthy listing with a failure now
//! and then never runs dry. (The same idea as smithy-rs's token bucket and reqwest's retry
//! budget, sized to one listing.)

use std::sync::atomic::{AtomicU32, Ordering};

#[derive(Debug)]
pub(crate) struct Budget {
    left: AtomicU32,
    cap: u32,
}

impl Budget {
    /// An allowance of `cap` retries.
    pub(crate) fn new(cap: u32) -> Self {
        Self {
            left: AtomicU32::new(cap),
            cap,
        }
    }

    /// Takes one retry; `false` when none is left.
    pub(crate) fn withdraw(&self) -> bool {
        self.left
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1))
            .is_ok()
    }

    /// A page arrived: one retry comes back, up to the cap.
    pub(crate) fn deposit(&self) {
        let cap = self.cap;
        let _ = self
            .left
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < cap).then_some(n + 1)
            });
    }
}

#[cfg(test)]
mod tests {
    use super::Budget;

    #[test]
    fn retries_run_out_and_come_back_one_per_page_up_to_the_cap() {
        let budget = Budget::new(2);
        assert!(budget.withdraw() && budget.withdraw());
        assert!(!budget.withdraw(), "spent");
        budget.deposit();
        assert!(budget.withdraw(), "one came back");
        for _ in 0..10 {
            budget.deposit();
        }
        assert!(budget.withdraw() && budget.withdraw());
        assert!(!budget.withdraw(), "never more than the cap");
        assert!(!Budget::new(0).withdraw());
    }
}
