//! The 0.1 builder setters that 0.2 replaced, kept compiling for one minor release: each
//! sets the same policy as `retry_policy(..)`, which is now the one way to configure retries.

use std::time::Duration;

use crate::client::ClientBuilder;
use crate::retry::RetryPolicy;

macro_rules! replaced_by_retry_policy {
    ($($name:ident($value:ident: $ty:ty) => $with:ident, $note:literal;)*) => {
        impl ClientBuilder {
            $(
                #[deprecated(since = "0.2.0", note = $note)]
                #[doc(hidden)]
                pub fn $name(self, $value: $ty) -> Self {
                    let policy = self.retry.$with($value);
                    self.retry_policy(policy)
                }
            )*

            /// Deprecated: `retry_policy(RetryPolicy::none())`.
            #[deprecated(since = "0.2.0", note = "use retry_policy(RetryPolicy::none())")]
            #[doc(hidden)]
            pub fn no_retries(self) -> Self {
                self.retry_policy(RetryPolicy::none())
            }
        }
    };
}

replaced_by_retry_policy! {
    retries(retries: u32) => with_max_retries,
        "use retry_policy(RetryPolicy::default().with_max_retries(n))";
    retry_base_delay(delay: Duration) => with_base_delay,
        "use retry_policy(RetryPolicy::default().with_base_delay(d))";
    retry_max_delay(delay: Duration) => with_max_delay,
        "use retry_policy(RetryPolicy::default().with_max_delay(d))";
    retry_after_cap(cap: Duration) => with_retry_after_cap,
        "use retry_policy(RetryPolicy::default().with_retry_after_cap(d))";
    retry_max_elapsed(limit: Duration) => with_max_elapsed,
        "use retry_policy(RetryPolicy::default().with_max_elapsed(d))";
}

#[cfg(test)]
mod tests {
    #![allow(deprecated)]
    use std::time::Duration;

    use crate::{Client, RetryPolicy};

    #[test]
    fn the_0_1_setters_still_set_the_same_policy() {
        let old = Client::builder()
            .token("t")
            .retries(5)
            .retry_base_delay(Duration::from_millis(200))
            .retry_max_delay(Duration::from_secs(5))
            .retry_after_cap(Duration::from_secs(30))
            .retry_max_elapsed(Duration::from_secs(60))
            .build()
            .expect("builds");
        let new = RetryPolicy::default()
            .with_max_retries(5)
            .with_base_delay(Duration::from_millis(200))
            .with_max_delay(Duration::from_secs(5))
            .with_retry_after_cap(Duration::from_secs(30))
            .with_max_elapsed(Duration::from_secs(60));
        assert_eq!(old.retry_policy(), new);
        let off = Client::builder()
            .token("t")
            .no_retries()
            .build()
            .expect("builds");
        assert_eq!(off.retry_policy(), RetryPolicy::none());
    }
}
