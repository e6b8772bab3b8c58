//! The widget's texts in the visitor's language, from the Fluent
//! catalogues under `locales/<code>/widget.ftl` (compiled into the binary).
//! English is the reference catalogue and the fallback for a missing text.
//!
//! Placeables are isolated (Unicode FSI/PDI marks) in right-to-left
//! languages only, where a Latin agent name inside Arabic text needs them;
//! left-to-right texts come out without the marks.

use std::{borrow::Cow, collections::HashMap, sync::LazyLock};

use fluent_templates::{fluent_bundle::FluentValue, LanguageIdentifier, Loader};
use serde_json::{Map, Value};

use crate::domain::{
    file_policy::{Category, Refusal},
    language::Lang,
};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
    };
}

static IDS: LazyLock<Vec<LanguageIdentifier>> = LazyLock::new(|| {
    Lang::ALL
        .iter()
        .map(|l| l.code().parse().unwrap_or_default())
        .collect()
});

type Args<'a> = HashMap<Cow<'static, str>, FluentValue<'a>>;

fn lookup(lang: Lang, id: &str, args: Option<&Args<'_>>) -> String {
    let text = LOCALES.lookup_complete(&IDS[lang as usize], id, args);
    if lang.dir() == "rtl" {
        text
    } else {
        text.replace(['\u{2068}', '\u{2069}'], "")
    }
}

/// The text `id` in `lang`.
pub fn text(lang: Lang, id: &str) -> String {
    lookup(lang, id, None)
}

/// The text `id` in `lang`, with its placeables filled from `args`.
pub fn text_with(lang: Lang, id: &str, args: &[(&'static str, FluentValue<'_>)]) -> String {
    let map: Args<'_> = args
        .iter()
        .map(|(k, v)| (Cow::Borrowed(*k), v.clone()))
        .collect();
    lookup(lang, id, Some(&map))
}

/// The texts the frame's script shows, by id, for `lang`. Texts with an
/// agent's name carry `{name}` where the script puts it; the stars'
/// labels come with their plural forms already chosen (`survey-stars-1`
/// to `-5`).
pub fn frame_texts(lang: Lang) -> Value {
    const PLAIN: [&str; 22] = [
        "chat-label",
        "sent-a-file",
        "open-chat",
        "close-chat",
        "error-generic",
        "ended",
        "shield-warning",
        "share-yes",
        "share-no",
        "share-accepted",
        "share-declined",
        "share-bar",
        "share-stop",
        "share-ended",
        "share-failed",
        "share-unsupported",
        "survey-question",
        "survey-comment",
        "survey-send",
        "survey-thanks",
        "placeholder",
        "greeting",
    ];
    let mut out = Map::new();
    for id in PLAIN {
        out.insert(id.into(), text(lang, id).into());
    }
    // What the server stores when a file starts a chat, for the script to
    // recognise and show in the visitor's language.
    out.insert(
        "sent-a-file:en".into(),
        crate::chat::files::FILE_STARTED.into(),
    );
    for id in ["agent-joined", "share-asks"] {
        let t = text_with(lang, id, &[("name", "{name}".into())]);
        out.insert(id.into(), t.into());
    }
    for n in 1..=5 {
        let t = text_with(lang, "survey-stars", &[("count", n.into())]);
        out.insert(format!("survey-stars-{n}"), t.into());
    }
    Value::Object(out)
}

/// Texts the server writes in English and the widget shows, with their
/// catalogue ids: the chat's refusals a visitor can meet.
const KNOWN: [(&str, &str); 13] = [
    ("Type a message first.", "error-message-empty"),
    (
        "A message can be at most 4000 characters.",
        "error-message-long",
    ),
    ("This conversation has ended.", "error-closed"),
    ("Choose a rating from 1 to 5.", "error-rating"),
    (
        "A comment can be at most 2000 characters.",
        "error-comment-long",
    ),
    ("There is no survey to answer.", "error-no-survey"),
    (
        "The survey has already been answered. Thank you!",
        "error-survey-answered",
    ),
    (
        "There is no screen-share request to answer.",
        "error-no-share",
    ),
    (
        "The upload could not be read. Please try again.",
        "error-upload-unreadable",
    ),
    ("Choose a file to send.", "error-choose-file"),
    (
        "Please wait a moment before sending more.",
        "error-slow-down",
    ),
    ("Something went wrong. Please try again.", "error-generic"),
    ("This chat is not available.", "error-unavailable"),
];

/// A refusal the server wrote in English, in `lang`; `None` for a text
/// the catalogue does not hold.
pub fn known(lang: Lang, english: &str) -> Option<String> {
    KNOWN
        .iter()
        .find(|(en, _)| *en == english)
        .map(|(_, id)| text(lang, id))
}

/// A file type's name, as `file-not-allowed` names it.
fn category(lang: Lang, c: Category) -> String {
    text(lang, &format!("file-type-{}", c.key()))
}

/// Why a file was refused, in `lang`.
pub fn refusal(lang: Lang, r: &Refusal) -> String {
    match r {
        Refusal::Empty => text(lang, "file-empty"),
        Refusal::TooLarge { max } => {
            text_with(lang, "file-too-large", &[("max", max.as_str().into())])
        }
        Refusal::Mismatch { .. } => text(lang, "file-mismatch"),
        Refusal::Disguised => text(lang, "file-disguised"),
        Refusal::NotAllowed(c) => {
            let name = category(lang, *c);
            text_with(lang, "file-not-allowed", &[("type", name.into())])
        }
    }
}

/// "photo.png was not sent. This file is empty.", in `lang`.
pub fn file_not_sent(lang: Lang, file: &str, r: &Refusal) -> String {
    let reason = refusal(lang, r);
    text_with(
        lang,
        "file-not-sent",
        &[("file", file.into()), ("reason", reason.into())],
    )
}

#[cfg(test)]
#[path = "l10n_tests.rs"]
mod tests;
