//! Reading the fragment at a git revision with `git show REV:PATH`.

use std::path::PathBuf;
use std::process::Command;

/// The fragment's path inside the repository.
pub const FRAGMENT: &str = "openapi/tokens.yaml";

/// The repository's top-level directory.
pub fn repo_root() -> Result<PathBuf, String> {
    let out = Command::new("git")
        .args(["rev-parse", "--show-toplevel"])
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "not inside a git repository: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

/// The text of `path` at revision `rev` (`git show REV:PATH`, run at the repository root).
pub fn show(rev: &str, path: &str) -> Result<String, String> {
    let root = repo_root()?;
    let spec = format!("{rev}:{path}");
    let out = Command::new("git")
        .arg("show")
        .arg(&spec)
        .current_dir(&root)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{spec}: git show failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    String::from_utf8(out.stdout).map_err(|_| format!("{spec}: not UTF-8 text"))
}
