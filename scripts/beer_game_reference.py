#!/usr/bin/env python3
"""Independent reference implementation of orgsim's Beer Distribution Game.

Written from ../shared/CLASSICS.md (section 1, "Beer Distribution Game
(Sterman 1989)") alone, without reading orgsim's Rust source, in plain
Python 3 with the standard library only. tests/python.rs runs it and checks
orgsim's deterministic classic against it to the last bit.

Every expression is evaluated exactly as the document writes it, left to
right, in IEEE-754 doubles (Python floats), so two honest implementations of
the document agree bit for bit.

Usage:
    python3 scripts/beer_game_reference.py [--theta F] [--alpha-s F]
                                           [--beta F] [--s-prime F]

Prints one JSON object: orders, inventory, backlog (4 x T each), demand (T),
cost (4), total_cost, amp (4), stage_amp (4), peak_order (4) and peak_week
(4, weeks counted from 1). Floats are written with Python's repr, the
shortest string that round-trips, so the numbers are bit-exact.
"""

import argparse
import json

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


def outputs(p):
    """Everything the trial reports, as a JSON-ready dict."""
    demand, orders, inventory, backlog, cost = simulate(p)
    var_d = variance(demand)
    var_o = [variance(orders[i]) for i in range(N)]
    amp = [var_o[i] / var_d for i in range(N)]
    # Stage amplification: each echelon over its customer, O_{-1} = D.
    upstream = [var_d] + var_o[:-1]
    stage_amp = [var_o[i] / upstream[i] for i in range(N)]
    peaks = [peak(orders[i]) for i in range(N)]
    return {
        "orders": orders,
        "inventory": inventory,
        "backlog": backlog,
        "demand": demand,
        "cost": list(cost),
        "total_cost": ((cost[0] + cost[1]) + cost[2]) + cost[3],
        "amp": amp,
        "stage_amp": stage_amp,
        "peak_order": [pk for pk, _ in peaks],
        "peak_week": [wk for _, wk in peaks],
    }


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--theta", type=float, default=THETA)
    ap.add_argument("--alpha-s", type=float, default=ALPHA_S)
    ap.add_argument("--beta", type=float, default=BETA)
    ap.add_argument("--s-prime", type=float, default=S_PRIME)
    a = ap.parse_args()
    return {"theta": a.theta, "alpha_s": a.alpha_s, "beta": a.beta, "s_prime": a.s_prime}


def main():
    print(json.dumps(outputs(parse_args())))


if __name__ == "__main__":
    main()
