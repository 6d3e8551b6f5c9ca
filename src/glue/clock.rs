//! The page clock and randomness the stack takes as inputs.

use vani_sip::time::Instant;

/// Milliseconds since the page loaded (`performance.now()`), monotonic.
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// The stack's clock: `performance.now()` in whole milliseconds, whose origin
/// is the page load.
pub fn now() -> Instant {
    Instant::from_millis(now_ms().max(0.0) as u64)
}

/// 32 bytes from `crypto.getRandomValues` to seed the stack's RNG (tags,
/// branches, Call-IDs, cnonces). Falls back to `Math.random` mixed with the
/// clock only if the Web Crypto API is missing, which no supported browser does.
pub fn random_seed() -> [u8; 32] {
    let mut seed = [0u8; 32];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut seed).is_ok());
    if !filled {
        for (i, b) in seed.iter_mut().enumerate() {
            *b = ((js_sys::Math::random() * 256.0) as u8) ^ ((now_ms() as u64 >> (i % 8)) as u8);
        }
    }
    seed
}

/// Uniform in `[0, 1)`, for back-off jitter.
pub fn random_unit() -> f64 {
    js_sys::Math::random()
}

/// Resolves after `ms` milliseconds (a `setTimeout` promise).
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
