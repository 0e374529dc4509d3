//! The interface's languages (issue 14): the account's choice, else the
//! browser's `Accept-Language`, else `--default-language`; `<html lang>`
//! follows, and so do plurals.

use crate::support::*;

/// The `lang` of a page's `<html>` element.
fn html_lang(html: &str) -> &str {
    html.split_once("<html lang=\"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map_or("", |(lang, _)| lang)
}

#[tokio::test]
async fn the_browser_s_language_the_account_s_choice_and_the_default() {
    let dir = tempdir();
    let server = Server::start(dir.path(), None);
    add_user(
        &server.data,
        "alice",
        "editor",
        "alice@example.org",
        "Alice Martin",
    );

    // The login page follows the browser.
    let french = Browser::speaking(&server, "fr-CA,fr;q=0.9,en;q=0.5");
    let (_, html) = french.get("/login").await;
    assert_eq!(html_lang(&html), "fr");
    assert!(html.contains("<h1>Se connecter</h1>"), "{html}");
    let english = Browser::speaking(&server, "en-GB");
    let (_, html) = english.get("/login").await;
    assert_eq!(html_lang(&html), "en");
    assert!(html.contains("<h1>Log in</h1>"));
    // A language the interface lacks: the default (English).
    let (_, html) = Browser::speaking(&server, "de-DE, es;q=0.8")
        .get("/login")
        .await;
    assert_eq!(html_lang(&html), "en");
    // A refused login, in French.
    let r = french.login("alice", "not the password").await;
    assert_eq!(r.status().as_u16(), 401);
    let html = unescape(&r.text().await.expect("body"));
    assert!(html.contains("ne correspondent à aucun compte"), "{html}");

    // Signed in, the dashboard too, plurals included.
    assert_eq!(french.login("alice", PASSWORD).await.status().as_u16(), 303);
    let (_, html) = french.get("/").await;
    assert_eq!(html_lang(&html), "fr");
    assert!(html.contains(">Tableau de bord</a>"), "{html}");
    assert!(html.contains("<small>4 documents</small>"), "{html}");
    // Without a remote, the one publishing line says so.
    assert_eq!(html.matches("<p class=\"state ").count(), 1, "{html}");
    assert!(
        unescape(&html).contains("Ce site ne publie vers aucun dépôt distant."),
        "{html}"
    );
    assert!(html.contains(">Se déconnecter</button>"));
    assert!(html.contains("(rédacteur)"));

    // The account's choice wins over the browser's.
    let (_, account) = french.get("/account").await;
    let form = Form::parse(&account, "/account/language").with("language", "en");
    let r = french.post("/account/language", &form.fields).await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, html) = french.get("/account").await;
    assert_eq!(html_lang(&html), "en");
    assert!(html.contains("The language was saved."), "{html}");
    let (_, html) = french.get("/").await;
    assert!(html.contains(">Dashboard</a>"));
    // A language not offered: refused, in the account's language, unchanged.
    let r = french
        .post(
            "/account/language",
            &form.clone().with("language", "de").fields,
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(
        r.text()
            .await
            .expect("body")
            .contains("Choose one of the languages offered.")
    );
    // Back to the browser's.
    let r = french
        .post("/account/language", &form.with("language", "").fields)
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, html) = french.get("/account").await;
    assert_eq!(html_lang(&html), "fr");
    assert!(html.contains("La langue est enregistrée."), "{html}");
}

#[tokio::test]
async fn the_site_s_default_language_applies_when_the_browser_names_none_it_has() {
    let dir = tempdir();
    let server = Server::start_with(dir.path(), None, &[("CAIRN_DEFAULT_LANGUAGE", "fr")]);
    let (_, html) = Browser::new(&server).get("/login").await;
    assert_eq!(html_lang(&html), "fr");
    let (_, html) = Browser::speaking(&server, "de").get("/login").await;
    assert_eq!(html_lang(&html), "fr");
    let (_, html) = Browser::speaking(&server, "en").get("/login").await;
    assert_eq!(html_lang(&html), "en");
}

/// What `cairn serve` says when it refuses `option value` at start.
fn refused_at_start(option: &str, value: &str) -> String {
    let dir = tempdir();
    let data = dir.path().to_str().expect("utf-8");
    let out = cairn(
        &[
            "--data",
            data,
            "serve",
            option,
            value,
            "--listen",
            "127.0.0.1:0",
        ],
        "",
    );
    assert!(!out.status.success(), "{option} {value} was accepted");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_default_language_cairn_does_not_speak_is_refused_at_start() {
    let err = refused_at_start("--default-language", "de");
    assert!(err.contains("not a language Cairn speaks"), "{err}");
}

/// Error pages are in the request's language and keep the navigation; the
/// 413 page says the limit.
#[tokio::test]
async fn error_pages_speak_the_person_s_language_and_keep_the_navigation() {
    let dir = tempdir();
    let server = Server::start_with(dir.path(), None, &[("CAIRN_MAX_BODY", "65536")]);
    add_user(
        &server.data,
        "alice",
        "editor",
        "alice@example.org",
        "Alice Martin",
    );
    add_user(&server.data, "rita", "reviewer", "rita@example.org", "Rita");
    let alice = Browser::speaking(&server, "fr");
    assert_eq!(alice.login("alice", PASSWORD).await.status().as_u16(), 303);

    let (status, html) = alice.get("/collections/nope").await;
    assert_eq!(status, 404);
    assert_eq!(html_lang(&html), "fr");
    assert!(html.contains("<h1>Page introuvable</h1>"), "{html}");
    assert!(
        unescape(&html).contains("Il n'y a pas de collection nommée nope."),
        "{html}"
    );
    assert!(
        html.contains(">Tableau de bord</a>") && html.contains(">Se déconnecter</button>"),
        "the navigation is kept: {html}"
    );

    // Too large: the limit is said, the navigation kept.
    let page = "/collections/projects/ai-and-cities";
    let (_, form_html) = alice.get(page).await;
    let form = Form::parse(&form_html, page).with("f.mission", &"x".repeat(70_000));
    let r = alice.post(page, &form.fields).await;
    assert_eq!(r.status().as_u16(), 413);
    let html = unescape(&r.text().await.expect("body"));
    assert!(html.contains("au plus 64 Ko"), "{html}");
    assert!(html.contains(">Se déconnecter</button>"), "{html}");

    // A refused new page in French: the summary's colon has its no-break
    // space, the field's message is the catalogue's.
    let new = "/collections/projects/new";
    let (_, new_html) = alice.get(new).await;
    let form = Form::parse(&new_html, new)
        .with("title", "Arbres")
        .with("slug", &"é".repeat(150));
    let r = alice.post(new, &form.fields).await;
    assert_eq!(r.status().as_u16(), 422);
    let html = unescape(&r.text().await.expect("body"));
    assert!(
        html.contains("Adresse\u{a0}: Cette adresse est trop longue\u{a0}:"),
        "{html}"
    );

    // A reviewer refused a page, in English, with the navigation.
    let rita = Browser::speaking(&server, "en-US");
    assert_eq!(rita.login("rita", PASSWORD).await.status().as_u16(), 303);
    let (status, html) = rita.get("/collections/projects/new").await;
    assert_eq!(status, 403);
    assert_eq!(html_lang(&html), "en");
    assert!(html.contains("ask an administrator"), "{html}");
    assert!(
        html.contains(">Log out</button>") && html.contains("Rita"),
        "{html}"
    );

    // Signed out: the page has no navigation, in the browser's language.
    let (status, html) = Browser::speaking(&server, "fr").get("/no/such/page").await;
    assert_eq!(status, 404);
    assert!(unescape(&html).contains("Il n'y a aucune page à cette adresse."));
    assert!(!html.contains("Se déconnecter"));
}

/// Times in the account's time zone and language, the exact UTC time on
/// hover; a zone that does not exist is refused.
#[tokio::test]
async fn times_follow_the_account_s_time_zone_with_utc_on_hover() {
    let dir = tempdir();
    let server = Server::start_with(dir.path(), None, &[("CAIRN_TIMEZONE", "Europe/Paris")]);
    add_user(
        &server.data,
        "alice",
        "editor",
        "alice@example.org",
        "Alice Martin",
    );
    let alice = Browser::speaking(&server, "fr");
    assert_eq!(alice.login("alice", PASSWORD).await.status().as_u16(), 303);
    let site = server.site();
    let secs: i64 = git(&site, &["log", "-1", "--format=%at"])
        .trim()
        .parse()
        .expect("time");
    let utc = cairn::i18n::Lang::Fr
        .when(&cairn::i18n::Zone::default(), secs)
        .utc;

    // The site's zone first (Paris: CET, UTC+1 in winter).
    let (_, html) = alice.get("/history").await;
    let zone = |name: &str| cairn::i18n::Zone::parse(name).expect("zone");
    let paris = cairn::i18n::Lang::Fr.when(&zone("Europe/Paris"), secs);
    assert!(paris.local.contains(" h "), "{}", paris.local);
    assert!(html.contains(&paris.local), "{html}");
    // The exact UTC time on hover.
    assert!(html.contains(&format!("title=\"{utc}\"")), "{html}");

    // The account's zone.
    let (_, account) = alice.get("/account").await;
    let form = Form::parse(&account, "/account/timezone").with("timezone", "America/Toronto");
    assert_eq!(
        alice
            .post("/account/timezone", &form.fields)
            .await
            .status()
            .as_u16(),
        303
    );
    let (_, html) = alice.get("/history").await;
    let toronto = cairn::i18n::Lang::Fr.when(&zone("America/Toronto"), secs);
    assert_ne!(toronto.local, paris.local);
    assert!(html.contains(&toronto.local), "{html}");

    // A zone that does not exist: refused, the choice kept as it was.
    let r = alice
        .post(
            "/account/timezone",
            &form.with("timezone", "Mars/Olympus").fields,
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(
        unescape(&r.text().await.expect("body"))
            .contains("Choisissez un des fuseaux horaires proposés.")
    );
    let (_, html) = alice.get("/history").await;
    assert!(html.contains(&toronto.local));
}

#[test]
fn a_time_zone_that_does_not_exist_is_refused_at_start() {
    let err = refused_at_start("--timezone", "Mars/Olympus");
    assert!(err.contains("not a time zone Cairn knows"), "{err}");
}
