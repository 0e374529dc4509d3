//! Integration tests: the real binary on a loopback port, real git
//! repositories checked with the `git` command, a real SQLite file.

// Test helpers panic on failure by design: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod api;
mod browser;
mod builds;
mod check;
mod fidelity;
mod fixture_site;
mod history;
mod jekyll;
mod kept_edits;
mod languages;
mod layouts;
mod media;
mod media_form;
mod model;
mod nested;
mod oracle;
mod pipeline;
mod preview;
mod publish;
mod roles;
mod search;
mod security;
mod sites;
mod skeleton;
mod startup;
mod store;
mod subfolders;
mod support;
mod widgets;
