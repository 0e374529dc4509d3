//! Issue 16's measurements, on the real `cairn serve` over HTTP on
//! loopback, signed in as an administrator, in one run:
//! - the upload and commit of a 5 MiB photo through the library (its
//!   metadata removed on the way), each one a new file and a new commit;
//! - the media library's page with 5,000 files (the first page and the
//!   thirtieth);
//! - `/healthz`, the floor of one request here;
//! - and, before those, the server's peak memory (VmHWM) while 10 uploads
//!   of 19.5 MiB arrive at once, against its peak before them.
//!
//! Run: `cargo bench --bench media`

#![allow(clippy::expect_used)]

mod common;
#[path = "common/server.rs"]
mod server;

use cairn::git::Repo;
use cairn::site::default_committer;
use criterion::{Criterion, criterion_group, criterion_main};
use std::path::Path;

const FILES: usize = 5_000;

/// A 1x1 PNG, made distinct per file by a text chunk (as real files are).
fn png(i: usize) -> Vec<u8> {
    let mut out =
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89".to_vec();
    let text = format!("n{i:05}");
    out.extend_from_slice(&(text.len() as u32).to_be_bytes());
    out.extend_from_slice(b"tEXt");
    out.extend_from_slice(text.as_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]); // CRC not checked by readers of the listing
    out.extend_from_slice(b"\0\0\0\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\0\x05\0\x01\xff\x89\x99=\x1d\0\0\0\0IEND\xaeB`\x82");
    out
}

/// A JPEG of about `size` bytes: the test photo (EXIF with GPS, a
/// comment) with its picture's data lengthened by bytes that hold no
/// marker, `seed` making each one distinct.
fn photo(size: usize, seed: u64) -> Vec<u8> {
    let base =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/media/gps.jpg"))
            .expect("fixture");
    let eoi = base.len() - 2;
    let mut out = base[..eoi].to_vec();
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    while out.len() < size {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        for b in x.to_le_bytes() {
            out.push(if b == 0xFF { 0xFE } else { b });
        }
    }
    out.extend_from_slice(&[0xFF, 0xD9]);
    out
}

fn make_site(path: &Path) {
    let mut files: Vec<(String, Vec<u8>)> = vec![(
        "_config.yml".into(),
        b"title: Bench\ncollections:\n  projects:\n    output: true\n".to_vec(),
    )];
    for i in 0..FILES {
        files.push((format!("assets/images/photo-{i:05}.png"), png(i)));
    }
    for i in 0..200 {
        files.push((
            format!("_projects/project-{i:03}.md"),
            format!(
                "---\nname: Project {i}\nfeatured_img: /assets/images/photo-{:05}.png\nalt: Photo {i}\n---\nSee ![a](/assets/images/photo-{:05}.png).\n",
                i * 7,
                i * 11
            )
            .into_bytes(),
        ));
    }
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, b)| (p.as_str(), b.as_slice()))
        .collect();
    Repo::create(path, &refs, &default_committer(), "Bench site", 0).expect("create the site");
}

/// A multipart body: `_csrf`, `folder`, then `file`.
fn multipart(csrf: &str, name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----cairn-bench-9b1e";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"folder\"\r\n\r\nassets\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: image/jpeg\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The server's peak resident memory so far, in KiB.
fn peak_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .expect("VmHWM")
}

fn media(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let (site, data) = (dir.path().join("site"), dir.path().join("data"));
    make_site(&site);
    let bin = Path::new(env!("CARGO_BIN_EXE_cairn"));
    let (served, client) = server::serve_signed_in(&rt, bin, &site, &data);
    let base = served.base.clone();
    let pid = served.child.id();
    let page = |path: &str| {
        let client = client.clone();
        let url = format!("{base}{path}");
        async move {
            let r = client.get(&url).send().await.expect("GET");
            assert_eq!(r.status().as_u16(), 200, "{url}");
            r.text().await.expect("body")
        }
    };
    let html = rt.block_on(page("/media"));
    assert!(
        html.contains("photo-00000.png"),
        "the library lists the files"
    );
    let csrf = server::csrf_of(&html);
    let upload = |name: String, bytes: Vec<u8>| {
        let client = client.clone();
        let url = format!("{base}/media");
        let (kind, body) = multipart(&csrf, &name, &bytes);
        async move {
            let r = client
                .post(&url)
                .header("content-type", kind)
                .header("origin", url.trim_end_matches("/media").to_string())
                .body(body)
                .send()
                .await
                .expect("POST");
            assert_eq!(r.status().as_u16(), 303, "{name}");
        }
    };

    // Peak memory: 10 uploads of 19.5 MiB at once.
    rt.block_on(page("/media?page=30"));
    let before = peak_kib(pid);
    let big: Vec<Vec<u8>> = (0..10)
        .map(|i| photo(19 * 1024 * 1024 + 512 * 1024, 1000 + i))
        .collect();
    rt.block_on(async {
        let all: Vec<_> = big
            .into_iter()
            .enumerate()
            .map(|(i, bytes)| tokio::spawn(upload(format!("big-{i}.jpg"), bytes)))
            .collect();
        for t in all {
            t.await.expect("upload");
        }
    });
    let after = peak_kib(pid);
    eprintln!(
        "media/peak_memory_10x19.5MiB: VmHWM {} MiB before the uploads, {} MiB after (+{} MiB for 195 MiB of uploads at once)",
        before / 1024,
        after / 1024,
        (after - before) / 1024
    );

    let mut group = c.benchmark_group("media");
    group.sample_size(20);
    group.bench_function("healthz_floor", |b| {
        b.iter(|| rt.block_on(page("/healthz")))
    });
    group.bench_function("library_5000_first_page", |b| {
        b.iter(|| rt.block_on(page("/media")))
    });
    group.bench_function("library_5000_page_30", |b| {
        b.iter(|| rt.block_on(page("/media?page=30")))
    });
    let mut n = 0u64;
    group.bench_function("upload_commit_5MiB_photo_stripped", |b| {
        b.iter_batched(
            || {
                n += 1;
                (n, photo(5 * 1024 * 1024, n))
            },
            |(i, bytes)| rt.block_on(upload(format!("photo-{i}.jpg"), bytes)),
            criterion::BatchSize::PerIteration,
        )
    });
    group.finish();
    // Every upload was stripped: the photo's camera is in none of them.
    let committed = std::fs::read(site.join("assets/photo-1.jpg")).expect("committed");
    assert!(!committed.windows(8).any(|w| w == b"CairnCam"));
}

criterion_group!(benches, media);
criterion_main!(benches);
