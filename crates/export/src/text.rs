//! Text from users, made safe and laid out: every renderer goes through here.

/// Unicode bidirectional *embedding, override and isolate* controls
/// (U+202A–U+202E, U+2066–U+2069). In a note they could make text read
/// backwards (`exe.txt` shown as `txt.exe`), so exports drop them.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The visible text of a user string: bidi controls removed, other control
/// characters (except newline and tab) replaced by U+FFFD so nothing invisible
/// reaches an output. Newlines are normalised to `\n`.
pub fn clean(s: &str) -> String {
    let s = s.replace("\r\n", "\n");
    s.chars()
        .filter(|c| !is_bidi_control(*c))
        .map(|c| match c {
            '\n' | '\t' => c,
            '\r' => '\n',
            c if c.is_control() => '\u{FFFD}',
            c => c,
        })
        .collect()
}

/// `s` in lower case, for comparing names regardless of case (`ÅSE` is
/// `åse`). In the browser this is JavaScript's `toLowerCase`, the same
/// Unicode mapping as `str::to_lowercase`, which would bring its own 25 KB
/// of case tables into the web app's download.
pub fn lowercase(s: &str) -> String {
    #[cfg(target_arch = "wasm32")]
    return String::from(js_sys::JsString::from(s).to_lower_case());
    #[cfg(not(target_arch = "wasm32"))]
    s.to_lowercase()
}

/// Escapes text for XML character data and attribute values (after [`clean`]).
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // XML 1.0 forbids most C0 controls even as references.
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Approximate advance width of a character in em for DejaVu Sans (the
/// shipped font). Deliberately a little generous so wrapped lines never run
/// past their box; the same numbers in the browser and on the server.
pub fn char_em(c: char) -> f64 {
    match c {
        'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | 'I' | ' ' => 0.34,
        'f' | 't' | 'r' | '(' | ')' | '[' | ']' | '-' | '"' => 0.45,
        'm' | 'w' | 'M' | 'W' | '@' | '%' | 'æ' | 'Æ' | 'œ' | 'Œ' => 0.98,
        c if c.is_ascii_uppercase() => 0.74,
        c if c.is_ascii_digit() => 0.64,
        c if c.is_ascii() => 0.62,
        // Letters with diacritics (å, ø, é…) are as wide as their base letters.
        c if c.is_alphabetic() && (c as u32) < 0x2E80 => {
            if c.is_uppercase() {
                0.74
            } else {
                0.64
            }
        }
        // CJK and other wide scripts, emoji.
        _ => 1.0,
    }
}

pub fn width_em(s: &str) -> f64 {
    s.chars().map(char_em).sum()
}

/// Wraps `text` into lines at most `max_em` wide: at spaces where possible,
/// inside a word when the word alone is too wide. Keeps the text's own
/// line breaks.
pub fn wrap(text: &str, max_em: f64) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        let mut line_w = 0.0;
        for word in para.split(' ').filter(|w| !w.is_empty()) {
            let word_w = width_em(word);
            let space = if line.is_empty() { 0.0 } else { char_em(' ') };
            if line_w + space + word_w <= max_em {
                if !line.is_empty() {
                    line.push(' ');
                }
                line.push_str(word);
                line_w += space + word_w;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                line_w = 0.0;
            }
            // The word starts a new line; break it if it is too wide alone.
            for c in word.chars() {
                let w = char_em(c);
                if line_w + w > max_em && !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    line_w = 0.0;
                }
                line.push(c);
                line_w += w;
            }
        }
        lines.push(line);
    }
    while lines.len() > 1 && lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines
}

/// Text fitted into a box: the largest font size from `max_size` down to
/// `min_size` at which the wrapped text fits; if even the smallest does not
/// fit, the lines that fit with an ellipsis on the last one.
#[derive(Debug, Clone, PartialEq)]
pub struct Fitted {
    pub size: f64,
    pub lines: Vec<String>,
    pub truncated: bool,
}

pub const LINE_HEIGHT: f64 = 1.25;

pub fn fit(text: &str, w: f64, h: f64, max_size: f64, min_size: f64) -> Fitted {
    let mut size = max_size;
    loop {
        let lines = wrap(text, (w / size).max(1.0));
        let fits = lines.len() as f64 * size * LINE_HEIGHT <= h;
        if fits || size <= min_size {
            let max_lines = ((h / (size * LINE_HEIGHT)).floor() as usize).max(1);
            if lines.len() <= max_lines {
                return Fitted {
                    size,
                    lines,
                    truncated: false,
                };
            }
            let mut kept: Vec<String> = lines.into_iter().take(max_lines).collect();
            if let Some(last) = kept.last_mut() {
                let max_em = w / size - char_em('…');
                while width_em(last) > max_em && last.pop().is_some() {}
                last.push('…');
            }
            return Fitted {
                size,
                lines: kept,
                truncated: true,
            };
        }
        size = (size - 1.0).max(min_size);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_drops_bidi_controls_and_replaces_other_controls() {
        assert_eq!(clean("a\u{202E}gnp.exe\u{2066}b\u{2069}"), "agnp.exeb");
        assert_eq!(clean("x\u{0007}y\r\nz"), "x\u{FFFD}y\nz");
        assert_eq!(clean("Æble på ø"), "Æble på ø");
    }

    #[test]
    fn xml_escape_leaves_no_markup() {
        let e = xml_escape("</text><script>alert(1)</script> & \"'");
        assert!(!e.contains('<') && !e.contains('>') && !e.contains('"'));
        assert_eq!(xml_escape("a&b"), "a&amp;b");
    }

    #[test]
    fn wrap_breaks_at_spaces_and_inside_long_words() {
        let lines = wrap("en lang sætning om ældre og børn på skolerne", 8.0);
        assert!(lines.len() > 2);
        assert!(lines.iter().all(|l| width_em(l) <= 8.0));
        assert_eq!(
            lines.join(" "),
            "en lang sætning om ældre og børn på skolerne"
        );
        let long = wrap(&"x".repeat(100), 10.0);
        assert!(long.len() >= 6);
        assert_eq!(long.concat(), "x".repeat(100));
        assert_eq!(wrap("a\n\nb", 10.0), vec!["a", "", "b"]);
    }

    #[test]
    fn fit_shrinks_then_truncates_with_an_ellipsis() {
        let short = fit("Hej", 180.0, 140.0, 18.0, 9.0);
        assert_eq!(short.size, 18.0);
        assert!(!short.truncated);
        let long = fit(&"ord ".repeat(500), 180.0, 140.0, 18.0, 9.0);
        assert_eq!(long.size, 9.0);
        assert!(long.truncated);
        assert!(long.lines.last().unwrap().ends_with('…'));
        assert!(long.lines.len() as f64 * 9.0 * LINE_HEIGHT <= 140.0);
    }
}
