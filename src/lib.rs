pub mod generated;

#[cfg(feature = "testing")]
pub mod fake;
