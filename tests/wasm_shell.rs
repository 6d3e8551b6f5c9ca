//! Browser tests of the app shell, run in headless Chromium by
//! `wasm-bindgen-test-runner` (see `make test-wasm`).
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a browser page has a document")
}

#[wasm_bindgen_test]
fn shell_mounts_with_product_name() {
    let host = document()
        .create_element("div")
        .expect("create a host element");
    document()
        .body()
        .expect("page body")
        .append_child(&host)
        .expect("attach host");
    let host: web_sys::HtmlElement = wasm_bindgen::JsCast::unchecked_into(host);

    let _mounted = leptos::mount::mount_to(host.clone(), vani::app::App);

    let title = host
        .query_selector("[data-testid=app-title]")
        .expect("valid selector")
        .expect("the shell renders its title");
    assert_eq!(
        title.text_content().as_deref(),
        Some(vani::app::PRODUCT_NAME)
    );
}
