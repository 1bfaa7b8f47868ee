//! `orgsim trace`: why did they do that? One trial replayed with every decision recorded, as a
//! tidy table (`trace.csv`) and as a week-by-week account in plain words.
//!
//! The batch path pays nothing for this: a trial records decisions only when it was made with
//! [`crate::sim::trial::Trial::traced`] ([`crate::sim::trial::replay`]). This module only formats what the trial
//! recorded; it decides nothing and plays nothing.

use crate::scenario::model::Model;
use crate::sim::trial::Traced;

/// The columns of `trace.csv`.
pub const TRACE_COLUMNS: &[&str] = &[
    "week",
    "week_of_period",
    "role",
    "lever",
    "option",
    "rule_option",
    "chosen",
    "pushed",
    "external",
    "followed_deck",
    "shortfall",
    "weeks_left",
    "pressure",
    "projected_payout",
    "best_constant_payout",
    "utility",
    "pull_sell_out",
    "pull_margin",
    "pull_availability",
    "reading_sell_out",
    "reading_margin",
    "reading_availability",
    "rule",
];

/// `trace.csv`: one row per decision (week is 1-based, as in the account).
pub fn csv(model: &Model, traced: &Traced, role: Option<usize>) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    const MEMORY: &str = "writing CSV into memory cannot fail";
    w.write_record(TRACE_COLUMNS).expect(MEMORY);
    let float = crate::numbers::float;
    for d in traced
        .decisions
        .iter()
        .filter(|d| role.is_none_or(|r| d.role == r))
    {
        let lever = &model.levers[d.lever];
        let fit = &model.playbook.fits[d.role];
        let pull = model.playbook.pulls[d.lever][d.chosen];
        let reading = traced.result.interpretations[d.role];
        let best = fit.best_constant.as_ref().map_or(f64::NAN, |(_, p)| *p);
        let record = [
            (d.week + 1).to_string(),
            (d.standing.elapsed + 1).to_string(),
            model.roles[d.role].name.clone(),
            lever.name.clone(),
            float(lever.options[d.chosen]),
            float(lever.options[d.rule_option]),
            d.chosen.to_string(),
            (d.pushed as u8).to_string(),
            (d.external as u8).to_string(),
            (d.followed_deck as u8).to_string(),
            float(d.standing.shortfall),
            d.standing.weeks_left.to_string(),
            float(d.pressure),
            float(fit.payout),
            if best.is_finite() {
                float(best)
            } else {
                String::new()
            },
            float(fit.utility),
            float(pull[0]),
            float(pull[1]),
            float(pull[2]),
            float(reading[0]),
            float(reading[1]),
            float(reading[2]),
            lever.describe(&model.playbook.rules[d.lever]),
        ];
        w.write_record(&record).expect(MEMORY);
    }
    let bytes = w.into_inner().expect(MEMORY);
    String::from_utf8(bytes).expect("csv of UTF-8 fields is UTF-8")
}

/// The account in words: each role's playbook first, then every week where a rule pushed, a
/// role slipped or a choice came from outside (the weeks a reader asks "why?" about).
pub fn account(model: &Model, traced: &Traced, role: Option<usize>) -> String {
    let mut out = String::new();
    for (r, spec) in model.roles.iter().enumerate() {
        if role.is_some_and(|x| x != r) || spec.levers.is_empty() {
            continue;
        }
        let fit = &model.playbook.fits[r];
        out.push_str(&format!(
            "{}: expects a payout of {:.2} a period with its playbook",
            spec.name, fit.payout
        ));
        if let Some((_, best)) = &fit.best_constant {
            out.push_str(&format!(", {best:.2} with its best constant policy"));
        }
        out.push('\n');
        for &j in &spec.levers {
            let l = &model.levers[j];
            out.push_str(&format!(
                "  {}: {}\n",
                l.name,
                l.describe(&model.playbook.rules[j])
            ));
        }
    }
    out.push('\n');
    for d in &traced.decisions {
        if role.is_some_and(|x| x != d.role) {
            continue;
        }
        let slipped = d.asked != d.rule_option && !d.external;
        // The game's rules (an empty seat, an excluded option, a lever's uses a period) kept
        // another option than the one asked for: not a slip.
        let kept = d.asked != d.chosen;
        if !(d.pushed || slipped || kept || d.external || d.followed_deck) {
            continue;
        }
        let l = &model.levers[d.lever];
        let left = match d.standing.weeks_left {
            1 => "last week of the period".to_string(),
            n => format!("{n} weeks to period end"),
        };
        let standing = if d.standing.shortfall > 0.0 {
            format!("{:.0}% behind", d.standing.shortfall * 100.0)
        } else {
            format!("{:.0}% ahead", -d.standing.shortfall * 100.0)
        };
        let why = if d.external {
            "chosen from outside".to_string()
        } else if d.followed_deck && !slipped {
            "is past its bonus cap and follows its reading of the strategy".to_string()
        } else if slipped {
            format!(
                "its rule says {}, it slipped",
                fmt(l.options[d.rule_option])
            )
        } else if d.pushed {
            "its rule pushes".to_string()
        } else {
            format!("its rule says {}", fmt(l.options[d.rule_option]))
        };
        let outcome = if kept {
            format!(
                "asked for {}, the game's rules kept {} (a lever's uses a period, an option a meeting excluded, or an empty seat)",
                fmt(l.options[d.asked]),
                fmt(l.options[d.chosen])
            )
        } else {
            format!("chose {}", fmt(l.options[d.chosen]))
        };
        let effect = if d.chosen != d.rule_option || d.pushed {
            let base = model.playbook.rules[d.lever].base;
            let p = model.playbook.pulls[d.lever][d.chosen];
            let q = model.playbook.pulls[d.lever][base];
            format!(
                " (played throughout, {} against {} would move sell-out {:+.1}%, profit {:+.1}%, shelves {:+.1}%)",
                fmt(l.options[d.chosen]),
                fmt(l.options[base]),
                (p[0] - q[0]) * 100.0,
                (p[1] - q[1]) * 100.0,
                (p[2] - q[2]) * 100.0
            )
        } else {
            String::new()
        };
        out.push_str(&format!(
            "week {}, {}, {left}, {standing}: {} {why}; {outcome}{effect}\n",
            d.week + 1,
            model.roles[d.role].name,
            l.name,
        ));
    }
    out
}

fn fmt(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}
