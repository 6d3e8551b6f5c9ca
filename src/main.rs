//! The browser entry point: mounts the app on `<body>`.

fn main() {
    vani::start();
}
