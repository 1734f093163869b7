//! Turning command-line credentials and choices into [`Options`].

use std::fs::OpenOptions;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use wasm_dtls_host::{CipherSuite, DtlsError, NamedGroup, Options, PskEntry, Status};

use super::Common;
use super::output::trace_printer;

fn invalid(message: String) -> DtlsError {
    DtlsError::new(Status::InvalidParameters, message)
}

/// Parses IDENTITY:HEXKEY.
pub fn psk(text: &str) -> Result<PskEntry, DtlsError> {
    let (identity, hex) = text
        .rsplit_once(':')
        .ok_or_else(|| invalid(format!("--psk {text:?} is not IDENTITY:HEXKEY")))?;
    let key = decode_hex(hex)
        .ok_or_else(|| invalid(format!("the key in --psk {text:?} is not hexadecimal")))?;
    Ok(PskEntry {
        identity: identity.as_bytes().to_vec(),
        key,
        hint: Vec::new(),
    })
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if hex.is_empty() || !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

fn read(path: &std::path::Path) -> Result<Vec<u8>, DtlsError> {
    std::fs::read(path).map_err(|e| invalid(format!("cannot read {}: {e}", path.display())))
}

/// A flag's positive number of seconds as a duration.
pub fn seconds(value: f64, flag: &str) -> Result<Duration, DtlsError> {
    Duration::try_from_secs_f64(value)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| invalid(format!("{flag} must be a positive number of seconds")))
}

/// The options the shared flags describe.
pub fn options(common: &Common, role: &'static str) -> Result<Options, DtlsError> {
    let mut options = Options::default();
    for name in &common.suites {
        let suite = CipherSuite::from_name(name.trim()).ok_or_else(|| {
            let names: Vec<&str> = CipherSuite::ALL.iter().map(|s| s.short_name()).collect();
            invalid(format!(
                "unknown suite {name:?}: use {} or an IANA name",
                names.join(", ")
            ))
        })?;
        options.suites.push(suite);
    }
    for name in &common.groups {
        let group = NamedGroup::from_name(name.trim()).ok_or_else(|| {
            invalid(format!(
                "unknown group {name:?}: use x25519 or secp256r1 (P-256)"
            ))
        })?;
        options.groups.push(group);
    }
    for ca in &common.ca {
        options.trusted.push(read(ca)?);
    }
    if let (Some(cert), Some(key)) = (&common.cert, &common.key) {
        options.certificate = Some((read(cert)?, read(key)?));
    }
    options.mtu = common.mtu;
    options.idle_timeout = common
        .idle_timeout
        .map(|s| seconds(s, "--idle-timeout"))
        .transpose()?;
    if let Some(path) = &common.keylog {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| invalid(format!("cannot open {}: {e}", path.display())))?;
        let file = Mutex::new(file);
        options.key_log = Some(Arc::new(move |line: &str| {
            if let Ok(mut f) = file.lock() {
                let _ = writeln!(f, "{line}");
            }
        }));
    }
    if common.trace {
        options.trace = Some(trace_printer(role));
    }
    Ok(options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn psk_arguments_parse_and_bad_ones_say_why() {
        let entry = psk("device-1:00ff10").ok();
        assert_eq!(
            entry.map(|e| (e.identity, e.key)),
            Some((b"device-1".to_vec(), vec![0x00, 0xff, 0x10]))
        );
        // The identity may contain ':'; the key is after the last one.
        let entry = psk("urn:dev:1:abcd").ok();
        assert_eq!(entry.map(|e| e.identity), Some(b"urn:dev:1".to_vec()));
        for bad in ["nocolon", "id:xyz", "id:abc", "id:"] {
            let e = psk(bad).err();
            assert_eq!(e.map(|e| e.code()), Some(0x4D), "{bad}");
        }
    }
}
