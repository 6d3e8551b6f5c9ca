//! Log lines of the app and of the SIP stack (the `log` crate) go to the
//! browser console.
//!
//! The level is `info` unless `localStorage["vani.log"]` names another one
//! (`error`, `warn`, `info`, `debug`, `trace`), so that a person debugging
//! a call can turn on the stack's message traces without a rebuild.
//! Nothing logged carries a password: the stack's configuration is never
//! formatted, and digest headers are not traced.

use log::{Level, LevelFilter, Log, Metadata, Record};

const LEVEL_KEY: &str = "vani.log";

struct Console;

static CONSOLE: Console = Console;

impl Log for Console {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let line = format!("[{}] {}", record.target(), record.args());
        let line = wasm_bindgen::JsValue::from_str(&line);
        match record.level() {
            Level::Error => web_sys::console::error_1(&line),
            Level::Warn => web_sys::console::warn_1(&line),
            Level::Info => web_sys::console::info_1(&line),
            Level::Debug | Level::Trace => web_sys::console::debug_1(&line),
        }
    }

    fn flush(&self) {}
}

/// Installs the console logger (once; later calls keep the first).
pub fn install() {
    let level = saved_level().unwrap_or(LevelFilter::Info);
    if log::set_logger(&CONSOLE).is_ok() {
        log::set_max_level(level);
    }
}

fn saved_level() -> Option<LevelFilter> {
    let storage = web_sys::window()?.local_storage().ok().flatten()?;
    let text = storage.get_item(LEVEL_KEY).ok().flatten()?;
    parse_level(&text)
}

/// The level a saved setting names, any case; `None` for anything else.
pub fn parse_level(text: &str) -> Option<LevelFilter> {
    text.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_levels_parse() {
        assert_eq!(parse_level("debug"), Some(LevelFilter::Debug));
        assert_eq!(parse_level(" TRACE "), Some(LevelFilter::Trace));
        assert_eq!(parse_level("off"), Some(LevelFilter::Off));
        assert_eq!(parse_level("loud"), None);
    }
}
