//! `--upstream` (placeholder).
use super::Input;
pub fn slice_for(_fragment: &Input, _full: &Input, _op: Option<&str>) -> Result<String, String> {
    Err("not yet".to_owned())
}
