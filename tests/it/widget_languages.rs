//! The widget in the visitor's language: negotiated from Accept-Language
//! among the account's languages, right to left for Arabic, refusals in
//! the frame's language, the manager's default, list and greetings, and
//! the language shown to agents.

use chatgate::{
    domain::{
        file_policy::{Category, Refusal},
        language::Lang,
    },
    l10n,
};
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{
    blocking::newest_conversation,
    fixtures::{exe, CHAT_WINDOW},
    *,
};

/// The frame of Acme's case as a browser asking for `languages` gets it:
/// (status, Content-Language, the page).
async fn frame(app: &TestApp, languages: &str) -> (StatusCode, String, String) {
    let r = reqwest::Client::new()
        .get(app.url("/widget/v1/acme-support/frame?url=https://shop.example/p"))
        .header("accept-language", languages)
        .send()
        .await
        .unwrap();
    let lang = r
        .headers()
        .get("content-language")
        .map(|h| h.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (r.status(), lang, r.text().await.unwrap())
}

fn attr(html: &str, css: &str, name: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(css).unwrap();
    let e = doc.select(&sel).next().unwrap_or_else(|| panic!("{css}"));
    e.value().attr(name).unwrap_or_default().to_owned()
}

fn text_of(html: &str, css: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(css).unwrap();
    let e = doc.select(&sel).next().unwrap_or_else(|| panic!("{css}"));
    e.text().collect::<String>().trim().to_owned()
}

#[actix_web::test]
async fn the_frame_speaks_german_arabic_right_to_left_and_japanese() {
    let app = spawn_app().await;

    let (status, lang, html) = frame(&app, "de-AT,de;q=0.9,en;q=0.5").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(lang, "de");
    assert_eq!(attr(&html, "html", "lang"), "de");
    assert_eq!(attr(&html, "html", "dir"), "ltr");
    let german = l10n::text(Lang::De, "placeholder");
    assert_ne!(german, l10n::text(Lang::En, "placeholder"));
    assert_eq!(attr(&html, "#input", "placeholder"), german);
    assert_eq!(
        text_of(&html, ".panel-sub"),
        l10n::text(Lang::De, "greeting")
    );
    assert_eq!(
        attr(&html, "#launcher", "aria-label"),
        l10n::text(Lang::De, "open-chat")
    );
    // The script's texts, German only: no other catalogue is shipped.
    let texts: Value = serde_json::from_str(&attr(&html, "body", "data-texts")).unwrap();
    assert_eq!(texts["ended"], l10n::text(Lang::De, "ended").as_str());
    assert!(!html.contains(&l10n::text(Lang::Fr, "ended")));

    let (_, lang, html) = frame(&app, "ar-EG,ar;q=0.9").await;
    assert_eq!(lang, "ar");
    assert_eq!(attr(&html, "html", "lang"), "ar");
    assert_eq!(attr(&html, "html", "dir"), "rtl");
    assert_eq!(
        attr(&html, "#input", "placeholder"),
        l10n::text(Lang::Ar, "placeholder")
    );

    let (_, lang, html) = frame(&app, "ja-JP").await;
    assert_eq!(lang, "ja");
    assert_eq!(attr(&html, "html", "dir"), "ltr");
    assert_eq!(
        text_of(&html, ".panel-sub"),
        l10n::text(Lang::Ja, "greeting")
    );

    // A language we do not have: the account's default, English.
    let (_, lang, html) = frame(&app, "sv-SE,sv").await;
    assert_eq!(lang, "en");
    assert_eq!(attr(&html, "#input", "placeholder"), "Write a message…");
}

#[actix_web::test]
async fn a_refused_file_is_explained_in_the_frames_language() {
    let app = spawn_app().await;
    let v = app.visitor("acme-support").await;
    let send = |lang: Option<&'static str>| {
        let part = reqwest::multipart::Part::bytes(exe()).file_name("photo.png");
        let mut r = v
            .client
            .post(format!("{}/files", v.base))
            .header("x-chatgate-visitor", &v.visitor)
            .multipart(reqwest::multipart::Form::new().part("file", part));
        if let Some(l) = lang {
            r = r.header("x-chatgate-lang", l);
        }
        r.send()
    };
    let mismatch = Refusal::Mismatch {
        name_says: Category::Image,
        content_says: Category::Executable,
    };

    let r = send(Some("fr")).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.headers()["content-language"], "fr");
    let body: Value = r.json().await.unwrap();
    let french = l10n::file_not_sent(Lang::Fr, "photo.png", &mismatch);
    assert_eq!(body["error"], french.as_str());
    assert!(french.contains("photo.png"), "{french}");
    assert_ne!(
        french,
        l10n::file_not_sent(Lang::En, "photo.png", &mismatch)
    );

    // Without the frame's header: as before, in English.
    let body: Value = send(None).await.unwrap().json().await.unwrap();
    assert_eq!(
        body["error"],
        "photo.png was not sent. This file's content does not match its name."
    );

    // A message refusal in German, with its code kept for the script.
    let r = v
        .client
        .post(format!("{}/messages", v.base))
        .header("x-chatgate-visitor", &v.visitor)
        .header("x-chatgate-lang", "de")
        .json(&serde_json::json!({ "text": "   " }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body["error"],
        l10n::text(Lang::De, "error-message-empty").as_str()
    );
}

#[actix_web::test]
async fn the_manager_sets_the_default_limits_the_languages_and_writes_a_greeting() {
    let app = spawn_app().await;
    let m = app.sign_in(&app.acme.manager).await;
    let save = |fields: Vec<(&'static str, &'static str)>| {
        let m = &m;
        async move { m.post("/settings/chat-window/languages", &fields).await }
    };

    // A default that is not offered is refused, with what was typed kept.
    let r = save(vec![
        ("default_lang", "de"),
        ("lang", "en"),
        ("lang", "fr"),
        ("greeting_fr", "Bonjour ! Un conseiller vous répond."),
    ])
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("The default language must be one of the languages offered."),
        "{html}"
    );
    assert!(
        html.contains("Bonjour ! Un conseiller vous répond."),
        "kept"
    );
    assert_eq!(
        attr(&html, "select[name=default_lang] option[selected]", "value"),
        "de"
    );
    let (_, lang, _) = frame(&app, "de").await;
    assert_eq!(lang, "de", "nothing was stored");

    // French by default, English and French offered, a French greeting.
    let r = save(vec![
        ("default_lang", "fr"),
        ("lang", "en"),
        ("lang", "fr"),
        ("greeting_fr", "Bonjour ! Un conseiller vous répond."),
    ])
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = m.text(CHAT_WINDOW).await;
    assert!(
        page.contains("Saved. Widget languages: Français by default"),
        "{page}"
    );

    // German asked: not offered, so the default, French, with the greeting.
    let (_, lang, html) = frame(&app, "de-AT,de;q=0.9").await;
    assert_eq!(lang, "fr");
    assert_eq!(
        text_of(&html, ".panel-sub"),
        "Bonjour ! Un conseiller vous répond."
    );
    // English asked: offered, with the standard English greeting.
    let (_, lang, html) = frame(&app, "en-GB").await;
    assert_eq!(lang, "en");
    assert_eq!(
        text_of(&html, ".panel-sub"),
        "We usually answer within minutes"
    );

    // Another account is untouched.
    let r = reqwest::Client::new()
        .get(app.url("/widget/v1/globex-support/frame?url=https://shop.example/p"))
        .header("accept-language", "de")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-language"], "de");
}

#[actix_web::test]
async fn agents_see_the_language_the_widget_speaks_to_the_visitor() {
    let app = spawn_app().await;
    let agent = app.sign_in(&app.acme.agent).await;
    let v = app.visitor("acme-support").await;
    let r = v
        .client
        .post(format!("{}/messages", v.base))
        .header("x-chatgate-visitor", &v.visitor)
        .header("x-chatgate-lang", "uk")
        .json(&serde_json::json!({ "text": "Добрий день" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let id = newest_conversation(&agent).await;
    let ctx = agent
        .json(&format!("/agent/api/conversations/{id}/context"))
        .await;
    assert_eq!(ctx["language"]["code"], "uk");
    assert_eq!(ctx["language"]["name"], "Ukrainian");
}

/// Gzipped size of a body.
fn gzipped(bytes: &[u8]) -> usize {
    use std::io::Write;
    let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(bytes).unwrap();
    z.finish().unwrap().len()
}

#[actix_web::test]
async fn the_widget_stays_light_in_every_language() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let get = |path: String, lang: &'static str| {
        let client = client.clone();
        async move {
            let r = client
                .get(path)
                .header("accept-language", lang)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            r.bytes().await.unwrap()
        }
    };
    // What one visitor's browser fetches: the loader, the frame in their
    // language, and the frame's script and style.
    let shared: usize = {
        let mut n = 0;
        for path in [
            "/widget.js",
            "/static/chat.js",
            "/static/widget/share.js",
            "/static/widget/frame.js",
            "/static/widget/frame.css",
        ] {
            n += gzipped(&get(app.url(path), "en").await);
        }
        n
    };
    let loader = get(app.url("/widget.js"), "en").await;
    for lang in Lang::ALL {
        let frame = get(
            app.url("/widget/v1/acme-support/frame?url=https://shop.example/p"),
            lang.code(),
        )
        .await;
        let total = shared + gzipped(&frame);
        assert!(total <= 15 * 1024, "{}: {total} bytes gzipped", lang.code());
    }
    // The host page gets no catalogue: the loader holds no text of any.
    let loader = String::from_utf8_lossy(&loader);
    for lang in Lang::ALL {
        assert!(!loader.contains(&l10n::text(lang, "placeholder")));
    }
}
