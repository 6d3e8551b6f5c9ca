//! Prints the driver's log (wire messages at `trace`, events at `debug`) to
//! the test's captured output, so a failing test shows the SIP traffic.

use log::{LevelFilter, Log, Metadata, Record};

struct Stderr;

impl Log for Stderr {
    fn enabled(&self, metadata: &Metadata) -> bool {
        metadata.target().starts_with("vani")
    }

    fn log(&self, record: &Record) {
        if self.enabled(record.metadata()) {
            // eprintln! goes through the test harness's capture.
            eprintln!("[{} {}] {}", record.level(), record.target(), record.args());
        }
    }

    fn flush(&self) {}
}

/// Installs the logger once per test binary.
pub fn init() {
    static LOGGER: Stderr = Stderr;
    if log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(LevelFilter::Trace);
    }
}
