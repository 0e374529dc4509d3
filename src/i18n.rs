//! The interface's languages. Every word a person reads comes from the
//! message catalogues in `locales/` (Project Fluent, compiled into the
//! binary), French and English, with each language's plural rules. Which
//! language a request gets: the account's choice, else the browser's
//! `Accept-Language`, else the site's default (`--default-language`).
//! Knows nothing of HTTP beyond reading that header's text.

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // No Unicode isolation marks around arguments: they would show in
        // form values and break text comparisons, and HTML needs none.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// A language of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    En,
    Fr,
}

static IDS: LazyLock<[LanguageIdentifier; 2]> = LazyLock::new(|| {
    [
        fluent_templates::langid!("en"),
        fluent_templates::langid!("fr"),
    ]
});

/// An argument of a message.
#[derive(Debug, Clone)]
pub enum Arg {
    Text(String),
    Number(i64),
}

/// What can be a message's argument: text, or a number (plurals depend
/// on it). References to either are too, however deep, as templates pass
/// them.
pub trait ToArg {
    fn to_arg(&self) -> Arg;
}

impl ToArg for str {
    fn to_arg(&self) -> Arg {
        Arg::Text(self.to_string())
    }
}

impl ToArg for String {
    fn to_arg(&self) -> Arg {
        Arg::Text(self.clone())
    }
}

impl ToArg for i64 {
    fn to_arg(&self) -> Arg {
        Arg::Number(*self)
    }
}

/// A whole number is a number (for plurals); any other is written as text.
impl ToArg for f64 {
    fn to_arg(&self) -> Arg {
        if self.fract() == 0.0 && self.abs() < 1e15 {
            Arg::Number(*self as i64)
        } else {
            Arg::Text(self.to_string())
        }
    }
}

impl ToArg for usize {
    fn to_arg(&self) -> Arg {
        Arg::Number(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}

impl ToArg for u32 {
    fn to_arg(&self) -> Arg {
        Arg::Number(i64::from(*self))
    }
}

impl ToArg for u64 {
    fn to_arg(&self) -> Arg {
        Arg::Number(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}

impl<T: ToArg + ?Sized> ToArg for &T {
    fn to_arg(&self) -> Arg {
        (**self).to_arg()
    }
}

impl<T: ToArg> From<&T> for Arg {
    fn from(value: &T) -> Arg {
        value.to_arg()
    }
}

impl From<i64> for Arg {
    fn from(n: i64) -> Arg {
        Arg::Number(n)
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Text(s)
    }
}

impl Lang {
    /// Every language, in the order the account page offers them.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Fr];

    /// The BCP 47 code (`<html lang>`, the stored choice).
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }

    /// The language's own name, as a language menu shows it.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Fr => "Français",
        }
    }

    fn id(self) -> &'static LanguageIdentifier {
        match self {
            Lang::En => &IDS[0],
            Lang::Fr => &IDS[1],
        }
    }

    /// A language tag (`fr`, `fr-CA`, `EN-gb`): its primary language, if
    /// the interface has it.
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "fr" => Some(Lang::Fr),
            _ => None,
        }
    }

    /// The preferred language of an `Accept-Language` header that the
    /// interface has (by quality, then order), if any.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',').take(32) {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or_default();
            let quality = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok());
            let (Some(lang), Some(q)) = (Lang::parse(tag), quality) else {
                continue;
            };
            if q > 0.0 && best.is_none_or(|(b, _)| q > b) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, lang)| lang)
    }

    /// The message `key`.
    pub fn t(self, key: &str) -> String {
        self.lookup(key, None)
    }

    /// A role's name (`admin`, `editor`, `reviewer`) in this language.
    pub fn role(self, role: &str) -> String {
        self.t(&format!("role-{role}"))
    }

    /// The message `key`, if the catalogue has it.
    pub fn try_t(self, key: &str) -> Option<String> {
        LOCALES.try_lookup_complete(self.id(), key, None)
    }

    /// The message `key` with its arguments.
    pub fn t_with(self, key: &str, args: &[(&str, Arg)]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue<'static>> = args
            .iter()
            .map(|(name, value)| {
                let value = match value {
                    Arg::Text(s) => FluentValue::from(s.clone()),
                    Arg::Number(n) => FluentValue::from(*n),
                };
                (Cow::Owned((*name).to_string()), value)
            })
            .collect();
        self.lookup(key, Some(&args))
    }

    fn lookup(
        self,
        key: &str,
        args: Option<&HashMap<Cow<'static, str>, FluentValue<'static>>>,
    ) -> String {
        match LOCALES.try_lookup_complete(self.id(), key, args) {
            Some(text) => text,
            None => {
                tracing::error!(
                    key,
                    lang = self.code(),
                    "a message is missing from the catalogue"
                );
                key.to_string()
            }
        }
    }
}

/// A time zone people choose by its IANA name (`America/Toronto`).
#[derive(Debug, Clone)]
pub struct Zone {
    name: String,
    tz: jiff::tz::TimeZone,
}

/// Zones are the same when their names are.
impl PartialEq for Zone {
    fn eq(&self, other: &Zone) -> bool {
        self.name == other.name
    }
}

impl Eq for Zone {}

impl Default for Zone {
    fn default() -> Self {
        Zone {
            name: "UTC".into(),
            tz: jiff::tz::TimeZone::UTC,
        }
    }
}

impl Zone {
    /// The zone named `name`, if the time zone database has it.
    pub fn parse(name: &str) -> Option<Zone> {
        let name = name.trim();
        let tz = jiff::tz::db().get(name).ok()?;
        Some(Zone {
            name: name.to_string(),
            tz,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Every zone's name, sorted, for a menu.
    pub fn all() -> Vec<String> {
        let mut names: Vec<String> = jiff::tz::db()
            .available()
            .map(|n| n.as_str().to_string())
            .filter(|n| n.contains('/') || n == "UTC")
            .collect();
        names.sort();
        names.dedup();
        names
    }
}

/// A moment as a page shows it: in the person's language and time zone,
/// with the exact UTC time for the `title` and the `datetime` attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct When {
    /// "1 Dec 2026, 15:29 EST"; "1 déc. 2026, 15 h 29 HNE".
    pub local: String,
    /// "2026-12-01 20:29 UTC".
    pub utc: String,
    /// "2026-12-01T20:29:00Z".
    pub iso: String,
}

impl std::fmt::Display for When {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.local)
    }
}

impl Lang {
    /// `secs` (since the Unix epoch) as this language writes it, in `zone`.
    pub fn when(self, zone: &Zone, secs: i64) -> When {
        let Ok(at) = jiff::Timestamp::from_second(secs) else {
            let raw = secs.to_string();
            return When {
                local: raw.clone(),
                utc: raw.clone(),
                iso: raw,
            };
        };
        let local = at.to_zoned_datetime(zone.tz.clone());
        let utc = at.to_zoned_datetime(jiff::tz::TimeZone::UTC);
        let abbreviation = local.strftime("%Z").to_string();
        let text = self.t_with(
            "datetime",
            &[
                ("day", i64::from(local.day()).into()),
                ("month", self.t(&format!("month-{}", local.month())).into()),
                ("year", i64::from(local.year()).into()),
                ("hour", format!("{:02}", local.hour()).into()),
                ("minute", format!("{:02}", local.minute()).into()),
                ("zone", abbreviation.into()),
            ],
        );
        When {
            local: text,
            utc: utc.strftime("%Y-%m-%d %H:%M UTC").to_string(),
            iso: utc.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        }
    }
}

/// A text given once, or per language (`{fr: "Nom", en: "Name"}`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LocalText {
    /// Given without a language.
    pub any: Option<String>,
    /// `(language, text)`, as written.
    pub by_language: Vec<(String, String)>,
}

impl LocalText {
    /// The text for `language` (`en`, `fr`), else the one given without a
    /// language, else English, else the first given.
    pub fn get(&self, language: &str) -> Option<&str> {
        let pick = |code: &str| {
            self.by_language
                .iter()
                .find(|(l, _)| l == code)
                .map(|(_, t)| t.as_str())
        };
        pick(language)
            .or(self.any.as_deref())
            .or_else(|| pick("en"))
            .or_else(|| self.by_language.first().map(|(_, t)| t.as_str()))
    }

    /// `other`'s texts over `self`'s, language by language.
    /// Nothing was given.
    pub fn is_empty(&self) -> bool {
        self.any.is_none() && self.by_language.is_empty()
    }

    pub fn or(self, other: LocalText) -> LocalText {
        let mut by_language = self.by_language;
        for (lang, text) in other.by_language {
            match by_language.iter_mut().find(|(l, _)| *l == lang) {
                Some(entry) => entry.1 = text,
                None => by_language.push((lang, text)),
            }
        }
        LocalText {
            any: other.any.or(self.any),
            by_language,
        }
    }
}

/// Something to tell a person: text already in their language, or a
/// catalogue message put into theirs when it is shown. The domain (field
/// checks, errors) speaks in these, without knowing the language.
#[derive(Debug, Clone)]
pub enum Message {
    Text(String),
    Key(&'static str, Vec<(&'static str, Arg)>),
    /// A text the site's configuration gives, per language or once.
    PerLanguage(LocalText),
    /// Several messages said one after another (an introduction, then
    /// each refused value).
    Joined(Vec<Message>),
}

impl Message {
    /// A catalogue message without arguments.
    pub fn key(key: &'static str) -> Message {
        Message::Key(key, Vec::new())
    }

    /// The message in `lang`.
    pub fn in_lang(&self, lang: Lang) -> String {
        match self {
            Message::Text(text) => text.clone(),
            Message::Key(key, args) => lang.t_with(key, args),
            Message::PerLanguage(text) => text.get(lang.code()).unwrap_or_default().to_string(),
            Message::Joined(parts) => parts
                .iter()
                .map(|m| m.in_lang(lang))
                .collect::<Vec<_>>()
                .join(" "),
        }
    }
}

impl From<String> for Message {
    fn from(text: String) -> Message {
        Message::Text(text)
    }
}

impl From<&str> for Message {
    fn from(text: &str) -> Message {
        Message::Text(text.to_string())
    }
}

/// For logs: the English.
impl std::fmt::Display for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.in_lang(Lang::En))
    }
}

/// The keys of a catalogue file's messages (not its terms), for the check
/// that both languages have the same ones.
pub fn message_keys(ftl: &str) -> Vec<String> {
    ftl.lines()
        .filter(|line| line.starts_with(|c: char| c.is_ascii_alphabetic()))
        .filter_map(|line| line.split_once('=').map(|(k, _)| k.trim().to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_browser_s_best_language_the_interface_has() {
        assert_eq!(Lang::from_accept_language("fr-CA"), Some(Lang::Fr));
        assert_eq!(
            Lang::from_accept_language("de-DE, fr;q=0.8, en;q=0.5"),
            Some(Lang::Fr)
        );
        assert_eq!(
            Lang::from_accept_language("en-GB;q=0.9, fr;q=0.95"),
            Some(Lang::Fr)
        );
        assert_eq!(Lang::from_accept_language("de, es"), None);
        assert_eq!(Lang::from_accept_language("fr;q=0, en"), Some(Lang::En));
        assert_eq!(Lang::from_accept_language(""), None);
        assert_eq!(Lang::from_accept_language("fr;q=abc"), None);
    }

    #[test]
    fn times_in_each_language_and_zone_with_the_exact_utc_time() {
        let toronto = Zone::parse("America/Toronto").expect("zone");
        // 2026-12-01 20:29:00 UTC, 15:29 in Toronto (EST).
        let secs = 1_796_156_940;
        let en = Lang::En.when(&toronto, secs);
        assert_eq!(en.local, "1 Dec 2026, 15:29 EST");
        assert_eq!(en.utc, "2026-12-01 20:29 UTC");
        assert_eq!(en.iso, "2026-12-01T20:29:00Z");
        let fr = Lang::Fr.when(&Zone::default(), secs);
        assert_eq!(fr.local, "1 déc. 2026, 20 h 29 UTC");
        assert!(Zone::parse("Mars/Olympus").is_none());
        assert!(Zone::all().iter().any(|z| z == "Europe/Paris"));
    }

    #[test]
    fn plurals_follow_each_language_s_rules() {
        let waiting = |lang: Lang, n: i64| lang.t_with("changes-waiting", &[("count", n.into())]);
        assert_eq!(waiting(Lang::Fr, 0), "0 modification en attente");
        assert_eq!(waiting(Lang::Fr, 1), "1 modification en attente");
        assert_eq!(waiting(Lang::Fr, 2), "2 modifications en attente");
        assert_eq!(waiting(Lang::En, 0), "0 changes waiting");
        assert_eq!(waiting(Lang::En, 1), "1 change waiting");
        assert_eq!(waiting(Lang::En, 2), "2 changes waiting");
    }

    /// What a template shows a person, outside `{{ }}`, `{% %}` and tags:
    /// its text, and the attributes people read.
    fn visible_text(template: &str) -> Vec<String> {
        let mut text = template.to_string();
        for (open, close) in [("{#", "#}"), ("{%", "%}"), ("{{", "}}"), ("<!--", "-->")] {
            while let Some(start) = text.find(open) {
                let end = text[start..]
                    .find(close)
                    .map_or(text.len(), |e| start + e + close.len());
                text.replace_range(start..end, " ");
            }
        }
        let mut shown = Vec::new();
        let mut rest = text.as_str();
        while let Some(lt) = rest.find('<') {
            shown.push(rest[..lt].to_string());
            let gt = rest[lt..].find('>').map_or(rest.len(), |g| lt + g + 1);
            let tag = &rest[lt..gt];
            for attr in ["placeholder", "title", "aria-label", "alt", "label"] {
                let key = format!(" {attr}=\"");
                if let Some(i) = tag.find(&key) {
                    let value = &tag[i + key.len()..];
                    shown.push(value[..value.find('"').unwrap_or(value.len())].to_string());
                }
            }
            rest = &rest[gt..];
        }
        shown.push(rest.to_string());
        shown
            .into_iter()
            .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|t| t.chars().any(char::is_alphabetic))
            .collect()
    }

    #[test]
    fn templates_show_no_words_outside_the_catalogues() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut found = Vec::new();
        for entry in std::fs::read_dir(&dir).expect("templates") {
            let path = entry.expect("entry").path();
            let text = std::fs::read_to_string(&path).expect("template");
            for words in visible_text(&text) {
                // The product's name is the same in every language.
                let other = words
                    .split(|c: char| !c.is_alphabetic())
                    .any(|w| !w.is_empty() && w != "Cairn");
                if other {
                    found.push(format!("{}: {words}", path.display()));
                }
            }
        }
        assert!(
            found.is_empty(),
            "words outside the catalogues:\n{}",
            found.join("\n")
        );
        // And the check sees words where there are some.
        assert_eq!(
            visible_text("<p title=\"Hi\">{{ ctx.t(\"x\") }} Save</p>{% if a %}b{% endif %}"),
            ["Hi", "Save", "b"]
        );
    }

    #[test]
    fn every_key_the_code_uses_is_in_the_catalogue() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let en = std::fs::read_to_string(root.join("locales/en/main.ftl")).expect("catalogue");
        let keys = message_keys(&en);
        let mut files = Vec::new();
        for dir in ["templates", "src/web", "src/http", "src/auth", "src/site"] {
            for entry in std::fs::read_dir(root.join(dir)).expect("folder") {
                let path = entry.expect("entry").path();
                if path.is_file() {
                    files.push(path);
                }
            }
        }
        let mut missing = Vec::new();
        for path in files {
            let text = std::fs::read_to_string(&path).expect("source");
            // Keys are written as string literals after these calls.
            for call in [
                "t(\"",
                "t1(\"",
                "t2(\"",
                "t_with(\"",
                "key(\"",
                "Key(\"",
                "Message::key(\"",
            ] {
                let mut rest = text.as_str();
                while let Some(i) = rest.find(call) {
                    // `ctx.t("…")`, not `headers.get("…")`.
                    let whole = rest[..i]
                        .chars()
                        .next_back()
                        .is_none_or(|c| !c.is_alphanumeric() && c != '_');
                    rest = &rest[i + call.len()..];
                    if !whole {
                        continue;
                    }
                    let key = &rest[..rest.find('"').unwrap_or(0)];
                    let is_key = !key.is_empty()
                        && key
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
                    if is_key && !keys.iter().any(|k| k == key) {
                        missing.push(format!("{}: {key}", path.display()));
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "keys missing from the catalogue: {missing:?}"
        );
    }

    #[test]
    fn both_catalogues_have_the_same_messages() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
        let keys = |lang: &str| {
            let mut keys = Vec::new();
            for entry in std::fs::read_dir(dir.join(lang)).expect("catalogue folder") {
                let path = entry.expect("entry").path();
                let text = std::fs::read_to_string(&path).expect("catalogue");
                keys.extend(message_keys(&text));
            }
            keys.sort();
            keys
        };
        let (en, fr) = (keys("en"), keys("fr"));
        assert!(!en.is_empty());
        let only_en: Vec<&String> = en.iter().filter(|k| !fr.contains(k)).collect();
        let only_fr: Vec<&String> = fr.iter().filter(|k| !en.contains(k)).collect();
        assert!(only_en.is_empty(), "missing in French: {only_en:?}");
        assert!(only_fr.is_empty(), "missing in English: {only_fr:?}");
        let mut unique = en.clone();
        unique.dedup();
        assert_eq!(unique.len(), en.len(), "a key is defined twice");
    }
}
