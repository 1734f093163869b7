//! The Node figures: the npm package's benchmark script (js/bench/figures.js) runs the
//! same in-memory handshakes and records through the jco-transpiled component and
//! prints one JSON line per suite.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde::Deserialize;
use wasm_dtls::CipherSuite;

/// One line of the script's output.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Line {
    suite: String,
    per_second: f64,
    record_mb_per_second: f64,
}

/// One suite's figures in Node.
pub struct NodeFigures {
    /// The suite.
    pub suite: CipherSuite,
    /// Full handshakes per second.
    pub handshakes_per_s: f64,
    /// MB/s of 1 200-byte records from a client session to the server.
    pub record_mb_s: f64,
}

/// The figures per suite in Node, from the package in `dir` (its `generated/` must be
/// built: `npm run build`).
pub fn figures(dir: &Path, budget: Duration) -> Result<Vec<NodeFigures>, String> {
    let script = dir.join("bench").join("figures.js");
    let output = Command::new("node")
        .arg(&script)
        .arg(budget.as_millis().to_string())
        .output()
        .map_err(|e| format!("cannot run node {}: {e}", script.display()))?;
    if !output.status.success() {
        return Err(format!(
            "node {} failed: {}",
            script.display(),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| {
            let line: Line = serde_json::from_str(l).map_err(|e| format!("{e}: {l}"))?;
            let suite = CipherSuite::from_name(&line.suite)
                .ok_or_else(|| format!("unknown suite {}", line.suite))?;
            Ok(NodeFigures {
                suite,
                handshakes_per_s: line.per_second,
                record_mb_s: line.record_mb_per_second,
            })
        })
        .collect()
}
