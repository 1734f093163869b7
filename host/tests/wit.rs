//! The WIT interface: the built component exports exactly the documented package in
//! `wit/`, every item of which has a doc comment, and its error codes match the
//! engine's NetX table. Uses the `wasm-tools` CLI (scripts/test.sh installs it).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::process::Command;

use wasm_dtls::Status;

fn wasm_tools(args: &[&str]) -> String {
    let out = Command::new("wasm-tools")
        .args(args)
        .output()
        .expect("wasm-tools must be installed (scripts/test.sh installs it)");
    assert!(
        out.status.success(),
        "wasm-tools {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn wit_dir() -> String {
    format!("{}/../wit", env!("CARGO_MANIFEST_DIR"))
}

/// The package's interface lines, trimmed, without docs, blank lines and package or
/// world framing: what two printings of the same interfaces share.
fn interface_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("///") && !l.starts_with("package "))
        .map(String::from)
        .collect()
}

#[test]
fn the_component_exports_the_documented_package() {
    let component = wasm_dtls_host::default_component_path();
    let printed = wasm_tools(&["component", "wit", component.to_str().unwrap()]);
    assert!(
        printed.contains("export wasm-dtls:dtls/types@0.1.0;"),
        "{printed}"
    );
    assert!(printed.contains("export wasm-dtls:dtls/session@0.1.0;"));
    assert!(printed.contains("export wasm-dtls:dtls/server@0.1.0;"));
    // The component's copy of the package, as wasm-tools prints it.
    let start = printed
        .find("package wasm-dtls:dtls@0.1.0 {")
        .expect("the package");
    let body = &printed[start..];
    let end = body.find("\n}\n").unwrap();
    let mut from_component = interface_lines(&body[..end]);
    // The documented source, up to its world.
    let source = wasm_tools(&["component", "wit", &wit_dir()]);
    let world = source.find("world dtls").unwrap();
    let mut from_source = interface_lines(&source[..world]);
    from_component.sort();
    from_source.sort();
    assert_eq!(from_component, from_source);
}

#[test]
fn every_item_of_the_package_is_documented() {
    // Printed by wasm-tools, so each declaration is on a line of its own.
    let source = wasm_tools(&["component", "wit", &wit_dir()]);
    let lines: Vec<&str> = source.lines().map(str::trim).collect();
    let mut undocumented = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let framing = line.is_empty()
            || line.starts_with("///")
            || line.starts_with('}')
            || line.starts_with("package ")
            || line.starts_with("use ");
        if !framing && !lines[..i].last().is_some_and(|p| p.starts_with("///")) {
            undocumented.push(*line);
        }
    }
    assert!(
        undocumented.is_empty(),
        "without a doc comment: {undocumented:#?}"
    );
    // The binary form of the package keeps the docs (the component itself cannot yet:
    // wit-bindgen does not embed them).
    let out = std::env::temp_dir().join(format!("wasm-dtls-wit-{}.wasm", std::process::id()));
    wasm_tools(&[
        "component",
        "wit",
        &wit_dir(),
        "--wasm",
        "-o",
        out.to_str().unwrap(),
    ]);
    let from_binary = wasm_tools(&["component", "wit", out.to_str().unwrap()]);
    let _ = std::fs::remove_file(&out);
    assert_eq!(
        from_binary.matches("///").count(),
        source.matches("///").count()
    );
}

#[test]
fn the_error_codes_are_the_engines_netx_table() {
    let source = std::fs::read_to_string(format!("{}/dtls.wit", wit_dir())).unwrap();
    let start = source.find("enum error-code {").unwrap();
    let end = start + source[start..].find('}').unwrap();
    let cases: Vec<&str> = source[start..end]
        .lines()
        .map(str::trim)
        .filter(|l| l.ends_with(',') && !l.starts_with("///"))
        .map(|l| l.trim_end_matches(','))
        .collect();
    let expected: Vec<String> = Status::ALL
        .iter()
        .filter(|s| **s != Status::Success)
        .map(|s| s.name().to_lowercase().replace('_', "-"))
        .collect();
    assert_eq!(cases, expected);
}
