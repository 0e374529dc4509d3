//! `cairn serve` on a loopback port, for the benchmarks that measure it
//! over HTTP (`api`, `render`): `#[path]`-included by those only.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// A `cairn serve`, killed on drop.
pub struct Served {
    pub child: Child,
    pub base: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `bin serve` on a loopback port for `site`, with `data` and `env`; what
/// it prints after its address is drained.
pub fn serve(bin: &Path, site: &Path, data: &Path, env: &[(&str, &str)]) -> Served {
    let mut child = Command::new(bin)
        .args(["serve", "--listen", "127.0.0.1:0", "--site"])
        .arg(site)
        .arg("--data")
        .arg(data)
        .env("CAIRN_LOG", "warn")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start cairn");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let base = loop {
        let line = lines.next().expect("a line").expect("utf-8");
        if let Some(addr) = line.strip_prefix("Cairn is listening on ") {
            break addr.trim().to_string();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    Served { child, base }
}
