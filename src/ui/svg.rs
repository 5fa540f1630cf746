//! Test-only: a drawn `Buffer` as an SVG picture (the README's screenshots). A monospace grid:
//! one background rectangle per run of cells of the same background, the text in runs of the
//! same style (a wide character on its own, two cells wide), foreground and background
//! colours from a fixed terminal palette, bold, underline, crossed-out, reverse video. The
//! output depends only on the buffer, so a screenshot is the same on every machine.

use std::fmt::Write as _;

use ratatui::buffer::{Buffer, Cell};
use ratatui::style::{Color, Modifier};
use unicode_width::UnicodeWidthStr;

const CELL_W: f64 = 8.4;
const CELL_H: f64 = 18.0;
const FONT_SIZE: f64 = 14.0;
const PAD: f64 = 10.0;
/// The terminal's own colours (a dark terminal).
const DEFAULT_FG: &str = "#d4d4d4";
const DEFAULT_BG: &str = "#1b1d23";

/// The 16 ANSI colours as a common dark terminal shows them.
fn hex(color: Color, default: &'static str) -> String {
    let named = match color {
        Color::Reset => default,
        Color::Black => "#1b1d23",
        Color::Red => "#e06c75",
        Color::Green => "#98c379",
        Color::Yellow => "#e5c07b",
        Color::Blue => "#61afef",
        Color::Magenta => "#c678dd",
        Color::Cyan => "#56b6c2",
        Color::Gray => "#abb2bf",
        Color::DarkGray => "#6b7280",
        Color::LightRed => "#ff7b86",
        Color::LightGreen => "#b5e890",
        Color::LightYellow => "#ffd787",
        Color::LightBlue => "#82c4ff",
        Color::LightMagenta => "#e2a0f0",
        Color::LightCyan => "#7ee0ec",
        Color::White => "#ffffff",
        Color::Rgb(r, g, b) => return format!("#{r:02x}{g:02x}{b:02x}"),
        Color::Indexed(i) => return format!("#{i:02x}{i:02x}{i:02x}"),
    };
    named.to_owned()
}

/// A cell's colours after reverse video: `(fg, bg)`.
fn colours(cell: &Cell) -> (String, String) {
    let fg = hex(cell.fg, DEFAULT_FG);
    let bg = hex(cell.bg, DEFAULT_BG);
    if cell.modifier.contains(Modifier::REVERSED) {
        (bg, fg)
    } else {
        (fg, bg)
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The whole picture.
pub fn to_svg(buf: &Buffer, title: &str) -> String {
    let area = buf.area;
    let width = f64::from(area.width) * CELL_W + 2.0 * PAD;
    let height = f64::from(area.height) * CELL_H + 2.0 * PAD;
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" role="img" aria-label="{}">"#,
        escape(title)
    );
    let _ = writeln!(svg, "<title>{}</title>", escape(title));
    let _ = writeln!(
        svg,
        r#"<rect width="100%" height="100%" rx="6" fill="{DEFAULT_BG}"/>"#
    );
    let _ = writeln!(
        svg,
        r#"<g font-family="'DejaVu Sans Mono','Menlo','Consolas','Noto Sans Mono CJK JP',monospace" font-size="{FONT_SIZE}" xml:space="preserve">"#
    );
    for y in 0..area.height {
        backgrounds(buf, y, &mut svg);
    }
    for y in 0..area.height {
        texts(buf, y, &mut svg);
    }
    svg.push_str("</g>\n</svg>\n");
    svg
}

fn x_of(col: u16) -> f64 {
    PAD + f64::from(col) * CELL_W
}

fn backgrounds(buf: &Buffer, y: u16, svg: &mut String) {
    let w = buf.area.width;
    let mut x = 0;
    while x < w {
        let bg = colours(&buf[(x, y)]).1;
        let start = x;
        while x < w && colours(&buf[(x, y)]).1 == bg {
            x += 1;
        }
        if bg != DEFAULT_BG {
            let _ = writeln!(
                svg,
                r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{CELL_H}" fill="{bg}"/>"#,
                x_of(start),
                PAD + f64::from(y) * CELL_H,
                f64::from(x - start) * CELL_W,
            );
        }
    }
}

/// The attributes that style a run of text.
fn text_style(cell: &Cell) -> String {
    let mut style = format!(r#"fill="{}""#, colours(cell).0);
    if cell.modifier.contains(Modifier::BOLD) {
        style.push_str(r#" font-weight="bold""#);
    }
    if cell.modifier.contains(Modifier::DIM) {
        style.push_str(r#" opacity="0.7""#);
    }
    if cell.modifier.contains(Modifier::ITALIC) {
        style.push_str(r#" font-style="italic""#);
    }
    let mut decoration = Vec::new();
    if cell.modifier.contains(Modifier::UNDERLINED) {
        decoration.push("underline");
    }
    if cell.modifier.contains(Modifier::CROSSED_OUT) {
        decoration.push("line-through");
    }
    if !decoration.is_empty() {
        let _ = write!(style, r#" text-decoration="{}""#, decoration.join(" "));
    }
    style
}

/// One row's text: runs of one-cell characters in one style; a wide character alone.
fn texts(buf: &Buffer, y: u16, svg: &mut String) {
    let w = buf.area.width;
    let baseline = PAD + f64::from(y) * CELL_H + CELL_H * 0.75;
    let mut x = 0;
    while x < w {
        let cell = &buf[(x, y)];
        let cells = UnicodeWidthStr::width(cell.symbol()).max(1);
        let style = text_style(cell);
        let start = x;
        let mut run = String::new();
        if cells > 1 {
            run.push_str(cell.symbol());
            x += u16::try_from(cells).unwrap_or(1);
        } else {
            while x < w {
                let c = &buf[(x, y)];
                if UnicodeWidthStr::width(c.symbol()) > 1 || text_style(c) != style {
                    break;
                }
                run.push_str(if c.symbol().is_empty() {
                    " "
                } else {
                    c.symbol()
                });
                x += 1;
            }
        }
        let decorated = style.contains("text-decoration");
        if run.trim().is_empty() && !decorated {
            continue;
        }
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{baseline:.1}" textLength="{:.1}" lengthAdjust="spacingAndGlyphs" {style}>{}</text>"#,
            x_of(start),
            f64::from(x - start) * CELL_W,
            escape(&run),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    #[test]
    fn colours_bold_reverse_and_wide_characters() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 8, 1));
        buf.set_string(0, 0, "ab", Style::new().fg(Color::Red).bold());
        buf.set_string(2, 0, "燃", Style::new());
        buf.set_string(4, 0, "<x", Style::new().reversed());
        let svg = to_svg(&buf, "t & t");
        assert!(
            svg.contains(r##"fill="#e06c75" font-weight="bold">ab</text>"##),
            "{svg}"
        );
        assert!(
            svg.contains(
                r##"textLength="16.8" lengthAdjust="spacingAndGlyphs" fill="#d4d4d4">燃"##
            ),
            "{svg}"
        );
        // Reverse video: the default colours swapped, the background drawn.
        assert!(
            svg.contains(r##"width="16.8" height="18" fill="#d4d4d4"/>"##),
            "{svg}"
        );
        assert!(svg.contains(r##"fill="#1b1d23">&lt;x</text>"##), "{svg}");
        assert!(svg.contains("<title>t &amp; t</title>"));
    }
}
