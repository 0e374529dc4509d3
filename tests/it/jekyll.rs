//! What Jekyll reads after an edit: a real `jekyll build` of a clone of the
//! site, and Ruby's YAML (Psych, as Jekyll loads front matter) as an oracle.

use crate::support::*;
use std::process::Command;

const PAGE: &str = "/collections/projects/ai-and-cities";

#[tokio::test]
async fn an_edit_shows_up_in_the_jekyll_build_of_the_pushed_site() {
    if !tool_available("jekyll") {
        return;
    }
    let (dir, server, browser) = demo_with_editor().await;
    let (_, html) = browser.get(PAGE).await;
    let form = Form::parse(&html, PAGE)
        .with("f.mission", "Cities where AI answers to residents")
        .with("f.start_date", "2022-02-01")
        .with("f.axes", "digitization\r\nurban mobility");
    assert_eq!(
        browser.post(PAGE, &form.fields).await.status().as_u16(),
        303
    );

    // Build from a clone of the branch, as a deploy does.
    let dest = jekyll_build_of_clone(&server.site(), dir.path());
    let page = std::fs::read_to_string(dest.join("projects/ai-and-cities/index.html"))
        .expect("built page");
    assert!(
        page.contains("<p class=\"mission\">Cities where AI answers to residents</p>"),
        "{page}"
    );
    // Still a Date for Jekyll: the layout's date filter formats it.
    assert!(page.contains("February 2022 – Ongoing"), "{page}");
    assert!(page.contains("digitization, urban mobility"), "{page}");
}

#[tokio::test]
async fn values_typed_in_the_form_read_back_in_ruby_as_typed() {
    if !tool_available("ruby") {
        return;
    }
    let (_dir, server, browser) = demo_with_editor().await;
    // Text an editor may type that a careless writer would let YAML misread.
    let typed = [
        ("layout", "no"),
        ("category", "2021-09-01"),
        ("type", "0042"),
        ("lead", "key: value # not a comment"),
        ("img_link", "@everyone"),
        ("alt", " padded "),
        ("img_credit", "1:20"),
        ("end_date", "yes"),
    ];
    let (_, html) = browser.get(PAGE).await;
    let mut form = Form::parse(&html, PAGE);
    for (key, value) in typed {
        form = form.with(&format!("f.{key}"), value);
    }
    assert_eq!(
        browser.post(PAGE, &form.fields).await.status().as_u16(),
        303
    );

    let file = server.site().join("_projects/ai-and-cities.md");
    let script = r#"
require "yaml"; require "date"; require "json"
text = File.read(ARGV[0])
fm = text[/\A---\s*\n(.*?\n?)^((---|\.\.\.)\s*$\n?)/m, 1]
data = Psych.safe_load(fm, permitted_classes: [Date, Time], aliases: true)
puts JSON.generate(data.transform_values { |v| v.is_a?(Date) ? "DATE:#{v}" : v })
"#;
    let out = Command::new("ruby")
        .arg("-e")
        .arg(script)
        .arg(&file)
        .output()
        .expect("ruby");
    assert!(
        out.status.success(),
        "ruby: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let data: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    for (key, value) in typed {
        assert_eq!(data[key], serde_json::json!(value), "{key} read by Ruby");
    }
    // Untouched values keep their types: the date stays a Date.
    assert_eq!(data["start_date"], serde_json::json!("DATE:2021-09-01"));
    assert_eq!(
        data["axes"],
        serde_json::json!(["digitization", "social inclusion", "biodiversity"])
    );
}
