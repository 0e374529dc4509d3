//! Media files (images, documents, videos): what a file is, read from its
//! bytes and never from its name; which names are safe to write; and where
//! a site keeps them.

/// A kind of file Cairn accepts, and how it is served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MediaType {
    /// `image/png`.
    pub mime: &'static str,
    /// The extension a file of this type is named with (`png`).
    pub extension: &'static str,
    /// A raster image, shown inline; everything else is served as an
    /// attachment.
    pub raster: bool,
}

/// The types accepted: images (JPEG, PNG, GIF, WebP, AVIF, SVG), PDF, and
/// video (MP4, WebM).
pub const ACCEPTED: &[MediaType] = &[
    MediaType {
        mime: "image/jpeg",
        extension: "jpg",
        raster: true,
    },
    MediaType {
        mime: "image/png",
        extension: "png",
        raster: true,
    },
    MediaType {
        mime: "image/gif",
        extension: "gif",
        raster: true,
    },
    MediaType {
        mime: "image/webp",
        extension: "webp",
        raster: true,
    },
    MediaType {
        mime: "image/avif",
        extension: "avif",
        raster: true,
    },
    MediaType {
        mime: "image/svg+xml",
        extension: "svg",
        raster: false,
    },
    MediaType {
        mime: "application/pdf",
        extension: "pdf",
        raster: false,
    },
    MediaType {
        mime: "video/mp4",
        extension: "mp4",
        raster: false,
    },
    MediaType {
        mime: "video/webm",
        extension: "webm",
        raster: false,
    },
];

/// Extensions that name the same type as another (`jpeg` for `jpg`).
const SAME_AS: &[(&str, &str)] = &[("jpeg", "jpg"), ("m4v", "mp4")];

/// What `bytes` are, if they are one of the accepted types: binary types by
/// their magic numbers, SVG by its root element.
pub fn sniff(bytes: &[u8]) -> Option<MediaType> {
    // SVG first: infer reads any XML declaration as `text/xml`.
    if is_svg(bytes) {
        return ACCEPTED.iter().copied().find(|t| t.extension == "svg");
    }
    if let Some(kind) = infer::get(bytes) {
        let mime = match kind.mime_type() {
            // The MP4 family (ISO base media) is one type to serve.
            "video/quicktime" | "video/x-m4v" => "video/mp4",
            other => other,
        };
        return ACCEPTED.iter().copied().find(|t| t.mime == mime);
    }
    None
}

/// Whether `bytes` are an SVG document: UTF-8 text whose first element,
/// after an XML declaration, comments and a doctype, is `<svg`.
fn is_svg(bytes: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(&bytes[..bytes.len().min(4096)]).or_else(|e| {
        // Cut inside a character: the valid part is enough to look at.
        std::str::from_utf8(&bytes[..e.valid_up_to()])
    }) else {
        return false;
    };
    let mut rest = text.trim_start_matches('\u{feff}').trim_start();
    loop {
        if let Some(r) = rest.strip_prefix("<?") {
            let Some(end) = r.find("?>") else {
                return false;
            };
            rest = r[end + 2..].trim_start();
        } else if let Some(r) = rest.strip_prefix("<!--") {
            let Some(end) = r.find("-->") else {
                return false;
            };
            rest = r[end + 3..].trim_start();
        } else if let Some(r) = rest.strip_prefix("<!DOCTYPE") {
            let Some(end) = r.find('>') else { return false };
            rest = r[end + 1..].trim_start();
        } else {
            break;
        }
    }
    rest.strip_prefix("<svg")
        .is_some_and(|r| r.starts_with(|c: char| c.is_whitespace() || c == '>' || c == '/'))
}

/// Whether an SVG can be kept as it is: no script, no event handler, no
/// embedded HTML or entity, and no reference to anything outside itself.
/// Cairn does not rewrite SVG files; one that fails this is refused.
pub fn svg_is_safe(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes).to_lowercase();
    const FORBIDDEN: &[&str] = &[
        "<script",
        "javascript:",
        "<foreignobject",
        "<iframe",
        "<embed",
        "<object",
        "<!entity",
        "href=\"http",
        "href='http",
        "href=\"//",
        "href='//",
        "url(http",
        "url(//",
        "@import",
        "<use",
    ];
    if FORBIDDEN.iter().any(|f| text.contains(f)) {
        return false;
    }
    // An event handler attribute: ` onload=`, `\tonclick =`. (A pattern
    // that did not compile refuses every SVG rather than letting one by.)
    regex::Regex::new(r"[\s/]on[a-z]+\s*=").is_ok_and(|handler| !handler.is_match(&text))
}

/// The type a file's name says (its extension, any case).
pub fn by_name(name: &str) -> Option<MediaType> {
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    let ext = SAME_AS
        .iter()
        .find(|(alias, _)| *alias == ext)
        .map_or(ext.as_str(), |(_, canonical)| canonical);
    ACCEPTED.iter().copied().find(|t| t.extension == ext)
}

/// Why a file name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadName {
    #[error("the name is empty once cleaned")]
    Empty,
    #[error("the name holds a folder separator or a control character")]
    Path,
    #[error("the name has no extension Cairn accepts")]
    Extension,
}

/// A file name as it is written into the site: accents folded, letters and digits kept,
/// anything else one `-`, no leading dot, lower-case extension, at most 100
/// characters. Refused when nothing is left or its extension is not one
/// of [`ACCEPTED`].
pub fn clean_name(name: &str) -> Result<String, BadName> {
    // A file's own name: a folder part or a hidden character is refused.
    if name.contains(['/', '\\']) || name.chars().any(char::is_control) {
        return Err(BadName::Path);
    }
    let (stem, ext) = name.rsplit_once('.').ok_or(BadName::Extension)?;
    let ext = ext.to_ascii_lowercase();
    let ext = SAME_AS
        .iter()
        .find(|(alias, _)| *alias == ext)
        .map_or(ext.clone(), |(_, canonical)| canonical.to_string());
    if !ACCEPTED.iter().any(|t| t.extension == ext) {
        return Err(BadName::Extension);
    }
    let stem: String = super::dashed(&super::fold(stem), |c| {
        c.is_ascii_alphanumeric() || c == '_'
    })
    .chars()
    .take(100)
    .collect();
    if stem.is_empty() {
        return Err(BadName::Empty);
    }
    Ok(format!("{stem}.{ext}"))
}

/// Where the site keeps its media: the configured `media_folder`s (the
/// site's and its collections'), else `assets`, Jekyll's usual folder for
/// them. Paths relative to the site's root, without slashes around.
pub fn media_folders(model: &super::Model) -> Vec<String> {
    let mut out: Vec<String> = model
        .media_folder
        .iter()
        .chain(
            model
                .collections
                .iter()
                .filter_map(|c| c.media_folder.as_ref()),
        )
        .map(|f| f.trim_matches('/').to_string())
        .filter(|f| !f.is_empty() && f.split('/').all(|s| !s.is_empty() && s != "." && s != ".."))
        .collect();
    out.dedup();
    if out.is_empty() {
        out.push("assets".into());
    }
    out
}

/// Whether `path` (relative to the site's root) is inside one of `folders`,
/// with no `..`, empty or hidden segment on the way.
pub fn is_media_path(path: &str, folders: &[String]) -> bool {
    let safe = path
        .split('/')
        .all(|s| !s.is_empty() && !s.starts_with('.') && !s.chars().any(char::is_control));
    safe && folders.iter().any(|f| {
        path.strip_prefix(f.as_str())
            .is_some_and(|r| r.starts_with('/'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] =
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
    const JPEG: &[u8] = b"\xff\xd8\xff\xe0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0";
    const PDF: &[u8] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n";

    #[test]
    fn the_type_comes_from_the_bytes() {
        assert_eq!(sniff(PNG).map(|t| t.mime), Some("image/png"));
        assert_eq!(sniff(JPEG).map(|t| t.extension), Some("jpg"));
        assert_eq!(
            sniff(PDF).map(|t| (t.mime, t.raster)),
            Some(("application/pdf", false))
        );
        let svg =
            b"<?xml version=\"1.0\"?>\n<!-- drawn -->\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>";
        assert_eq!(sniff(svg).map(|t| t.mime), Some("image/svg+xml"));
        // An HTML page named .png is no image; neither is text or nothing.
        assert_eq!(
            sniff(b"<!DOCTYPE html><html><script>alert(1)</script>"),
            None
        );
        assert_eq!(sniff(b"<svgx>"), None);
        assert_eq!(sniff(b"hello"), None);
        assert_eq!(sniff(b""), None);
        // A type infer knows but Cairn does not accept.
        assert_eq!(sniff(b"PK\x03\x04\x14\0\0\0"), None, "a zip");
    }

    #[test]
    fn names_are_cleaned_and_refused_when_nothing_is_left() {
        assert_eq!(
            clean_name("Photo Été 2024.JPEG"),
            Ok("photo-ete-2024.jpg".into())
        );
        assert_eq!(clean_name("../../_config.yml"), Err(BadName::Path));
        assert_eq!(clean_name("../../evil.png"), Err(BadName::Path));
        assert_eq!(clean_name("C:\\Users\\a\\plan.PDF"), Err(BadName::Path));
        assert_eq!(clean_name(".hidden.png"), Ok("hidden.png".into()));
        assert_eq!(clean_name("a\0b.png"), Err(BadName::Path));
        assert_eq!(clean_name("a&b (1).PNG"), Ok("a-b-1.png".into()));
        assert_eq!(clean_name("....png"), Err(BadName::Empty));
        assert_eq!(clean_name("photo"), Err(BadName::Extension));
        assert_eq!(clean_name("x.exe"), Err(BadName::Extension));
        assert_eq!(by_name("a.JPEG").map(|t| t.mime), Some("image/jpeg"));
    }

    #[test]
    fn svg_with_scripts_handlers_or_outside_references_is_refused() {
        assert!(svg_is_safe(
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"><circle r=\"4\" fill=\"url(#g)\"/></svg>"
        ));
        for bad in [
            "<svg><script>alert(1)</script></svg>",
            "<svg onload=\"alert(1)\"/>",
            "<svg><a href=\"javascript:alert(1)\">x</a></svg>",
            "<svg><image href=\"https://evil.example/x.png\"/></svg>",
            "<svg><foreignObject><div>x</div></foreignObject></svg>",
            "<svg><style>@import url(//evil.example/a.css);</style></svg>",
            "<!DOCTYPE svg [<!ENTITY x \"y\">]><svg/>",
            "<svg><rect\tONCLICK = \"x()\"/></svg>",
        ] {
            assert!(!svg_is_safe(bad.as_bytes()), "{bad}");
        }
    }

    #[test]
    fn media_paths_stay_inside_the_media_folders() {
        let folders = vec!["assets".to_string(), "uploads/img".to_string()];
        assert!(is_media_path("assets/img/a.png", &folders));
        assert!(is_media_path("uploads/img/a.png", &folders));
        for bad in [
            "_config.yml",
            "assets",
            "assetsx/a.png",
            "assets/../_config.yml",
            "assets//a.png",
            "assets/.git/config",
            "uploads/a.png",
            "assets/a\u{0}.png",
        ] {
            assert!(!is_media_path(bad, &folders), "{bad}");
        }
        let model = crate::content::Model::default();
        assert_eq!(media_folders(&model), ["assets"]);
    }
}
