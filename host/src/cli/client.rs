//! `wasm-dtls client`: handshake, send, print the reply, close_notify.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use wasm_dtls_host::{DtlsError, DtlsSession, Runtime, Status};

use super::ClientArgs;
use super::credentials::{options, psk};

/// Runs the client; any failure is returned with its NetX code.
pub async fn run(runtime: &Runtime, args: ClientArgs) -> Result<(), DtlsError> {
    let mut options = options(&args.common, "client")?;
    if let Some(text) = &args.psk {
        options.psks.push(psk(text)?);
    }
    let server = resolve(&args.server).await?;
    options.server_name = Some(
        args.server_name
            .clone()
            .unwrap_or_else(|| host_of(&args.server).to_string()),
    );
    if !(args.timeout.is_finite() && args.timeout > 0.0) {
        return Err(DtlsError::new(
            Status::InvalidParameters,
            "--timeout must be a positive number of seconds",
        ));
    }
    let timeout = Duration::from_secs_f64(args.timeout);
    let mut session = DtlsSession::connect(runtime, server, &options, timeout).await?;
    eprintln!(
        "connected to {server} with {}",
        session.cipher_suite().iana_name()
    );
    match &args.send {
        Some(text) => {
            session.send(text.as_bytes()).await?;
            let reply = session.receive(timeout).await;
            match reply {
                Ok(data) => {
                    println!("{}", String::from_utf8_lossy(&data));
                    session.end().await;
                    Ok(())
                }
                Err(e) => {
                    session.end().await;
                    Err(e)
                }
            }
        }
        None => interactive(session).await,
    }
}

/// The first address HOST:PORT resolves to (the system's resolver, so `/etc/hosts` and
/// its address order count, as for `openssl s_client -connect`).
async fn resolve(server: &str) -> Result<SocketAddr, DtlsError> {
    let invalid = |why: String| DtlsError::new(Status::InvalidParameters, why);
    let mut found = tokio::net::lookup_host(server)
        .await
        .map_err(|e| invalid(format!("cannot resolve {server:?} (HOST:PORT): {e}")))?;
    found
        .next()
        .ok_or_else(|| invalid(format!("{server:?} resolves to no address")))
}

/// The host part of HOST:PORT, without an IPv6 address's brackets: the name the
/// server's certificate is checked against unless --server-name says otherwise.
fn host_of(server: &str) -> &str {
    let host = server.rsplit_once(':').map_or(server, |(host, _port)| host);
    host.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host)
}

/// Sends stdin line by line and prints what comes back, until end of input or until
/// the server closes.
async fn interactive(mut session: DtlsSession) -> Result<(), DtlsError> {
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    loop {
        tokio::select! {
            line = lines.next_line() => match line {
                Ok(Some(line)) => session.send(line.as_bytes()).await?,
                _ => break,
            },
            data = session.receive(Duration::from_secs(3600)) => match data {
                Ok(data) => println!("{}", String::from_utf8_lossy(&data)),
                Err(e) if e.status() == Status::NoPacket => {}
                Err(e) if e.status() == Status::CloseNotifyReceived => return Ok(()),
                Err(e) => return Err(e),
            },
        }
    }
    session.end().await;
    Ok(())
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
