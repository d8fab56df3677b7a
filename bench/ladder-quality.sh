#!/usr/bin/env bash
# ladder-quality.sh: bytes against picture quality, the fixed ladder against the per-title ladder.
#
# Three generated 60 s 1920x1080 30 fps sources of very different complexity:
#   simple   testsrc: a mostly static test card (colour bars, a small scrolling gradient, a counter)
#   medium   testsrc2: moving shapes over a gradient
#   complex  Conway's life at full resolution (every cell changes often) under strong temporal noise
# Each source is packaged twice by the transcoder's own `package` command (the service's code and settings: x264
# veryfast, 4 s segments, one file per rendition): with Ladder:Mode=Fixed (1080p 5 Mb/s ... 240p 0.4 Mb/s) and with
# Ladder:Mode=PerTitle (trial encodes of samples, rungs on the quality/bitrate hull, capped CRF). The command reports
# its wall time. Then every rung is decoded whole, scaled back to 1920x1080 (bicubic) and scored against the source
# with ffmpeg's psnr (luma) and ssim (all planes) filters, on every SCORE_EVERY-th frame.
#
# The table per source: each rung's size, average bitrate, PSNR and SSIM; then per ladder its total video bytes, its
# top rung's bitrate and PSNR, and the transcode wall time; and per-title against fixed: the bytes saved, the top-rung
# PSNR difference, and the wall-time ratio. Self-contained: installs ffmpeg if missing, builds the transcoder, writes
# everything under WORK (outside the repository).
#
# Environment knobs (all optional):
#   WORK=/tmp/vod-bench-ladder   sources, ladders, logs
#   DUR=60                       seconds of each source
#   SCORE_EVERY=5                score one frame in N (1: every frame; 5 keeps the scoring to a few minutes on 2 cores)
#   SOURCES="simple medium complex"   which sources
#   MODES="Fixed PerTitle"       which ladders
#   SKIP_BUILD=1                 do not run `dotnet build` (use the existing Release build)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK=${WORK:-/tmp/vod-bench-ladder}
DUR=${DUR:-60}
SCORE_EVERY=${SCORE_EVERY:-5}
SOURCES=${SOURCES:-simple medium complex}
MODES=${MODES:-Fixed PerTitle}

die() { echo "ERROR: $*" >&2; exit 1; }
log() { echo "[$(date +%T)] $*" >&2; }
case "$WORK/" in "$REPO"/*) die "WORK ($WORK) must be outside the repository ($REPO)" ;; esac
[[ $SCORE_EVERY =~ ^[1-9][0-9]*$ ]] || die "SCORE_EVERY must be a positive integer"

source "$REPO/scripts/prerequisites.sh"
vod_require_tools ffmpeg:ffmpeg ffprobe:ffmpeg python3:python3 >&2 || die "could not install the missing tools"
command -v dotnet >/dev/null 2>&1 || die "dotnet (the .NET 10 SDK) is not on PATH"
mkdir -p "$WORK"

TRANSCODER_DLL=$REPO/src/Transcoder/bin/Release/net10.0/Vod.Transcoder.dll
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  log "dotnet build src/Transcoder -c Release"
  dotnet build "$REPO/src/Transcoder/Transcoder.csproj" -c Release -nologo -v q >"$WORK/build.log" 2>&1 ||
    { tail -30 "$WORK/build.log" >&2; die "dotnet build failed"; }
fi
[ -f "$TRANSCODER_DLL" ] || die "$TRANSCODER_DLL is missing"

source_filter() {
  case "$1" in
    simple) echo "testsrc=size=1920x1080:rate=30" ;;
    medium) echo "testsrc2=size=1920x1080:rate=30" ;;
    complex) echo "life=size=1920x1080:rate=30:mold=10:ratio=0.5:life_color=#00ff80:death_color=#c83232,format=yuv420p,noise=alls=25:allf=t+u" ;;
    *) die "unknown source '$1'" ;;
  esac
}

# A near-lossless source (x264 CRF 10), made once: what the ladders are scored against.
make_source() {
  local name=$1 out=$WORK/src-$1.mp4
  if [ ! -s "$out" ]; then
    log "making the $name source: $(source_filter "$name")"
    ffmpeg -hide_banner -loglevel error -nostdin -y -f lavfi -i "$(source_filter "$name"),trim=duration=$DUR" \
      -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=$DUR" -shortest \
      -c:v libx264 -preset veryfast -crf 10 -pix_fmt yuv420p -g 60 -c:a aac -b:a 128k "$out.tmp.mp4"
    mv "$out.tmp.mp4" "$out"
  fi
  echo "$out"
}

# PSNR (luma) and SSIM (all) of one rung against the source, on every SCORE_EVERY-th frame.
score() {
  local rung=$1 src=$2 every="select='not(mod(n\\,$SCORE_EVERY))',setpts=N/TB"
  ffmpeg -hide_banner -nostdin -i "$rung" -i "$src" -filter_complex \
    "[0:v]scale=1920:1080:flags=bicubic,setsar=1,$every,split[d1][d2];[1:v]setsar=1,$every,split[r1][r2];[d1][r1]psnr;[d2][r2]ssim" \
    -an -f null - 2>&1 | python3 -c '
import re, sys
text = sys.stdin.read()
psnr = re.search(r"PSNR y:([0-9.]+|inf)", text); ssim = re.search(r"SSIM .*All:([0-9.]+)", text)
if not psnr or not ssim: sys.exit("no PSNR/SSIM in ffmpeg output:\n" + text[-2000:])
print(100.0 if psnr.group(1) == "inf" else float(psnr.group(1)), float(ssim.group(1)))'
}

RESULTS=$WORK/results.jsonl
: >"$RESULTS"
for name in $SOURCES; do
  src=$(make_source "$name")
  for mode in $MODES; do
    out=$WORK/ladder-$name-$mode
    rm -rf "$out"
    log "packaging $name with Ladder:Mode=$mode"
    dotnet "$TRANSCODER_DLL" package "$src" "$out" "--Ladder:Mode=$mode" --Logging:LogLevel:Default=Warning >"$out.json" 2>"$out.log" ||
      { tail -20 "$out.log" >&2; die "package failed for $name $mode"; }
    for rung in $(python3 -c 'import json,sys; print(" ".join(r["name"] for r in json.load(open(sys.argv[1]))["renditions"]))' "$out.json"); do
      log "scoring $name $mode $rung"
      read -r psnr ssim < <(score "$out/$rung/media.mp4" "$src")
      python3 - "$out.json" "$rung" "$psnr" "$ssim" "$name" "$mode" "$out" >>"$RESULTS" <<'PY'
import json, os, sys
report, rung, psnr, ssim, name, mode, out = sys.argv[1:]
data = json.load(open(report))
r = next(x for x in data["renditions"] if x["name"] == rung)
q = r.get("quality") or {}
print(json.dumps({"source": name, "mode": mode, "rung": rung, "height": r["height"], "bytes": os.path.getsize(os.path.join(out, rung, "media.mp4")),
  "avgKbps": r["averageBandwidth"] / 1000, "psnr": float(psnr), "ssim": float(ssim), "crf": q.get("crf"),
  "trialPsnr": q.get("psnr"), "seconds": data["seconds"]}))
PY
    done
  done
done

python3 - "$RESULTS" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
def by(source, mode): return sorted((r for r in rows if r["source"] == source and r["mode"] == mode), key=lambda r: (-r["height"], -r["avgKbps"]))
for source in dict.fromkeys(r["source"] for r in rows):
    print(f"\n## {source}\n")
    print("| ladder | rung | CRF | avg kb/s | PSNR dB | SSIM |")
    print("|---|---|---|---|---|---|")
    totals = {}
    for mode in dict.fromkeys(r["mode"] for r in rows):
        ladder = by(source, mode)
        if not ladder: continue
        for r in ladder:
            print(f"| {mode} | {r['rung']} | {r['crf'] if r['crf'] is not None else '-'} | {r['avgKbps']:.0f} | {r['psnr']:.2f} | {r['ssim']:.4f} |")
        totals[mode] = (sum(r["bytes"] for r in ladder), ladder[0], ladder[0]["seconds"])
    print("\n| ladder | total video bytes | top rung kb/s | top rung PSNR | top rung SSIM | transcode s |")
    print("|---|---|---|---|---|---|")
    for mode, (total, top, seconds) in totals.items():
        print(f"| {mode} | {total:,} | {top['avgKbps']:.0f} | {top['psnr']:.2f} | {top['ssim']:.4f} | {seconds:.1f} |")
    if "Fixed" in totals:
        fixed_total, fixed_top, fixed_seconds = totals["Fixed"]
        for mode, (total, top, seconds) in totals.items():
            if mode == "Fixed": continue
            print(f"\n{mode} against Fixed: {100 * (1 - total / fixed_total):.1f} % fewer bytes in all; top rung {top['psnr'] - fixed_top['psnr']:+.2f} dB PSNR"
                  f" at {top['avgKbps'] / fixed_top['avgKbps']:.2f}x the bits; transcode time x{seconds / fixed_seconds:.2f}")
PY
