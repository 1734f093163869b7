//! `wasm-dtls client`: handshake, send, print the reply, close_notify.

use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use wasm_dtls_host::{DtlsError, DtlsSession, Runtime, Status};

use super::ClientArgs;
use super::address::{host_of, resolve_all};
use super::credentials::{options, psk, seconds};

/// Runs the client; any failure is returned with its NetX code.
pub async fn run(runtime: &Runtime, args: ClientArgs) -> Result<(), DtlsError> {
    let mut options = options(&args.common, "client")?;
    if let Some(text) = &args.psk {
        options.psks.push(psk(text)?);
    }
    let servers = resolve_all(&args.server).await?;
    options.server_name = Some(
        args.server_name
            .clone()
            .unwrap_or_else(|| host_of(&args.server).to_string()),
    );
    let timeout = seconds(args.timeout, "--timeout")?;
    // Each address in turn while it refuses (`localhost`: ::1, then 127.0.0.1).
    let mut session = DtlsSession::connect_any(runtime, &servers, &options, timeout).await?;
    eprintln!(
        "connected to {} with {}",
        session.peer(),
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

/// Sends stdin line by line and prints what comes back, until end of input or Ctrl-C
/// (then with close_notify), or until the server closes.
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
                Err(e) if e.status() == Status::CloseNotifyReceived => {
                    eprintln!("the server closed the session");
                    return Ok(());
                }
                Err(e) => return Err(e),
            },
            _ = tokio::signal::ctrl_c() => break,
        }
    }
    session.end().await;
    Ok(())
}
