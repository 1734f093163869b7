//! `--sess-in` / `--sess-out`: a client's saved session in a file between runs, as
//! `openssl s_client -sess_in` / `-sess_out` keep theirs.

use std::io::Write;
use std::path::Path;

use wasm_dtls_host::{DtlsError, DtlsSession, SavedSession, Status};

/// The session saved in `path`.
pub fn read(path: &Path) -> Result<SavedSession, DtlsError> {
    let bytes = std::fs::read(path).map_err(|e| {
        DtlsError::new(
            Status::InvalidParameters,
            format!("cannot read the saved session {}: {e}", path.display()),
        )
    })?;
    SavedSession::from_bytes(&bytes).map_err(|e| {
        DtlsError::new(
            e.status(),
            format!("{}: {e} (write it with --sess-out)", path.display()),
        )
    })
}

/// The session `session` can be resumed as, or why there is none.
pub fn of(session: &DtlsSession) -> Result<&SavedSession, DtlsError> {
    session.saved_session().ok_or_else(|| {
        DtlsError::new(
            Status::NotSuccessful,
            "the server gave the session no ID (or no extended master secret): it cannot be resumed",
        )
    })
}

/// Writes `saved` to `path`, readable by its owner only: it holds the master secret.
pub fn write(path: &Path, saved: &SavedSession) -> Result<(), DtlsError> {
    let failed = |e: std::io::Error| {
        DtlsError::new(
            Status::NotSuccessful,
            format!("cannot write the saved session {}: {e}", path.display()),
        )
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(failed)?;
    file.write_all(&saved.to_bytes()).map_err(failed)
}
