//! HOST:PORT on the command line: a host name, an IPv4 address or a bracketed IPv6
//! address, and a port.

use std::net::SocketAddr;

use wasm_dtls_host::{DtlsError, Status};

/// The addresses HOST:PORT resolves to, in the system resolver's order (so
/// `/etc/hosts` and its address order count, as for `openssl s_client -connect`).
pub async fn resolve_all(host_port: &str) -> Result<Vec<SocketAddr>, DtlsError> {
    let invalid = |why: String| DtlsError::new(Status::InvalidParameters, why);
    let found: Vec<SocketAddr> = tokio::net::lookup_host(host_port)
        .await
        .map_err(|e| invalid(format!("cannot resolve {host_port:?} (HOST:PORT): {e}")))?
        .collect();
    if found.is_empty() {
        return Err(no_address(host_port));
    }
    Ok(found)
}

/// The first address HOST:PORT resolves to: where a server listens.
pub async fn resolve(host_port: &str) -> Result<SocketAddr, DtlsError> {
    let all = resolve_all(host_port).await?;
    all.first().copied().ok_or_else(|| no_address(host_port))
}

fn no_address(host_port: &str) -> DtlsError {
    DtlsError::new(
        Status::InvalidParameters,
        format!("{host_port:?} resolves to no address"),
    )
}

/// The host part of HOST:PORT, without an IPv6 address's brackets: the name the
/// server's certificate is checked against unless --server-name says otherwise.
pub fn host_of(server: &str) -> &str {
    let host = server.rsplit_once(':').map_or(server, |(host, _port)| host);
    host.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host)
}

#[cfg(test)]
mod tests {
    use super::host_of;

    #[test]
    fn the_default_server_name_is_the_host_as_given() {
        assert_eq!(host_of("localhost:5684"), "localhost");
        assert_eq!(host_of("device.example:5684"), "device.example");
        assert_eq!(host_of("127.0.0.1:5684"), "127.0.0.1");
        assert_eq!(host_of("[::1]:5684"), "::1");
    }
}
