//! Account Settings / Live Chat Window: the page as a manager uses it.

use reqwest::StatusCode;

use crate::support::{
    fixtures::{save_settings, CHAT_WINDOW as PAGE},
    *,
};

fn checked(html: &str, css: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(css).unwrap();
    doc.select(&sel)
        .filter(|e| e.value().attr("checked").is_some())
        .map(|e| e.value().attr("value").unwrap_or("").to_owned())
        .collect()
}

fn value_of(html: &str, css: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(css).unwrap();
    let e = doc.select(&sel).next().unwrap_or_else(|| panic!("{css}"));
    e.value().attr("value").unwrap_or("").to_owned()
}

#[actix_web::test]
async fn a_manager_saves_the_file_policy_and_the_preview_default() {
    let app = spawn_app().await;
    let m = app.sign_in(&app.acme.manager).await;

    // The defaults of a new account: images and documents, 10 MB,
    // previews off.
    let html = m.text(PAGE).await;
    assert!(html.contains("<h1>Live Chat Window</h1>"), "{html}");
    assert_eq!(checked(&html, "input[name=file_mode]"), ["custom"]);
    assert_eq!(
        checked(&html, "input[name=category]"),
        ["images", "documents"]
    );
    assert_eq!(value_of(&html, "input[name=max_mb]"), "10");
    assert!(checked(&html, "input[name=previews]").is_empty());
    assert!(html.contains("Show image previews in chats by default"));
    assert!(html.contains("images, documents and archives, up to 25 MB"));

    // A custom set, half a megabyte, previews off.
    let r = save_settings(
        &m,
        &[
            ("file_mode", "custom"),
            ("category", "documents"),
            ("category", "archives"),
            ("max_mb", "0,5"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), PAGE);
    let html = m.text(PAGE).await;
    assert!(
        html.contains("Saved. Visitors may send documents and archives, up to 0.5 MB; image previews are hidden by default."),
        "the flash says what was saved: {html}"
    );
    assert_eq!(checked(&html, "input[name=file_mode]"), ["custom"]);
    assert_eq!(
        checked(&html, "input[name=category]"),
        ["documents", "archives"]
    );
    assert_eq!(value_of(&html, "input[name=max_mb]"), "0.5");
    assert!(checked(&html, "input[name=previews]").is_empty());

    // Images only: the page shows exactly that, and the change is audited.
    let r = save_settings(
        &m,
        &[("file_mode", "images"), ("max_mb", "2"), ("previews", "1")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = m.text(PAGE).await;
    assert_eq!(checked(&html, "input[name=file_mode]"), ["images"]);
    assert_eq!(checked(&html, "input[name=category]"), ["images"]);
    let audit = m.text("/audit").await;
    assert!(audit.contains("chat_window.save"), "{audit}");
    assert!(audit.contains(
        "Visitors may send images only, up to 2 MB; image previews are shown by default"
    ));
    assert!(audit.contains("Visitors may send documents and archives, up to 0.5 MB"));

    // The other account still has the defaults.
    let g = app.sign_in(&app.globex.manager).await;
    let theirs = g.text(PAGE).await;
    assert_eq!(checked(&theirs, "input[name=file_mode]"), ["custom"]);
    assert_eq!(value_of(&theirs, "input[name=max_mb]"), "10");
}

#[actix_web::test]
async fn refused_settings_keep_what_was_typed_and_save_nothing() {
    let app = spawn_app().await;
    let m = app.sign_in(&app.acme.manager).await;
    for (fields, message) in [
        (
            vec![("file_mode", "custom"), ("max_mb", "5")],
            "Choose at least one type of file",
        ),
        (
            vec![("file_mode", "images"), ("max_mb", "abc")],
            "Enter a maximum file size above 0 and at most 50 MB",
        ),
        (vec![("file_mode", "all"), ("max_mb", "0")], "above 0"),
        (
            vec![("file_mode", "all"), ("max_mb", "50.5")],
            "at most 50 MB",
        ),
        (
            vec![
                ("file_mode", "custom"),
                ("category", "videos"),
                ("max_mb", "3"),
            ],
            "not known",
        ),
        (
            vec![("max_mb", "3")],
            "Choose which files visitors may send",
        ),
    ] {
        let mut all = fields.clone();
        let ticked = fields.len() > 2 || fields[0].1 != "custom";
        if ticked {
            all.push(("category", "scripts"));
        }
        let r = save_settings(&m, &all).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
        let html = r.text().await.unwrap();
        assert!(html.contains(message), "{fields:?}: {message}");
        assert!(html.contains("Nothing was saved"));
        let typed = fields.iter().find(|(k, _)| *k == "max_mb").unwrap().1;
        assert_eq!(value_of(&html, "input[name=max_mb]"), typed, "size kept");
        let kept = checked(&html, "input[name=category]");
        assert_eq!(
            kept.contains(&"scripts".to_owned()),
            ticked,
            "categories kept"
        );
        assert!(
            checked(&html, "input[name=previews]").is_empty(),
            "unticked kept"
        );
    }
    let html = m.text(PAGE).await;
    assert_eq!(
        checked(&html, "input[name=file_mode]"),
        ["custom"],
        "unchanged"
    );
    assert_eq!(value_of(&html, "input[name=max_mb]"), "10");
    assert!(!m.text("/audit").await.contains("chat_window.save"));
}

#[actix_web::test]
async fn only_managers_change_the_chat_window_and_only_with_the_token() {
    let app = spawn_app().await;
    let a = app.sign_in(&app.acme.agent).await;
    let r = a.get(PAGE).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = save_settings(&a, &[("file_mode", "images"), ("max_mb", "1")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let m = app.sign_in(&app.acme.manager).await;
    let r = save_settings(
        &m.with_csrf("wrong"),
        &[("file_mode", "images"), ("max_mb", "1")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let html = m.text(PAGE).await;
    assert_eq!(checked(&html, "input[name=file_mode]"), ["custom"]);
}
