//! Logging set-up and the access log. The access log records method, path,
//! status and time; never the client address, the query string, cookies or
//! any other header.
//!
//! Log lines are written by a thread of their own (`tracing-appender`'s
//! non-blocking writer): a worker hands its line over and goes on, so a slow
//! or stuck standard output never holds a request. When that thread falls
//! more than `LOG_QUEUE_LINES` behind, further lines are dropped (and
//! counted by the writer) rather than making workers wait.

use std::time::Instant;

use actix_web::{
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    middleware::Next,
    Error,
};
use tracing_appender::non_blocking::{NonBlocking, NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::EnvFilter;

/// How many lines may wait for the writing thread before new ones are
/// dropped.
pub const LOG_QUEUE_LINES: usize = 128_000;

/// A writer that hands lines to a thread of its own, writing to `out`. Keep
/// the guard until exit: dropping it flushes what is queued.
pub fn off_thread<W: std::io::Write + Send + 'static>(out: W) -> (NonBlocking, WorkerGuard) {
    NonBlockingBuilder::default()
        .lossy(true)
        .buffered_lines_limit(LOG_QUEUE_LINES)
        .thread_name("chatgate-log")
        .finish(out)
}

/// Sets up logging to standard output, off the workers. The returned guard
/// is held by `main` until exit.
pub fn init() -> WorkerGuard {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,actix_server=warn"));
    let (writer, guard) = off_thread(std::io::stdout());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(writer)
        .try_init();
    guard
}

pub async fn access_log(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let start = Instant::now();
    let res = next.call(req).await?;
    // The response holds the request: its method and path are read there,
    // only when the line is written, so nothing is copied per request.
    let request = res.request();
    tracing::info!(
        method = %request.method(),
        path = %request.path(),
        status = res.status().as_u16(),
        ms = start.elapsed().as_millis() as u64,
        "request"
    );
    Ok(res)
}

#[cfg(test)]
mod tests {
    use std::{
        io::Write,
        sync::{mpsc, Arc, Barrier},
        time::Duration,
    };

    use super::*;

    /// Standard output that is stuck until the test lets it go.
    struct Stuck {
        release: Arc<Barrier>,
        lines: mpsc::Sender<Vec<u8>>,
        waited: bool,
    }

    impl Write for Stuck {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if !self.waited {
                self.release.wait();
                self.waited = true;
            }
            let _ = self.lines.send(buf.to_vec());
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_stuck_output_does_not_hold_the_thread_that_logs() {
        let release = Arc::new(Barrier::new(2));
        let (lines_tx, lines) = mpsc::channel();
        let (writer, guard) = off_thread(Stuck {
            release: release.clone(),
            lines: lines_tx,
            waited: false,
        });
        let subscriber = tracing_subscriber::fmt()
            .with_writer(writer)
            .with_ansi(false)
            .finish();
        // Logging while the output is stuck must come back, not wait for it.
        let (done_tx, done) = mpsc::channel();
        std::thread::spawn(move || {
            tracing::subscriber::with_default(subscriber, || {
                for i in 0..100 {
                    tracing::info!(i, "request");
                }
            });
            let _ = done_tx.send(());
        });
        // (A deadlock guard, not a speed check: a blocking writer would
        // never send `done` while the output is stuck.)
        assert!(
            done.recv_timeout(Duration::from_secs(30)).is_ok(),
            "logging waited for the stuck output"
        );
        release.wait();
        drop(guard);
        let written: Vec<Vec<u8>> = lines.try_iter().collect();
        assert_eq!(
            written.len(),
            100,
            "every line is written once the output moves"
        );
    }
}
