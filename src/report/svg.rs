//! Bar charts drawn as inline SVG, by hand rather than with a charting crate: the charts are two
//! kinds of horizontal bars, the SVG they need is a few rectangles and texts, and writing them
//! directly keeps the page offline and font-free (the text is laid out by the browser with the
//! page's own font, so nothing has to measure glyphs at build time, which `plotters` would), adds
//! no dependency to compile, and lets every chart carry its accessible name, a description
//! listing its figures, and a tooltip per bar.
//!
//! Colours are the Okabe-Ito palette, told apart by readers with a colour-vision deficiency; the
//! figures are also printed beside or inside the bars, so a black-and-white print still reads.

use std::fmt::Write;

use super::escape;
use crate::render::cell_text;
use crate::tables::Cell;

/// Okabe-Ito, in the order series take them.
const PALETTE: [&str; 8] = [
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000",
];
/// Text on a bar of each colour of [`PALETTE`]: white only where black would not contrast.
const INK: [&str; 8] = [
    "#fff", "#000", "#000", "#000", "#000", "#000", "#000", "#fff",
];

/// The width of the bars' area: a chart is as wide as its labels need, plus this, plus its figures.
const PLOT: f64 = 300.0;
const FONT: f64 = 12.0;
/// The mean advance of a character of the sans-serif font at [`FONT`], to lay out labels.
const CHAR: f64 = 6.6;
const MAX_LABEL: f64 = 250.0;
/// Room right of the bars for their figures (a 100 % stacked bar needs none).
const VALUE_ROOM: f64 = 70.0;
const AXIS_ROOM: f64 = 22.0;

/// What a chart's figures are, and so how they print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Fractions printed as whole percents.
    Percent,
    /// Euros printed in millions (or thousands when every figure is below a million).
    Euros,
}

/// How the series of a line are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// One bar per series, one under the other, for each line.
    Grouped,
    /// One bar per line, the series end to end (shares of a whole, or parts of a sum).
    Stacked,
}

/// One named series: one figure per line of the chart (`None` when undefined).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub values: Vec<Option<f64>>,
}

/// A horizontal bar chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// Its accessible name (the page prints it as the figure's caption).
    pub title: String,
    pub unit: Unit,
    pub layout: Layout,
    /// The labels of the lines, top to bottom.
    pub lines: Vec<String>,
    pub series: Vec<Series>,
}

impl Chart {
    /// Whether there is anything to draw: a chart of no line, or whose figures are all undefined
    /// or zero (a table the PLIE did not fill), is left out.
    pub fn is_empty(&self) -> bool {
        let nothing = |v: &Option<f64>| v.is_none_or(|v| v == 0.0);
        self.lines.is_empty() || self.series.iter().all(|s| s.values.iter().all(nothing))
    }

    fn millions(&self) -> bool {
        self.series
            .iter()
            .flat_map(|s| s.values.iter().flatten())
            .any(|v| v.abs() >= 1e6)
    }

    /// A figure as the chart prints it.
    pub fn format(&self, value: f64) -> String {
        match self.unit {
            Unit::Percent => cell_text(Cell::Rate(Some(value))),
            Unit::Euros if self.millions() => {
                format!("{} M€", cell_text(Cell::Decimal(Some(value / 1e6), 1)))
            }
            Unit::Euros => format!("{} k€", cell_text(Cell::Decimal(Some(value / 1e3), 0))),
        }
    }

    /// The figures in words, for the SVG's description (what a screen reader says).
    fn description(&self) -> String {
        let mut parts = Vec::new();
        for (l, line) in self.lines.iter().enumerate() {
            let figures: Vec<String> = self
                .series
                .iter()
                .map(|s| {
                    let v = s.values[l].map_or("non défini".to_owned(), |v| self.format(v));
                    if self.series.len() == 1 {
                        v
                    } else {
                        format!("{} {v}", s.name)
                    }
                })
                .collect();
            parts.push(format!("{line} : {}", figures.join(", ")));
        }
        parts.join(" ; ")
    }

    /// The largest figure the axis must reach: a line's sum when stacked.
    fn extent(&self) -> f64 {
        let line = |l: usize| -> f64 {
            let values = self.series.iter().filter_map(|s| s.values[l]);
            match self.layout {
                Layout::Grouped => values.fold(0.0, f64::max),
                Layout::Stacked => values.filter(|v| *v > 0.0).sum(),
            }
        };
        (0..self.lines.len()).map(line).fold(0.0, f64::max)
    }
}

/// A round axis end and step at or above `max`: 1, 2, 2.5 or 5 times a power of ten, at most
/// five steps.
fn axis(max: f64) -> (f64, f64) {
    if max <= 0.0 {
        return (1.0, 0.25);
    }
    let magnitude = 10f64.powf(max.log10().floor());
    for m in [0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 2.5, 5.0, 10.0] {
        let step = m * magnitude;
        if (max / step).ceil() <= 5.0 {
            return ((max / step).ceil() * step, step);
        }
    }
    (max, max)
}

/// A label laid out in lines of at most `room` pixels, cut between words (a word longer than a
/// line keeps its line): labels are wrapped, never truncated.
fn wrap(label: &str, room: f64) -> Vec<String> {
    let max = (room / CHAR + 0.01).floor().max(4.0) as usize;
    let mut lines: Vec<String> = Vec::new();
    for word in label.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= max => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_owned()),
        }
    }
    lines
}

/// The width of the labels' column: the longest label's, at most [`MAX_LABEL`], widened (up
/// to twice that) until every label holds in two lines.
fn label_room(labels: &[String]) -> f64 {
    let longest = labels.iter().map(|l| text_width(l)).fold(0.0, f64::max);
    let mut room = longest.min(MAX_LABEL - 14.0);
    while room < 2.0 * MAX_LABEL && labels.iter().any(|l| wrap(l, room).len() > 2) {
        room += 2.0 * CHAR;
    }
    room
}

fn text_width(text: &str) -> f64 {
    text.chars().count() as f64 * CHAR
}

/// The legend, left to right, wrapped; returns its height.
fn legend(out: &mut String, chart: &Chart, width: f64) -> f64 {
    if chart.series.len() < 2 {
        return 0.0;
    }
    let (mut x, mut y) = (0.0, 4.0);
    for (i, s) in chart.series.iter().enumerate() {
        let w = 17.0 + text_width(&s.name) * 1.1 + 16.0;
        if x > 0.0 && x + w > width {
            x = 0.0;
            y += 18.0;
        }
        let _ = write!(
            out,
            r#"<rect x="{x:.1}" y="{y:.1}" width="12" height="12" fill="{}"/><text x="{:.1}" y="{:.1}">{}</text>"#,
            PALETTE[i % PALETTE.len()],
            x + 17.0,
            y + 10.5,
            escape(&s.name)
        );
        x += w;
    }
    y + 22.0
}

/// The chart as an `<svg>` element whose ids start with `id`, and its width in pixels.
pub fn svg(chart: &Chart, id: &str) -> (String, f64) {
    let room = label_room(&chart.lines);
    let label_w = (room + 14.0).max(60.0);
    let plot_x = label_w;
    let plot_w = PLOT;
    let value_room = match (chart.layout, chart.unit) {
        (Layout::Stacked, Unit::Percent) => 16.0,
        _ => VALUE_ROOM,
    };
    let width = label_w + plot_w + value_room;
    let (bar, gap) = match (chart.layout, chart.series.len()) {
        (Layout::Stacked, _) | (Layout::Grouped, 1) => (20.0, 8.0),
        (Layout::Grouped, n) => ((40.0 / n as f64).clamp(9.0, 14.0), 10.0),
    };
    let bars_per_line = match chart.layout {
        Layout::Stacked => 1.0,
        Layout::Grouped => chart.series.len() as f64,
    };
    let line_h = bars_per_line * bar + gap;

    let mut body = String::new();
    let top = legend(&mut body, chart, width);
    let plot_h = chart.lines.len() as f64 * line_h;
    let height = top + plot_h + AXIS_ROOM;
    let (end, step) = axis(chart.extent());
    let scale = |v: f64| v.max(0.0) / end * plot_w;

    // Grid and axis labels.
    let ticks = (end / step).round() as usize;
    for k in 0..=ticks {
        let v = k as f64 * step;
        let x = plot_x + scale(v);
        let _ = write!(
            body,
            r##"<line x1="{x:.1}" y1="{top:.1}" x2="{x:.1}" y2="{:.1}" stroke="#ccc"/><text x="{x:.1}" y="{:.1}" text-anchor="middle" fill="#555">{}</text>"##,
            top + plot_h,
            top + plot_h + 15.0,
            escape(&chart.format(v))
        );
    }

    for (l, line) in chart.lines.iter().enumerate() {
        let y0 = top + l as f64 * line_h + gap / 2.0;
        let wrapped = wrap(line, room);
        // Lines of 1.1 em, centred on the bars.
        let first = y0 + bars_per_line * bar / 2.0 + 4.0 - (wrapped.len() - 1) as f64 * FONT * 0.55;
        let tspans: String = wrapped
            .iter()
            .enumerate()
            .map(|(i, text)| {
                format!(
                    r#"<tspan x="{:.1}" y="{:.1}">{}</tspan>"#,
                    label_w - 8.0,
                    first + i as f64 * FONT * 1.1,
                    escape(text)
                )
            })
            .collect();
        let _ = write!(
            body,
            r#"<text text-anchor="end"><title>{}</title>{tspans}</text>"#,
            escape(line),
        );
        let mut x = plot_x;
        for (i, s) in chart.series.iter().enumerate() {
            let Some(v) = s.values[l] else { continue };
            let (colour, ink) = (PALETTE[i % PALETTE.len()], INK[i % INK.len()]);
            let w = scale(v);
            let (bx, by) = match chart.layout {
                Layout::Grouped => (plot_x, y0 + i as f64 * bar),
                Layout::Stacked => (x, y0),
            };
            let label = chart.format(v);
            let tip = if chart.series.len() == 1 {
                format!("{line} : {label}")
            } else {
                format!("{line}, {} : {label}", s.name)
            };
            let _ = write!(
                body,
                r##"<rect x="{bx:.1}" y="{by:.1}" width="{w:.1}" height="{:.1}" fill="{colour}" stroke="#fff" stroke-width="0.5"><title>{}</title></rect>"##,
                bar - 1.0,
                escape(&tip)
            );
            match chart.layout {
                Layout::Grouped => {
                    let _ = write!(
                        body,
                        r#"<text x="{:.1}" y="{:.1}" font-size="11">{}</text>"#,
                        bx + w + 4.0,
                        by + bar / 2.0 + 3.5,
                        escape(&label)
                    );
                }
                Layout::Stacked if w >= text_width(&label) + 6.0 => {
                    let _ = write!(
                        body,
                        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="11" fill="{ink}">{}</text>"#,
                        bx + w / 2.0,
                        by + bar / 2.0 + 3.5,
                        escape(&label)
                    );
                }
                Layout::Stacked => {}
            }
            x += w;
        }
        if chart.layout == Layout::Stacked && chart.unit == Unit::Euros {
            let sum: f64 = chart.series.iter().filter_map(|s| s.values[l]).sum();
            let _ = write!(
                body,
                r#"<text x="{:.1}" y="{:.1}" font-size="11">{}</text>"#,
                x + 4.0,
                y0 + bar / 2.0 + 3.5,
                escape(&chart.format(sum))
            );
        }
    }
    let svg = format!(
        r#"<svg class="graphique" role="img" aria-labelledby="{id}-t {id}-d" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="system-ui, sans-serif" font-size="{FONT}"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>{body}</svg>"#,
        escape(&chart.title),
        escape(&chart.description())
    );
    (svg, width)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(layout: Layout) -> Chart {
        Chart {
            title: "Part des <femmes>".into(),
            unit: Unit::Percent,
            layout,
            lines: vec!["2016".into(), "2017".into()],
            series: vec![
                Series {
                    name: "Hommes".into(),
                    values: vec![Some(0.5), Some(0.25)],
                },
                Series {
                    name: "Femmes".into(),
                    values: vec![Some(0.5), None],
                },
            ],
        }
    }

    #[test]
    fn axes_end_on_round_figures() {
        let near = |(a, b): (f64, f64), (x, y): (f64, f64)| {
            assert!((a - x).abs() < 1e-9 && (b - y).abs() < 1e-9, "{a} {b}")
        };
        near(axis(0.62), (0.8, 0.2));
        near(axis(0.43), (0.5, 0.1));
        near(axis(0.07), (0.08, 0.02));
        near(axis(0.999_999_9), (1.0, 0.2));
        near(axis(5_840_647.0), (6e6, 2e6));
        near(axis(0.0), (1.0, 0.25));
    }

    #[test]
    fn a_chart_names_itself_lists_its_figures_and_escapes_its_text() {
        let (svg, width) = svg(&chart(Layout::Stacked), "g1");
        // The labels' room (4 characters of 6.6 px and a margin), the bars, a margin.
        assert_eq!(width, 60.0 + 300.0 + 16.0);
        assert!(
            svg.starts_with("<svg class=\"graphique\" role=\"img\" aria-labelledby=\"g1-t g1-d\"")
        );
        assert!(
            svg.contains("<title id=\"g1-t\">Part des &lt;femmes&gt;</title>"),
            "{svg}"
        );
        assert!(
            svg.contains("2016 : Hommes 50 %, Femmes 50 % ; 2017 : Hommes 25 %, Femmes non défini"),
            "{svg}"
        );
        // Three bars (the undefined one is not drawn) and the two legend swatches.
        assert_eq!(svg.matches("<rect").count(), 5, "{svg}");
        assert_eq!(svg.matches("<title>").count(), 3 + 2, "{svg}");
    }

    #[test]
    fn euros_print_in_millions_when_one_figure_reaches_a_million() {
        let mut c = chart(Layout::Grouped);
        c.unit = Unit::Euros;
        c.series[0].values = vec![Some(1_234_567.0), Some(56_000.0)];
        assert_eq!(c.format(56_000.0), "0,1 M€");
        c.series[0].values = vec![Some(123_456.0), Some(56_000.0)];
        assert_eq!(c.format(123_456.0), "123 k€");
        assert_eq!(
            wrap("Collectivités locales et autres", 80.0),
            ["Collectivités", "locales et", "autres"]
        );
        let long = "N : Activités de services administratifs et de soutien".to_owned();
        let room = label_room(&[long.clone(), "Court".into()]);
        let lines = wrap(&long, room);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!(lines.join(" "), long, "nothing cut");
    }
}
