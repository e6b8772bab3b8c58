//! Browser journey for the Live Chat Window: a manager allows images only
//! and hides previews by default; a visitor's program renamed .png is
//! refused in the widget; the agent sees why, and a real photo shows as a
//! link until the agent presses Show image previews.

use std::time::Duration;

use fantoccini::Locator;

use crate::support::{browser::Browser, fixtures::exe, *};

/// A real, visible PNG: a `w`×`h` RGB gradient, stored (uncompressed)
/// deflate blocks, with the CRCs and checksum a browser verifies.
fn gradient_png(w: u32, h: u32) -> Vec<u8> {
    fn crc32(data: &[u8]) -> u32 {
        let mut c = 0xFFFF_FFFFu32;
        for b in data {
            c ^= u32::from(*b);
            for _ in 0..8 {
                c = if c & 1 == 1 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let body = [kind, data].concat();
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc32(&body).to_be_bytes());
    }
    let mut raw = Vec::new();
    for y in 0..h {
        raw.push(0); // no filter
        for x in 0..w {
            let r = (60 + x * 160 / w) as u8;
            let g = (90 + y * 120 / h) as u8;
            raw.extend_from_slice(&[r, g, 200]);
        }
    }
    let mut z = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, block) in blocks.iter().enumerate() {
        z.push(u8::from(i + 1 == blocks.len()));
        let len = block.len() as u16;
        z.extend_from_slice(&len.to_le_bytes());
        z.extend_from_slice(&(!len).to_le_bytes());
        z.extend_from_slice(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for byte in &raw {
        a = (a + u32::from(*byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    z.extend_from_slice(&((b << 16) | a).to_be_bytes());
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"IDAT", &z);
    chunk(&mut png, b"IEND", &[]);
    png
}

async fn attr(b: &Browser, css: &str, name: &str) -> Option<String> {
    b.css(css).await.attr(name).await.unwrap()
}

/// Waits until `css` matches nothing.
async fn gone(b: &Browser, css: &str) {
    for _ in 0..100 {
        if b.client.find(Locator::Css(css)).await.is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} is still there");
}

#[actix_web::test]
async fn images_only_refuses_a_renamed_program_and_previews_follow_the_toggle() {
    let Some(visitor) = Browser::start().await else {
        return;
    };
    let Some(staff) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;

    // The manager allows images only and hides previews by default.
    staff
        .sign_in(&app, &app.acme.manager, "/settings/chat-window")
        .await;
    staff.click("input[name=file_mode][value=images]").await;
    // Previews are already hidden by default for a new account.
    assert!(!staff
        .css("input[name=previews]")
        .await
        .is_selected()
        .await
        .unwrap());
    staff.click(".window-form .form-actions button").await;
    staff
        .wait_text(".flash", "Visitors may send images only")
        .await;
    assert!(staff
        .css("input[name=file_mode][value=images]")
        .await
        .is_selected()
        .await
        .unwrap());
    staff.screenshot("chat-window-settings").await;
    staff
        .client
        .execute("window.scrollTo(0, document.body.scrollHeight);", vec![])
        .await
        .unwrap();
    staff.screenshot("chat-window-settings-end").await;

    // The visitor's program renamed .png is refused in the widget.
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("invoice.png");
    std::fs::write(&fake, exe()).unwrap();
    let photo = gradient_png(240, 160);
    let real = dir.path().join("holiday.png");
    std::fs::write(&real, &photo).unwrap();
    visitor
        .client
        .goto(&app.url("/demo?case=acme-support"))
        .await
        .unwrap();
    visitor.enter_chat().await;
    visitor.click("#launcher").await;
    let input = visitor.css("#input").await;
    input.send_keys("Here is my invoice").await.unwrap();
    visitor.click("#send").await;
    visitor.wait_text("#log", "Here is my invoice").await;
    let file = visitor.css("#file").await;
    file.send_keys(fake.to_str().unwrap()).await.unwrap();
    visitor
        .wait_text(
            "#error",
            "invoice.png was not sent. This file's content does not match its name.",
        )
        .await;
    visitor.client.enter_parent_frame().await.unwrap();
    visitor.screenshot("visitor-file-refused").await;
    visitor.enter_chat().await;
    // A real photo goes through.
    let file = visitor.css("#file").await;
    file.send_keys(real.to_str().unwrap()).await.unwrap();
    visitor.wait_text("#log", "holiday.png").await;

    // The agent sees the refusal and the photo as a link, previews being off.
    staff.client.delete_all_cookies().await.unwrap();
    staff.sign_in(&app, &app.acme.agent, "/agent").await;
    staff.wait_text("#waiting", "Support").await;
    staff.click("#waiting .queue-item").await;
    staff
        .wait_text(
            "#transcript",
            "A file from the visitor was refused: invoice.png (This file's content does not match its name)",
        )
        .await;
    let link = format!("holiday.png ({} KB)", (photo.len() as f64 / 1024.0).round());
    staff.wait_text("#transcript a.file", &link).await;
    assert!(staff
        .client
        .find(Locator::Css("#transcript img"))
        .await
        .is_err());
    assert_eq!(
        attr(&staff, "#previews-button", "aria-label")
            .await
            .as_deref(),
        Some("Show image previews")
    );
    staff.screenshot("agent-previews-hidden").await;

    // The toolbar icon shows the picture, loaded from the preview route.
    staff.click("#previews-button").await;
    let img = staff.css("#transcript img").await;
    assert_eq!(
        img.attr("alt").await.unwrap().as_deref(),
        Some("holiday.png")
    );
    assert!(img
        .attr("src")
        .await
        .unwrap()
        .unwrap()
        .ends_with("/preview"));
    let mut width = 0;
    for _ in 0..50 {
        let v = staff
            .client
            .execute(
                "return document.querySelector('#transcript img').naturalWidth;",
                vec![],
            )
            .await
            .unwrap();
        width = v.as_u64().unwrap_or(0);
        if width > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(width, 240, "the image really loads under the page's CSP");
    assert_eq!(
        attr(&staff, "#previews-button", "aria-pressed")
            .await
            .as_deref(),
        Some("true")
    );
    staff.screenshot("agent-previews-shown").await;

    // The hamburger menu offers the same, and the choice persists.
    staff.click("#menu-button").await;
    staff
        .wait_text("#menu-previews", "Hide image previews")
        .await;
    staff.click("#menu-previews").await;
    gone(&staff, "#transcript img").await;
    staff.wait_text("#transcript a.file", &link).await;
    staff.client.refresh().await.unwrap();
    staff.wait_text("#transcript a.file", &link).await;
    staff.click("#menu-button").await;
    staff
        .wait_text("#menu-previews", "Show image previews")
        .await;
    staff.click("#menu-previews").await;
    staff.css("#transcript img").await;
    staff.client.refresh().await.unwrap();
    staff.css("#transcript img").await;
    staff.screenshot("agent-window").await;

    // The transcript page follows the same choice.
    let url = staff.client.current_url().await.unwrap();
    let id = url.fragment().unwrap().trim_start_matches("c=").to_owned();
    staff
        .client
        .goto(&app.url(&format!("/conversations/{id}")))
        .await
        .unwrap();
    let img = staff.css(".transcript img").await;
    assert_eq!(
        img.attr("alt").await.unwrap().as_deref(),
        Some("holiday.png")
    );
    staff.screenshot("transcript-previews").await;

    visitor.client.clone().close().await.unwrap();
    staff.client.clone().close().await.unwrap();
}
