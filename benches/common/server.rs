//! `cairn serve` on a loopback port, for the benchmarks that measure it
//! over HTTP (`api`, `render`, `model`): `#[path]`-included by those only.

use std::io::{BufRead, BufReader, Write};
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

const PASSWORD: &str = "correct horse battery staple";

/// Hashing at OWASP's minimum: logins here are set-up, not measured.
pub const LIGHT_HASHING: [(&str, &str); 2] = [
    ("CAIRN_ARGON2_MEMORY_KIB", "19456"),
    ("CAIRN_ARGON2_ITERATIONS", "2"),
];

/// The session's CSRF token on a page (its logout form has it).
#[allow(dead_code)] // the api bench uses tokens, not a session
pub fn csrf_of(html: &str) -> String {
    html.split("name=\"_csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a CSRF token")
        .to_string()
}

/// `bin serve` for `site` with an administrator `admin` made in `data`,
/// and a client signed in as them (cookies kept, redirects not followed).
#[allow(dead_code)] // the api bench uses tokens, not a session
pub fn serve_signed_in(
    rt: &tokio::runtime::Runtime,
    bin: &Path,
    site: &Path,
    data: &Path,
) -> (Served, reqwest::Client) {
    std::fs::create_dir_all(data).expect("data");
    let mut add = Command::new(bin)
        .args([
            "user",
            "add",
            "admin",
            "--role",
            "admin",
            "--password-stdin",
            "--data",
        ])
        .arg(data)
        .envs(LIGHT_HASHING)
        .stdin(Stdio::piped())
        .spawn()
        .expect("user add");
    add.stdin
        .take()
        .expect("stdin")
        .write_all(format!("{PASSWORD}\n").as_bytes())
        .expect("password");
    assert!(add.wait().expect("user add").success(), "user add");
    let server = serve(bin, site, data, &LIGHT_HASHING);
    let base = server.base.clone();
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    rt.block_on(async {
        let form = client
            .get(format!("{base}/login"))
            .send()
            .await
            .expect("login page")
            .text()
            .await
            .expect("text");
        let csrf = csrf_of(&form);
        let r = client
            .post(format!("{base}/login"))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("username", "admin"),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .expect("login");
        assert_eq!(r.status().as_u16(), 303, "signed in");
    });
    (server, client)
}
