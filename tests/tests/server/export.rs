//! Exports read back by independent parsers, the markup-injection corpus in
//! every format (and in a real browser), import round trips, history and
//! restore, and who may do what over HTTP.
use std::collections::BTreeSet;
use std::time::Duration;

use samskab_board::{Board, Color, Ctx, Op, RoleGroup};
use samskab_export::{Format, Options, Scope, json, minutes};
use samskab_tests::TestServer;

/// Text that must stay text everywhere.
const INJECTIONS: [&str; 5] = [
    "</text><script>window.__pwned=1;alert(1)</script>",
    "<img src=x onerror=\"window.__pwned=2;alert(1)\">",
    "[klik her](javascript:window.__pwned=3) javascript:alert(1)",
    "\u{202E}gnp.exe\u{202C} rtl \u{2066}isoleret\u{2069}",
    "=HYPERLINK(\"http://x\";\"y\")",
];

pub(crate) const DANISH: &str = "Æbler på Østerbro og grønne gårde";

pub(crate) fn ctx(who: &str) -> Ctx {
    Ctx::new(who, 1_760_000_000_000)
}

pub(crate) fn note(b: &mut Board, id: &str, x: f64, y: f64, text: &str, who: &str) {
    b.apply(
        &Op::CreateNote {
            id: id.into(),
            x,
            y,
            color: Color::Yellow,
            text: text.into(),
        },
        &ctx(who),
    )
    .unwrap();
}

/// A small meeting: two frames, Danish notes, a long note, the injection
/// corpus, a connector, a mind map and two participants.
pub(crate) fn meeting() -> Board {
    let mut b = Board::create(&[7; 16], "Byrådsmøde: Skolevej", &ctx("anna")).unwrap();
    b.apply(
        &Op::SetTheme {
            theme: "Hvordan gør vi skolevejen sikker?".into(),
        },
        &ctx("anna"),
    )
    .unwrap();
    for (who, name, role) in [
        ("anna", "Anna Sørensen", RoleGroup::Citizen),
        ("bo", "Bo Ærø", RoleGroup::Politician),
    ] {
        b.apply(
            &Op::SetParticipant {
                name: name.into(),
                role,
                color: "#336699".into(),
            },
            &ctx(who),
        )
        .unwrap();
    }
    for (id, name, x) in [("f1", "Idéer", 0.0), ("f2", "Bekymringer", 700.0)] {
        b.apply(
            &Op::CreateFrame {
                id: id.into(),
                name: name.into(),
                x,
                y: 0.0,
                w: 650.0,
                h: 900.0,
                color: Color::Blue,
            },
            &ctx("anna"),
        )
        .unwrap();
    }
    note(&mut b, "n1", 20.0, 60.0, DANISH, "anna");
    b.apply(
        &Op::SetNoteFrame {
            id: "n1".into(),
            frame: Some("f1".into()),
        },
        &ctx("anna"),
    )
    .unwrap();
    let long = "Vi foreslår en lang række tiltag omkring skolen, blandt andet ".repeat(12);
    note(&mut b, "n2", 240.0, 60.0, &long, "bo");
    for (i, text) in INJECTIONS.iter().enumerate() {
        let id = format!("x{i}");
        note(
            &mut b,
            &id,
            20.0 + 220.0 * (i % 3) as f64,
            300.0 + 200.0 * (i / 3) as f64,
            text,
            "bo",
        );
    }
    b.apply(
        &Op::SetNoteFrame {
            id: "x0".into(),
            frame: Some("f2".into()),
        },
        &ctx("bo"),
    )
    .unwrap();
    b.apply(
        &Op::Connect {
            id: "c1".into(),
            from: "n1".into(),
            to: "n2".into(),
            label: "hænger sammen".into(),
        },
        &ctx("anna"),
    )
    .unwrap();
    b.apply(
        &Op::CreateMindMap {
            id: "m1".into(),
            root: "r".into(),
            text: "Trafik".into(),
        },
        &ctx("anna"),
    )
    .unwrap();
    for (id, parent, order, text) in [
        ("a", "r", 1.0, "Cykelstier"),
        ("a1", "a", 1.0, "Belysning"),
        ("b", "r", 2.0, "Fartgrænser på 30 km/t"),
    ] {
        b.apply(
            &Op::AddNode {
                map: "m1".into(),
                id: id.into(),
                parent: parent.into(),
                order,
                text: text.into(),
            },
            &ctx("anna"),
        )
        .unwrap();
    }
    b
}

pub(crate) fn export(b: &mut Board, f: Format) -> Vec<u8> {
    samskab_export::export(b, f, &Options::default()).unwrap()
}

/// All the text in an SVG, one string per `<text>`, lines joined by spaces.
pub(crate) fn svg_texts(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).expect("the SVG is well-formed XML");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|t| {
            t.descendants()
                .filter(|n| n.is_text())
                .map(|n| n.text().unwrap_or_default())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

fn markup_free_svg(svg: &str) {
    let doc = roxmltree::Document::parse(svg).unwrap();
    let allowed: BTreeSet<&str> = ["svg", "title", "rect", "g", "text", "tspan", "line"].into();
    for n in doc.descendants().filter(|n| n.is_element()) {
        let tag = n.tag_name().name();
        assert!(
            allowed.contains(tag),
            "unexpected element <{tag}> in the SVG"
        );
        for a in n.attributes() {
            assert!(
                !a.name().starts_with("on") && a.name() != "href",
                "unexpected attribute {} on <{tag}>",
                a.name()
            );
        }
    }
}

#[test]
fn svg_reads_back_as_xml_with_every_note_as_text() {
    let mut b = meeting();
    let svg = String::from_utf8(export(&mut b, Format::Svg)).unwrap();
    let texts = svg_texts(&svg);
    assert!(texts.iter().any(|t| t == DANISH), "{texts:?}");
    assert!(texts.iter().any(|t| t == "Byrådsmøde: Skolevej"));
    assert!(texts.iter().any(|t| t == "Idéer"));
    assert!(texts.iter().any(|t| t == "Cykelstier"), "mind map drawn");
    // The long note is wrapped into lines, shrunk, and cut with an ellipsis.
    let long = texts
        .iter()
        .find(|t| t.starts_with("Vi foreslår"))
        .expect("the long note");
    assert!(long.ends_with('…'));
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let notes = doc
        .descendants()
        .filter(|n| n.attribute("data-note").is_some())
        .count();
    assert_eq!(notes, b.notes().len());
    markup_free_svg(&svg);
    // The injection corpus is there as the very text people typed.
    // (Long words are broken over lines: compare without the line breaks.)
    let bare = |t: &str| t.replace(' ', "");
    assert!(texts.iter().any(|t| bare(t) == bare(INJECTIONS[0])));
    assert!(texts.iter().any(|t| bare(t) == bare(INJECTIONS[1])));
    assert!(texts.iter().any(|t| t.contains("gnp.exe rtl isoleret")));
    assert!(!svg.contains('\u{202E}') && !svg.contains('\u{2066}'));

    // One frame, one mind map.
    let frame = String::from_utf8(
        samskab_export::export(
            &mut b,
            Format::Svg,
            &Options {
                scope: Scope::Frame("f1".into()),
                ..Options::default()
            },
        )
        .unwrap(),
    )
    .unwrap();
    let ft = svg_texts(&frame);
    assert!(ft.iter().any(|t| t == DANISH));
    assert!(
        !ft.iter().any(|t| t.starts_with("Vi foreslår")),
        "n2 is outside f1"
    );
    let map = String::from_utf8(
        samskab_export::export(
            &mut b,
            Format::Svg,
            &Options {
                scope: Scope::MindMap("m1".into()),
                ..Options::default()
            },
        )
        .unwrap(),
    )
    .unwrap();
    let mt = svg_texts(&map);
    assert!(mt.iter().any(|t| t == "Belysning"));
    assert!(!mt.iter().any(|t| t == DANISH));
    let missing = samskab_export::export(
        &mut b,
        Format::Svg,
        &Options {
            scope: Scope::Frame("nope".into()),
            ..Options::default()
        },
    );
    assert!(missing.is_err());
}

#[test]
fn png_decodes_to_a_picture_that_is_not_blank() {
    let mut b = meeting();
    let bytes = export(&mut b, Format::Png);
    let decoder = png::Decoder::new(std::io::Cursor::new(&bytes));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert!(
        info.width > 500 && info.height > 500,
        "{}x{}",
        info.width,
        info.height
    );
    let px = &buf[..info.buffer_size()];
    let first = &px[..4];
    let differing = px.chunks(4).filter(|p| *p != first).count();
    assert!(
        differing > px.len() / 4 / 20,
        "the image is (nearly) one colour: {differing} pixels differ"
    );
}

/// The page count, and the text the PDF draws, extracted with an independent
/// PDF parser (lopdf): every page's content stream and every Form XObject it
/// draws (`Do`, where svg2pdf puts the drawing), each `Tj`/`TJ` string decoded
/// through its font's ToUnicode CMap ([`Glyphs`]). svg2pdf places each glyph
/// on its own (spaces are glyphs too), so a line break goes wherever the
/// text moves to another line or a new transformation begins (another
/// note); runs of white space are made one space.
pub(crate) fn pdf_text(bytes: &[u8]) -> (usize, String) {
    let doc = lopdf::Document::load_mem(bytes).expect("a PDF");
    let pages = doc.get_pages();
    let mut out = String::new();
    for page_id in pages.values() {
        let page = doc.get_dictionary(*page_id).expect("a page dictionary");
        let resources = page
            .get_deref(b"Resources", &doc)
            .and_then(lopdf::Object::as_dict)
            .expect("page resources");
        let content = doc.get_page_content(*page_id).expect("page content");
        draw_text(&doc, &content, resources, &mut out, 0);
        out.push('\n');
    }
    let text = out.split_whitespace().collect::<Vec<_>>().join(" ");
    (pages.len(), text)
}

/// How a font's codes become text: its ToUnicode CMap, which every font
/// must have for its text to be extractable (svg2pdf embeds fonts as
/// Identity-H with one). lopdf 0.36 reads such a CMap only without the
/// `/CMapVersion` and `/WMode` entries svg2pdf (rightly) writes, so the
/// CMap's `bfchar` and `bfrange` sections are read here (two-byte codes, as
/// its codespace says).
struct Glyphs(std::collections::HashMap<u16, String>);

impl Glyphs {
    fn of(doc: &lopdf::Document, font: &lopdf::Dictionary) -> Glyphs {
        let cmap = font
            .get_deref(b"ToUnicode", doc)
            .and_then(lopdf::Object::as_stream)
            .expect("a font with a ToUnicode CMap, so its text can be extracted");
        let text = cmap
            .decompressed_content()
            .unwrap_or_else(|_| cmap.content.clone());
        let text = String::from_utf8_lossy(&text).into_owned();
        let hex = |h: &str| -> Vec<u16> {
            let h = h.trim().trim_start_matches('<').trim_end_matches('>');
            (0..h.len() / 4)
                .map(|i| u16::from_str_radix(&h[i * 4..i * 4 + 4], 16).expect("hex in the CMap"))
                .collect()
        };
        let mut map = std::collections::HashMap::new();
        let sections = |begin: &str, end: &str| -> Vec<String> {
            text.split(begin)
                .skip(1)
                .filter_map(|s| s.split(end).next().map(String::from))
                .collect()
        };
        for section in sections("beginbfchar", "endbfchar") {
            let codes: Vec<&str> = section.split_whitespace().collect();
            for pair in codes.chunks(2) {
                map.insert(hex(pair[0])[0], String::from_utf16_lossy(&hex(pair[1])));
            }
        }
        for section in sections("beginbfrange", "endbfrange") {
            for line in section.lines().filter(|l| l.contains('<')) {
                let parts: Vec<&str> = line
                    .split(['<', '>', '[', ']'])
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .collect();
                let (lo, hi) = (hex(parts[0])[0], hex(parts[1])[0]);
                for (i, code) in (lo..=hi).enumerate() {
                    let target = if line.contains('[') {
                        hex(parts[2 + i])
                    } else {
                        let mut t = hex(parts[2]);
                        *t.last_mut().unwrap() += i as u16;
                        t
                    };
                    map.insert(code, String::from_utf16_lossy(&target));
                }
            }
        }
        assert!(!map.is_empty(), "an empty ToUnicode CMap");
        Glyphs(map)
    }

    fn decode(&self, bytes: &[u8]) -> String {
        bytes
            .chunks(2)
            .map(|c| {
                let code = u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]);
                self.0
                    .get(&code)
                    .cloned()
                    .unwrap_or_else(|| "\u{FFFD}".into())
            })
            .collect()
    }
}

fn draw_text(
    doc: &lopdf::Document,
    content: &[u8],
    resources: &lopdf::Dictionary,
    out: &mut String,
    depth: usize,
) {
    use lopdf::Object;
    assert!(depth < 16, "Form XObjects nested too deep");
    let ops = lopdf::content::Content::decode(content).expect("a content stream");
    let mut encoding = None;
    let mut line_y: Option<f32> = None;
    let mut y = 0.0f32;
    let num = |o: &Object| o.as_float().unwrap_or(0.0);
    let new_line = |line_y: &mut Option<f32>, y: f32, out: &mut String| {
        if line_y.is_some_and(|l| (l - y).abs() > 0.01) {
            out.push('\n');
        }
        *line_y = Some(y);
    };
    for op in &ops.operations {
        match op.operator.as_str() {
            "BT" => y = 0.0,
            "Tm" if op.operands.len() == 6 => {
                y = num(&op.operands[5]);
                new_line(&mut line_y, y, out);
            }
            "Td" | "TD" if op.operands.len() == 2 => {
                y += num(&op.operands[1]);
                new_line(&mut line_y, y, out);
            }
            "T*" => out.push('\n'),
            "Tf" => {
                let name = op.operands[0].as_name().expect("a font name");
                let font = resources
                    .get_deref(b"Font", doc)
                    .and_then(Object::as_dict)
                    .and_then(|fonts| fonts.get_deref(name, doc))
                    .and_then(Object::as_dict)
                    .expect("the font named by Tf is in the resources");
                encoding = Some(Glyphs::of(doc, font));
            }
            "Tj" | "TJ" | "'" | "\"" => {
                let glyphs = encoding.as_ref().expect("a font is set before text");
                let mut strings = Vec::new();
                for o in &op.operands {
                    match o {
                        Object::String(b, _) => strings.push(b.clone()),
                        Object::Array(a) => strings.extend(a.iter().filter_map(|x| match x {
                            Object::String(b, _) => Some(b.clone()),
                            _ => None,
                        })),
                        _ => {}
                    }
                }
                for b in strings {
                    out.push_str(&glyphs.decode(&b));
                }
            }
            // A new transformation starts another piece of text (another note).
            "cm" => {
                out.push('\n');
                line_y = None;
            }
            "Do" => {
                let name = op.operands[0].as_name().expect("an XObject name");
                let Ok(xobject) = resources
                    .get_deref(b"XObject", doc)
                    .and_then(Object::as_dict)
                    .and_then(|x| x.get_deref(name, doc))
                    .and_then(Object::as_stream)
                else {
                    continue;
                };
                if xobject.dict.get(b"Subtype").and_then(Object::as_name).ok() != Some(b"Form") {
                    continue;
                }
                let inner = xobject
                    .dict
                    .get_deref(b"Resources", doc)
                    .and_then(Object::as_dict)
                    .unwrap_or(resources);
                let data = xobject
                    .decompressed_content()
                    .unwrap_or_else(|_| xobject.content.clone());
                out.push('\n');
                draw_text(doc, &data, inner, out, depth + 1);
                out.push('\n');
                line_y = None;
            }
            _ => {}
        }
    }
}

#[test]
fn pdf_has_the_notes_text_with_danish_letters_on_the_chosen_paper() {
    let mut b = meeting();
    note(&mut b, "ae", 20.0, 800.0, "Blåbærgrød på Ærø", "anna");
    let bytes = samskab_export::export(
        &mut b,
        Format::Pdf,
        &Options {
            paper: samskab_export::Paper::A4,
            orientation: samskab_export::Orientation::Portrait,
            ..Options::default()
        },
    )
    .unwrap();
    let (pages, text) = pdf_text(&bytes);
    assert!(pages >= 1);
    for want in [
        "Blåbærgrød på Ærø",
        "Byrådsmøde: Skolevej",
        "Idéer",
        "Bekymringer",
        "Cykelstier",
        "Belysning",
    ] {
        assert!(
            text.contains(want),
            "{want:?} is not text in the PDF: {text}"
        );
    }
    assert!(
        bytes.windows(6).any(|w| w == b"DejaVu"),
        "the shipped font is embedded"
    );
    let doc = lopdf::Document::load_mem(&bytes).unwrap();
    let first = *doc.get_pages().values().next().unwrap();
    let media = doc
        .get_dictionary(first)
        .unwrap()
        .get(b"MediaBox")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_float().unwrap())
        .collect::<Vec<f32>>();
    assert!(
        (media[2] - 595.28).abs() < 1.0 && (media[3] - 841.89).abs() < 1.0,
        "A4 portrait: {media:?}"
    );
}

#[test]
fn a_big_board_pdf_is_paged_in_readable_tiles() {
    let mut b = Board::create(&[3; 16], "Stor", &ctx("anna")).unwrap();
    for i in 0..120 {
        note(
            &mut b,
            &format!("n{i}"),
            (i % 12) as f64 * 260.0,
            (i / 12) as f64 * 220.0,
            &format!("Note {i}"),
            "anna",
        );
    }
    let bytes = samskab_export::export(
        &mut b,
        Format::Pdf,
        &Options {
            paper: samskab_export::Paper::A3,
            ..Options::default()
        },
    )
    .unwrap();
    let (pages, text) = pdf_text(&bytes);
    assert!(pages > 2, "an overview and tiles: {pages} pages");
    assert!(
        text.contains("Note 0") && text.contains("Note 119"),
        "{text}"
    );
}

#[test]
fn csv_reads_back_one_row_per_note_with_formulas_defused() {
    let mut b = meeting();
    let bytes = export(&mut b, Format::Csv);
    let mut r = csv::Reader::from_reader(&bytes[..]);
    let headers = r.headers().unwrap().clone();
    assert_eq!(&headers[2], "text");
    let rows: Vec<csv::StringRecord> = r.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), b.notes().len());
    let by_id = |id: &str| rows.iter().find(|r| &r[0] == id).unwrap().clone();
    assert_eq!(&by_id("n1")[2], DANISH);
    assert_eq!(&by_id("n1")[1], "Idéer");
    assert_eq!(&by_id("n1")[4], "Anna Sørensen");
    assert_eq!(&by_id("x0")[2], INJECTIONS[0]);
    assert_eq!(&by_id("x4")[2], format!("'{}", INJECTIONS[4]));
    assert!(!by_id("x3")[2].contains('\u{202E}'));
}

/// Minutes read by an independent Markdown parser: the headings, and every
/// list item with its depth (1 = top level) and its own text (not its
/// sub-items'). Panics on raw HTML, links or images.
pub(crate) fn md_outline(md: &str) -> (Vec<String>, Vec<(usize, String)>) {
    let parser = pulldown_cmark::Parser::new(md);
    let mut depth = 0;
    let mut items: Vec<(usize, String)> = Vec::new();
    // Indexes into `items` of the items open now, innermost last.
    let mut open: Vec<usize> = Vec::new();
    let mut headings = Vec::new();
    let mut in_heading = false;
    for ev in parser {
        use pulldown_cmark::{Event, Tag, TagEnd};
        match ev {
            Event::Start(Tag::List(_)) => depth += 1,
            Event::End(TagEnd::List(_)) => depth -= 1,
            Event::Start(Tag::Item) => {
                open.push(items.len());
                items.push((depth, String::new()));
            }
            Event::End(TagEnd::Item) => {
                open.pop();
            }
            Event::Start(Tag::Heading { .. }) => {
                in_heading = true;
                headings.push(String::new());
            }
            Event::End(TagEnd::Heading(_)) => in_heading = false,
            Event::Text(t) => {
                if in_heading {
                    headings.last_mut().unwrap().push_str(&t);
                } else if let Some(i) = open.last() {
                    items[*i].1.push_str(&t);
                }
            }
            Event::Html(h) | Event::InlineHtml(h) => panic!("raw HTML in the minutes: {h}"),
            Event::Start(Tag::Link { dest_url, .. }) => panic!("a link in the minutes: {dest_url}"),
            Event::Start(Tag::Image { .. }) => panic!("an image in the minutes"),
            _ => {}
        }
    }
    (headings, items)
}

#[test]
fn markdown_minutes_have_the_outline_and_notes_by_frame_and_no_markup() {
    let mut b = meeting();
    let md = String::from_utf8(export(&mut b, Format::Markdown)).unwrap();
    let (headings, items) = md_outline(&md);
    assert!(
        headings.iter().any(|h| h.contains("Byrådsmøde: Skolevej")),
        "{headings:?}"
    );
    assert!(
        headings.iter().any(|h| h == "Tankekort: Trafik"),
        "{headings:?}"
    );
    assert!(headings.iter().any(|h| h == "Idéer"));
    assert!(headings.iter().any(|h| h == "Bekymringer"));
    let item = |text: &str| items.iter().find(|(_, t)| t.starts_with(text)).cloned();
    assert_eq!(item("Cykelstier").unwrap().0, 1);
    assert_eq!(
        item("Belysning").unwrap().0,
        2,
        "a child is nested one deeper"
    );
    assert_eq!(item("Fartgrænser").unwrap().0, 1);
    assert!(item(DANISH).unwrap().1.contains("Anna Sørensen"));
    assert!(item(INJECTIONS[0]).is_some(), "{items:?}");
    assert!(item("[klik her](javascript").is_some());
    assert!(!md.contains('\u{202E}'));
    // Facilitation sections are absent while the board has none.
    assert!(!md.contains("Afstemning") && !md.contains("Beslutning"));
    // Names can be replaced by role groups.
    let public = minutes::minutes(
        &b,
        &Options {
            names: samskab_export::Names::RoleGroups,
            ..Options::default()
        },
    )
    .unwrap();
    assert!(!public.contains("Anna") && public.contains("Borger") && public.contains("Politiker"));
}

fn views(b: &Board) -> serde_json::Value {
    serde_json::json!({
        "title": b.title(), "theme": b.theme(), "participants": b.participants(),
        "notes": b.notes(), "frames": b.frames(), "connectors": b.connectors(), "mindmaps": b.mindmaps(),
    })
}

#[test]
fn json_and_automerge_exports_import_as_an_equal_board() {
    let mut b = meeting();
    let doc: serde_json::Value = serde_json::from_slice(&export(&mut b, Format::Json)).unwrap();
    assert_eq!(doc["format"], "samskab-board");
    assert_eq!(doc["notes"].as_array().unwrap().len(), b.notes().len());
    let from_json =
        json::import(&export(&mut b, Format::Json), &[9; 16], 1_770_000_000_000).unwrap();
    assert_eq!(views(&from_json), views(&b));
    let from_doc = json::import_any(&export(&mut b, Format::Automerge), &[9; 16], 0).unwrap();
    assert_eq!(views(&from_doc), views(&b));
    // Bad input: a clear error.
    let err = json::import_any(b"{\"format\":\"x\"}", &[9; 16], 0).unwrap_err();
    assert!(err.to_string().contains("not a board export"), "{err}");
    assert!(json::import_any(b"not automerge", &[9; 16], 0).is_err());
    let mut bad: serde_json::Value = doc.clone();
    bad["notes"][0]["x"] = serde_json::json!(1e300);
    let err = json::import(&serde_json::to_vec(&bad).unwrap(), &[9; 16], 0).unwrap_err();
    assert!(err.to_string().contains("note"), "{err}");
}

#[test]
fn restore_brings_back_a_past_version_as_new_changes_and_keeps_history() {
    let mut b = meeting();
    let before = b.heads();
    let before_view = views(&b);
    b.apply(&Op::DeleteNote { id: "n1".into() }, &ctx("bo"))
        .unwrap();
    b.apply(
        &Op::EditText {
            id: "n2".into(),
            index: 0,
            delete: 2,
            insert: "Nej".into(),
        },
        &ctx("bo"),
    )
    .unwrap();
    note(&mut b, "late", 5.0, 5.0, "kom senere", "bo");
    b.apply(
        &Op::MoveFrame {
            id: "f2".into(),
            x: 900.0,
            y: 50.0,
        },
        &ctx("bo"),
    )
    .unwrap();
    b.apply(
        &Op::DeleteNode {
            map: "m1".into(),
            id: "a".into(),
        },
        &ctx("bo"),
    )
    .unwrap();
    let after = b.heads();
    let changes_before = b.doc_mut().get_changes(&[]).len();
    samskab_export::history::restore(&mut b, &before, &ctx("anna")).unwrap();
    assert_eq!(views(&b), before_view);
    // Nothing was lost: the later version is still there to look at.
    assert!(b.doc_mut().get_changes(&[]).len() > changes_before);
    let later = samskab_export::history::at(&mut b, &after).unwrap();
    assert!(later.note("late").is_some() && later.note("n1").is_none());
    // And "what changed since" names it.
    let now = b.heads();
    let d = b.diff(&after, &now);
    let summary = samskab_export::history::summary(&d, "da").join(", ");
    assert!(
        summary.contains("ny seddel") || summary.contains("slettede sedler"),
        "{summary}"
    );
    let sessions = samskab_export::history::sessions(&mut b);
    assert_eq!(sessions.len(), 1, "all in one sitting");
    assert_eq!(sessions[0].heads.len(), now.len());
}

// ---- over HTTP -----------------------------------------------------------

pub(crate) struct Imported {
    pub id: String,
    pub facilitator: String,
    pub editor: String,
    pub viewer: String,
}

pub(crate) async fn import(server: &TestServer, body: Vec<u8>) -> Imported {
    let res = reqwest::Client::new()
        .post(server.url("/api/boards/import"))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let v: serde_json::Value = res.json().await.unwrap();
    let key = |r: &str| {
        v["links"][r]
            .as_str()
            .unwrap()
            .split_once("#key=")
            .unwrap()
            .1
            .to_string()
    };
    Imported {
        id: v["id"].as_str().unwrap().into(),
        facilitator: key("facilitator"),
        editor: key("editor"),
        viewer: key("viewer"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_exports_are_safe_downloads_for_any_link_and_viewers_change_nothing() {
    let server = TestServer::start().await;
    let mut local = meeting();
    let board = import(&server, export(&mut local, Format::Automerge)).await;
    let http = reqwest::Client::new();
    for format in ["svg", "png", "pdf", "md", "csv", "json", "automerge"] {
        let res = http
            .get(server.url(&format!("/api/boards/{}/export?format={format}", board.id)))
            .bearer_auth(&board.viewer)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{format}");
        let h = res.headers();
        let ct = h["content-type"].to_str().unwrap().to_string();
        assert_eq!(ct, Format::parse(format).unwrap().content_type());
        assert!(
            h["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("attachment;")
        );
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert!(
            h["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("sandbox")
        );
        assert!(!res.bytes().await.unwrap().is_empty());
    }
    // Frame, mind map, paper; a bad value is a clear 400.
    let get = |q: String, secret: String| {
        let http = http.clone();
        let url = server.url(&format!("/api/boards/{}/export?{q}", board.id));
        async move { http.get(url).bearer_auth(secret).send().await.unwrap() }
    };
    assert_eq!(
        get("format=svg&frame=f1".into(), board.viewer.clone())
            .await
            .status(),
        200
    );
    assert_eq!(
        get("format=md&mindmap=m1".into(), board.viewer.clone())
            .await
            .status(),
        200
    );
    assert_eq!(
        get(
            "format=pdf&paper=a3&orientation=portrait".into(),
            board.viewer.clone()
        )
        .await
        .status(),
        200
    );
    assert_eq!(
        get("format=exe".into(), board.viewer.clone())
            .await
            .status(),
        400
    );
    assert_eq!(
        get("format=svg&frame=nope".into(), board.viewer.clone())
            .await
            .status(),
        400
    );
    // Wrong secret and missing board look the same.
    assert_eq!(get("format=svg".into(), "wrong".into()).await.status(), 404);
    let res = http
        .get(server.url("/api/boards/0000000000000000/export?format=svg"))
        .bearer_auth(&board.viewer)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    // A viewer may neither merge a file in nor restore.
    let res = http
        .post(server.url(&format!("/api/boards/{}/import", board.id)))
        .bearer_auth(&board.viewer)
        .body(export(&mut local, Format::Json))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let hist: serde_json::Value = http
        .get(server.url(&format!("/api/boards/{}/history", board.id)))
        .bearer_auth(&board.viewer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let heads = hist["sessions"][0]["heads"].clone();
    let res = http
        .post(server.url(&format!("/api/boards/{}/restore", board.id)))
        .bearer_auth(&board.viewer)
        .json(&serde_json::json!({ "heads": heads }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let _ = board.facilitator;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn merge_and_restore_over_http_go_through_the_room_and_keep_history() {
    let server = TestServer::start().await;
    let mut local = meeting();
    let board = import(&server, export(&mut local, Format::Automerge)).await;
    let http = reqwest::Client::new();
    let history = || async {
        let v: serde_json::Value = http
            .get(server.url(&format!("/api/boards/{}/history", board.id)))
            .bearer_auth(&board.editor)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        v
    };
    let first = history().await["heads"].clone();
    // Merge a file that adds a note (from a copy of the same board).
    let mut copy = local.clone();
    note(&mut copy, "merged", 10.0, 10.0, "fra en anden kopi", "bo");
    let res = http
        .post(server.url(&format!("/api/boards/{}/import", board.id)))
        .bearer_auth(&board.editor)
        .body(export(&mut copy, Format::Automerge))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let csv_now = http
        .get(server.url(&format!("/api/boards/{}/export?format=csv", board.id)))
        .bearer_auth(&board.viewer)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv_now.contains("fra en anden kopi"));
    // A file that is not a board changes nothing.
    let res = http
        .post(server.url(&format!("/api/boards/{}/import", board.id)))
        .bearer_auth(&board.editor)
        .body(b"{\"format\": \"samskab-board\", \"version\": 99}".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let since = history().await;
    let merged_heads = since["heads"].clone();
    // Restore the first version: the merged note goes, history stays.
    let res = http
        .post(server.url(&format!("/api/boards/{}/restore", board.id)))
        .bearer_auth(&board.facilitator)
        .json(&serde_json::json!({ "heads": first }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let get_csv = |at: Option<String>| {
        let http = http.clone();
        let q = at.map(|a| format!("&at={a}")).unwrap_or_default();
        let url = server.url(&format!("/api/boards/{}/export?format=csv{q}", board.id));
        let secret = board.viewer.clone();
        async move {
            http.get(url)
                .bearer_auth(secret)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    assert!(!get_csv(None).await.contains("fra en anden kopi"));
    let at: Vec<String> = merged_heads
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap().to_string())
        .collect();
    assert!(
        get_csv(Some(at.join(",")))
            .await
            .contains("fra en anden kopi")
    );
    // What changed since the merge.
    let v: serde_json::Value = http
        .get(server.url(&format!(
            "/api/boards/{}/history?since={}&lang=en",
            board.id,
            at.join(",")
        )))
        .bearer_auth(&board.viewer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["since"]["summary"], serde_json::json!(["1 deleted note"]));
}

// ---- in a real browser ---------------------------------------------------

/// Opens each export of the injection corpus in headless Chromium (SVG as an
/// image document, the Markdown minutes rendered to HTML by an independent
/// Markdown renderer, CSV and JSON as files) and checks that nothing ran.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_script_runs_when_exports_are_opened_in_a_browser() {
    let mut b = meeting();
    let dir = tempfile::tempdir().unwrap();
    let svg = export(&mut b, Format::Svg);
    let md = String::from_utf8(export(&mut b, Format::Markdown)).unwrap();
    let mut html = String::from("<!doctype html><meta charset=utf-8><body>");
    pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(&md));
    let files = [
        ("board.svg", svg),
        ("minutes.html", html.into_bytes()),
        ("notes.csv", export(&mut b, Format::Csv)),
        ("board.json", export(&mut b, Format::Json)),
        ("board.png", export(&mut b, Format::Png)),
    ];
    let mut chrome = samskab_tests::browser::Chrome::start().await.unwrap();
    let client = chrome.session(1200, 900, "da").await.unwrap();
    for (name, bytes) in &files {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        client
            .goto(&format!("file://{}", path.display()))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        // An alert would make this fail with "unexpected alert open".
        let pwned = client
            .execute(
                "return window.__pwned === undefined ? null : window.__pwned;",
                vec![],
            )
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(pwned.is_null(), "{name}: script ran ({pwned})");
        // (Chromium shows a PNG file in an <img> of its own.)
        let selector = if name.ends_with(".png") {
            "script, a[href^=javascript]"
        } else {
            "script, img, a[href^=javascript]"
        };
        let scripts = client
            .execute(
                &format!("return document.querySelectorAll('{selector}').length;"),
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(scripts, 0, "{name}: markup from a note became elements");
    }
    let _ = samskab_tests::browser::screenshot(&client, "export-svg-injection").await;
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_public_snapshot_is_read_only_and_names_only_role_groups() {
    let server = TestServer::start().await;
    let mut local = meeting();
    let board = import(&server, export(&mut local, Format::Automerge)).await;
    let http = reqwest::Client::new();
    let publish = |secret: String| {
        let http = http.clone();
        let url = server.url(&format!("/api/boards/{}/snapshots", board.id));
        async move { http.post(url).bearer_auth(secret).send().await.unwrap() }
    };
    assert_eq!(publish(board.editor.clone()).await.status(), 403);
    assert_eq!(publish(board.viewer.clone()).await.status(), 403);
    let res = publish(board.facilitator.clone()).await;
    assert_eq!(res.status(), 201);
    let v: serde_json::Value = res.json().await.unwrap();
    let url = v["url"].as_str().unwrap().to_string();
    let path = url
        .split_once(&server.addr.to_string())
        .unwrap()
        .1
        .to_string();
    assert!(path.starts_with("/s/"));
    let page = http.get(server.url(&path)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
    let html = page.text().await.unwrap();
    assert!(html.contains("Byrådsmøde: Skolevej"));
    let csv = http
        .get(server.url(&format!("{path}/export/csv")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.contains(DANISH));
    assert!(!csv.contains("Anna") && !csv.contains("Bo Ærø"), "{csv}");
    assert!(csv.contains("Borger") && csv.contains("Politiker"));
    let doc = http
        .get(server.url(&format!("{path}/export/automerge")))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let copy = Board::load(&doc, &[1; 16]).unwrap();
    assert!(copy.participants().is_empty());
    assert_eq!(copy.notes().len(), local.notes().len());
    assert!(
        !String::from_utf8_lossy(&doc).contains("Anna"),
        "no name even in the history"
    );
    // Later edits of the board do not reach the snapshot; a wrong secret is a 404.
    let bad = path.rsplit_once('/').unwrap().0.to_string() + "/0000";
    assert_eq!(
        http.get(server.url(&bad)).send().await.unwrap().status(),
        404
    );
}
