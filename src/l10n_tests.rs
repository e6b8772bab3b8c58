use std::collections::{BTreeMap, BTreeSet};

use fluent_syntax::{ast, parser};

use super::*;

/// Each message id of a catalogue, with the variables it uses.
fn catalogue(code: &str) -> BTreeMap<String, BTreeSet<String>> {
    let path = format!("{}/locales/{code}/widget.ftl", env!("CARGO_MANIFEST_DIR"));
    let source = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let resource = match parser::parse(source.as_str()) {
        Ok(r) => r,
        Err((_, errors)) => panic!("{path} does not parse: {errors:?}"),
    };
    let mut out = BTreeMap::new();
    for entry in &resource.body {
        match entry {
            ast::Entry::Message(m) => {
                let id = m.id.name.to_owned();
                assert!(m.value.is_some(), "{path}: {id} has no value");
                out.insert(id, BTreeSet::new());
            }
            ast::Entry::Junk { content } => panic!("{path}: cannot read {content:?}"),
            _ => {}
        }
    }
    // The variables, read from each message's lines (`{ $name }`).
    let mut current = None;
    for line in source.lines() {
        if let Some((id, _)) = line.split_once(" =") {
            if out.contains_key(id.trim()) && !line.starts_with(' ') {
                current = Some(id.trim().to_owned());
            }
        }
        let Some(id) = &current else { continue };
        for part in line.split('$').skip(1) {
            let var: String = part
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if let Some(vars) = out.get_mut(id) {
                vars.insert(var);
            }
        }
    }
    out
}

#[test]
fn every_catalogue_has_every_message_and_no_other() {
    let reference = catalogue("en");
    assert!(reference.len() > 40, "the English catalogue is read");
    let dirs: BTreeSet<String> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/locales"))
        .unwrap()
        .map(|d| d.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let langs: BTreeSet<String> = Lang::ALL.iter().map(|l| l.code().to_owned()).collect();
    assert_eq!(dirs, langs, "locales/ holds exactly the languages of Lang");
    for lang in Lang::ALL {
        let other = catalogue(lang.code());
        let missing: Vec<&String> = reference
            .keys()
            .filter(|k| !other.contains_key(*k))
            .collect();
        let extra: Vec<&String> = other
            .keys()
            .filter(|k| !reference.contains_key(*k))
            .collect();
        assert!(missing.is_empty(), "{}: missing {missing:?}", lang.code());
        assert!(extra.is_empty(), "{}: extra {extra:?}", lang.code());
        for (id, vars) in &reference {
            assert_eq!(
                &other[id],
                vars,
                "{}: {id} must use exactly the variables {vars:?}",
                lang.code()
            );
        }
    }
}

#[test]
fn the_english_texts_the_server_writes_are_the_catalogues() {
    for (english, id) in KNOWN {
        assert_eq!(text(Lang::En, id), english, "{id}");
    }
    assert_eq!(
        known(Lang::De, "Type a message first.").as_deref(),
        Some(text(Lang::De, "error-message-empty").as_str())
    );
    assert_ne!(
        text(Lang::De, "error-message-empty"),
        "Type a message first."
    );
    assert_eq!(known(Lang::De, "Some other text"), None);
}

#[test]
fn file_refusals_read_as_before_in_english_and_in_the_visitors_language() {
    let refusals = [
        Refusal::Empty,
        Refusal::TooLarge { max: "10".into() },
        Refusal::Mismatch {
            name_says: Category::Image,
            content_says: Category::Executable,
        },
        Refusal::Disguised,
        Refusal::NotAllowed(Category::Archive),
    ];
    for r in &refusals {
        assert_eq!(refusal(Lang::En, r), r.to_string());
        assert_ne!(refusal(Lang::Fr, r), r.to_string(), "{r:?} in French");
    }
    let fr = file_not_sent(Lang::Fr, "photo.png", &refusals[1]);
    assert!(fr.contains("photo.png") && fr.contains("10"), "{fr}");
    assert_eq!(
        file_not_sent(Lang::En, "photo.png", &refusals[1]),
        "photo.png was not sent. This file is too large: the limit is 10 MB."
    );
}

#[test]
fn plurals_follow_each_languages_rules() {
    let stars = |lang, n: i64| text_with(lang, "survey-stars", &[("count", n.into())]);
    assert_eq!(stars(Lang::En, 1), "1 star");
    assert_eq!(stars(Lang::En, 5), "5 stars");
    // Polish: 1 gwiazdka, 2–4 gwiazdki, 5 gwiazdek: three forms.
    let pl: BTreeSet<String> = [1, 2, 5]
        .iter()
        .map(|n| stars(Lang::Pl, *n).replace(&n.to_string(), ""))
        .collect();
    assert_eq!(pl.len(), 3, "{pl:?}");
    let uk: BTreeSet<String> = [1, 2, 5]
        .iter()
        .map(|n| stars(Lang::Uk, *n).replace(&n.to_string(), ""))
        .collect();
    assert_eq!(uk.len(), 3, "{uk:?}");
}

#[test]
fn the_frames_texts_carry_the_agents_name_slot_and_isolate_only_in_rtl() {
    let de = frame_texts(Lang::De);
    let joined = de["agent-joined"].as_str().unwrap();
    assert!(
        joined.contains("{name}") && !joined.contains('\u{2068}'),
        "{joined}"
    );
    let ar = frame_texts(Lang::Ar);
    let joined = ar["agent-joined"].as_str().unwrap();
    assert!(joined.contains("\u{2068}{name}\u{2069}"), "{joined}");
    for n in 1..=5 {
        assert!(de[format!("survey-stars-{n}")]
            .as_str()
            .unwrap()
            .contains(&n.to_string()));
    }
    assert_ne!(de["placeholder"], frame_texts(Lang::En)["placeholder"]);
    // The line a file that starts a chat stands behind, as the server
    // stores it, is the English text the frame replaces.
    assert_eq!(
        frame_texts(Lang::En)["sent-a-file"],
        crate::chat::files::FILE_STARTED
    );
    assert_eq!(de["sent-a-file:en"], crate::chat::files::FILE_STARTED);
    assert_ne!(de["sent-a-file"], crate::chat::files::FILE_STARTED);
}
