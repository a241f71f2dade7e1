//! `cherenkov bench --out DIR`: the rows as CSV and JSON, and a log-log chart (SVG, drawn with
//! plotters) of time against input size, one series per implementation.

use std::path::{Path, PathBuf};

use plotters::prelude::*;

use super::BenchRow;
use crate::error::{Error, Result};

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |e| Error::Io { path: path.display().to_string(), message: e.to_string() }
}

fn csv_field(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// Writes `DIR/WHAT.csv`, `DIR/WHAT.json` and `DIR/WHAT.svg`; returns their paths.
pub fn write(dir: &Path, what: &str, engine: &str, rows: &[BenchRow]) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;

    let csv = dir.join(format!("{what}.csv"));
    let mut text = String::from("primitive,case,elements,engine,ours_ms,peer,peer_ms,ratio\n");
    for r in rows {
        text += &format!(
            "{},{},{},{},{:.4},{},{:.4},{:.4}\n",
            r.primitive,
            csv_field(&r.case),
            r.elements,
            csv_field(engine),
            ms(r.ours),
            csv_field(r.peer_name),
            ms(r.peer),
            r.ratio()
        );
    }
    std::fs::write(&csv, text).map_err(io(&csv))?;

    let json = dir.join(format!("{what}.json"));
    let value = serde_json::json!({
        "bench": what,
        "engine": engine,
        "rows": rows.iter().map(|r| serde_json::json!({
            "primitive": r.primitive, "case": r.case, "elements": r.elements,
            "ours_ms": ms(r.ours), "peer": r.peer_name, "peer_ms": ms(r.peer), "ratio": r.ratio(),
        })).collect::<Vec<_>>(),
    });
    let pretty = serde_json::to_string_pretty(&value)
        .map_err(|e| Error::Io { path: json.display().to_string(), message: e.to_string() })?;
    std::fs::write(&json, pretty).map_err(io(&json))?;

    let svg = dir.join(format!("{what}.svg"));
    chart(&svg, what, engine, rows)
        .map_err(|e| Error::Io { path: svg.display().to_string(), message: e.to_string() })?;
    Ok(vec![csv, json, svg])
}

/// The case without its height (`2^20`, `x`, `+`, `20x16`; widths stay): the rows of one line of
/// the chart ("G1 MSM 2^16 points" → "G1 MSM points", "dft 2^20 x 64" → "dft 64").
fn series_of(case: &str) -> String {
    let is_size = |w: &str| {
        w.starts_with("2^")
            || w == "x"
            || w == "+"
            || (w.contains('x') && w.chars().all(|c| c.is_ascii_digit() || c == 'x' || c == '+'))
    };
    case.split_whitespace().filter(|w| !is_size(w)).collect::<Vec<_>>().join(" ")
}

/// An axis label for a count: `2^20` on powers of two, else `1.5M`-style.
fn count_label(x: f64) -> String {
    let log = x.log2();
    if (log - log.round()).abs() < 1e-6 {
        format!("2^{}", log.round())
    } else if x >= 1e6 {
        format!("{:.1}M", x / 1e6)
    } else if x >= 1e3 {
        format!("{:.1}k", x / 1e3)
    } else {
        format!("{x:.0}")
    }
}

/// An axis label for seconds: `1.5 s`, `250 ms`, `2.5 ms`, `40 µs`.
fn time_label(s: f64) -> String {
    match s {
        s if s >= 1.0 => format!("{s:.1} s"),
        s if s >= 1e-2 => format!("{:.0} ms", s * 1e3),
        s if s >= 1e-3 => format!("{:.1} ms", s * 1e3),
        s => format!("{:.0} µs", s * 1e6),
    }
}

/// Time (s) against elements, log-log: one line per implementation (cherenkov on `engine`, each
/// peer) and per case without its size.
fn chart(
    path: &Path,
    what: &str,
    engine: &str,
    rows: &[BenchRow],
) -> std::result::Result<(), Box<dyn std::error::Error>> {
    let mut series: Vec<(String, Vec<(f64, f64)>)> = Vec::new();
    let mut add = |name: String, point: (f64, f64)| match series.iter_mut().find(|(n, _)| *n == name) {
        Some((_, points)) => points.push(point),
        None => series.push((name, vec![point])),
    };
    for r in rows {
        let group = series_of(&r.case);
        add(format!("{group}: cherenkov {engine}"), (r.elements as f64, r.ours.as_secs_f64()));
        add(format!("{group}: {}", r.peer_name), (r.elements as f64, r.peer.as_secs_f64()));
    }
    let all = series.iter().flat_map(|(_, p)| p.iter());
    let (x0, x1, y0, y1) =
        all.fold((f64::MAX, 0f64, f64::MAX, 0f64), |(a, b, c, d), &(x, y)| (a.min(x), b.max(x), c.min(y), d.max(y)));
    if series.is_empty() {
        return Err("no rows to plot".into());
    }
    let root = SVGBackend::new(path, (900, 560)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(format!("cherenkov bench {what}: time against input size"), ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(45)
        .y_label_area_size(70)
        .build_cartesian_2d((x0 / 2.0..x1 * 2.0).log_scale(), (y0 / 2.0..y1 * 2.0).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("field elements / points in the input")
        .y_desc("median time")
        .x_label_formatter(&|&x| count_label(x))
        .y_label_formatter(&|&y| time_label(y))
        .draw()?;
    for (i, (name, mut points)) in series.into_iter().enumerate() {
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        let color = Palette99::pick(i).to_rgba();
        chart
            .draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))?
            .label(name)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2)));
        chart.draw_series(points.into_iter().map(|p| Circle::new(p, 4, color.filled())))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn writes_csv_json_and_a_chart() {
        let row = |case: &str, elements, ours, peer| BenchRow {
            primitive: "msm",
            case: case.into(),
            elements,
            ours: Duration::from_millis(ours),
            peer_name: r#"arkworks "msm", parallel"#,
            peer: Duration::from_millis(peer),
        };
        let rows = [row("G1 MSM 2^10", 1 << 10, 5, 9), row("G1 MSM 2^16", 1 << 16, 170, 200)];
        let dir = std::env::temp_dir().join(format!("cherenkov-bench-report-{}", std::process::id()));
        let files = write(&dir, "msm", "cpu", &rows).unwrap();
        let csv = std::fs::read_to_string(&files[0]).unwrap();
        assert_eq!(csv.lines().count(), 3, "{csv}");
        assert!(csv.contains(r#""G1 MSM 2^10",1024,"cpu",5.0000,"arkworks ""msm"", parallel",9.0000,1.8000"#), "{csv}");
        let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&files[1]).unwrap()).unwrap();
        assert_eq!(json["rows"][1]["elements"], 65536);
        let svg = std::fs::read_to_string(&files[2]).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("<circle"), "{svg}");
        // Both sizes on one line per implementation: one legend entry each.
        assert_eq!(svg.matches("G1 MSM: cherenkov cpu").count(), 1, "{svg}");
        std::fs::remove_dir_all(dir).unwrap();
        assert!(matches!(write(Path::new("/proc/cherenkov/nope"), "x", "cpu", &rows), Err(Error::Io { .. })));
    }

    #[test]
    fn axis_labels_read_as_sizes_and_times() {
        assert_eq!(count_label(1048576.0), "2^20");
        assert_eq!(count_label(1.5e6), "1.5M");
        assert_eq!(time_label(0.30000000000000004), "300 ms");
        assert_eq!(time_label(2.0), "2.0 s");
        assert_eq!(time_label(0.0025), "2.5 ms");
        assert_eq!(time_label(4e-5), "40 µs");
    }

    #[test]
    fn a_series_is_a_case_without_its_size() {
        assert_eq!(series_of("G1 MSM 2^16 points"), "G1 MSM points");
        assert_eq!(series_of("babybear dft 2^20 x 64"), "babybear dft 64");
        assert_eq!(series_of("babybear coset_lde +1 2^22 x 16"), "babybear coset_lde +1 16");
        assert_eq!(series_of("babybear commit 2^20 x 8 + 2^19 x 16"), "babybear commit 8 16");
        assert_eq!(series_of("babybear commit 20x8+19x16+18x32"), "babybear commit");
        assert_eq!(series_of("babybear poseidon2-16 x 2^20 permutations"), "babybear poseidon2-16 permutations");
    }
}
