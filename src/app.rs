//! The application shell.

use leptos::prelude::*;

/// The product name shown in the header and the page title.
pub const PRODUCT_NAME: &str = "Vani";

#[component]
pub fn App() -> impl IntoView {
    view! {
        <main class="shell" data-testid="app-shell">
            <header class="shell-header">
                <h1 data-testid="app-title">{PRODUCT_NAME}</h1>
                <span class="tagline">"Calls from a browser tab"</span>
            </header>
        </main>
    }
}
