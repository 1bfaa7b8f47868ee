//! Sweeps: a grid of scenario values (the product of every `--vary PATH=SPEC`), each point a run.
//!
//! Every point runs trials `0..trials` of the same seed, and a trial's randomness derives from
//! (seed, trial, source) alone, so the points are paired with one another (common random numbers
//! across the grid) and any point re-run alone with `run --set PATH=VALUE` gives the same numbers.
//! A point is the scenario with `--set`-style overrides: the same door as `run --set`, so a value
//! that does not fit is refused in the same words.

use crate::error::{Error, Result};
use crate::run::chunks::RunConfig;
use crate::run::prepare::Prepared;
use crate::stats::metrics::{trial_columns, Aggregate, Stat};
use std::sync::atomic::AtomicBool;

/// The most grid points a sweep may have: past it, a typo (`0:1:100000`) would mean days of work.
pub const MAX_POINTS: usize = 10_000;

/// One `--vary PATH=SPEC`: a scenario path and the values it takes, each as `--set` would read it.
#[derive(Debug, Clone, PartialEq)]
pub struct Vary {
    /// The path, as typed.
    pub path: String,
    /// The values, as JSON text.
    pub values: Vec<String>,
}

/// Parses `PATH=SPEC`. SPEC is a list (`0,0.25,0.5`), a range (`0:1:11`, eleven points from 0 to
/// 1, ends included), or a JSON array (`[[0,0.1],[0,0.2]]`, for values that are lists or objects).
pub fn parse_vary(arg: &str) -> std::result::Result<Vary, String> {
    let (path, spec) = arg
        .split_once('=')
        .ok_or_else(|| format!("expected PATH=SPEC, found no '=' in '{arg}'"))?;
    let (path, spec) = (path.trim(), spec.trim());
    if path.is_empty() {
        return Err(format!("expected a path before '=', found '{arg}'"));
    }
    let values = if spec.starts_with('[') {
        match serde_json::from_str::<serde_json::Value>(spec) {
            Ok(serde_json::Value::Array(items)) => items.iter().map(|v| v.to_string()).collect(),
            _ => return Err(format!("expected a JSON array after '=', found '{spec}'")),
        }
    } else if let Some(range) = parse_range(spec)? {
        range
    } else {
        spec.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()
    };
    if values.is_empty() {
        return Err(format!(
            "expected at least one value for {path}, found '{spec}'"
        ));
    }
    Ok(Vary {
        path: path.to_string(),
        values,
    })
}

/// `FROM:TO:N` as N numbers, or `None` when SPEC is not a range.
fn parse_range(spec: &str) -> std::result::Result<Option<Vec<String>>, String> {
    let parts: Vec<&str> = spec.split(':').map(str::trim).collect();
    let expected = "a range FROM:TO:N (numbers, then a whole number of points)";
    match parts.len() {
        1 => return Ok(None),
        3 => {}
        _ => return Err(format!("expected {expected}, found '{spec}'")),
    }
    let (Ok(from), Ok(to), Ok(n)) = (
        parts[0].parse::<f64>(),
        parts[1].parse::<f64>(),
        parts[2].parse::<usize>(),
    ) else {
        return Err(format!("expected {expected}, found '{spec}'"));
    };
    if !from.is_finite() || !to.is_finite() {
        return Err(format!("expected {expected}, found '{spec}'"));
    }
    if n == 0 {
        return Err(format!(
            "expected at least one point in '{spec}', found an empty range"
        ));
    }
    if n > MAX_POINTS {
        return Err(format!(
            "expected at most {MAX_POINTS} points, found {n} in '{spec}'"
        ));
    }
    let at = |i: usize| {
        if n == 1 {
            from
        } else {
            from + (to - from) * i as f64 / (n - 1) as f64
        }
    };
    // Nine decimals, as the data files print: 0.1 + 0.2 stays 0.3 in a column and a --set.
    Ok(Some(
        (0..n)
            .map(|i| crate::numbers::num((at(i) * 1e9).round() / 1e9))
            .collect(),
    ))
}

/// A design matrix (`sweep --design points.csv`): a header of scenario paths, then one row per
/// point, each cell a value as `--set` reads it (SALib's samplers, a Latin hypercube, any list of
/// points). Gives one [`Vary`] per column (its values, distinct, in order of appearance) and the
/// points in the file's row order; or what is wrong, naming the row and column.
pub fn parse_design(text: &str) -> std::result::Result<(Vec<Vary>, Vec<Vec<String>>), String> {
    let mut rd = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let paths: Vec<String> = rd
        .headers()
        .map_err(|e| format!("expected a header of scenario paths, found {e}"))?
        .iter()
        .map(str::to_string)
        .collect();
    if let Some(k) = paths.iter().position(|p| p.is_empty()) {
        return Err(format!(
            "column {}: expected a scenario path in the header, found nothing",
            k + 1
        ));
    }
    if let Some(p) = paths
        .iter()
        .enumerate()
        .find_map(|(k, p)| paths[..k].contains(p).then_some(p))
    {
        return Err(format!(
            "expected each path once in the header, found {p} twice"
        ));
    }
    let mut points = Vec::new();
    for (i, row) in rd.records().enumerate() {
        // Line 1 is the header.
        let row = row.map_err(|e| format!("row {}: {e}", i + 2))?;
        if row.len() != paths.len() {
            return Err(format!(
                "row {}: expected {} values (one per path), found {}",
                i + 2,
                paths.len(),
                row.len()
            ));
        }
        if let Some(k) = row.iter().position(str::is_empty) {
            return Err(format!(
                "row {}, column {}: expected a value, found nothing",
                i + 2,
                paths[k]
            ));
        }
        points.push(row.iter().map(str::to_string).collect::<Vec<_>>());
    }
    if points.is_empty() {
        return Err("expected at least one row of values after the header, found none".into());
    }
    if points.len() > MAX_POINTS {
        return Err(format!(
            "expected at most {MAX_POINTS} points, found {}",
            points.len()
        ));
    }
    let varies = paths
        .iter()
        .enumerate()
        .map(|(k, path)| {
            let mut values: Vec<String> = Vec::new();
            for p in &points {
                if !values.contains(&p[k]) {
                    values.push(p[k].clone());
                }
            }
            Vary {
                path: path.clone(),
                values,
            }
        })
        .collect();
    Ok((varies, points))
}

/// Every point of the grid (the first `--vary` outermost), as one value per vary.
pub fn grid(varies: &[Vary]) -> std::result::Result<Vec<Vec<String>>, String> {
    let size = varies
        .iter()
        .try_fold(1usize, |acc, v| acc.checked_mul(v.values.len()))
        .unwrap_or(usize::MAX);
    if size > MAX_POINTS {
        return Err(format!(
            "expected a grid of at most {MAX_POINTS} points, found {size} ({})",
            varies
                .iter()
                .map(|v| v.values.len().to_string())
                .collect::<Vec<_>>()
                .join(" x ")
        ));
    }
    let mut points = vec![Vec::new()];
    for v in varies {
        points = points
            .into_iter()
            .flat_map(|p| {
                v.values.iter().map(move |x| {
                    let mut p = p.clone();
                    p.push(x.clone());
                    p
                })
            })
            .collect();
    }
    Ok(points)
}

/// The `--set` arguments of a point.
pub fn point_sets(varies: &[Vary], point: &[String]) -> Vec<String> {
    varies
        .iter()
        .zip(point)
        .map(|(v, x)| format!("{}={x}", v.path))
        .collect()
}

/// One grid point's result: its values, and each metric's statistic.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Point {
    /// The varied values, in `--vary` order, as JSON text.
    pub values: Vec<String>,
    /// Metric names (`trials.csv` columns) and their statistics.
    pub metrics: Vec<(String, Stat)>,
    /// Whether the point's playbook fit settled.
    pub converged: bool,
    /// Trials.
    pub trials: u64,
}

/// Runs one prepared point: the trials, summarised (no per-trial rows are kept).
pub fn run_point(
    model: &Prepared,
    values: Vec<String>,
    cfg: &RunConfig,
    cancel: &AtomicBool,
) -> Result<Point> {
    let agg: Aggregate =
        crate::run::organisation::run(model, cfg, &mut |_| Ok(()), &|_| {}, cancel)?;
    let names = trial_columns(model);
    let stats = agg
        .metrics
        .iter()
        .chain(agg.roles.iter().flat_map(|r| r.iter()))
        .cloned();
    Ok(Point {
        values,
        metrics: names.into_iter().zip(stats).collect(),
        converged: model.playbook.converged,
        trials: agg.trials,
    })
}

/// The varied paths along which no point's summary moves: for every setting of the other axes,
/// every value of this one gives each metric the same mean, spread and quantiles. The points
/// run the same trials, so an axis that changes nothing is almost surely a setting the model
/// ignores there. `points` are the grid's, in grid order (the last axis varying fastest).
pub fn inert_axes(varies: &[Vary], points: &[Point]) -> Vec<String> {
    let sizes: Vec<usize> = varies.iter().map(|v| v.values.len()).collect();
    if points.len() != sizes.iter().product::<usize>() {
        return Vec::new();
    }
    let same = |a: &Point, b: &Point| {
        a.metrics.len() == b.metrics.len()
            && a.metrics
                .iter()
                .zip(&b.metrics)
                .all(|((n, x), (m, y))| n == m && x == y)
    };
    (0..varies.len())
        .filter(|&k| sizes[k] > 1)
        .filter(|&k| {
            // Along axis k, consecutive values differ in the grid index by the product of the
            // sizes of the axes after it.
            let stride: usize = sizes[k + 1..].iter().product();
            (0..points.len())
                .filter(|i| (i / stride) % sizes[k] + 1 < sizes[k])
                .all(|i| same(&points[i], &points[i + stride]))
        })
        .map(|k| varies[k].path.clone())
        .collect()
}

/// The grid points of part `shard` of a sweep of `points` points: contiguous, as even as the
/// count allows (a sweep is sharded by points, a run by trials).
pub fn shard_points(points: usize, shard: crate::run::chunks::Shard) -> std::ops::Range<usize> {
    let at = |i: u64| (points as u128 * i as u128 / shard.count.max(1) as u128) as usize;
    at(shard.index)..at(shard.index + 1)
}

/// A `--vary` problem as a usage error naming the argument.
pub fn vary_error(arg: &str, msg: String) -> Error {
    Error::Usage(format!("--vary '{arg}': {msg}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse_as_lists_ranges_and_arrays() {
        let v = parse_vary("strategy.ambiguity=0,0.25, 0.5").unwrap();
        assert_eq!(
            (v.path.as_str(), v.values),
            (
                "strategy.ambiguity",
                vec!["0".into(), "0.25".into(), "0.5".into()]
            )
        );
        let v = parse_vary("x=0:1:11").unwrap();
        assert_eq!(v.values.len(), 11);
        assert_eq!(
            (
                v.values[0].as_str(),
                v.values[3].as_str(),
                v.values[10].as_str()
            ),
            ("0", "0.3", "1")
        );
        assert_eq!(parse_vary("x=2:9:1").unwrap().values, vec!["2".to_string()]);
        let v = parse_vary("roles.sales.levers.promo_depth.options=[[0,0.1],[0,0.3]]").unwrap();
        assert_eq!(v.values, vec!["[0,0.1]".to_string(), "[0,0.3]".into()]);
    }

    #[test]
    fn bad_specs_say_what_was_expected() {
        for (arg, says) in [
            ("strategy.ambiguity", "no '='"),
            ("=1,2", "a path before '='"),
            ("x=0:1:0", "an empty range"),
            ("x=0:1:many", "a range FROM:TO:N"),
            ("x=0:1:1000000", "at most 10000 points"),
            ("x=", "at least one value"),
            ("x=[1,2", "a JSON array"),
        ] {
            let e = parse_vary(arg).expect_err(arg);
            assert!(e.contains(says), "{arg}: {e}");
        }
        let a = parse_vary("a=0:1:1000").unwrap();
        let b = parse_vary("b=1:2:1000").unwrap();
        let e = grid(&[a, b]).unwrap_err();
        assert!(e.contains("1000000 (1000 x 1000)"), "{e}");
    }

    #[test]
    fn the_grid_is_the_product_first_vary_outermost() {
        let a = parse_vary("a=1,2").unwrap();
        let b = parse_vary("b=x,y,z").unwrap();
        let g = grid(&[a.clone(), b.clone()]).unwrap();
        assert_eq!(g.len(), 6);
        assert_eq!(g[1], vec!["1".to_string(), "y".into()]);
        assert_eq!(
            point_sets(&[a, b], &g[5]),
            vec!["a=2".to_string(), "b=z".into()]
        );
    }

    #[test]
    fn an_axis_is_inert_only_when_no_point_moves_along_it() {
        use crate::stats::metrics::Stat;
        let varies = vec![
            Vary {
                path: "a".into(),
                values: vec!["0".into(), "1".into()],
            },
            Vary {
                path: "b".into(),
                values: vec!["x".into(), "y".into(), "z".into()],
            },
        ];
        // Points in grid order (b fastest); the value depends on a only.
        let point = |a: usize, b: usize| {
            let mut s = Stat::fine();
            s.add(10.0 * a as f64 + 1.0);
            Point {
                values: vec![a.to_string(), b.to_string()],
                metrics: vec![("profit".into(), s)],
                converged: true,
                trials: 1,
            }
        };
        let mut points: Vec<Point> = (0..2)
            .flat_map(|a| (0..3).map(move |b| point(a, b)))
            .collect();
        assert_eq!(inert_axes(&varies, &points), vec!["b".to_string()]);
        // One point moving along b at one setting of a is enough to make b act.
        points[4].metrics[0].1.add(5.0);
        assert!(inert_axes(&varies, &points).is_empty());
    }
}
