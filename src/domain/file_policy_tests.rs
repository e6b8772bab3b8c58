//! Tests of `file_policy.rs`.
use super::*;
use proptest::prelude::*;
use Category::*;
use ImageKind::*;

type Verdict = Result<Checked, Refusal>;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0DIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1F\x15\xC4\x89\x00\x00\x00\x00IEND\xAE\x42\x60\x82";
const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xFF\xDA\x00\x08\x01\x01\x00\x00\x3F\x00\x12\xFF\x00\x34\xFF\xD9";
const GIF: &[u8] = b"GIF89a\x01\x00\x01\x00\x00\x00\x00\x2C\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00\x3B";
const WEBP: &[u8] = b"RIFF\x0C\x00\x00\x00WEBPVP8 \x00\x00\x00\x00";
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\ntrailer\n<< >>\n%%EOF\n";
const SH: &[u8] = b"#!/bin/sh\necho hello\n";
const HTML: &[u8] = b"<!DOCTYPE html>\n<html><body>hi</body></html>\n";
const SVG: &[u8] = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
const JS_TXT: &[u8] = b"hi <script>alert(1)</script>";
const BIN: &[u8] = b"\x00\x13\x37\xC0\xFF\xEE\x01\x02binary\x00\x7F";
const MP4: &[u8] = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom\x00\x00\x00\x08free";
const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// A one-entry ZIP: local header with the entry's name, then an end record.
fn zip(entry: &str) -> Vec<u8> {
    let head = [
        b"PK\x03\x04\x14\x00",
        &[0; 20][..],
        &[entry.len() as u8, 0, 0, 0],
    ];
    [&head.concat(), entry.as_bytes(), b"PK\x05\x06", &[0; 18]].concat()
}

fn pad(magic: &[u8], len: usize) -> Vec<u8> {
    [magic, &vec![0; len - magic.len()]].concat()
}

fn ok(category: Category, mime: &'static str, preview: Option<ImageKind>) -> Verdict {
    Ok(Checked {
        category,
        mime,
        preview,
    })
}

fn no(name_says: Category, content_says: Category) -> Verdict {
    Err(Refusal::Mismatch {
        name_says,
        content_says,
    })
}

/// Each row is the verdict under All; under ImagesOnly and
/// Custom({Document, Archive}) an accepted row must become NotAllowed
/// unless its category is permitted.
#[test]
fn every_sample_under_every_policy() {
    let exe = pad(b"MZ\x90\x00", 64);
    let elf = pad(b"\x7FELF\x02\x01", 64);
    let macho = pad(b"\xCF\xFA\xED\xFE", 32);
    let (octet, text, hidden) = (OCTET, "text/plain", || Err(Refusal::Disguised));
    #[rustfmt::skip]
    let cases: [(&str, &[u8], Verdict); 53] = [
        ("photo.png", PNG, ok(Image, "image/png", Some(Png))),
        ("photo.jpg", JPEG, ok(Image, "image/jpeg", Some(Jpeg))),
        ("anim.gif", GIF, ok(Image, "image/gif", Some(Gif))),
        ("pic.webp", WEBP, ok(Image, "image/webp", Some(Webp))),
        ("report.pdf", PDF, ok(Document, "application/pdf", None)),
        ("notes.txt", b"Two blue mugs.\n", ok(Document, text, None)),
        ("data.csv", b"name,qty\nmug,2\n", ok(Document, text, None)),
        ("report.docx", &zip("word/document.xml"), ok(Document, DOCX, None)),
        ("bundle.zip", &zip("a.txt"), ok(Archive, "application/zip", None)),
        ("setup.exe", &exe, ok(Executable, octet, None)),
        ("tool.elf", &elf, ok(Executable, octet, None)),
        ("lib.dylib", &macho, ok(Executable, octet, None)),
        ("run.sh", SH, ok(Script, octet, None)),
        ("page.html", HTML, ok(Script, octet, None)),
        ("icon.svg", SVG, ok(Script, octet, None)),
        ("blob.dat", BIN, ok(Other, octet, None)),
        // Names: case, double and trailing extensions, paths.
        ("PHOTO.PNG", PNG, ok(Image, "image/png", Some(Png))),
        ("holiday.exe.png", PNG, ok(Image, "image/png", Some(Png))),
        ("photo.jpg", PNG, ok(Image, "image/png", None)),
        ("evil.exe. ", &exe, ok(Executable, octet, None)),
        ("C:\\dir\\SETUP.EXE", &exe, ok(Executable, octet, None)),
        // Containers, text and unknown binary under names that agree.
        ("motion.jpg", &[JPEG, MP4].concat(), ok(Image, "image/jpeg", Some(Jpeg))),
        ("report.docx", &zip("content.xml"), ok(Document, "application/zip", None)),
        ("report.zip", &zip("word/document.xml"), ok(Archive, DOCX, None)),
        ("script.py", b"print('hi')\n", ok(Script, octet, None)),
        ("config.json", b"{\"a\": 1}\n", ok(Other, text, None)),
        ("legacy.csv", b"caf\xe9,1\n", ok(Document, text, None)),
        ("readme.txt", b"MZ and BM start this.\n", ok(Document, text, None)),
        ("image.dmg", BIN, ok(Executable, octet, None)),
        // Renamed files.
        ("photo.png", &exe, no(Image, Executable)),
        ("photo.png", &elf, no(Image, Executable)),
        ("tool", &macho, no(Other, Executable)),
        ("cat.jpg", SH, no(Image, Script)),
        ("cat.jpg", b"<?php system($_GET['c']); ?>", no(Image, Script)),
        ("cat.jpg", b"Write-Host 'hi'\r\n", no(Image, Document)),
        ("cat.gif", HTML, no(Image, Script)),
        ("cat.png", SVG, no(Image, Script)),
        ("notes.txt", JS_TXT, no(Document, Script)),
        ("run", SH, no(Other, Script)),
        ("photo.png", &zip("a.txt"), no(Image, Archive)),
        ("photo.png.exe", PNG, no(Executable, Image)),
        // Polyglots and hidden archives.
        ("anim.gif", &[GIF, JS_TXT].concat(), hidden()),
        ("photo.png", &[PNG, &zip("a.txt")].concat(), hidden()),
        ("photo.jpg", &[JPEG, b"junk", &zip("a.txt")].concat(), hidden()),
        ("photo.png", &[PNG, &zip("a.txt")[..35]].concat(), hidden()),
        ("photo.png", &[PNG, b"PK\x03\x04\xFF\xFF", &zip("a.txt")[6..]].concat(), hidden()),
        ("photo.png", &[PNG, b"<?PHP echo 1; ?>"].concat(), hidden()),
        ("photo.png", &[PNG, &[0; 9000], b"<?php echo 1; ?>"].concat(), hidden()),
        ("report.pdf", &[PDF, &zip("a.txt")].concat(), hidden()),
        ("bundle.zip", &zip("%PDF-1.4.pdf"), hidden()),
        ("page.pdf", b"<html><body>x</body></html>\n%PDF-1.4\n", hidden()),
        ("notes.md", b"<p align=\"center\">Hi</p>\n", ok(Document, text, None)),
        ("empty.txt", b"", Err(Refusal::Empty)),
    ];
    let custom = Allowed::Custom(BTreeSet::from([Document, Archive]));
    for (name, bytes, want) in cases {
        for allowed in [Allowed::All, Allowed::ImagesOnly, custom.clone()] {
            let want = match &want {
                Ok(c) if !allowed.permits(c.category) => Err(Refusal::NotAllowed(c.category)),
                other => other.clone(),
            };
            let policy = FilePolicy {
                allowed,
                ..FilePolicy::default()
            };
            assert_eq!(check(&policy, name, bytes), want, "{name}");
        }
    }
}

#[test]
fn names_and_contents_classify_alone() {
    #[rustfmt::skip]
    let names = [("a.PNG", Image), ("a.png.exe", Executable), ("x.tar.gz", Archive),
        ("README", Other), (".png", Other), ("d.png/f", Other), ("a.b\0.bat", Script)];
    for (name, cat) in names {
        assert_eq!(classify_name(name), cat, "{name}");
    }
    #[rustfmt::skip]
    let contents: [(&[u8], _); 5] = [(GIF, Image), (PDF, Document), (SVG, Script),
        (BIN, Other), (b"MZ", Document)];
    for (bytes, cat) in contents {
        assert_eq!(classify_content(bytes), cat);
    }
}

#[test]
fn size_limit_is_inclusive_and_explained() {
    let max_bytes = MaxBytes::from_megabytes("1").unwrap();
    let policy = FilePolicy {
        max_bytes,
        ..FilePolicy::default()
    };
    let upload = |len| check(&policy, "a.txt", &vec![b'a'; len]).map_err(|e| e.to_string());
    assert!(upload(1 << 20).is_ok());
    let too_large = "This file is too large: the limit is 1 MB";
    assert_eq!(upload((1 << 20) + 1), Err(too_large.into()));
    let text = Refusal::NotAllowed(Executable).to_string();
    assert!(text == "Files of this type (Executables) are not accepted in this chat");
}

#[test]
fn settings_parse_and_read_back() {
    for (text, mb) in [("1", 1.0), ("50", 50.0), (" 0.5 ", 0.5), ("0,25", 0.25)] {
        let parsed = MaxBytes::from_megabytes(text).map(MaxBytes::bytes);
        assert_eq!(parsed, Ok((mb * MB as f64) as u64), "{text}");
    }
    for text in ["0", "-1", "50.01", "51", "abc", "", "1e1", "0.001", "NaN"] {
        assert_eq!(MaxBytes::from_megabytes(text), Err(BAD_SIZE), "{text}");
    }
    let parse = |kind, keys: &str| Allowed::parse(kind, &keys.split(',').collect::<Vec<_>>());
    let custom = Allowed::Custom(BTreeSet::from([Document, Other]));
    assert_eq!(parse("custom", "other, documents,"), Ok(custom.clone()));
    for allowed in [Allowed::All, Allowed::ImagesOnly, custom] {
        assert_eq!(parse(allowed.key(), &allowed.categories_csv()), Ok(allowed));
    }
    assert_eq!(parse("custom", ""), Err(NO_CATEGORY));
    assert!(parse("custom", "images,movies").is_err() && parse("any", "").is_err());
    let agent = FilePolicy::agent();
    assert_eq!(agent.allowed.categories_csv(), "images,documents,archives");
    assert_eq!(agent.max_bytes.megabytes_text(), "25");
    assert!(Category::ALL.map(|c| Category::from_key(c.key())) == Category::ALL.map(Some));
}

proptest! {
    #[test]
    fn any_upload_gets_an_answer(
        head in 0..7usize, rest in any::<Vec<u8>>(), name in "[a-z.]{0,9}"
    ) {
        let ole = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
        let heads: [&[u8]; 7] =
            [b"", &PNG[..8], &JPEG[..3], GIF, &WEBP[..12], b"PK\x03\x04", ole];
        if let Ok(c) = check(&FilePolicy::default(), &name, &[heads[head], &rest].concat()) {
            prop_assert!(c.preview.is_none() || c.category == Image);
        }
    }

    #[test]
    fn sizes_read_back_exactly(h in 1u64..=5000) {
        let m = MaxBytes::from_megabytes(&format!("{}.{:02}", h / 100, h % 100)).unwrap();
        prop_assert_eq!(MaxBytes::from_megabytes(&m.megabytes_text()), Ok(m));
    }
}
