#!/usr/bin/env python3
"""Independent reference implementation of orgsim's Beer Distribution Game.

Written from docs/classics.md (section 1, "Beer Distribution Game
(Sterman 1989)") alone, without reading orgsim's Rust source, in plain
Python 3 with the standard library only. tests/it/python.rs runs it and checks
orgsim's deterministic classic against it to the last bit.

Every expression is evaluated exactly as the document writes it, left to
right, in IEEE-754 doubles (Python floats), so two honest implementations of
the document agree bit for bit.

Usage:
    python3 scripts/beer_game_reference.py [--theta F] [--alpha-s F]
                                           [--beta F] [--s-prime F] [--exact]

Prints one JSON object: orders, inventory, backlog (4 x T each), demand (T),
cost (4), total_cost, amp (4), stage_amp (4), peak_order (4) and peak_week
(4, weeks counted from 1). A ratio with a zero variance below it (only
possible with overridden parameters) is not finite and is written as null.
Floats are written with Python's repr, the
shortest string that round-trips, so the numbers are bit-exact.
"""

import argparse
import json
import math

T = 36
N = 4  # retailer, wholesaler, distributor, factory
FACTORY = 3

# Sterman's average fitted values, the same for all four echelons.
THETA = 0.36
ALPHA_S = 0.26
BETA = 0.34
S_PRIME = 17.0


def classic_demand(w):
    """Customer demand of week w (1-based): 4 up to week 4, then 8."""
    return 4.0 if w <= 4 else 8.0


def initial_state():
    """The System Dynamics Society board before week 1.

    Every box holds 4 and every inventory 12. The supply line is what each
    echelon has ordered but not received: two slips plus two shipments (16)
    for echelons 0-2, the request plus two production slots (12) for the
    factory.
    """
    return {
        "inv": [12.0] * N,
        "back": [0.0] * N,
        "ship": [[4.0, 4.0] for _ in range(N)],
        # mail[i] holds slips from i-1 to i; mail[0] is unused because the
        # customer's order reaches the retailer at once.
        "mail": [None] + [[4.0, 4.0] for _ in range(1, N)],
        "request": 4.0,
        "E": [4.0] * N,
        "SL": [16.0, 16.0, 16.0, 12.0],
        "cost": [0.0] * N,
    }


def receive(st):
    """Phase 1: the front shipping (or production) slot enters inventory."""
    for i in range(N):
        a = st["ship"][i][0]
        st["inv"][i] += a
        st["SL"][i] -= a
        st["ship"][i][0] = st["ship"][i][1]
        st["ship"][i][1] = 0.0


def fill_orders(st, d_w):
    """Phase 2: read incoming orders and ship what inventory allows.

    Returns the incoming orders I, which phase 5 uses for the expectation.
    """
    incoming = [d_w] + [st["mail"][i][0] for i in range(1, N)]
    for i in range(N):
        inv = st["inv"][i]
        due = st["back"][i] + incoming[i]
        sent = inv if inv < due else due
        st["inv"][i] = inv - sent
        st["back"][i] = due - sent
        # The retailer's shipment leaves the system to the customer.
        if i >= 1:
            st["ship"][i - 1][1] = sent
    return incoming


def charge_costs(st):
    """Phase 3: holding 0.5 and backlog 1.0 per case-week, after the fill."""
    for i in range(N):
        st["cost"][i] += 0.5 * st["inv"][i] + 1.0 * st["back"][i]


def advance(st):
    """Phase 4: move the mail one slot; the factory starts last week's request."""
    for i in range(1, N):
        st["mail"][i][0] = st["mail"][i][1]
        st["mail"][i][1] = 0.0
    st["ship"][FACTORY][1] = st["request"]
    st["request"] = 0.0


def decide_and_place(st, incoming, p):
    """Phase 5: anchoring and adjustment; returns the four orders placed."""
    one_minus_theta = 1.0 - p["theta"]
    orders = []
    for i in range(N):
        st["E"][i] = p["theta"] * incoming[i] + one_minus_theta * st["E"][i]
        s = st["inv"][i] - st["back"][i]
        x = st["E"][i] + p["alpha_s"] * ((p["s_prime"] - s) - (p["beta"] * st["SL"][i]))
        o = x if x > 0 else 0.0  # float zero, never the int 0
        st["SL"][i] += o
        if i < FACTORY:
            st["mail"][i + 1][1] = o
        else:
            st["request"] = o
        orders.append(o)
    return orders


def simulate(p, demand_fn=classic_demand, weeks=T):
    """Run one deterministic trial; returns the weekly series and costs."""
    st = initial_state()
    demand = []
    orders = [[] for _ in range(N)]
    inventory = [[] for _ in range(N)]
    backlog = [[] for _ in range(N)]
    for w in range(1, weeks + 1):
        receive(st)
        d_w = demand_fn(w)
        demand.append(d_w)
        incoming = fill_orders(st, d_w)
        charge_costs(st)
        # The values after the fill (and used for the costs) are the series.
        for i in range(N):
            inventory[i].append(st["inv"][i])
            backlog[i].append(st["back"][i])
        advance(st)
        for i, o in enumerate(decide_and_place(st, incoming, p)):
            orders[i].append(o)
    return demand, orders, inventory, backlog, st["cost"]


def variance(xs):
    """Two-pass sample variance, denominator T-1, sums in week order from 0.0."""
    t = len(xs)
    total = 0.0
    for x in xs:
        total += x
    m = total / t
    sq = 0.0
    for x in xs:
        d = x - m
        sq += d * d
    return sq / (t - 1)


def peak(xs):
    """Largest value and the first week (from 1) that reaches it."""
    best = xs[0]
    week = 1
    for w, x in enumerate(xs, start=1):
        if x > best:
            best = x
            week = w
    return best, week


def ieee_div(a, b):
    """a / b as IEEE-754 does it: x/0 is +-inf and 0/0 is NaN, not an error.

    Only reachable with overridden parameters, e.g. when an echelon never
    orders and its order variance is 0.
    """
    if b != 0.0:
        return a / b
    if a == 0.0 or a != a:
        return math.nan
    return math.copysign(math.inf, a) * math.copysign(1.0, b)


def finite_or_none(x):
    """Strict JSON has no NaN or infinity; write them as null (as serde_json)."""
    return x if math.isfinite(x) else None


def outputs(p):
    """Everything the trial reports, as a JSON-ready dict."""
    demand, orders, inventory, backlog, cost = simulate(p)
    var_d = variance(demand)
    var_o = [variance(orders[i]) for i in range(N)]
    amp = [ieee_div(var_o[i], var_d) for i in range(N)]
    # Stage amplification: each echelon over its customer, O_{-1} = D.
    upstream = [var_d] + var_o[:-1]
    stage_amp = [ieee_div(var_o[i], upstream[i]) for i in range(N)]
    peaks = [peak(orders[i]) for i in range(N)]
    return {
        "orders": orders,
        "inventory": inventory,
        "backlog": backlog,
        "demand": demand,
        "cost": list(cost),
        "total_cost": ((cost[0] + cost[1]) + cost[2]) + cost[3],
        "amp": [finite_or_none(x) for x in amp],
        "stage_amp": [finite_or_none(x) for x in stage_amp],
        "peak_order": [pk for pk, _ in peaks],
        "peak_week": [wk for _, wk in peaks],
    }


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--theta", type=float, default=THETA)
    ap.add_argument("--alpha-s", type=float, default=ALPHA_S)
    ap.add_argument("--beta", type=float, default=BETA)
    ap.add_argument("--s-prime", type=float, default=S_PRIME)
    ap.add_argument(
        "--exact",
        action="store_true",
        help="write every float as a string of its repr, for readers whose JSON parser may round",
    )
    a = ap.parse_args()
    p = {"theta": a.theta, "alpha_s": a.alpha_s, "beta": a.beta, "s_prime": a.s_prime}
    return p, a.exact


def as_strings(v):
    """Floats as their repr strings (bit-exact for any reader that parses decimals correctly)."""
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, list):
        return [as_strings(x) for x in v]
    if isinstance(v, dict):
        return {k: as_strings(x) for k, x in v.items()}
    return v


def main():
    p, exact = parse_args()
    out = outputs(p)
    print(json.dumps(as_strings(out) if exact else out, allow_nan=False))


if __name__ == "__main__":
    main()
