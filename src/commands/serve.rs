//! `orgsim serve`: the workshop server. Parses the flags, opens the data folder, binds the port,
//! prints where the pages are, and serves until Ctrl-C. Everything else is the library's
//! (`orgsim::workshop`).

use super::*;
use orgsim::workshop::server::{serve, Workshop};
use orgsim::workshop::session::Settings;
use std::sync::Arc;

/// Serve a workshop: a room plays the roles in their browsers, robots fill the empty seats, and
/// the debrief shows the room against thousands of simulated plays.
#[derive(clap::Args)]
pub struct Args {
    /// Scenario files to offer beside the built-ins (the first is the page's default).
    pub scenarios: Vec<String>,
    /// The port (0: any free port; the one taken is printed).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// The address to listen on. The default lets only this machine in; `--bind 0.0.0.0` lets
    /// the room's phones and laptops in (anyone on the network who has a join code can then join).
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Where sessions are kept, one folder each with its event log and debrief; sessions found
    /// there are reloaded at start.
    #[arg(long, default_value = "output/workshop")]
    pub data: PathBuf,
    /// Simulated plays each act is compared with at the debrief.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(100..=1_000_000))]
    pub plays: u64,
    /// The address participants reach this server at, for the join link and its QR code (default:
    /// the address the facilitator's page was opened at).
    #[arg(long)]
    pub public_url: Option<String>,
}

/// Runs the command.
pub fn execute(args: Args) -> orgsim::Result<()> {
    let mut offered = Vec::new();
    for s in &args.scenarios {
        let source = load::resolve(s)?;
        // Checked now, so that a broken file is reported at start rather than on the page.
        if load::is_network(&source) {
            load::load_network(&source, &[])?;
        } else {
            orgsim::run::prepare::load(&source, &[])?;
        }
        offered.push(source);
    }
    let settings = Settings {
        data: args.data.clone(),
        plays: args.plays,
        prepare: Arc::new(|source, sets| {
            let how = Fitting {
                threads: 0,
                refit: false,
                quiet: true,
                certify: false,
                out: std::path::Path::new("."),
                total: 0,
                known: &[],
            };
            Ok(prepare(source, sets, None, &how)?.0)
        }),
    };
    let cancel = interrupt_flag();
    let workshop = Workshop::open(settings, offered, args.public_url.clone())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Usage(format!("cannot start the server's runtime: {e}")))?;
    let data = args.data.clone();
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind((args.bind, args.port))
            .await
            .map_err(|e| {
                Error::Usage(format!(
                    "--bind {} --port {}: cannot listen there: {e}",
                    args.bind, args.port
                ))
            })?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::Usage(e.to_string()))?;
        announce(&workshop, addr, &args)?;
        // Kept sessions are reloaded once the port is open, each as soon as it is ready, so the
        // pages answer at once.
        let reloading = workshop.clone();
        std::thread::spawn(move || {
            for f in reloading.restore() {
                eprintln!(
                    "orgsim: warning: session {} was not reloaded (left as it is): {}",
                    f.folder.display(),
                    f.error
                );
            }
        });
        let stop = async move {
            while !cancel.load(Ordering::SeqCst) {
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
        };
        // Open event streams would hold a graceful stop forever; the log is written as changes
        // happen, so a stop a moment later loses nothing.
        let served = serve(listener, workshop, stop);
        tokio::select! {
            r = served => r.map_err(|e| Error::Usage(format!("the server stopped: {e}"))),
            _ = async {
                while !cancel.load(Ordering::SeqCst) {
                    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                }
                tokio::time::sleep(std::time::Duration::from_secs(2)).await;
            } => Ok(()),
        }
    })?;
    eprintln!(
        "orgsim serve: stopped; sessions are kept in {}",
        data.display()
    );
    Ok(())
}

/// Prints where the pages are, and who can reach them.
fn announce(w: &Workshop, addr: std::net::SocketAddr, args: &Args) -> orgsim::Result<()> {
    let base = format!("http://{addr}");
    let reach = if addr.ip().is_loopback() {
        "this machine only; --bind 0.0.0.0 lets the room's phones in"
    } else {
        "anyone on this network with a join code can join"
    };
    let public = args.public_url.clone().unwrap_or_else(|| base.clone());
    let kept = w.kept().len();
    say(&format!(
        "orgsim serve: listening on {base} ({reach})\n  facilitator:  {public}/facilitate#key={}\n  participants: {public}/play\n  sessions kept in {} ({kept} to reload)\n  Ctrl-C stops the server; sessions carry on when it is started again.\n",
        w.key(),
        args.data.display(),
    ))
}
