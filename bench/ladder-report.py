#!/usr/bin/env python3
"""The report of bench/ladder-quality.sh: reads its results.jsonl (one line per scored rung) and prints, per source,
the rungs, the ladders' totals, and each ladder against the fixed one (and per-title AV1 against per-title H.264).

"Bytes at the fixed ladder's qualities" is how much a ladder spends to give every quality the fixed ladder gives:
for each fixed rung (its bitrate b, its PSNR q), the bitrate b' at which the other ladder's rate-quality curve
reaches q, the curve being its rungs joined by straight lines in (log2 kb/s, PSNR), as the Bjontegaard delta rate
interpolates; a q under the cheapest rung's PSNR costs that rung's bitrate. The saving is 1 - sum(b') / sum(b). A q
above the other ladder's best PSNR is not reached: then that ladder is not "equal or better" and has no saving.
"At each fixed rung's bitrate" is what a player limited to that bitrate gets instead: the best rung that fits,
against the fixed rung (no interpolation: a player plays rungs, not the curve between them).
"""
import json
import math
import sys

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
MODE_ORDER = ["Fixed", "PerTitle", "PerTitleAv1"]


def ladder_of(source, mode):
    return sorted((r for r in rows if r["source"] == source and r["mode"] == mode), key=lambda r: (-r["height"], -r["avgKbps"]))


def curve(ladder):
    """The ladder's rate-quality curve: its rungs by bitrate, each better than every cheaper one."""
    points, best = [], -math.inf
    for r in sorted(ladder, key=lambda r: r["avgKbps"]):
        if r["psnr"] > best:
            points.append((r["avgKbps"], r["psnr"]))
            best = r["psnr"]
    return points


def kbps_for(points, q):
    """The bitrate at which the curve reaches PSNR q, or None when it never does."""
    if q <= points[0][1]:
        return points[0][0]
    for (b0, q0), (b1, q1) in zip(points, points[1:]):
        if q0 < q <= q1:
            return 2 ** (math.log2(b0) + (q - q0) / (q1 - q0) * (math.log2(b1) - math.log2(b0)))
    return None


def best_within(ladder, kbps):
    fitting = [r for r in ladder if r["avgKbps"] <= kbps]
    return max(fitting, key=lambda r: r["psnr"]) if fitting else None


def compare(base_name, base, name, ladder):
    points = curve(ladder)
    needed = [(b, kbps_for(points, b["psnr"])) for b in base]
    reached = all(k is not None for _, k in needed)
    total, base_total = sum(r["bytes"] for r in ladder), sum(r["bytes"] for r in base)
    top, base_top = max(ladder, key=lambda r: r["psnr"]), max(base, key=lambda r: r["psnr"])
    print(f"\n**{name} against {base_name}:**")
    change = 1 - total / base_total
    print(f"- total video bytes: {100 * abs(change):.1f} % {'fewer' if change >= 0 else 'more'} ({total:,} against {base_total:,})")
    print(f"- best rung: {top['rung']} {top['avgKbps']:.0f} kb/s {top['psnr']:.2f} dB against {base_top['rung']} {base_top['avgKbps']:.0f} kb/s {base_top['psnr']:.2f} dB")
    print(f"- bitrate for each {base_name} rung's PSNR: " + ", ".join(
        f"{b['rung']} {b['psnr']:.2f} dB: {b['avgKbps']:.0f} -> " + (f"{k:.0f}" if k is not None else "not reached") for b, k in needed))
    if reached:
        saving = 1 - sum(k for _, k in needed) / sum(b["avgKbps"] for b, _ in needed)
        print(f"- **bytes at {base_name}'s qualities: {100 * abs(saving):.1f} % {'fewer' if saving >= 0 else 'more'}**, at equal or better PSNR (every {base_name} quality reached)")
    else:
        print(f"- **not equal or better:** the best rung stays under {base_name}'s best PSNR")
    steps = []
    for b in base:
        got = best_within(ladder, b["avgKbps"])
        steps.append(f"{b['avgKbps']:.0f}: " + (f"{got['psnr'] - b['psnr']:+.2f}" if got else "nothing fits"))
    print(f"- at each {base_name} rung's bitrate, the best rung that fits (dB against it): " + ", ".join(steps))
    print(f"- transcode time: x{ladder[0]['seconds'] / base[0]['seconds']:.2f} ({ladder[0]['seconds']:.1f} s against {base[0]['seconds']:.1f} s)")


for source in dict.fromkeys(r["source"] for r in rows):
    modes = [m for m in MODE_ORDER if ladder_of(source, m)] + sorted({r["mode"] for r in rows if r["source"] == source} - set(MODE_ORDER))
    print(f"\n## {source}\n")
    print("| ladder | rung | rate control | avg kb/s | PSNR dB | SSIM |")
    print("|---|---|---|---|---|---|")
    for mode in modes:
        for r in ladder_of(source, mode):
            control = (f"CRF {r['crf']}" if r["crf"] is not None
                       else "AV1 copy" if r["rung"].endswith("-av1")
                       else "fixed bitrate")
            print(f"| {mode} | {r['rung']} | {control} | {r['avgKbps']:.0f} | {r['psnr']:.2f} | {r['ssim']:.4f} |")
    print("\n| ladder | rungs | total video bytes | top rung kb/s | top rung PSNR | transcode s |")
    print("|---|---|---|---|---|---|")
    for mode in modes:
        ladder = ladder_of(source, mode)
        top = max(ladder, key=lambda r: r["psnr"])
        print(f"| {mode} | {len(ladder)} | {sum(r['bytes'] for r in ladder):,} | {top['avgKbps']:.0f} | {top['psnr']:.2f} | {ladder[0]['seconds']:.1f} |")
    if "Fixed" in modes:
        for mode in modes:
            if mode != "Fixed":
                compare("Fixed", ladder_of(source, "Fixed"), mode, ladder_of(source, mode))
    if "PerTitle" in modes and "PerTitleAv1" in modes:
        compare("PerTitle", ladder_of(source, "PerTitle"), "PerTitleAv1", ladder_of(source, "PerTitleAv1"))
