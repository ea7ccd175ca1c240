#!/usr/bin/env python3
"""An independent implementation of the kubernetes profile (kube-scheduler v1.35's default
profile as docs/schedulers.md describes it), used by tests/k8s_reference.rs as a differential
oracle.

It reads the JSON cases the Rust test dumps (random clusters, the pods already placed, one pod
to schedule, and what faasim decided), recomputes every filter and score from the raw node and
pod descriptions, and compares: the first failing filter of every node, the sampled walk (visit
order, nodes evaluated, feasible set), every plugin's score of every candidate, the totals and
the choice (any node with the maximum total; the number of tied nodes must match).

Written from upstream's behaviour, not from faasim's code: it works on label dictionaries and
pod lists, not on faasim's bit sets, memos or incremental counters.

Usage: k8s_reference.py CASES.json   (exit status 1 on any mismatch)
"""

import json
import math
import re
import sys

HOSTNAME = "kubernetes.io/hostname"
ZONE = "topology.kubernetes.io/zone"
REGION = "topology.kubernetes.io/region"
STORAGE = "data.skippy.io/storage"
UNSCHEDULABLE_TAINT = {"key": "node.kubernetes.io/unschedulable", "value": "", "effect": "NoSchedule"}
MAX = 100
MIB = 1 << 20
NONZERO_CPU = 100
NONZERO_MEM = 200 * MIB
INT = re.compile(r"^[+-]?[0-9]+$")
SYSTEM_DEFAULTS = [(HOSTNAME, 3, False), (ZONE, 5, False)]


def as_int(s):
    """Kubernetes parses Gt/Lt operands as base-10 64-bit integers."""
    if INT.match(s) is None:
        return None
    v = int(s)
    return v if -(2**63) <= v < 2**63 else None


# --- taints and tolerations -------------------------------------------------------------------

def tolerates(tol, taint):
    if tol.get("effect") and tol["effect"] != taint["effect"]:
        return False
    if tol.get("operator", "Equal") == "Exists":
        return tol.get("key", "") in ("", taint["key"])
    return tol.get("key", "") == taint["key"] and tol.get("value", "") == taint.get("value", "")


def tolerated(pod, taint):
    return any(tolerates(t, taint) for t in pod["tolerations"])


# --- node affinity ----------------------------------------------------------------------------

def expr_matches(e, labels):
    key, op, values = e["key"], e["operator"], e.get("values", [])
    present = key in labels
    if op == "In":
        return present and labels[key] in values
    if op == "NotIn":
        return not present or labels[key] not in values
    if op == "Exists":
        return present
    if op == "DoesNotExist":
        return not present
    if not present or len(values) != 1:
        return False
    a, b = as_int(labels[key]), as_int(values[0].strip())
    if a is None or b is None:
        return False
    return a > b if op == "Gt" else a < b


def term_matches(exprs, labels):
    # A term without expressions matches no node (upstream isEmptyNodeSelectorTerm).
    return len(exprs) > 0 and all(expr_matches(e, labels) for e in exprs)


def required_affinity(pod, labels):
    if any(labels.get(k) != v for k, v in pod["node_selector"].items()):
        return False
    terms = pod["affinity"]["required"]
    return not terms or any(term_matches(t["match_expressions"], labels) for t in terms)


# --- filters ----------------------------------------------------------------------------------

def arch_ok(case, node):
    return any(a in (node["arch"], "any") for a, _ in case["image"]["variants"])


def fit_ok(case, node, pod):
    if pod["cpu"] > 0 and pod["cpu"] > node["cpu_cap"] - node["cpu_req"]:
        return False
    if pod["mem"] > 0 and pod["mem"] > node["mem_cap"] - node["mem_req"]:
        return False
    for r, amount in pod["extended"].items():
        if amount > 0 and amount > node["extended"].get(r, 0) - node["ext_used"].get(r, 0):
            return False
    return node["pods"] + 1 <= node["max_pods"]


def constraints_of(case, pod):
    given = case["spread"].get(str(pod["function"]))
    if given:
        return [(c["topology_key"], c["max_skew"], c["when_unsatisfiable"] == "DoNotSchedule") for c in given], True
    return SYSTEM_DEFAULTS, False


def replicas_on(case, function, idx):
    return sum(1 for p in case["placed"] if p["node"] == idx and p["function"] == function)


def spread_filter(case, pod):
    """PreFilter + Filter of the DoNotSchedule constraints: a function node index -> bool."""
    cons, _ = constraints_of(case, pod)
    hard = [c for c in cons if c[2]]
    nodes = case["nodes"]
    if not hard:
        return lambda i: True
    keys = [c[0] for c in hard]

    def eligible(n):
        return all(k in n["labels"] for k in keys) and required_affinity(pod, n["labels"])

    tables = []
    for key, max_skew, _ in hard:
        counts = {}
        for i, n in enumerate(nodes):
            if eligible(n):
                counts.setdefault(n["labels"][key], 0)
                counts[n["labels"][key]] += replicas_on(case, pod["function"], i)
        low = min(counts.values()) if counts else 2**31 - 1
        tables.append((key, max_skew, counts, low))

    def ok(i):
        labels = nodes[i]["labels"]
        for key, max_skew, counts, low in tables:
            if key not in labels:
                return False
            if counts.get(labels[key], 0) + 1 - low > max_skew:
                return False
        return True

    return ok


def filter_chain(case, pod):
    nodes = case["nodes"]
    spread_ok = spread_filter(case, pod)
    chain = [
        ("NodeUnschedulable", lambda i: not nodes[i]["unschedulable"] or tolerated(pod, UNSCHEDULABLE_TAINT)),
        ("TaintToleration", lambda i: all(
            t["effect"] == "PreferNoSchedule" or tolerated(pod, t) for t in nodes[i]["taints"])),
        ("NodeAffinity", lambda i: required_affinity(pod, nodes[i]["labels"])),
        ("NodeResourcesFit", lambda i: fit_ok(case, nodes[i], pod)),
    ]
    if case["any_hard_spread"]:
        chain.append(("PodTopologySpread", spread_ok))
    chain += [
        ("AvoidStorageNodes", lambda i: STORAGE not in nodes[i]["labels"]),
        ("ImageArchAvailable", lambda i: arch_ok(case, nodes[i])),
        # A route from the registry always exists in the generated clusters.
        ("RegistryReachable", lambda i: True),
    ]
    return chain


def first_failure(chain, i):
    for name, ok in chain:
        if not ok(i):
            return name
    return None


# --- sampling and visit order -----------------------------------------------------------------

def nodes_to_find(n, pct):
    if n < 100 or pct >= 100:
        return n
    q = pct if pct > 0 else max(50 - n // 125, 5)
    return max(n * q // 100, 100)


def node_tree(nodes):
    zones = {}
    for i, n in enumerate(nodes):
        r, z = n["labels"].get(REGION, ""), n["labels"].get(ZONE, "")
        zones.setdefault((r, z), []).append(i)
    lists = list(zones.values())  # dicts keep first-insertion order
    out = []
    depth = 0
    while len(out) < len(nodes):
        for members in lists:
            if depth < len(members):
                out.append(members[depth])
        depth += 1
    return out


# --- scores -----------------------------------------------------------------------------------

def normalize(raw, reverse):
    m = max(raw) if raw else 0
    if m == 0:
        return [MAX] * len(raw) if reverse else list(raw)
    out = [MAX * r // m for r in raw]
    return [MAX - v for v in out] if reverse else out


def fit_score(case, node, pod):
    wc, wm = case["config"]["resource_weights"]
    pc = pod["cpu"] if pod["cpu"] != 0 else NONZERO_CPU
    pm = pod["mem"] if pod["mem"] != 0 else NONZERO_MEM
    num, den = 0, 0
    for cap, req, w in ((node["cpu_cap"], node["cpu_nz"] + pc, wc), (node["mem_cap"], node["mem_nz"] + pm, wm)):
        if cap == 0:
            continue
        if case["config"]["strategy"] == "MostAllocated":
            s = min(req, cap) * MAX // cap
        else:
            s = 0 if req > cap else (cap - req) * MAX // cap
        num += s * w
        den += w
    return num // den if den else 0


def balanced_score(node, pod):
    fr = []
    for cap, req in ((node["cpu_cap"], node["cpu_req"] + pod["cpu"]), (node["mem_cap"], node["mem_req"] + pod["mem"])):
        if cap != 0:
            fr.append(min(req / cap, 1.0))
    std = abs((fr[0] - fr[1]) / 2) if len(fr) == 2 else 0.0
    return int((1 - std) * MAX)


def image_score(case, node):
    img = case["image"]
    if node["index"] not in img["cached"]:
        return 0
    size = None
    for a, s in img["variants"]:
        if a == node["arch"]:
            size = s
            break
    if size is None:
        size = next((s for a, s in img["variants"] if a == "any"), None)
    spread = len(img["cached"]) / len(case["nodes"])
    total = int(size * spread) if size is not None else 0
    total = min(max(total, 23 * MIB), 1000 * MIB)
    return MAX * (total - 23 * MIB) // (1000 * MIB - 23 * MIB)


def spread_scores(case, pod, feas):
    cons, user = constraints_of(case, pod)
    soft = [c for c in cons if not c[2]]
    if not soft:
        return [0] * len(feas)
    nodes = case["nodes"]
    keys = [c[0] for c in soft]
    ignored = [user and not all(k in nodes[i]["labels"] for k in keys) for i in feas]
    kept = [i for i, ig in zip(feas, ignored) if not ig]
    weights, domain_counts = [], []
    for key, _, _ in soft:
        if key == HOSTNAME:
            size = len(kept)
            domain_counts.append(None)
        else:
            domains = {nodes[i]["labels"].get(key, "") for i in kept}
            size = len(domains)
            counts = {d: 0 for d in domains}
            for j, n in enumerate(nodes):
                if not required_affinity(pod, n["labels"]):
                    continue
                if user and not all(k in n["labels"] for k in keys):
                    continue
                d = n["labels"].get(key, "")
                if d in counts:
                    counts[d] += replicas_on(case, pod["function"], j)
            domain_counts.append(counts)
        weights.append(math.log(size + 2))
    raw = []
    for i, ig in zip(feas, ignored):
        if ig:
            raw.append(None)
            continue
        s = 0.0
        for (key, max_skew, _), w, counts in zip(soft, weights, domain_counts):
            labels = nodes[i]["labels"]
            if key not in labels:
                continue
            cnt = replicas_on(case, pod["function"], i) if key == HOSTNAME else counts[labels[key]]
            s += cnt * w + (max_skew - 1)
        # Go's math.Round: half away from zero, as Python's round() is not.
        raw.append(int(math.floor(s + 0.5)))
    vals = [r for r in raw if r is not None]
    lo, hi = (min(vals), max(vals)) if vals else (0, 0)
    out = []
    for r in raw:
        if r is None:
            out.append(0)
        elif hi == 0:
            out.append(MAX)
        else:
            out.append(MAX * (hi + lo - r) // hi)
    return out


def all_scores(case, pod, feas):
    nodes = case["nodes"]
    w = case["config"]["weights"]
    cols = {}
    cols["NodeResourcesFit"] = [fit_score(case, nodes[i], pod) for i in feas]
    if pod["cpu"] == 0 and pod["mem"] == 0:
        cols["NodeResourcesBalancedAllocation"] = [0] * len(feas)
    else:
        cols["NodeResourcesBalancedAllocation"] = [balanced_score(nodes[i], pod) for i in feas]
    cols["ImageLocality"] = [image_score(case, nodes[i]) for i in feas]
    prefer = [sum(1 for t in nodes[i]["taints"] if t["effect"] == "PreferNoSchedule" and not tolerated(pod, t))
              for i in feas]
    cols["TaintToleration"] = normalize(prefer, True)
    pref = [sum(t["weight"] for t in pod["affinity"]["preferred"]
                if term_matches(t["match_expressions"], nodes[i]["labels"])) for i in feas]
    cols["NodeAffinity"] = normalize(pref, False)
    cols["PodTopologySpread"] = spread_scores(case, pod, feas)
    totals = [sum(w[name] * cols[name][j] for name in cols) for j in range(len(feas))]
    return cols, totals


# --- one case ---------------------------------------------------------------------------------

def prepare(case):
    nodes = case["nodes"]
    for i, n in enumerate(nodes):
        n["index"] = i
        mine = [p for p in case["placed"] if p["node"] == i]
        n["pods"] = len(mine)
        n["cpu_req"] = sum(p["cpu"] for p in mine)
        n["mem_req"] = sum(p["mem"] for p in mine)
        n["cpu_nz"] = sum(p["cpu"] if p["cpu"] != 0 else NONZERO_CPU for p in mine)
        n["mem_nz"] = sum(p["mem"] if p["mem"] != 0 else NONZERO_MEM for p in mine)
        used = {}
        for p in mine:
            for r, a in p["extended"].items():
                used[r] = used.get(r, 0) + a
        n["ext_used"] = used


def check(case):
    prepare(case)
    pod = case["pod"]
    nodes = case["nodes"]
    got = case["faasim"]
    errors = []
    chain = filter_chain(case, pod)
    names = [name for name, _ in chain]
    if names != got["filters"]:
        errors.append(f"filter list {names} != {got['filters']}")
    fails = [first_failure(chain, i) for i in range(len(nodes))]
    for i, (a, b) in enumerate(zip(fails, got["first_failures"])):
        if a != b:
            errors.append(f"node {i}: first failing filter {a} != faasim {b}")
    order = node_tree(nodes)
    k = nodes_to_find(len(nodes), case["config"]["percentage"])
    feas, evaluated, rejected = [], 0, {}
    for i in order:
        if len(feas) >= k:
            break
        evaluated += 1
        if fails[i] is None:
            feas.append(i)
        else:
            rejected[fails[i]] = rejected.get(fails[i], 0) + 1
    if evaluated != got["nodes_evaluated"]:
        errors.append(f"evaluated {evaluated} != faasim {got['nodes_evaluated']}")
    if {n: c for n, c in got["rejections"].items() if c} != rejected:
        errors.append(f"rejections {rejected} != faasim {got['rejections']}")
    if len(feas) != got["feasible"]:
        errors.append(f"feasible {len(feas)} != faasim {got['feasible']}")
    if not feas:
        if got["node"] is not None:
            errors.append(f"no feasible node, faasim chose {got['node']}")
        return errors
    if len(feas) == 1:
        if got["node"] != feas[0]:
            errors.append(f"single feasible node {feas[0]} != faasim {got['node']}")
        return errors
    cols, totals = all_scores(case, pod, feas)
    cands = {c["node"]: c for c in got["candidates"]}
    if sorted(cands) != sorted(feas):
        errors.append(f"candidates {sorted(cands)} != feasible {sorted(feas)}")
        return errors
    for j, i in enumerate(feas):
        c = cands[i]
        for name, col in cols.items():
            want = col[j]
            have = c["scores"].get(name)
            if case["config"]["weights"][name] == 0:
                continue
            if have is None or have != want:
                errors.append(f"node {i}: {name} {want} != faasim {have}")
        if c["total"] != totals[j]:
            errors.append(f"node {i}: total {totals[j]} != faasim {c['total']}")
    best = max(totals)
    ties = [i for i, t in zip(feas, totals) if t == best]
    if got["node"] not in ties:
        errors.append(f"faasim chose {got['node']}, best are {ties} ({best})")
    if got["tie_count"] != len(ties):
        errors.append(f"ties {len(ties)} != faasim {got['tie_count']}")
    return errors


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    bad = 0
    for n, case in enumerate(cases):
        errors = check(case)
        if errors:
            bad += 1
            if bad <= 5:
                print(f"case {n} (seed {case['seed']}):")
                for e in errors[:10]:
                    print("   ", e)
    print(f"{len(cases)} cases checked, {bad} mismatched")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
