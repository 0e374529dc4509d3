//! Test harness: the real `cairn` binary on a loopback port, a browser-like
//! HTTP client, and the `git` command to check what landed.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub const PASSWORD: &str = "correct horse battery staple";

/// Path of the built binary.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_cairn")
}

/// A running `cairn serve`, killed on drop.
pub struct Server {
    child: Child,
    pub base: String,
    pub setup_url: Option<String>,
    pub data: PathBuf,
}

impl Server {
    /// Starts `cairn serve` on port 0 with `data` (and `--site` if given), and
    /// waits for it to print its address.
    pub fn start(data: &Path, site: Option<&Path>) -> Server {
        Server::start_with(data, site, &[])
    }

    /// Starts `cairn serve` with extra environment variables (settings).
    pub fn start_with(data: &Path, site: Option<&Path>, env: &[(&str, &str)]) -> Server {
        let mut cmd = Command::new(bin());
        light_hashing(&mut cmd);
        cmd.envs(env.iter().copied());
        cmd.arg("serve")
            .arg("--data")
            .arg(data)
            .arg("--listen")
            .arg("127.0.0.1:0")
            .env("CAIRN_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if let Some(site) = site {
            cmd.arg("--site").arg(site);
        }
        let mut child = cmd.spawn().expect("start cairn");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        // Keep draining stdout for the life of the process.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    // Nobody listens any more; keep reading so the pipe never fills.
                }
            }
        });
        let mut base = None;
        let mut setup_url = None;
        while base.is_none() {
            let line = rx
                .recv_timeout(Duration::from_secs(30))
                .expect("cairn printed its address");
            if let Some(addr) = line.strip_prefix("Cairn is listening on ") {
                base = Some(addr.trim().to_string());
            }
        }
        // The setup line, when there is one, follows at once.
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(300))
            && let Some(i) = line.find("http://")
        {
            setup_url = Some(line[i..].trim().to_string());
        }
        Server {
            child,
            base: base.expect("address"),
            setup_url,
            data: data.to_path_buf(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The demo site's repository.
    pub fn site(&self) -> PathBuf {
        self.data.join("site")
    }
}

impl Server {
    /// Asks the server to stop (SIGTERM, as `systemctl stop` or `docker
    /// stop` would) and waits up to `secs` for it to exit; its exit status,
    /// or `None` if it was still running (it is then killed).
    pub fn terminate(&mut self, secs: u64) -> Option<std::process::ExitStatus> {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(sent.success(), "SIGTERM sent");
        let deadline = std::time::Instant::now() + Duration::from_secs(secs);
        while std::time::Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.kill();
        None
    }

    /// Kills the server at once (SIGKILL), as a crash or `kill -9` would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Tests hash passwords at OWASP's minimum cost (m = 19 MiB, t = 2) to run
/// fast; a flag on the command line still overrides it.
fn light_hashing(cmd: &mut Command) {
    cmd.env("CAIRN_ARGON2_MEMORY_KIB", "19456")
        .env("CAIRN_ARGON2_ITERATIONS", "2");
}

/// Runs the `cairn` binary with `args`, feeding `stdin`.
pub fn cairn(args: &[&str], stdin: &str) -> Output {
    let mut cmd = Command::new(bin());
    light_hashing(&mut cmd);
    let mut child = cmd
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run cairn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("cairn output")
}

/// Adds a user through the CLI, as an operator would.
pub fn add_user(data: &Path, name: &str, role: &str, email: &str, display: &str) {
    let data = data.to_str().expect("utf-8 path");
    let out = cairn(
        &[
            "user",
            "add",
            name,
            "--role",
            role,
            "--email",
            email,
            "--display-name",
            display,
            "--password-stdin",
            "--data",
            data,
        ],
        &format!("{PASSWORD}\n"),
    );
    assert!(
        out.status.success(),
        "user add failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs `command`, asserting it succeeds (its stderr in the failure), and
/// returns its output.
pub fn succeed(command: &mut Command) -> std::process::Output {
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("run {command:?}: {e}"));
    assert!(
        out.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs `git -C dir args...`, asserting success, and returns its stdout.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = succeed(Command::new("git").arg("-C").arg(dir).args(args));
    String::from_utf8(out.stdout).expect("utf-8 git output")
}

/// Waits (up to 30 s: after a restart the update first waits out stale
/// locks, and a loaded machine is slow) until the checkout is in step with
/// the branch (Cairn updates it just after answering a save) and has
/// nothing to commit, then returns. `--no-optional-locks`: the check must not hold the index lock
/// Cairn needs.
pub fn assert_checkout_clean(dir: &Path) {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let status = git(dir, &["--no-optional-locks", "status", "--porcelain"]);
        if status.is_empty() {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the checkout is not in step with the branch: {status}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The checkout's file `rel` once the checkout is in step with the branch.
pub fn checked_out(dir: &Path, rel: &str) -> String {
    assert_checkout_clean(dir);
    std::fs::read_to_string(dir.join(rel)).expect("read the checkout")
}

/// `git clone --bare from to` (checked).
pub fn bare_clone(from: &Path, to: &Path) {
    succeed(
        Command::new("git")
            .args(["clone", "-q", "--bare"])
            .arg(from)
            .arg(to),
    );
}

/// Number of commits on HEAD.
pub fn commit_count(dir: &Path) -> usize {
    git(dir, &["rev-list", "--count", "HEAD"])
        .trim()
        .parse()
        .expect("count")
}

/// `git fsck --full --strict` is clean.
pub fn assert_fsck_clean(dir: &Path) {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["fsck", "--full", "--strict"])
        .output()
        .expect("git fsck");
    assert!(
        out.status.success(),
        "fsck: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Creates a Jekyll site repository with the `git` command, from `files`.
pub fn make_site(dir: &Path, files: &[(&str, &str)]) {
    std::fs::create_dir_all(dir).expect("mkdir");
    git(dir, &["init", "-q", "-b", "main"]);
    for (path, text) in files {
        let full = dir.join(path);
        std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        std::fs::write(full, text).expect("write");
    }
    git(dir, &["add", "-A"]);
    git_commit(dir, "Initial site");
}

/// Commits the staged changes as someone working outside Cairn.
pub fn git_commit(dir: &Path, message: &str) {
    git(
        dir,
        &[
            "-c",
            "user.name=Outside Dev",
            "-c",
            "user.email=dev@example.org",
            "commit",
            "-q",
            "-m",
            message,
        ],
    );
}

/// A browser: keeps cookies, does not follow redirects, submits forms with
/// CRLF line breaks in text areas, as browsers do.
pub struct Browser {
    pub client: reqwest::Client,
    base: String,
}

impl Browser {
    pub fn new(server: &Server) -> Browser {
        Browser::at(&server.base)
    }

    /// A browser for the server at `base` (`http://127.0.0.1:PORT`).
    pub fn at(base: &str) -> Browser {
        Browser {
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            base: base.to_string(),
        }
    }

    /// A browser whose `Accept-Language` is `language` (`fr-CA,fr;q=0.9`).
    pub fn speaking(server: &Server, language: &str) -> Browser {
        Browser::sending(server, "accept-language", language)
    }

    /// A browser that sends the header `name: value` with every request.
    pub fn sending(server: &Server, name: &'static str, value: &str) -> Browser {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            name,
            reqwest::header::HeaderValue::from_str(value).expect("header"),
        );
        Browser {
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .default_headers(headers)
                .build()
                .expect("client"),
            base: server.base.clone(),
        }
    }

    /// The server's address, `http://127.0.0.1:PORT`.
    pub fn base(&self) -> &str {
        &self.base
    }

    pub async fn get(&self, path: &str) -> (u16, String) {
        let r = self
            .client
            .get(format!("{}{}", self.base, path))
            .send()
            .await
            .expect("GET");
        let status = r.status().as_u16();
        (status, r.text().await.expect("body"))
    }

    pub async fn get_response(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{}", self.base, path))
            .send()
            .await
            .expect("GET")
    }

    pub async fn post(&self, path: &str, form: &[(String, String)]) -> reqwest::Response {
        self.client
            .post(format!("{}{}", self.base, path))
            .header("origin", self.base.clone())
            .form(form)
            .send()
            .await
            .expect("POST")
    }

    /// Logs in through the form; returns the status of the answer.
    pub async fn login(&self, username: &str, password: &str) -> reqwest::Response {
        let (_, html) = self.get("/login").await;
        let form = Form::parse(&html, "/login");
        let form = form.with("username", username).with("password", password);
        self.post("/login", &form.fields).await
    }
}

/// The controls of one HTML form, as a browser would submit them.
#[derive(Debug, Clone)]
pub struct Form {
    pub fields: Vec<(String, String)>,
}

impl Form {
    /// Reads the form whose `action` is `action` from `html`.
    pub fn parse(html: &str, action: &str) -> Form {
        let marker = format!("action=\"{action}\"");
        let start = html
            .find(&marker)
            .unwrap_or_else(|| panic!("no form posting to {action} in:\n{html}"));
        let end = html[start..]
            .find("</form>")
            .map_or(html.len(), |i| start + i);
        let form = &html[start..end];
        let mut fields = Vec::new();
        let mut rest = form;
        while let Some(i) = rest.find('<') {
            rest = &rest[i..];
            if rest.starts_with("<input") {
                let tag_end = rest.find('>').expect("tag end");
                let tag = &rest[..tag_end];
                // A box is sent only when ticked.
                let unticked = (tag.contains("type=\"checkbox\"")
                    || tag.contains("type=\"radio\""))
                    && !tag.contains(" checked");
                if !tag.contains(" disabled")
                    && !unticked
                    && let Some(name) = attr(tag, "name")
                {
                    fields.push((name, attr(tag, "value").unwrap_or_default()));
                }
                rest = &rest[tag_end..];
            } else if rest.starts_with("<textarea") {
                let tag_end = rest.find('>').expect("tag end");
                let tag = &rest[..tag_end];
                let close = rest.find("</textarea>").expect("textarea end");
                let mut content = &rest[tag_end + 1..close];
                // HTML drops one line break right after the start tag.
                content = content.strip_prefix('\n').unwrap_or(content);
                if !tag.contains(" disabled")
                    && let Some(name) = attr(tag, "name")
                {
                    fields.push((name, unescape(content).replace('\n', "\r\n")));
                }
                rest = &rest[close..];
            } else if rest.starts_with("<select") {
                // A select sends its selected option, else its first.
                let tag_end = rest.find('>').expect("tag end");
                let tag = &rest[..tag_end];
                let close = rest.find("</select>").expect("select end");
                let options = &rest[tag_end..close];
                let mut chosen = None;
                let mut first = None;
                for option in options.split("<option").skip(1) {
                    let head = &option[..option.find('>').unwrap_or(option.len())];
                    let value = attr(head, "value").unwrap_or_default();
                    first.get_or_insert_with(|| value.clone());
                    if head.contains(" selected") {
                        chosen = Some(value);
                    }
                }
                if !tag.contains(" disabled")
                    && let Some(name) = attr(tag, "name")
                {
                    fields.push((name, chosen.or(first).unwrap_or_default()));
                }
                rest = &rest[close..];
            } else {
                rest = &rest[1..];
            }
        }
        Form { fields }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Sets a control's value (adding it if missing).
    pub fn with(mut self, name: &str, value: &str) -> Form {
        match self.fields.iter_mut().find(|(n, _)| n == name) {
            Some(field) => field.1 = value.to_string(),
            None => self.fields.push((name.to_string(), value.to_string())),
        }
        self
    }

    pub fn without(mut self, name: &str) -> Form {
        self.fields.retain(|(n, _)| n != name);
        self
    }
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = tag[start..].find('"')? + start;
    Some(unescape(&tag[start..end]))
}

/// Undoes HTML escaping: the named entities a template emits, and numeric ones.
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.find(';') else { break };
        let entity = &rest[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Whether an external tool is on the PATH. When it is not, the test skips
/// with a printed reason, unless `CAIRN_REQUIRE_TOOLS=1` (as in CI), where
/// a missing tool fails the test.
pub fn tool_available(tool: &str) -> bool {
    let found = Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    required_or_skipped(found, tool, "jekyll")
}

/// `found`, after failing the test when it is not and CAIRN_REQUIRE_TOOLS=1
/// (as in CI), or printing why the test skips.
pub fn required_or_skipped(found: bool, tool: &str, package: &str) -> bool {
    if !found {
        assert!(
            std::env::var("CAIRN_REQUIRE_TOOLS").as_deref() != Ok("1"),
            "{tool} is required (CAIRN_REQUIRE_TOOLS=1) but not installed"
        );
        eprintln!("skipping: {tool} is not installed (apt-get install {package})");
    }
    found
}

/// Whether `program` is on the PATH (for tools without `--version`); like
/// [`tool_available`], a missing one fails under CAIRN_REQUIRE_TOOLS=1.
pub fn program_available(program: &str, package: &str) -> bool {
    let found = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {program}"))
        .output()
        .is_ok_and(|o| o.status.success());
    required_or_skipped(found, program, package)
}

/// A fresh temporary folder.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

/// Adds a user and signs them in.
async fn sign_in(server: &Server, name: &str, role: &str, email: &str, display: &str) -> Browser {
    add_user(&server.data, name, role, email, display);
    let browser = Browser::new(server);
    let r = browser.login(name, PASSWORD).await;
    assert_eq!(r.status().as_u16(), 303, "login should redirect");
    browser
}

/// Adds a user with `role` (email `NAME@example.org`, display name `NAME`)
/// and signs them in.
pub async fn sign_in_as(server: &Server, name: &str, role: &str) -> Browser {
    sign_in(server, name, role, &format!("{name}@example.org"), name).await
}

/// Adds the editor `alice` and signs her in: the usual start of a test.
pub async fn sign_in_editor(server: &Server) -> Browser {
    sign_in(
        server,
        "alice",
        "editor",
        "alice@example.org",
        "Alice Martin",
    )
    .await
}

/// Starts the demo site with one editor (`alice`) signed in.
pub async fn demo_with_editor() -> (tempfile::TempDir, Server, Browser) {
    let dir = tempdir();
    let server = Server::start(dir.path(), None);
    let browser = sign_in_editor(&server).await;
    (dir, server, browser)
}

/// Saves `mission` on the demo site's `ai-and-cities` project through the
/// admin form (answered 303).
pub async fn save_mission(browser: &Browser, mission: &str) {
    let page = "/collections/projects/ai-and-cities";
    let (_, html) = browser.get(page).await;
    let form = Form::parse(&html, page).with("f.mission", mission);
    let answer = browser.post(page, &form.fields).await;
    assert_eq!(answer.status().as_u16(), 303, "saving {mission:?}");
}

/// The session's CSRF token on a page (every signed-in page has it, in the
/// logout form at least).
pub fn csrf_of(html: &str) -> String {
    html.split("name=\"_csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a CSRF token on the page")
        .to_string()
}

/// Posts `fields` (in order, `_csrf` first as the page lists it) to `path`
/// as `multipart/form-data`, as a browser sends a form with file boxes:
/// each of `files` (field, file name, bytes) takes its field's place.
pub async fn post_multipart(
    browser: &Browser,
    path: &str,
    fields: &[(String, String)],
    files: &[(&str, &str, &[u8])],
) -> reqwest::Response {
    let boundary = "----cairn-test-boundary-3f9a";
    let mut body = Vec::new();
    let mut sent = Vec::new();
    for (name, value) in fields {
        if let Some((_, file_name, bytes)) = files.iter().find(|(n, _, _)| n == name) {
            if sent.contains(name) {
                continue;
            }
            sent.push(name.clone());
            body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        } else {
            body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes());
        }
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    browser
        .client
        .post(format!("{}{path}", browser.base()))
        .header("origin", browser.base().to_string())
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .expect("multipart POST")
}

/// Serves the site at `site` (data in `data`) with `alice` signed in.
pub async fn site_with_editor(site: &Path, data: &Path) -> (Server, Browser) {
    let server = Server::start(data, Some(site));
    let browser = sign_in_editor(&server).await;
    (server, browser)
}

/// Clones `repo` (as a deploy would) into `work/clone` and runs
/// `jekyll build` on the clone; returns the built site's folder.
pub fn jekyll_build_of_clone(repo: &Path, work: &Path) -> PathBuf {
    let clone = work.join("clone");
    let out = Command::new("git")
        .arg("clone")
        .arg("-q")
        .arg(repo)
        .arg(&clone)
        .output()
        .expect("git clone");
    assert!(
        out.status.success(),
        "git clone: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dest = work.join("built");
    let out = Command::new("jekyll")
        .arg("build")
        .arg("--source")
        .arg(&clone)
        .arg("--destination")
        .arg(&dest)
        .output()
        .expect("jekyll");
    assert!(
        out.status.success(),
        "jekyll build failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    dest
}

/// A clock the test moves by hand.
#[derive(Debug)]
pub struct ManualClock(std::sync::atomic::AtomicI64);

impl ManualClock {
    /// Starts at a fixed, realistic time (2026-11-25).
    pub fn new() -> std::sync::Arc<ManualClock> {
        std::sync::Arc::new(ManualClock(std::sync::atomic::AtomicI64::new(
            1_795_000_000,
        )))
    }

    pub fn advance(&self, secs: i64) {
        self.0.fetch_add(secs, std::sync::atomic::Ordering::SeqCst);
    }
}

impl cairn::clock::Clock for ManualClock {
    fn now(&self) -> i64 {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// Cairn served from this test process (the same `prepare` and `run` as
/// `cairn serve`, on a loopback port), on a clock the test controls.
pub struct InProcess {
    pub base: String,
    pub state: cairn::http::AppState,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    served: Option<tokio::task::JoinHandle<Result<(), cairn::server::StartError>>>,
}

impl InProcess {
    /// Serves the demo site from `data`, with `serve` options `args`.
    pub async fn start(
        data: &Path,
        clock: std::sync::Arc<ManualClock>,
        args: &[&str],
    ) -> InProcess {
        use clap::Parser;
        let data_arg = data.to_str().expect("utf-8 path");
        let mut argv = vec!["cairn", "--data", data_arg, "serve"];
        argv.extend_from_slice(args);
        let cli = cairn::config::Cli::try_parse_from(argv).expect("arguments");
        let cairn::config::Command::Serve(serve) = cli.command else {
            panic!("not serve")
        };
        let prepared = cairn::server::prepare(data, &serve, cairn::auth::HashCost::MINIMUM, clock)
            .await
            .expect("prepare");
        let state = prepared.state.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let served = tokio::spawn(cairn::server::run(listener, prepared, async move {
            let _ = stopped.await;
        }));
        InProcess {
            base,
            state,
            stop: Some(stop),
            served: Some(served),
        }
    }

    /// Stops serving as `cairn serve` does on SIGTERM, and waits until
    /// `run` has returned (its background work stopped).
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(served) = self.served.take() {
            served.await.expect("run").expect("served");
        }
    }

    /// Creates a user directly in the database, with [`PASSWORD`].
    pub async fn add_user(&self, name: &str, role: cairn::auth::Role) {
        let new = cairn::auth::accounts::NewUser::parse(
            name,
            None,
            Some(&format!("{name}@example.org")),
            role,
            Some(PASSWORD),
        )
        .expect("valid user");
        cairn::auth::accounts::create(&self.state.db, &self.state.hasher, &new, 0)
            .await
            .expect("create user");
    }
}

impl Drop for InProcess {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The `name=value` of the session cookie a response sets, if any.
pub fn set_cookie(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap_or("").to_string())
}

/// Whether a response sends the browser to the login page.
pub fn is_login_redirect(r: &reqwest::Response) -> bool {
    r.status().as_u16() == 303
        && r.headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .is_some_and(|l| l.starts_with("/login"))
}

/// Held by the tests that load both cores hard or measure time (the login
/// timing test, the parallel logins), so they never run at the same time.
pub async fn exclusive() -> tokio::sync::MutexGuard<'static, ()> {
    static LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    LOCK.lock().await
}

/// A committed copy of the fixture site `tests/fixtures/{name}` in `dir/site`.
pub fn fixture_copy(name: &str, dir: &Path) -> std::path::PathBuf {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let files: Vec<(String, String)> = crate::fidelity::files_below(&fixture)
        .into_iter()
        .map(|path| {
            let rel = path
                .strip_prefix(&fixture)
                .expect("below")
                .to_string_lossy()
                .into_owned();
            (rel, std::fs::read_to_string(&path).expect("read"))
        })
        .collect();
    let site = dir.join("site");
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    make_site(&site, &refs);
    site
}
