//! The checks of a scenario's top-level numbers and of its world: the horizon, period and
//! warm-up, demand, prices, media, a launch's calendar, and the chain of stock points with
//! their ordering policies, compiled to [`StockPointSpec`]s.

use crate::error::Problem;
use crate::scenario::format::{
    Demand, DemandDistribution, Forecast, Launch, OrderPolicy, Scenario, World,
};
use crate::scenario::limits::{self, MAX_STOCK_POINTS};
use crate::scenario::model::checker::Check;
use crate::scenario::model::compiled_parts::StockPointSpec;

impl Check {
    /// The scenario's own numbers (name, horizon, period, warm-up, races), then the world's.
    pub(super) fn check_top(&mut self, s: &Scenario) {
        let ok_name = !s.name.is_empty()
            && s.name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !ok_name {
            self.push(Problem::new(
                "name",
                "letters, digits, '_' or '-' (it names the output folder)",
                format!("'{}'", s.name),
            ));
        }
        self.range(
            "horizon_weeks",
            s.horizon_weeks as f64,
            limits::HORIZON_WEEKS,
        );
        self.period(s);
        self.shelf_day(s);
        self.range("warmup_weeks", s.warmup_weeks as f64, limits::WARMUP_WEEKS);
        self.range("fit_races", s.fit_races as f64, limits::FIT_RACES);
        self.world_numbers(&s.world);
    }

    /// The world's numbers, in the order of the file: stores, demand, prices, media, the
    /// retailer's room, missed orders, salvage, and a launch.
    fn world_numbers(&mut self, w: &World) {
        self.range("world.stores", w.stores as f64, limits::STORES);
        self.demand(&w.demand);
        let p = &w.prices;
        self.range("world.prices.shelf_price", p.shelf_price, limits::PRICE);
        self.range("world.prices.list_price", p.list_price, limits::PRICE);
        self.range("world.prices.unit_cost", p.unit_cost, limits::PRICE);
        self.range(
            "world.prices.loading_discount",
            p.loading_discount,
            limits::DISCOUNT,
        );
        let m = &w.media;
        self.range(
            "world.media.adstock_decay",
            m.adstock_decay,
            limits::ADSTOCK_DECAY,
        );
        self.range(
            "world.media.saturation_spend",
            m.saturation_spend,
            limits::SATURATION_SPEND,
        );
        self.range("world.media.max_uplift", m.max_uplift, limits::MAX_UPLIFT);
        self.range(
            "world.retailer_max_cover_weeks",
            w.retailer_max_cover_weeks,
            limits::COVER_WEEKS,
        );
        self.range(
            "world.store_order_miss",
            w.store_order_miss,
            limits::STORE_ORDER_MISS,
        );
        self.range(
            "world.end_salvage_fraction",
            w.end_salvage_fraction,
            limits::SHARE,
        );
        if let Some(l) = &w.launch {
            self.launch(l);
        }
    }

    /// Consumer demand's numbers (`world.demand`).
    fn demand(&mut self, d: &Demand) {
        self.range(
            "world.demand.base_per_store",
            d.base_per_store,
            limits::BASE_PER_STORE,
        );
        match d.distribution {
            DemandDistribution::Poisson => {}
            DemandDistribution::NegativeBinomial { dispersion } => self.range(
                "world.demand.distribution.dispersion",
                dispersion,
                limits::DISPERSION,
            ),
            DemandDistribution::Normal { cv } => {
                self.range("world.demand.distribution.cv", cv, limits::DEMAND_CV)
            }
        }
        self.range(
            "world.demand.store_size_cv",
            d.store_size_cv,
            limits::STORE_SIZE_CV,
        );
        self.range(
            "world.demand.season_amplitude",
            d.season_amplitude,
            limits::SEASON_AMPLITUDE,
        );
        self.range(
            "world.demand.season_peak_week",
            d.season_peak_week as f64,
            limits::SEASON_PEAK_WEEK,
        );
        self.range(
            "world.demand.promo_elasticity",
            d.promo_elasticity,
            limits::PROMO_ELASTICITY,
        );
        self.range("world.demand.pull_forward", d.pull_forward, limits::SHARE);
        self.range(
            "world.demand.lift_spread",
            d.lift_spread,
            limits::LIFT_SPREAD,
        );
        self.range(
            "world.demand.dip_weeks",
            d.dip_weeks as f64,
            limits::DIP_WEEKS,
        );
    }

    /// A launch's numbers; its shelf day against the horizon is checked with the horizon.
    fn launch(&mut self, l: &Launch) {
        let p = "world.launch";
        self.range(
            &format!("{p}.shelf_week"),
            l.shelf_week as f64,
            limits::HORIZON_WEEKS,
        );
        for (name, span) in [
            ("notice_weeks", l.notice_weeks),
            ("approval_weeks", l.approval_weeks),
        ] {
            self.range(
                &format!("{p}.{name}.min"),
                span.min as f64,
                limits::LAUNCH_WEEKS,
            );
            self.range(
                &format!("{p}.{name}.max"),
                span.max as f64,
                limits::LAUNCH_WEEKS,
            );
            if span.min > span.max {
                self.push(Problem::new(
                    format!("{p}.{name}.max"),
                    format!("at least min ({})", span.min),
                    span.max.to_string(),
                ));
            }
        }
        self.range(
            &format!("{p}.campaign_weeks"),
            l.campaign_weeks as f64,
            limits::CAMPAIGN_WEEKS,
        );
        self.range(
            &format!("{p}.campaign_spend"),
            l.campaign_spend,
            limits::MEDIA_SPEND,
        );
        self.range(
            &format!("{p}.private_label_margin"),
            l.private_label_margin,
            limits::PRIVATE_LABEL_MARGIN,
        );
    }

    /// A launch whose shelf day lies beyond the horizon never sells: nothing to measure.
    fn shelf_day(&mut self, s: &Scenario) {
        let Some(l) = &s.world.launch else {
            return;
        };
        let h = s.horizon_weeks;
        if limits::HORIZON_WEEKS.contains(h as f64) && l.shelf_week > h {
            self.push(Problem::new(
                "world.launch.shelf_week",
                format!("a week within the horizon (1 to horizon_weeks = {h})"),
                l.shelf_week.to_string(),
            ));
        }
    }

    /// A period outside its fixed range (the schema's) is refused in those words; one within it
    /// but longer than the horizon names the horizon. Against a horizon that is itself out of
    /// range, a period cannot be judged: one problem, not two.
    fn period(&mut self, s: &Scenario) {
        let period = s.period_weeks as f64;
        if !limits::PERIOD_WEEKS.contains(period) {
            self.range("period_weeks", period, limits::PERIOD_WEEKS);
            return;
        }
        let horizon = s.horizon_weeks;
        if limits::HORIZON_WEEKS.contains(horizon as f64) && s.period_weeks > horizon {
            self.push(Problem::new(
                "period_weeks",
                format!("a number from 1 to {horizon} (horizon_weeks)"),
                s.period_weeks.to_string(),
            ));
        }
    }

    pub(super) fn chain(&mut self, w: &World) -> Vec<StockPointSpec> {
        let n = w.chain.len();
        if n == 0 || n > MAX_STOCK_POINTS {
            self.push(Problem::new(
                "world.chain",
                format!("1 to {MAX_STOCK_POINTS} stock points"),
                format!("{n}"),
            ));
        }
        let names: Vec<&str> = w.chain.iter().map(|e| e.name.as_str()).collect();
        self.unique("world.chain", &names);
        let mut out = Vec::new();
        for (i, sp) in w.chain.iter().enumerate() {
            let p = format!("world.chain[{i}]");
            if sp.per_store && i + 1 != n {
                self.push(
                    Problem::new(
                        format!("{p}.per_store"),
                        "false (only the last stock point, facing consumers, is per store)",
                        "true",
                    )
                    .hint("put the store stock point last in world.chain"),
                );
            }
            self.range(
                &format!("{p}.lead_time_weeks"),
                sp.lead_time_weeks as f64,
                limits::LEAD_WEEKS,
            );
            self.range(
                &format!("{p}.order_delay_weeks"),
                sp.order_delay_weeks as f64,
                limits::LEAD_WEEKS,
            );
            self.range(
                &format!("{p}.initial_cover_weeks"),
                sp.initial_cover_weeks,
                limits::COVER_WEEKS,
            );
            if let Some(sl) = sp.shelf_life_weeks {
                self.range(
                    &format!("{p}.shelf_life_weeks"),
                    sl as f64,
                    limits::SHELF_LIFE_WEEKS,
                );
            }
            self.range(
                &format!("{p}.holding_cost"),
                sp.holding_cost,
                limits::HOLDING_COST,
            );
            self.policy(&format!("{p}.policy"), &sp.policy);
            out.push(StockPointSpec {
                name: sp.name.clone(),
                per_store: sp.per_store,
                lead: sp.lead_time_weeks as usize,
                order_delay: sp.order_delay_weeks as usize,
                initial_cover: sp.initial_cover_weeks,
                unmet: sp.unmet,
                shelf_life: sp.shelf_life_weeks.map(|s| s as usize),
                holding: sp.holding_cost,
                policy: sp.policy.clone(),
            });
        }
        out
    }

    fn policy(&mut self, p: &str, pol: &OrderPolicy) {
        match pol {
            OrderPolicy::OrderUpTo {
                forecast,
                cover_weeks,
                safety_factor,
            } => {
                match forecast {
                    Forecast::MovingAverage { window } => self.range(
                        &format!("{p}.forecast.window"),
                        *window as f64,
                        limits::FORECAST_WINDOW,
                    ),
                    Forecast::ExpSmoothing { alpha } => self.range(
                        &format!("{p}.forecast.alpha"),
                        *alpha,
                        limits::SMOOTHING_ALPHA,
                    ),
                }
                self.range(
                    &format!("{p}.cover_weeks"),
                    *cover_weeks,
                    limits::COVER_WEEKS,
                );
                self.range(
                    &format!("{p}.safety_factor"),
                    *safety_factor,
                    limits::SAFETY_FACTOR,
                );
            }
            OrderPolicy::Sterman {
                theta,
                alpha_s,
                beta,
                desired_cover_weeks,
            } => {
                self.range(&format!("{p}.theta"), *theta, limits::SHARE);
                self.range(&format!("{p}.alpha_s"), *alpha_s, limits::SHARE);
                self.range(&format!("{p}.beta"), *beta, limits::SHARE);
                self.range(
                    &format!("{p}.desired_cover_weeks"),
                    *desired_cover_weeks,
                    limits::COVER_WEEKS,
                );
            }
            OrderPolicy::Fixed { quantity } => {
                self.range(&format!("{p}.quantity"), *quantity, limits::FIXED_QUANTITY)
            }
        }
    }

    /// The stock point whose receipts are sell-in: the one named, or else the second (the only
    /// one, in a chain of one).
    pub(super) fn sell_in_point(&mut self, w: &World, names: &[&str]) -> usize {
        match &w.sell_in_point {
            Some(sp) => self
                .stock_point("world.sell_in_point", sp, names)
                .unwrap_or(0),
            None => 1.min(names.len().saturating_sub(1)),
        }
    }
}
