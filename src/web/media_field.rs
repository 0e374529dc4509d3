//! An image or file field on a document's form (issue 16): the current
//! file's thumbnail (or name), "Upload a new one" (a plain file box, so it
//! works without JavaScript), "Choose from the library" (a button that
//! shows the form again with the library's files to pick), "Remove", and,
//! for an image, its alt text with a hint and a "decorative image" box.
//!
//! Form names, besides `f.<key>` (the value): `u.<key>` the file box,
//! `p.<key>` a pending upload kept from a refused save, `r.<key>` remove,
//! `a.<key>` the alt field's key, `d.<key>` decorative, `mq.<key>` the
//! chooser's search; the button `op=media:<key>` opens the chooser.

use crate::content::media::{MediaField, MediaKind};
use crate::i18n::{Lang, ToArg};
use crate::site::media::Choice;
use crate::site::uploads::Pending;

/// How many of the library's files the chooser lists at once.
pub(super) const CHOICES: usize = 60;

/// A media field's controls.
#[derive(Debug, Clone)]
pub(super) struct MediaView {
    /// An image (thumbnail, alt text), else any file.
    pub image: bool,
    /// What the file box takes (`image/*`).
    pub accept: String,
    /// The "resized copy" box's words (with the limit).
    pub resize_label: String,
    /// The current file's thumbnail (`/media/file/...`).
    pub thumb: Option<String>,
    /// The current file's name, as the editor reads it; empty: none.
    pub name: String,
    /// A file chosen and not saved yet: its id, what to say of it, and
    /// its thumbnail (shown to its sender only).
    pub pending: Option<(String, String, Option<String>)>,
    pub alt: Option<AltView>,
    /// The chooser is open: the files to pick (value, thumbnail, label,
    /// picked).
    pub choices: Vec<(String, Option<String>, String, bool)>,
    pub chooser_open: bool,
    /// The chooser's search, and what it says of how many it shows.
    pub query: String,
    pub shown: String,
}

/// An image's alt text, shown with it.
#[derive(Debug, Clone)]
pub(super) struct AltView {
    pub key: String,
    pub label: String,
    pub value: String,
    pub error: Option<String>,
    pub decorative: bool,
    /// Filled in from another page that uses the same image.
    pub remembered: bool,
}

/// What every media field of a form is shown with.
pub(super) struct Around<'a> {
    /// The library's files, when a field's chooser is open.
    pub chooser: Option<&'a Chooser>,
    pub model: &'a crate::content::Model,
    /// `--max-image-pixels`.
    pub max_pixels: u32,
    pub lang: Lang,
}

/// The library's files for an open chooser.
#[derive(Debug, Clone, Default)]
pub(super) struct Chooser {
    pub key: String,
    pub query: String,
    pub choices: Vec<Choice>,
    pub total: usize,
}

/// The "resized copy" box's words, its limit written as the reader writes
/// numbers (`2,560`; `2 560` in French).
pub(super) fn resize_label(max_pixels: u32, lang: Lang) -> String {
    let digits = max_pixels.to_string();
    let sep = if lang.code() == "fr" { "\u{a0}" } else { "," };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(c);
    }
    lang.t_with("media-resize", &[("px", out.as_str().to_arg())])
}

/// The thumbnail address for a value naming a file of the site (any image
/// a browser shows), else `None`.
pub(super) fn thumbnail(model: &crate::content::Model, value: &str) -> Option<String> {
    let path = crate::site::media::site_path(model, value);
    let folders = crate::content::media::media_folders(model);
    let shown =
        crate::content::media::by_name(&path).is_some_and(|t| t.raster || t.extension == "svg");
    (shown && crate::content::media::is_media_path(&path, &folders))
        .then(|| super::media_url(&path))
}

/// What a media field's form shows, from its value, its alt field (as the
/// form would show it: the file's value or the person's), the alt text
/// other pages give the file, and a file chosen and not saved yet.
pub(super) fn view(
    field: &MediaField,
    value: &str,
    alt: Option<AltView>,
    remembered: Option<&String>,
    pending: Option<&Pending>,
    around: &Around<'_>,
) -> MediaView {
    let Around {
        chooser,
        model,
        max_pixels,
        lang,
    } = *around;
    let image = field.kind == MediaKind::Image;
    let name = value
        .split(['?', '#'])
        .next()
        .unwrap_or(value)
        .rsplit('/')
        .next()
        .unwrap_or(value)
        .to_string();
    let chooser = chooser.filter(|c| c.key == field.key);
    let choices = chooser
        .map(|c| {
            c.choices
                .iter()
                .map(|choice| {
                    let file = choice.path.rsplit('/').next().unwrap_or(&choice.path);
                    let label = match &choice.alt {
                        Some(alt) => format!("{file} · “{alt}”"),
                        None => file.to_string(),
                    };
                    (
                        choice.public.clone(),
                        thumbnail(model, &choice.public),
                        label,
                        choice.public == value,
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let shown = chooser
        .map(|c| {
            if c.total == 0 {
                lang.t("media-choose-none")
            } else if c.choices.len() == c.total {
                lang.t_with("media-choose-all", &[("total", c.total.to_arg())])
            } else {
                lang.t_with(
                    "media-choose-shown",
                    &[
                        ("shown", c.choices.len().to_arg()),
                        ("total", c.total.to_arg()),
                    ],
                )
            }
        })
        .unwrap_or_default();
    let alt_view = alt.map(|mut alt| {
        // Refused for want of alt text: what another page says of the same
        // image is offered, filled in, to check before saving again.
        if let Some(offer) = remembered
            .filter(|_| alt.value.trim().is_empty() && alt.error.is_some() && !alt.decorative)
        {
            alt.value = offer.clone();
            alt.remembered = true;
        }
        alt
    });
    MediaView {
        image,
        accept: if image {
            "image/*".into()
        } else {
            "image/*,application/pdf,video/mp4,video/webm".into()
        },
        thumb: if value.is_empty() {
            None
        } else {
            thumbnail(model, value)
        },
        name,
        resize_label: resize_label(max_pixels, lang),
        pending: pending.map(|p| {
            let shown = p.kind().is_some_and(|k| k.raster || k.extension == "svg");
            let said = match (p.resized_from, p.dimensions) {
                (Some((fw, fh)), Some((w, h))) => lang.t_with(
                    "media-pending-resized",
                    &[
                        ("name", p.name.as_str().to_arg()),
                        ("w", w.to_arg()),
                        ("h", h.to_arg()),
                        ("fw", fw.to_arg()),
                        ("fh", fh.to_arg()),
                    ],
                ),
                _ => lang.t_with("media-pending", &[("name", p.name.as_str().to_arg())]),
            };
            (
                p.id.clone(),
                said,
                shown.then(|| format!("/media/pending/{}", p.id)),
            )
        }),
        alt: alt_view,
        choices,
        chooser_open: chooser.is_some(),
        query: chooser.map(|c| c.query.clone()).unwrap_or_default(),
        shown,
    }
}
