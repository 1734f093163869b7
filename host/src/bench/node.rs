//! The Node row: the npm package's benchmark script (js/bench/handshakes.js) runs the
//! same in-memory handshakes through the jco-transpiled component and prints one JSON
//! line per suite.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde::Deserialize;
use wasm_dtls::CipherSuite;

/// One line of the script's output.
#[derive(Deserialize)]
struct Line {
    suite: String,
    #[serde(rename = "perSecond")]
    per_second: f64,
}

/// Handshakes per second per suite in Node, from the package in `dir` (its
/// `generated/` must be built: `npm run build`).
pub fn handshake_rates(dir: &Path, budget: Duration) -> Result<Vec<(CipherSuite, f64)>, String> {
    let script = dir.join("bench").join("handshakes.js");
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
            Ok((suite, line.per_second))
        })
        .collect()
}
