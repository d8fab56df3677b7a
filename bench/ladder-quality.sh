#!/usr/bin/env bash
# ladder-quality.sh: bytes against picture quality, the fixed ladder against the per-title ladder.
#
# Three generated 60 s 1920x1080 30 fps sources of very different complexity:
#   simple   testsrc: a mostly static test card (colour bars, a small scrolling gradient, a counter)
#   medium   testsrc2: moving shapes over a gradient
#   complex  Conway's life at full resolution (every cell changes often) under strong temporal noise
# Each source is packaged by the transcoder's own `package` command (the service's code and settings: x264 veryfast,
# 4 s segments, one file per rendition), once per mode: Fixed (1080p 5 Mb/s ... 240p 0.4 Mb/s), PerTitle (trial
# encodes of samples, rungs on the quality/bitrate hull, capped CRF, the top rung no worse than the fixed one), and
# PerTitleAv1 (the same with Ladder:Codecs=h264,av1: its ladder is the SVT-AV1 copies, its time the whole run's).
# The command reports its wall time: probe and packaging, the part of upload-to-ready that depends on the mode (the
# upload, trick play and publishing cost the same either way). Then every rung of a ladder is decoded whole, scaled
# back to 1920x1080 (bicubic) and scored against the source with ffmpeg's psnr (luma) and ssim (all planes) filters,
# on every SCORE_EVERY-th frame, in one ffmpeg run per ladder.
#
# The report (bench/ladder-report.py) per source: each rung's rate control, bitrate, PSNR and SSIM; each ladder's
# total video bytes, top rung and transcode time; and each ladder against the fixed one: total bytes, the bitrate it
# needs for each fixed rung's PSNR and the saving at those qualities (equal or better PSNR by construction, or "not
# reached"), what a player gets at each fixed rung's bitrate, and the time ratio. Self-contained: installs ffmpeg if
# missing, builds the transcoder, writes everything under WORK (outside the repository).
#
# Environment knobs (all optional):
#   WORK=/tmp/vod-bench-ladder   sources, ladders, logs
#   DUR=60                       seconds of each source
#   SCORE_EVERY=5                score one frame in N (1: every frame; 5 keeps the scoring to a few minutes on 2 cores)
#   SOURCES="simple medium complex"   which sources
#   MODES="Fixed PerTitle PerTitleAv1"   which ladders
#   SKIP_BUILD=1                 do not run `dotnet build` (use the existing Release build)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK=${WORK:-/tmp/vod-bench-ladder}
DUR=${DUR:-60}
SCORE_EVERY=${SCORE_EVERY:-5}
SOURCES=${SOURCES:-simple medium complex}
MODES=${MODES:-Fixed PerTitle PerTitleAv1}

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
  local name=$1 out=$WORK/src-$1-${DUR}s.mp4
  if [ ! -s "$out" ]; then
    log "making the $name source: $(source_filter "$name")"
    ffmpeg -hide_banner -loglevel error -nostdin -y -f lavfi -i "$(source_filter "$name"),trim=duration=$DUR" \
      -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=$DUR" -shortest \
      -c:v libx264 -preset veryfast -crf 10 -pix_fmt yuv420p -g 60 -c:a aac -b:a 128k "$out.tmp.mp4"
    mv "$out.tmp.mp4" "$out"
  fi
  echo "$out"
}

# PSNR (luma) and SSIM (all) of every rung of a ladder against the source, on every SCORE_EVERY-th frame: one ffmpeg
# run decodes the source once for all of them (the complex source is most of the scoring's cost). Prints one line per
# rung, in the order given: "PSNR SSIM".
score_ladder() {
  local src=$1; shift
  local every="select='not(mod(n\\,$SCORE_EVERY))',setpts=N/TB" n=$# inputs=() graph outputs=() i
  graph="[0:v]setsar=1,$every,split=$((2 * n))"
  for ((i = 0; i < n; i++)); do graph+="[r$((2 * i))][r$((2 * i + 1))]"; done
  for ((i = 0; i < n; i++)); do
    inputs+=(-i "${@:i+1:1}")
    graph+=";[$((i + 1)):v]scale=1920:1080:flags=bicubic,setsar=1,$every[d$i];[d$i][r$((2 * i))]psnr@r$i[p$i];[p$i][r$((2 * i + 1))]ssim@r$i[s$i]"
    outputs+=(-map "[s$i]" -f null -)
  done
  ffmpeg -hide_banner -nostdin -i "$src" "${inputs[@]}" -filter_complex "$graph" "${outputs[@]}" 2>&1 | python3 -c '
import re, sys
n = int(sys.argv[1]); text = sys.stdin.read(); psnr = {}; ssim = {}
for m in re.finditer(r"\[psnr@r(\d+) @ [^\]]*\] PSNR y:(\S+)", text): psnr[int(m.group(1))] = 100.0 if m.group(2) == "inf" else float(m.group(2))
for m in re.finditer(r"\[ssim@r(\d+) @ [^\]]*\] SSIM .*All:(\S+)", text): ssim[int(m.group(1))] = float(m.group(2))
if len(psnr) < n or len(ssim) < n: sys.exit("no PSNR/SSIM for every rung in ffmpeg output:\n" + text[-2000:])
for i in range(n): print(psnr[i], ssim[i])' "$n"
}

# How each ladder is packaged: the configuration the `package` command gets, and which of its video renditions are the
# ladder's (PerTitleAv1 packages H.264 and AV1 together, as the service would, and its ladder is the AV1 copies; its
# time is the whole run's).
mode_args() {
  case "$1" in
    Fixed) echo "--Ladder:Mode=Fixed" ;;
    PerTitle) echo "--Ladder:Mode=PerTitle" ;;
    PerTitleAv1) echo "--Ladder:Mode=PerTitle --Ladder:Codecs=h264,av1" ;;
    *) die "unknown mode '$1' (Fixed, PerTitle, PerTitleAv1)" ;;
  esac
}
mode_rungs() { # report.json mode -> rung names
  python3 -c '
import json, sys
names = [r["name"] for r in json.load(open(sys.argv[1]))["renditions"]]
av1 = sys.argv[2] == "PerTitleAv1"
print(" ".join(n for n in names if n.endswith("-av1") == av1))' "$1" "$2"
}

RESULTS=$WORK/results.jsonl
: >"$RESULTS"
for name in $SOURCES; do
  src=$(make_source "$name")
  for mode in $MODES; do
    out=$WORK/ladder-$name-$mode
    rm -rf "$out"
    log "packaging $name as $mode: $(mode_args "$mode")"
    # shellcheck disable=SC2046 # mode_args is several arguments
    dotnet "$TRANSCODER_DLL" package "$src" "$out" $(mode_args "$mode") --Logging:LogLevel:Default=Warning >"$out.json" 2>"$out.log" ||
      { tail -20 "$out.log" >&2; die "package failed for $name $mode"; }
    read -r -a rungs <<<"$(mode_rungs "$out.json" "$mode")"
    [ "${#rungs[@]}" -gt 0 ] || die "$name $mode: no rungs in the report"
    log "scoring $name $mode: ${rungs[*]}"
    files=(); for rung in "${rungs[@]}"; do files+=("$out/$rung/media.mp4"); done
    mapfile -t scores < <(score_ladder "$src" "${files[@]}")
    [ "${#scores[@]}" -eq "${#rungs[@]}" ] || die "$name $mode: ${#scores[@]} scores for ${#rungs[@]} rungs"
    for i in "${!rungs[@]}"; do
      read -r psnr ssim <<<"${scores[$i]}"
      python3 - "$out.json" "${rungs[$i]}" "$psnr" "$ssim" "$name" "$mode" "$out" >>"$RESULTS" <<'PY'
import json, os, sys
report, rung, psnr, ssim, name, mode, out = sys.argv[1:]
data = json.load(open(report))
r = next(x for x in data["renditions"] if x["name"] == rung)
q = r.get("quality") or {}
print(json.dumps({"source": name, "mode": mode, "rung": rung, "height": r["height"], "bytes": os.path.getsize(os.path.join(out, rung, "media.mp4")),
  "avgKbps": r["averageBandwidth"] / 1000, "psnr": float(psnr), "ssim": float(ssim), "crf": q.get("crf"), "fixedRate": bool(q) and q.get("crf") is None,
  "trialPsnr": q.get("psnr"), "seconds": data["seconds"]}))
PY
    done
  done
done

python3 "$REPO/bench/ladder-report.py" "$RESULTS"
