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

/// What a media field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    /// A picture (raster or SVG): shown as a thumbnail, described by alt text.
    Image,
    /// Any other file (a PDF, a video): shown by its name.
    File,
}

/// The kind of media file a path or address names, by its extension
/// (`/assets/a.JPG?v=2` is an image); `None` for anything else.
pub fn kind_by_name(path: &str) -> Option<MediaKind> {
    let path = path.split(['?', '#']).next().unwrap_or(path).trim();
    if path.is_empty() || path.contains(char::is_whitespace) {
        return None;
    }
    let name = path.rsplit('/').next().unwrap_or(path);
    let t = by_name(name)?;
    Some(if t.raster || t.extension == "svg" {
        MediaKind::Image
    } else {
        MediaKind::File
    })
}

/// A field of a collection that holds a media file, and how it is edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaField {
    pub key: String,
    pub kind: MediaKind,
    /// The field holding the image's alt text (`alt`, `image_alt`).
    pub alt: Option<String>,
    /// An image without alt text is refused unless marked decorative.
    pub alt_required: bool,
    /// Where a new file goes, as configured (`media_folder`) or as the
    /// collection's values already are (`/assets/images/projects`).
    pub folder: Option<String>,
}

/// Whether a field's name says it holds an image: `image`, `thumbnail`,
/// `*_img`, `*_image`, `*_thumbnail`.
fn named_like_image(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["image", "img", "thumbnail", "photo", "picture"].contains(&key.as_str())
        || ["_img", "_image", "_thumbnail", "_photo", "-img", "-image"]
            .iter()
            .any(|s| key.ends_with(s))
}

/// The media fields of a collection: those configured as `image` or
/// `file`, and those inferred (named like an image, or whose values are all
/// paths of media files). `keys`: every field the form may show. Each image
/// names its alt field: the configured `alt_field`, else the first of
/// `<key>_alt`, `<stem>_alt` (`featured_alt` for `featured_img`),
/// `image_alt` and `alt` that is among `keys` and not claimed by an image
/// before it.
pub fn media_fields(
    model: Option<&super::model::CollectionModel>,
    schema: &super::Schema,
    keys: &[&str],
) -> Vec<MediaField> {
    use super::model::Kind;
    let mut out: Vec<MediaField> = Vec::new();
    for key in keys {
        let configured = model.and_then(|m| m.field(key));
        let inferred = schema.field(key);
        let kind = match configured.and_then(|f| f.kind) {
            Some(Kind::Image) => Some(MediaKind::Image),
            Some(Kind::File) => Some(MediaKind::File),
            // Configured as something else: not a media field.
            Some(_) => None,
            None => match inferred.and_then(|f| f.media) {
                Some(kind) => Some(kind),
                None if named_like_image(key)
                    && inferred.is_none_or(|f| f.widget == super::Widget::Text) =>
                {
                    Some(MediaKind::Image)
                }
                None => None,
            },
        };
        let Some(kind) = kind else { continue };
        let alt = (kind == MediaKind::Image)
            .then(|| {
                if let Some(alt) = configured.and_then(|f| f.alt_field.clone()) {
                    return Some(alt);
                }
                let stem = ["_img", "_image", "_thumbnail", "-img", "-image"]
                    .iter()
                    .find_map(|s| key.strip_suffix(s));
                let mut candidates = vec![format!("{key}_alt")];
                if let Some(stem) = stem {
                    candidates.push(format!("{stem}_alt"));
                }
                candidates.push("image_alt".into());
                candidates.push("alt".into());
                candidates.into_iter().find(|c| {
                    keys.contains(&c.as_str())
                        && !out.iter().any(|m| m.alt.as_deref() == Some(c.as_str()))
                })
            })
            .flatten();
        let folder = configured
            .and_then(|f| f.media_folder.clone())
            .or_else(|| inferred.and_then(|f| f.media_folder.clone()));
        out.push(MediaField {
            key: key.to_string(),
            kind,
            alt,
            alt_required: configured.and_then(|f| f.alt_required).unwrap_or(true),
            folder,
        });
    }
    out
}

/// Why a photo's metadata could not be removed.
#[derive(Debug, thiserror::Error)]
pub enum StripError {
    #[error("the image's structure could not be read")]
    Unreadable,
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Writes the image `bytes` (of type `extension`) to `out` without the
/// metadata a photo carries about the person and the place: EXIF (GPS
/// position, camera, date, thumbnail), XMP, IPTC, comments, and (JPEG)
/// the other pictures of a multi-picture file; PNG's text chunks and
/// WebP's EXIF and XMP too. The pixels, the colour profile and the
/// orientation (a minimal EXIF with that one tag) are kept. `Ok(false)`,
/// nothing written: a type that carries no such metadata Cairn removes
/// (GIF, AVIF, SVG, PDF, video), to be kept as it is.
pub fn write_without_metadata(
    bytes: bytes::Bytes,
    extension: &str,
    out: &mut dyn std::io::Write,
) -> Result<bool, StripError> {
    use img_parts::ImageEXIF;
    match extension {
        "jpg" => {
            // What follows the picture's end (other pictures, trailers) goes.
            let end = picture_end(&bytes).ok_or(StripError::Unreadable)?;
            let trailing = bytes.len() - end;
            let mut jpeg =
                img_parts::jpeg::Jpeg::from_bytes(bytes).map_err(|_| StripError::Unreadable)?;
            let orientation = jpeg.exif().and_then(|e| orientation(&e));
            jpeg.segments_mut().retain(|s| {
                let m = s.marker();
                let mpf = m == img_parts::jpeg::markers::APP2 && s.contents().starts_with(b"MPF\0");
                // APP0 (JFIF), APP2 (the colour profile), APP14 (Adobe's colour
                // transform) and everything that is not an APPn or a comment.
                let app = (0xE0..=0xEF).contains(&m);
                !(mpf
                    || m == img_parts::jpeg::markers::COM
                    || (app && ![0xE0, 0xE2, 0xEE].contains(&m)))
            });
            jpeg.set_exif(orientation.map(orientation_exif));
            let keep = jpeg.len().saturating_sub(trailing) as u64;
            let mut taken = std::io::Read::take(jpeg.encoder().read(), keep);
            std::io::copy(&mut taken, out)?;
        }
        "png" => {
            let mut png =
                img_parts::png::Png::from_bytes(bytes).map_err(|_| StripError::Unreadable)?;
            for kind in [*b"eXIf", *b"tEXt", *b"zTXt", *b"iTXt", *b"tIME"] {
                png.remove_chunks_by_type(kind);
            }
            png.encoder().write_to(out)?;
        }
        "webp" => {
            let mut webp =
                img_parts::webp::WebP::from_bytes(bytes).map_err(|_| StripError::Unreadable)?;
            let orientation = webp.exif().and_then(|e| orientation(&e));
            webp.remove_chunks_by_id(*b"XMP ");
            webp.set_exif(orientation.map(orientation_exif));
            webp.encoder().write_to(out)?;
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// Writes the image `bytes` (JPEG, PNG or WebP) to `out` at most `max`
/// pixels on its longest side: decoded, turned upright as its EXIF
/// orientation says, scaled (Lanczos), encoded again in its own format
/// (JPEG at quality 88, WebP lossless); no metadata is written. Answers
/// the new width and height; `Ok(None)`, nothing written: not larger than
/// `max`, or a format Cairn does not resize.
pub fn write_resized(
    bytes: &[u8],
    extension: &str,
    max: u32,
    out: &mut dyn std::io::Write,
) -> Result<Option<(u32, u32)>, StripError> {
    use image::ImageDecoder;
    if !matches!(extension, "jpg" | "png" | "webp") {
        return Ok(None);
    }
    let reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(StripError::Io)?;
    let mut decoder = reader.into_decoder().map_err(|_| StripError::Unreadable)?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let (w, h) = decoder.dimensions();
    if w.max(h) <= max {
        return Ok(None);
    }
    let mut picture =
        image::DynamicImage::from_decoder(decoder).map_err(|_| StripError::Unreadable)?;
    picture.apply_orientation(orientation);
    let scaled = picture.resize(max, max, image::imageops::FilterType::Lanczos3);
    let size = (scaled.width(), scaled.height());
    let mut buffered = std::io::BufWriter::new(out);
    let written =
        match extension {
            "jpg" => scaled.to_rgb8().write_with_encoder(
                image::codecs::jpeg::JpegEncoder::new_with_quality(&mut buffered, 88),
            ),
            "png" => scaled.write_with_encoder(image::codecs::png::PngEncoder::new(&mut buffered)),
            _ => scaled.write_with_encoder(image::codecs::webp::WebPEncoder::new_lossless(
                &mut buffered,
            )),
        };
    written.map_err(|_| StripError::Unreadable)?;
    std::io::Write::flush(&mut buffered)?;
    Ok(Some(size))
}

/// Whether an AVIF (HEIF) file declares an `Exif` item: an item info
/// entry (`infe`, version 2 or 3) whose item type is `Exif`.
pub fn avif_has_exif(bytes: &[u8]) -> bool {
    bytes.windows(4).enumerate().any(|(i, w)| {
        // `infe`, then version and flags (4), item id (2 or 4), protection
        // index (2), item type (4).
        w == b"infe"
            && match bytes.get(i + 4) {
                Some(2) => bytes.get(i + 12..i + 16) == Some(b"Exif"),
                Some(3) => bytes.get(i + 14..i + 18) == Some(b"Exif"),
                _ => false,
            }
    })
}

/// The orientation tag of an EXIF block (TIFF bytes), when it turns the
/// picture (not 1, "as stored").
fn orientation(tiff: &[u8]) -> Option<u16> {
    let exif = exif::Reader::new().read_raw(tiff.to_vec()).ok()?;
    let field = exif.get_field(exif::Tag::Orientation, exif::In::PRIMARY)?;
    let value = u16::try_from(field.value.get_uint(0)?).ok()?;
    (2..=8).contains(&value).then_some(value)
}

/// A minimal EXIF block (little-endian TIFF) holding only the orientation.
fn orientation_exif(value: u16) -> bytes::Bytes {
    let mut tiff = Vec::with_capacity(26);
    tiff.extend_from_slice(b"II*\0");
    tiff.extend_from_slice(&8u32.to_le_bytes()); // the first directory
    tiff.extend_from_slice(&1u16.to_le_bytes()); // one entry
    tiff.extend_from_slice(&0x0112u16.to_le_bytes()); // Orientation
    tiff.extend_from_slice(&3u16.to_le_bytes()); // SHORT
    tiff.extend_from_slice(&1u32.to_le_bytes()); // one value
    tiff.extend_from_slice(&value.to_le_bytes());
    tiff.extend_from_slice(&[0, 0]);
    tiff.extend_from_slice(&0u32.to_le_bytes()); // no next directory
    bytes::Bytes::from(tiff)
}

/// Where a JPEG's picture ends: just after its end-of-image marker, found
/// by walking its segments to the first scan, then the scans.
fn picture_end(data: &[u8]) -> Option<usize> {
    let mut i = 2;
    loop {
        if *data.get(i)? != 0xFF {
            return None;
        }
        let marker = *data.get(i + 1)?;
        match marker {
            0xFF => i += 1,
            0xD9 => return Some(i + 2),
            0x01 | 0xD0..=0xD7 => i += 2,
            _ => {
                let len = usize::from(u16::from_be_bytes([*data.get(i + 2)?, *data.get(i + 3)?]));
                let next = i + 2 + len;
                if marker == 0xDA {
                    return Some(next + end_of_scans(data.get(next..)?)?);
                }
                i = next;
            }
        }
    }
}

/// Where a JPEG's picture ends in what follows its first scan header: just
/// after the end-of-image marker, found by walking the scans (entropy-coded
/// bytes, where `FF` is followed by `00`, a restart marker or fill) and the
/// segments between them (progressive pictures), each skipped by its
/// length. `None`: the picture never ends.
fn end_of_scans(data: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i + 1 < data.len() {
        if data[i] != 0xFF {
            i += 1;
            continue;
        }
        match data[i + 1] {
            0x00 | 0xD0..=0xD7 | 0x01 => i += 2,
            0xFF => i += 1,
            0xD9 => return Some(i + 2),
            _ => {
                // A segment with its length (DHT, SOS, DRI, ...).
                let len = usize::from(u16::from_be_bytes([*data.get(i + 2)?, *data.get(i + 3)?]));
                i += 2 + len;
            }
        }
    }
    None
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

    /// A 48x32 photo with EXIF (camera, date, orientation 6, a GPS
    /// position) and a comment, as a phone's would carry them.
    const GPS_JPEG: &[u8] = include_bytes!("../../tests/fixtures/media/gps.jpg");

    fn exif_of(jpeg: &[u8]) -> Option<exif::Exif> {
        exif::Reader::new()
            .read_from_container(&mut std::io::Cursor::new(jpeg))
            .ok()
    }

    #[test]
    fn a_photo_loses_its_position_camera_and_comment_but_keeps_its_orientation() {
        let before = exif_of(GPS_JPEG).expect("the fixture has EXIF");
        assert!(
            before
                .get_field(exif::Tag::GPSLatitude, exif::In::PRIMARY)
                .is_some()
        );
        // A second picture after the first's end (as multi-picture files
        // carry), which has its own metadata.
        let mut with_trailer = GPS_JPEG.to_vec();
        with_trailer.extend_from_slice(GPS_JPEG);
        let mut out = Vec::new();
        let done = write_without_metadata(bytes::Bytes::from(with_trailer), "jpg", &mut out)
            .expect("strip");
        assert!(done);
        let after = exif_of(&out).expect("the orientation is kept in a minimal EXIF");
        let tags: Vec<exif::Tag> = after.fields().map(|f| f.tag).collect();
        assert_eq!(tags, [exif::Tag::Orientation], "{tags:?}");
        let o = after
            .get_field(exif::Tag::Orientation, exif::In::PRIMARY)
            .and_then(|f| f.value.get_uint(0));
        assert_eq!(o, Some(6));
        assert!(
            !out.windows(13).any(|w| w == b"taken at home"),
            "the comment is gone"
        );
        assert!(
            !out.windows(8).any(|w| w == b"CairnCam"),
            "the camera is gone"
        );
        assert!(out.len() < GPS_JPEG.len(), "the second picture is gone");
        assert!(out.ends_with(&[0xFF, 0xD9]));
        // The picture itself (from its first scan on) is untouched.
        let scan = |b: &[u8]| {
            b.windows(2)
                .position(|w| w == [0xFF, 0xDA])
                .map(|i| b[i..].to_vec())
        };
        let original_scan = scan(GPS_JPEG).expect("sos");
        assert_eq!(scan(&out).expect("sos"), original_scan);
        assert_eq!(
            imagesize::blob_size(&out).map(|d| (d.width, d.height)).ok(),
            Some((48, 32))
        );
    }

    #[test]
    fn png_text_chunks_go_and_damaged_images_are_refused() {
        // A PNG with a tEXt chunk (an author's name, say).
        let mut png = Vec::new();
        let chunk = |kind: &[u8], data: &[u8], out: &mut Vec<u8>| {
            out.extend_from_slice(&(data.len() as u32).to_be_bytes());
            let mut c = kind.to_vec();
            c.extend_from_slice(data);
            out.extend_from_slice(&c);
            let crc = crc32(&c);
            out.extend_from_slice(&crc.to_be_bytes());
        };
        png.extend_from_slice(b"\x89PNG\r\n\x1a\n");
        chunk(b"IHDR", b"\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0", &mut png);
        chunk(b"tEXt", b"Author\0Jane Doe", &mut png);
        chunk(
            b"IDAT",
            b"x\x9cc\xf8\xcf\xc0\xf0\x1f\0\x05\0\x01\xff",
            &mut png,
        );
        chunk(b"IEND", b"", &mut png);
        let mut out = Vec::new();
        assert!(
            write_without_metadata(bytes::Bytes::from(png.clone()), "png", &mut out).expect("png")
        );
        assert!(!out.windows(8).any(|w| w == b"Jane Doe"));
        assert!(out.len() < png.len());
        // Not a container Cairn strips: left as it is.
        let mut none = Vec::new();
        assert!(
            !write_without_metadata(bytes::Bytes::from_static(b"GIF89a"), "gif", &mut none)
                .expect("gif")
        );
        assert!(none.is_empty());
        // A JPEG cut short has no end: refused rather than kept with its GPS.
        let cut = bytes::Bytes::copy_from_slice(&GPS_JPEG[..GPS_JPEG.len() / 2]);
        assert!(write_without_metadata(cut, "jpg", &mut Vec::new()).is_err());
    }

    #[test]
    fn an_avif_with_exif_is_told_apart() {
        // infe v2: version 2, flags, item id 1, protection 0, type.
        let mut with = b"\0\0\0\x15infe\x02\0\0\0\0\x01\0\0".to_vec();
        with.extend_from_slice(b"Exif\0");
        let mut without = b"\0\0\0\x15infe\x02\0\0\0\0\x01\0\0".to_vec();
        without.extend_from_slice(b"av01\0");
        assert!(avif_has_exif(&with));
        assert!(!avif_has_exif(&without));
        let mut v3 = b"\0\0\0\x17infe\x03\0\0\0\0\0\0\x01\0\0".to_vec();
        v3.extend_from_slice(b"Exif\0");
        assert!(avif_has_exif(&v3));
    }

    /// PNG's CRC-32, for the test's chunks.
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for b in data {
            crc ^= u32::from(*b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn media_fields_are_configured_or_inferred_with_their_alt_text() {
        use crate::content::Document;
        let docs: Vec<Document> = [
            "---\nfeatured_img: /assets/images/projects/a.jpg\nalt: A\nvideo_path: /assets/videos/a.mp4\nimg_link: https://example.org\n---\n",
            "---\nfeatured_img: /assets/images/projects/b.png\nalt: B\nvideo_path:\nimg_link:\n---\n",
        ]
        .iter()
        .map(|t| Document::parse(t.as_bytes()).expect("doc"))
        .collect();
        let schema = crate::content::Schema::infer(&docs);
        let keys = ["featured_img", "alt", "video_path", "img_link", "thumbnail"];
        let fields = media_fields(None, &schema, &keys);
        let by = |k: &str| fields.iter().find(|f| f.key == k);
        let img = by("featured_img").expect("featured_img");
        assert_eq!(img.kind, MediaKind::Image);
        assert_eq!(img.alt.as_deref(), Some("alt"));
        assert_eq!(img.folder.as_deref(), Some("/assets/images/projects"));
        assert_eq!(by("video_path").map(|f| f.kind), Some(MediaKind::File));
        assert!(by("img_link").is_none(), "a link is not a file");
        // Named like an image, no values yet: an image; `alt` is taken.
        let thumb = by("thumbnail").expect("thumbnail");
        assert_eq!((thumb.kind, thumb.alt.as_deref()), (MediaKind::Image, None));
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
