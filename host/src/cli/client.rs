//! `wasm-dtls client`: handshake, send, print the reply, close_notify.

use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use wasm_dtls_host::{DtlsError, DtlsSession, Runtime, Status};

use super::ClientArgs;
use super::address::{host_of, resolve_all};
use super::credentials::{options, psk, seconds};
use super::output::on_group;
use super::saved_session;
use super::signals::Stop;

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
    if let Some(path) = &args.sess_in {
        options.saved_session = Some(saved_session::read(path)?);
    }
    // Each address in turn while it refuses (`localhost`: ::1, then 127.0.0.1).
    let mut session = DtlsSession::connect_any(runtime, &servers, &options, timeout).await?;
    if args.reconnect {
        say_connected(&session);
        options.saved_session = Some(saved_session::of(&session)?.clone());
        session.end().await;
        session = DtlsSession::connect_any(runtime, &servers, &options, timeout).await?;
    }
    if let Some(path) = &args.sess_out {
        saved_session::write(path, saved_session::of(&session)?)?;
    }
    let Some(text) = &args.send else {
        // Ctrl-C is ours before the line that invites it is printed: until then SIGINT
        // would end the process without a close_notify.
        let stop = Stop::listen();
        say_connected(&session);
        return interactive(session, stop).await;
    };
    say_connected(&session);
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

/// The line that says the handshake is done, with the address reached, the suite,
/// (ECDHE) the group, and whether a saved session was resumed.
fn say_connected(session: &DtlsSession) {
    eprintln!(
        "connected to {} with {}{}{}",
        session.peer(),
        session.cipher_suite().iana_name(),
        on_group(session.named_group()),
        if session.is_resumed() {
            ", resumed session"
        } else {
            ""
        }
    );
}

/// Sends stdin line by line and prints what comes back, until end of input, Ctrl-C or
/// SIGTERM (then with close_notify), or until the server closes.
async fn interactive(mut session: DtlsSession, mut stop: Stop) -> Result<(), DtlsError> {
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
            () = stop.requested() => break,
        }
    }
    session.end().await;
    Ok(())
}
