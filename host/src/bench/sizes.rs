//! Sizes of the WebAssembly builds, raw and gzip-compressed (gzip -9, as a web server
//! would serve them).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Serialize;

/// One build artefact.
#[derive(Clone, Debug, Serialize)]
pub struct Size {
    /// What it is.
    pub name: &'static str,
    /// Where it was found.
    pub path: PathBuf,
    /// Bytes.
    pub bytes: u64,
    /// Bytes after `gzip -9`, if gzip is installed.
    pub gzip_bytes: Option<u64>,
}

impl Size {
    /// The size of `path`, or `None` if it has not been built.
    pub fn of(name: &'static str, path: &Path) -> Option<Size> {
        let bytes = std::fs::metadata(path).ok()?.len();
        let gzip_bytes = Command::new("gzip")
            .args(["-9", "-c"])
            .arg(path)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| o.stdout.len() as u64);
        Some(Size {
            name,
            path: path.to_path_buf(),
            bytes,
            gzip_bytes,
        })
    }
}
