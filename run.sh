#!/usr/bin/env bash
# Brings the whole stack up on this machine: redis-server (unless VOD_REDIS points at one), the origin, one
# transcoder and two edges, on the ports of the design. On first start it generates and uploads a 30 s sample title,
# waits until it is ready and prints where to play it. Ctrl-C (or SIGTERM) stops everything it started.
#
# Environment: VOD_ADMIN_KEY (else generated once into media/admin.key), VOD_REDIS (host:port of an existing Redis),
# VOD_MEDIA (media root, default ./media), VOD_PLAYBACK_KEY (32+ characters: signed playback on origin and edges).
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
source scripts/prerequisites.sh
vod_prerequisites
vod_web_dependencies

MEDIA=${VOD_MEDIA:-$ROOT/media}
RUN=$ROOT/run
LOGS=$RUN/logs
mkdir -p "$MEDIA" "$LOGS"
ORIGIN=http://127.0.0.1:5100
EDGES=(http://127.0.0.1:5201 http://127.0.0.1:5202)
TRANSCODER=http://127.0.0.1:5300

if [ -n "${VOD_ADMIN_KEY:-}" ]; then
  ADMIN_KEY=$VOD_ADMIN_KEY
else
  if [ ! -s "$MEDIA/admin.key" ]; then
    (umask 077; head -c 24 /dev/urandom | base64 | tr '+/' '-_' > "$MEDIA/admin.key")
    echo "==> generated an admin key into $MEDIA/admin.key"
  fi
  ADMIN_KEY=$(cat "$MEDIA/admin.key")
fi

echo "==> building (Release)"
for project in Origin Transcoder Edge; do
  dotnet build "src/$project/$project.csproj" -c Release -v quiet -nologo -clp:NoSummary >"$LOGS/build-$project.log" 2>&1 \
    || { echo "error: build of $project failed, see $LOGS/build-$project.log" >&2; exit 1; }
done

PIDS=()
PIDDIR=$RUN/pids
rm -rf "$PIDDIR" "$RUN/edges"
mkdir -p "$PIDDIR" "$RUN/edges"
STOPPING=
stop_all() {
  trap - INT TERM EXIT
  STOPPING=1
  # Edges may have been killed and restarted by the load tool's chaos scenario: their current PIDs are in the files.
  local edge_pids=()
  for f in "$PIDDIR"/edge-*.pid; do [ -s "$f" ] && edge_pids+=("$(cat "$f")"); done
  echo; echo "==> stopping $((${#PIDS[@]} + ${#edge_pids[@]})) processes"
  for pid in "${edge_pids[@]}"; do kill -CONT "$pid" 2>/dev/null || true; kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  for pid in "${edge_pids[@]}"; do # drain is 7 s; give up waiting after 15 s
    for _ in $(seq 1 75); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  done
}
trap stop_all INT TERM EXIT

if [ -n "${VOD_REDIS:-}" ]; then
  REDIS=$VOD_REDIS
  echo "==> using Redis at $REDIS"
else
  REDIS=127.0.0.1:6380
  if redis-cli -p 6380 ping >/dev/null 2>&1; then
    echo "error: something already listens on 127.0.0.1:6380 (another run?). Stop it or set VOD_REDIS." >&2; exit 1
  fi
  mkdir -p "$RUN/redis"
  redis-server --bind 127.0.0.1 --port 6380 --dir "$RUN/redis" --save "" --appendonly no >"$LOGS/redis.log" 2>&1 &
  PIDS+=($!)
  echo "==> redis-server on $REDIS (pid $!, log $LOGS/redis.log)"
fi

start() { # name url dll env...
  local name=$1 url=$2 dll=$3; shift 3
  env "$@" Redis__Configuration="$REDIS" Media__Root="$MEDIA" ASPNETCORE_URLS="$url" DOTNET_NOLOGO=1 \
    Playback__SigningKey="${VOD_PLAYBACK_KEY:-}" \
    dotnet "$dll" >"$LOGS/$name.log" 2>&1 &
  PIDS+=($!)
  echo "==> $name on $url (pid $!, log $LOGS/$name.log)"
}
bin() { echo "$ROOT/src/$1/bin/Release/net10.0/Vod.$1.dll"; }

start origin "$ORIGIN" "$(bin Origin)" Admin__Key="$ADMIN_KEY"
start transcoder "$TRANSCODER" "$(bin Transcoder)"
# Edges are started through run/edges/<id>.sh, which writes run/pids/<id>.pid: the load tool's chaos scenario kills
# an edge by that PID and starts it again with the same script (load/README: "Load testing"). An edge that dies is
# therefore not a reason to stop the stack; the players fail over and the script brings it back.
for i in "${!EDGES[@]}"; do
  id="edge-$((i + 1))"
  cat >"$RUN/edges/$id.sh" <<EDGE
#!/usr/bin/env bash
# Starts $id on ${EDGES[$i]} (written by run.sh); its PID goes to $PIDDIR/$id.pid.
echo \$\$ >"$PIDDIR/$id.pid"
exec env Redis__Configuration="$REDIS" Media__Root="$MEDIA" ASPNETCORE_URLS="${EDGES[$i]}" DOTNET_NOLOGO=1 \\
  Origin__BaseUrl="$ORIGIN" Edge__Id="$id" Edge__PublicUrl="${EDGES[$i]}" dotnet "$(bin Edge)" >>"$LOGS/edge$((i + 1)).log" 2>&1
EDGE
  chmod +x "$RUN/edges/$id.sh"
  setsid "$RUN/edges/$id.sh" </dev/null &
  echo "==> $id on ${EDGES[$i]} (pid $!, log $LOGS/edge$((i + 1)).log, restart: $RUN/edges/$id.sh)"
done

wait_ready() { # url name
  for _ in $(seq 1 60); do
    curl -fsS -o /dev/null --max-time 2 "$1/readyz" 2>/dev/null && return 0
    sleep 0.5
  done
  echo "error: $2 is not ready at $1 after 30 s; see $LOGS/$2.log" >&2; exit 1
}
wait_ready "$ORIGIN" origin; wait_ready "$TRANSCODER" transcoder
for i in "${!EDGES[@]}"; do wait_ready "${EDGES[$i]}" "edge$((i + 1))"; done

auth=(-H "Authorization: Bearer $ADMIN_KEY")
sample_id=$(curl -fsS "$ORIGIN/api/titles" | grep -o '"id":"[a-z2-7]*","name":"Sample"' | head -1 | cut -d'"' -f4 || true)
if [ -z "$sample_id" ]; then
  sample=$RUN/sample.mp4
  if [ ! -s "$sample" ]; then
    echo "==> generating a 30 s 1280x720 sample with ffmpeg (lavfi test pattern and tone)"
    ffmpeg -hide_banner -loglevel error -y -f lavfi -i "testsrc2=size=1280x720:rate=30" -f lavfi -i "sine=frequency=440:sample_rate=48000" \
      -t 30 -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -b:a 128k "$sample.tmp.mp4" && mv "$sample.tmp.mp4" "$sample"
  fi
  echo "==> uploading the sample title"
  sample_id=$(curl -fsS "${auth[@]}" -F "file=@$sample" -F name=Sample "$ORIGIN/api/titles" | grep -o '"id":"[a-z2-7]*"' | cut -d'"' -f4)
fi

started=$(date +%s)
while :; do
  title=$(curl -fsS "$ORIGIN/api/titles/$sample_id")
  status=$(echo "$title" | grep -o '"status":"[a-z]*"' | cut -d'"' -f4)
  progress=$(echo "$title" | grep -o '"progress":[0-9]*' | cut -d: -f2)
  case $status in
    ready) break ;;
    failed) echo "error: the sample failed to transcode: $title" >&2; exit 1 ;;
  esac
  printf '\r==> sample %s: %s %s%%   ' "$sample_id" "$status" "$progress"
  sleep 1
done
echo; echo "==> sample ready (waited $(( $(date +%s) - started )) s)"

cat <<TXT

  Catalog page : $ORIGIN/
  Admin page   : $ORIGIN/admin   (sign in with the admin key below)
  Watch        : $ORIGIN/watch/$sample_id
  Playback URL : $ORIGIN/play/$sample_id/master.m3u8
  Play it      : ffplay $ORIGIN/play/$sample_id/master.m3u8   (or: ffmpeg -i <url> -f null -)
  Catalog API  : $ORIGIN/api/titles
  Admin key    : $ADMIN_KEY
  Upload       : curl -H "Authorization: Bearer \$KEY" -F file=@movie.mp4 -F name="My movie" $ORIGIN/api/titles
  Edges        : ${EDGES[*]}   (fleet and health: $ORIGIN/api/edges)
  Edge PIDs    : $PIDDIR/<edge id>.pid   (restart an edge: $RUN/edges/<edge id>.sh)
  Logs         : $LOGS/

Press Ctrl-C to stop.
TXT
# Only the core processes stop the stack; edges may be killed and restarted (chaos) without stopping it.
wait -n "${PIDS[@]}" || true
[ -n "$STOPPING" ] || echo "a process exited unexpectedly; stopping the rest (see $LOGS/)" >&2
