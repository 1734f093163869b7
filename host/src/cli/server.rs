//! `wasm-dtls server`: serve until interrupted, optionally echoing.

use wasm_dtls_host::{DtlsError, DtlsServer, Runtime, ServerEvent, SessionId};

use super::ServerArgs;
use super::address::resolve;
use super::credentials::{options, psk};
use super::output::on_group;
use super::signals::Stop;

/// Runs the server until Ctrl-C or SIGTERM, then ends every session with close_notify.
pub async fn run(runtime: &Runtime, args: ServerArgs) -> Result<(), DtlsError> {
    let mut options = options(&args.common, "server")?;
    for text in &args.psk {
        options.psks.push(psk(text)?);
    }
    if args.verify_client {
        options.verify_client = Some(4);
    }
    let mut server = DtlsServer::create(runtime, &options, args.max_sessions)?;
    let local = server.start(resolve(&args.listen).await?).await?;
    let mut stop = Stop::listen();
    println!("listening on {local}");
    loop {
        let event = tokio::select! {
            event = server.next_event() => event,
            () = stop.requested() => None,
        };
        let Some(event) = event else { break };
        match event {
            ServerEvent::Connect { session, peer } => {
                eprintln!(
                    "{peer}: connect (session #{}.{})",
                    session.slot, session.generation
                );
            }
            ServerEvent::Established {
                session,
                suite,
                group,
                resumed,
                ..
            } => {
                let who = who(&server, session).await;
                let on = on_group(group);
                let how = if resumed { ", resumed session" } else { "" };
                eprintln!("{who}: established with {}{on}{how}", suite.iana_name());
            }
            ServerEvent::Receive { session, data } => {
                let who = who(&server, session).await;
                eprintln!("{who}: received {:?}", String::from_utf8_lossy(&data));
                // One session's trouble is not the server's: a peer may close right
                // after its data (GnuTLS's client sends close_notify in the same
                // datagram), and the echo then has nowhere to go.
                if args.echo
                    && let Err(e) = server.send(session, &data).await
                {
                    eprintln!("{who}: not echoed: {e}");
                }
            }
            ServerEvent::Disconnect { peer, reason, .. } => {
                eprintln!("{peer}: disconnected: {reason}");
            }
            ServerEvent::Error { peer, error, .. } => {
                eprintln!("{peer}: error: {error}");
            }
        }
    }
    server.stop().await?;
    Ok(())
}

/// The session's peer address for the log, or its handle once the session has ended.
async fn who(server: &DtlsServer, session: SessionId) -> String {
    match server.client_info(session).await {
        Ok(peer) => peer.to_string(),
        Err(_) => format!("session #{}.{}", session.slot, session.generation),
    }
}
