//! Stopping a running mode: Ctrl-C in the program, a trigger in tests.

use tokio::sync::watch;

/// Resolves once a stop is asked for (or whoever could ask is gone).
#[derive(Clone, Debug)]
pub struct Shutdown(watch::Receiver<bool>);

/// Asks for the stop.
#[derive(Debug)]
pub struct Trigger(watch::Sender<bool>);

impl Shutdown {
    /// A shutdown and the trigger that fires it.
    pub fn new() -> (Trigger, Shutdown) {
        let (tx, rx) = watch::channel(false);
        (Trigger(tx), Shutdown(rx))
    }

    /// A shutdown fired by Ctrl-C (SIGINT) or SIGTERM.
    pub fn on_signal() -> Shutdown {
        let (trigger, shutdown) = Self::new();
        tokio::spawn(async move {
            let mut term =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
            let terminated = async {
                match term.as_mut() {
                    Some(term) => {
                        term.recv().await;
                    }
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                () = terminated => {}
            }
            log::info!(target: "vani_bot", "stopping");
            trigger.fire();
            // Keep the sender alive: dropping it would look like a second stop.
            std::future::pending::<()>().await;
        });
        shutdown
    }

    /// Waits for the stop.
    pub async fn wait(&mut self) {
        // An error means the trigger is gone: nobody can ask any more, so stop.
        let _ = self.0.wait_for(|stop| *stop).await;
    }

    /// Whether the stop was asked for.
    pub fn is_fired(&self) -> bool {
        *self.0.borrow()
    }
}

impl Trigger {
    /// Asks for the stop.
    pub fn fire(&self) {
        let _ = self.0.send(true);
    }
}
