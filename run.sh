#!/usr/bin/env bash
# Brings the whole stack up on this machine with no single point of failure, on the ports of the design: Redis as a
# primary, a replica and three Sentinels (unless VOD_REDIS points at one Redis), two origins, two transcoders and two
# edges. Every process runs under scripts/supervise.sh, which restarts it when it dies (back-off 1 s to 30 s) and
# keeps run/pids/<name>.pid current. On first start it generates and uploads a 30 s sample title (two audio tracks and
# English subtitles), waits until it is ready and prints where to play it. Ctrl-C (or SIGTERM) stops everything it
# started; nothing else does.
#
# Environment: VOD_ADMIN_KEY (else generated once into media/admin.key), VOD_FLEET_KEY (32+ characters, shared by origins
# and edges to sign their registry entries; else generated once into media/fleet.key), VOD_REDIS (a StackExchange.Redis
# configuration string of an existing Redis), VOD_MEDIA (media root, default ./media), VOD_PLAYBACK_KEY (32+
# characters: signed playback on origins and edges), VOD_TLS=1 (HTTPS, see below), VOD_TLS_CERT + VOD_TLS_KEY (HTTPS with
# an operator's PEM certificate, chain allowed, and unencrypted key; VOD_TLS_CA: the PEM CA that signed it, else the
# system's trust).
#
# Object storage: with VOD_STORE=s3 and VOD_S3_ENDPOINT, VOD_S3_BUCKET, VOD_S3_REGION (default us-east-1),
# VOD_S3_ACCESS_KEY, VOD_S3_SECRET_KEY (an existing bucket on any S3-compatible server; path-style URLs unless
# VOD_S3_PATH_STYLE=0), titles live in the bucket and each origin and transcoder keeps only its own scratch directory
# under media/scratch/<name>: nothing but Redis and the bucket is shared, as when they run on different hosts.
#
# HTTPS: with VOD_TLS=1, scripts/tls-cert.sh makes a private CA and a certificate for 127.0.0.1 and localhost once into
# run/tls/ (reused after); origins and edges then serve https on the same ports (TLS 1.2/1.3, HTTP/2 by ALPN, the files
# re-read when they change), edges fill from the origins over https and every service trusts that CA for its outbound
# calls. Transcoders keep their plain http health port. Plain http stays the default.
#
# The Redis it starts has no default user: each kind of service logs in as its own ACL user, allowed only its own keys
# and commands (scripts/redis-acl.sh; passwords generated once into run/redis-acl/, mode 600), and the Sentinels
# have a password of their own. Secrets reach the processes through their environment, never their command line.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
source scripts/prerequisites.sh
vod_prerequisites
vod_web_dependencies

MEDIA=${VOD_MEDIA:-$ROOT/media}
RUN=$ROOT/run
LOGS=$RUN/logs
PIDDIR=$RUN/pids
mkdir -p "$MEDIA" "$LOGS"

# HTTPS or not: the scheme of the origins' and edges' URLs, and what curl needs to trust them (empty: the system's CAs).
SCHEME=http CURL_TLS=() TLS_CERT= TLS_KEY= TLS_CA= tls_env=() origin_tls_env=()
if [ -n "${VOD_TLS_CERT:-}${VOD_TLS_KEY:-}" ]; then
  # An operator's certificate. The services reach each other at 127.0.0.1, so it has to name that address.
  tls_fail() { echo "error: $*" >&2; exit 1; }
  for f in "${VOD_TLS_CERT:-}" "${VOD_TLS_KEY:-}" ${VOD_TLS_CA:+"$VOD_TLS_CA"}; do
    [ -n "$f" ] && [ -r "$f" ] || tls_fail "VOD_TLS_CERT and VOD_TLS_KEY must both name readable PEM files (and VOD_TLS_CA, when set)"
  done
  TLS_CERT=$(realpath "$VOD_TLS_CERT") TLS_KEY=$(realpath "$VOD_TLS_KEY") TLS_CA=${VOD_TLS_CA:+$(realpath "$VOD_TLS_CA")}
  key_pub=$(openssl pkey -in "$TLS_KEY" -passin pass: -pubout 2>/dev/null </dev/null) \
    || tls_fail "$TLS_KEY is not an unencrypted PEM private key"
  [ "$key_pub" = "$(openssl x509 -in "$TLS_CERT" -noout -pubkey 2>/dev/null)" ] \
    || tls_fail "$TLS_KEY is not the key of the (first) certificate in $TLS_CERT"
  openssl x509 -in "$TLS_CERT" -noout -checkend 0 >/dev/null || tls_fail "$TLS_CERT has expired"
  openssl x509 -in "$TLS_CERT" -noout -ext subjectAltName 2>/dev/null | grep -q 'IP Address:127\.0\.0\.1\(,\|$\)' \
    || tls_fail "$TLS_CERT does not name IP:127.0.0.1 in its subjectAltName (./run.sh serves and calls the services there)"
  openssl verify ${TLS_CA:+-CAfile "$TLS_CA"} -untrusted "$TLS_CERT" -purpose sslserver "$TLS_CERT" >/dev/null 2>&1 \
    || tls_fail "$TLS_CERT does not verify against ${TLS_CA:-the system CAs} (set VOD_TLS_CA to the CA that signed it)"
  echo "==> tls: using $TLS_CERT (key $TLS_KEY), trusting ${TLS_CA:-the system CAs}"
elif [ "${VOD_TLS:-}" = 1 ]; then
  scripts/tls-cert.sh "$RUN/tls"
  TLS_CERT=$RUN/tls/server.pem TLS_KEY=$RUN/tls/server.key TLS_CA=$RUN/tls/ca.pem
fi
if [ -n "$TLS_CERT" ]; then
  SCHEME=https
  CURL_TLS=(${TLS_CA:+--cacert "$TLS_CA"})
  tls_env=(Tls__CertificatePath="$TLS_CERT" Tls__KeyPath="$TLS_KEY" ${TLS_CA:+Tls__CaFile="$TLS_CA"})
  # HSTS on the origins' pages for an hour, not the services' default year: a browser keeps HSTS for a host name on
  # every port, so a year of it from https://localhost:5100 would force https on any other local development server
  # (browsers ignore HSTS from an address such as 127.0.0.1).
  origin_tls_env=("${tls_env[@]}" Tls__HstsMaxAge=01:00:00)
fi
ORIGINS=($SCHEME://127.0.0.1:5100 $SCHEME://127.0.0.1:5101)
EDGES=($SCHEME://127.0.0.1:5201 $SCHEME://127.0.0.1:5202)
# What players are told (Edge:PublicUrl; the origins probe EDGES through Edge:InternalUrl): every edge under a host
# name of its own, since Shaka Player bans a failed edge's host name for every pathway on it (README, Shaka Player).
# On one machine that is 127.0.0.1 and localhost; over TLS only if the certificate names localhost.
EDGES_PUBLIC=("${EDGES[@]}")
if [ -z "$TLS_CERT" ] || openssl x509 -in "$TLS_CERT" -noout -ext subjectAltName 2>/dev/null | grep -q 'DNS:localhost\(,\|$\)'; then
  EDGES_PUBLIC[1]=$SCHEME://localhost:5202
else
  echo "==> note: $TLS_CERT does not name DNS:localhost; both edges are announced on 127.0.0.1, which Shaka Player cannot fail over between"
fi
TRANSCODERS=(http://127.0.0.1:5300 http://127.0.0.1:5301) # a health port only: plain http in both modes
REDIS_PORTS=(6380 6381)
SENTINEL_PORTS=(26380 26381 26382)
ORIGIN=${ORIGINS[0]}

# A secret from the environment, else one generated once into the media root (mode 600) and read from there after.
secret() { # VALUE FILE BYTES WHAT
  if [ -n "$1" ]; then echo "$1"; return; fi
  if [ ! -s "$2" ]; then
    (umask 077; head -c "$3" /dev/urandom | base64 | tr '+/' '-_' > "$2")
    echo "==> generated $4 into $2" >&2
  fi
  cat "$2"
}
ADMIN_KEY=$(secret "${VOD_ADMIN_KEY:-}" "$MEDIA/admin.key" 24 "an admin key")
FLEET_KEY=$(secret "${VOD_FLEET_KEY:-}" "$MEDIA/fleet.key" 33 "a fleet key")

echo "==> building (Release)"
for project in Origin Transcoder Edge; do
  dotnet build "src/$project/$project.csproj" -c Release -v quiet -nologo -clp:NoSummary >"$LOGS/build-$project.log" 2>&1 \
    || { echo "error: build of $project failed, see $LOGS/build-$project.log" >&2; exit 1; }
done

for port in "${ORIGINS[@]##*:}" "${EDGES[@]##*:}" "${TRANSCODERS[@]##*:}"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then # whatever it speaks: http, https, or a stopped process
    echo "error: something already listens on 127.0.0.1:$port (another run?). Stop it first." >&2; exit 1
  fi
done

# Every process runs under scripts/supervise.sh, which restarts it when it exits and keeps run/pids/<name>.pid current.
SUPERVISORS=()
TAIL= SLEEP=
rm -rf "$PIDDIR"
mkdir -p "$PIDDIR"
: >"$LOGS/supervisor.log"
stop_all() {
  # A second Ctrl-C (or a signal sent to the whole group) while stopping must not end the script half-way: that left
  # the remaining supervisors running on their own, restarting their processes.
  trap '' INT TERM
  trap - EXIT
  echo; echo "==> stopping ${#SUPERVISORS[@]} processes (edges leave the fleet and drain for 7 s)"
  for pid in "${SUPERVISORS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${SUPERVISORS[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -n "$TAIL" ] && kill "$TAIL" 2>/dev/null || true
  [ -n "$SLEEP" ] && kill "$SLEEP" 2>/dev/null || true
}
# Ctrl-C or SIGTERM exits (a trap that only stopped the stack would leave the script in its final wait loop), and the
# exit stops the stack.
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

supervise() { # name log command...
  local name=$1 log=$2; shift 2
  scripts/supervise.sh "$name" "$PIDDIR/$name.pid" "$log" -- "$@" >>"$LOGS/supervisor.log" 2>&1 &
  SUPERVISORS+=($!)
  for _ in $(seq 1 50); do [ -s "$PIDDIR/$name.pid" ] && break; sleep 0.1; done
}
tail_supervisor() { # the supervisor's restart lines also go to this terminal
  tail -n 0 -F "$LOGS/supervisor.log" 2>/dev/null &
  TAIL=$!
}

ACL=
if [ -n "${VOD_REDIS:-}" ]; then
  REDIS=$VOD_REDIS
  echo "==> using Redis at $REDIS"
else
  for port in "${REDIS_PORTS[@]}" "${SENTINEL_PORTS[@]}"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "error: something already listens on 127.0.0.1:$port (another run?). Stop it or set VOD_REDIS." >&2; exit 1
    fi
  done
  # Least privilege: one ACL user per kind of service, the default user off (scripts/redis-acl.sh).
  ACL=$RUN/redis-acl
  scripts/redis-acl.sh "$ACL"
  redis_ping() { # PORT: whether the data node answers (as the admin user)
    REDISCLI_AUTH=$(cat "$ACL/admin.pass") redis-cli --no-auth-warning --user admin -p "$1" ping 2>/dev/null | grep -q PONG
  }
  # A primary, a replica and three Sentinels (quorum 2): the Sentinels promote the replica when the primary dies or
  # hangs for 2 s, and every service follows the primary they name.
  rm -rf "$RUN/redis"
  (umask 077; mkdir -p "$RUN/redis")
  for i in "${!REDIS_PORTS[@]}"; do
    name="redis-$((i + 1))"
    default_primary=$([ "$i" -eq 0 ] && echo "" || echo "127.0.0.1:${REDIS_PORTS[0]}")
    VOD_SENTINEL_PASSWORD=$(cat "$ACL/sentinels.pass") \
      supervise "$name" "$LOGS/$name.log" scripts/redis-node.sh "127.0.0.1:${REDIS_PORTS[$i]}" "$RUN/redis/$name" vod "$default_primary" \
      "${SENTINEL_PORTS[@]/#/127.0.0.1:}" -- --bind 127.0.0.1 --include "$ACL/node.conf"
    for _ in $(seq 1 50); do redis_ping "${REDIS_PORTS[$i]}" && break; sleep 0.1; done
    echo "==> $name: redis-server on 127.0.0.1:${REDIS_PORTS[$i]} ($([ "$i" -eq 0 ] && echo primary || echo replica), pid $(cat "$PIDDIR/$name.pid"))"
  done
  for i in "${!SENTINEL_PORTS[@]}"; do
    name="sentinel-$((i + 1))"
    conf="$RUN/redis/$name.conf"
    # Sentinels share one requirepass (they also present it to each other) and monitor the nodes as the 'sentinel' user.
    (umask 077; cat >"$conf" <<CONF
port ${SENTINEL_PORTS[$i]}
bind 127.0.0.1
dir $RUN/redis
requirepass $(cat "$ACL/sentinels.pass")
sentinel resolve-hostnames no
sentinel monitor vod 127.0.0.1 ${REDIS_PORTS[0]} 2
sentinel auth-user vod sentinel
sentinel auth-pass vod $(cat "$ACL/sentinel.pass")
sentinel down-after-milliseconds vod 2000
sentinel failover-timeout vod 10000
sentinel parallel-syncs vod 1
CONF
    )
    supervise "$name" "$LOGS/$name.log" redis-sentinel "$conf"
    echo "==> $name: redis-sentinel on 127.0.0.1:${SENTINEL_PORTS[$i]} (pid $(cat "$PIDDIR/$name.pid"))"
  done
  REDIS=$(printf '127.0.0.1:%s,' "${SENTINEL_PORTS[@]}")serviceName=vod
fi

service_env=(Redis__Configuration="$REDIS" Media__Root="$MEDIA" DOTNET_NOLOGO=1)
# The media store: the media root (default), or an S3 bucket with a scratch directory per process (store_env NAME).
S3_SECRET=
store_env() { :; }
if [ "${VOD_STORE:-local}" = s3 ]; then
  for v in VOD_S3_ENDPOINT VOD_S3_BUCKET VOD_S3_ACCESS_KEY VOD_S3_SECRET_KEY; do
    [ -n "${!v:-}" ] || { echo "error: VOD_STORE=s3 needs $v (and VOD_S3_ENDPOINT, VOD_S3_BUCKET, VOD_S3_ACCESS_KEY, VOD_S3_SECRET_KEY; VOD_S3_REGION defaults to us-east-1)" >&2; exit 1; }
  done
  S3_SECRET=$VOD_S3_SECRET_KEY
  path_style=true; [ "${VOD_S3_PATH_STYLE:-1}" = 0 ] && path_style=false
  service_env+=(Media__Store=S3 Media__S3__ServiceUrl="$VOD_S3_ENDPOINT" Media__S3__Bucket="$VOD_S3_BUCKET"
    Media__S3__Region="${VOD_S3_REGION:-us-east-1}" Media__S3__AccessKey="$VOD_S3_ACCESS_KEY" Media__S3__ForcePathStyle=$path_style)
  store_env() { mkdir -p "$MEDIA/scratch/$1"; echo "Media__Root=$MEDIA/scratch/$1"; }
  echo "==> media store: s3 bucket $VOD_S3_BUCKET at $VOD_S3_ENDPOINT (scratch per process under $MEDIA/scratch/)"
elif [ "${VOD_STORE:-local}" != local ]; then
  echo "error: VOD_STORE must be local or s3, not '$VOD_STORE'" >&2; exit 1
fi
# Secrets go into the environment of a supervise call (bash exports a function call's prefix assignments to what it
# runs), not onto a command line that any local user can read with ps.
PLAYBACK_KEY=${VOD_PLAYBACK_KEY:-}
redis_login() { # USER: sets REDIS_USER/REDIS_PASSWORD for that service's ACL user (empty with VOD_REDIS)
  REDIS_USER= REDIS_PASSWORD= REDIS_SENTINEL_PASSWORD=
  if [ -n "$ACL" ]; then
    REDIS_USER=$1 REDIS_PASSWORD=$(cat "$ACL/$1.pass") REDIS_SENTINEL_PASSWORD=$(cat "$ACL/sentinels.pass")
  fi
}
bin() { echo "$ROOT/src/$1/bin/Release/net10.0/Vod.$1.dll"; }
origin_list() { # the origins, starting with the n-th (each edge has its own first choice)
  local n=$1 out=() i
  for i in "${!ORIGINS[@]}"; do out+=("${ORIGINS[$(((i + n) % ${#ORIGINS[@]}))]}"); done
  local IFS=,; echo "${out[*]}"
}

redis_login origin
for i in "${!ORIGINS[@]}"; do
  name="origin-$((i + 1))"
  Admin__Key=$ADMIN_KEY Fleet__Key=$FLEET_KEY Playback__SigningKey=$PLAYBACK_KEY Redis__User=$REDIS_USER Redis__Password=$REDIS_PASSWORD Redis__SentinelPassword=$REDIS_SENTINEL_PASSWORD \
    Media__S3__SecretKey=$S3_SECRET supervise "$name" "$LOGS/$name.log" env "${service_env[@]}" $(store_env "$name") "${origin_tls_env[@]}" \
    ASPNETCORE_URLS="${ORIGINS[$i]}" Origin__Id="$name" Origin__PublicUrl="${ORIGINS[$i]}" \
    Webhooks__AllowedNetworks="${VOD_WEBHOOK_NETWORKS-127.0.0.0/8,::1/128}" dotnet "$(bin Origin)"
  echo "==> $name on ${ORIGINS[$i]} (pid $(cat "$PIDDIR/$name.pid"), log $LOGS/$name.log)"
done
redis_login transcoder
for i in "${!TRANSCODERS[@]}"; do
  name="transcoder-$((i + 1))"
  Redis__User=$REDIS_USER Redis__Password=$REDIS_PASSWORD Redis__SentinelPassword=$REDIS_SENTINEL_PASSWORD Media__S3__SecretKey=$S3_SECRET \
    supervise "$name" "$LOGS/$name.log" env "${service_env[@]}" $(store_env "$name") ASPNETCORE_URLS="${TRANSCODERS[$i]}" dotnet "$(bin Transcoder)"
  echo "==> $name on ${TRANSCODERS[$i]} (pid $(cat "$PIDDIR/$name.pid"), log $LOGS/$name.log)"
done
redis_login edge
# Over TLS the edges' HSTS lasts an hour, as the origins' pages' does: edge-2 answers as localhost, and a browser keeps
# HSTS for a host name on every port (a year of it would force https on any other local development server).
for i in "${!EDGES[@]}"; do
  name="edge-$((i + 1))"
  Fleet__Key=$FLEET_KEY Playback__SigningKey=$PLAYBACK_KEY Redis__User=$REDIS_USER Redis__Password=$REDIS_PASSWORD Redis__SentinelPassword=$REDIS_SENTINEL_PASSWORD \
    supervise "$name" "$LOGS/$name.log" env "${service_env[@]}" "${tls_env[@]}" ASPNETCORE_URLS="${EDGES[$i]}" \
    Origin__BaseUrl="$(origin_list "$i")" Edge__Id="$name" Edge__PublicUrl="${EDGES_PUBLIC[$i]}" Edge__InternalUrl="${EDGES[$i]}" \
    ${TLS_CERT:+Tls__HstsMaxAge=01:00:00} dotnet "$(bin Edge)"
  echo "==> $name on ${EDGES[$i]}, announced as ${EDGES_PUBLIC[$i]} (pid $(cat "$PIDDIR/$name.pid"), log $LOGS/$name.log, origins $(origin_list "$i"))"
done
tail_supervisor

wait_ready() { # url name
  for _ in $(seq 1 60); do
    curl -fsS -o /dev/null --max-time 2 "${CURL_TLS[@]}" "$1/readyz" 2>/dev/null && return 0
    sleep 0.5
  done
  echo "error: $2 is not ready at $1 after 30 s; see $LOGS/$2.log" >&2; exit 1
}
for i in "${!ORIGINS[@]}"; do wait_ready "${ORIGINS[$i]}" "origin-$((i + 1))"; done
for i in "${!TRANSCODERS[@]}"; do wait_ready "${TRANSCODERS[$i]}" "transcoder-$((i + 1))"; done
for i in "${!EDGES[@]}"; do wait_ready "${EDGES[$i]}" "edge-$((i + 1))"; done

auth=(-H "Authorization: Bearer $ADMIN_KEY")
any_origin() { # curl args...: the first origin that answers (one may be down)
  local origin path=$1; shift
  for origin in "${ORIGINS[@]}"; do curl -fsS --max-time 30 "${CURL_TLS[@]}" "$@" "$origin$path" 2>/dev/null && return 0; done
  return 1
}
# With the admin key: anonymous callers see ready titles only.
sample_id=$(any_origin /api/titles "${auth[@]}" | grep -o '"id":"[a-z2-7]*","name":"Sample"' | head -1 | cut -d'"' -f4 || true)
if [ -z "$sample_id" ]; then
  sample=$RUN/sample.mkv
  if [ ! -s "$sample" ]; then
    echo "==> generating a 30 s 1280x720 sample with ffmpeg (lavfi test pattern, English and French tones, English subtitles)"
    printf '1\n00:00:01,000 --> 00:00:05,000\nA sample title: a test pattern and a tone.\n\n2\n00:00:06,000 --> 00:00:12,000\nThe audio menu switches to the French track (a higher tone).\n\n3\n00:00:14,000 --> 00:00:22,000\nThese subtitles came from the source file; add more from the admin page.\n' \
      > "$RUN/sample.en.srt"
    ffmpeg -hide_banner -loglevel error -y -f lavfi -i "testsrc2=size=1280x720:rate=30" \
      -f lavfi -i "sine=frequency=440:sample_rate=48000" -f lavfi -i "sine=frequency=880:sample_rate=48000" -i "$RUN/sample.en.srt" \
      -map 0:v -map 1:a -map 2:a -map 3:s -t 30 -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -b:a 128k -c:s srt \
      -metadata:s:a:0 language=eng -metadata:s:a:1 language=fre -metadata:s:s:0 language=eng \
      "$sample.tmp.mkv" && mv "$sample.tmp.mkv" "$sample"
  fi
  echo "==> uploading the sample title"
  sample_id=$(any_origin /api/titles "${auth[@]}" -F "file=@$sample" -F name=Sample | grep -o '"id":"[a-z2-7]*"' | cut -d'"' -f4)
fi

started=$(date +%s)
while :; do
  title=$(any_origin "/api/titles/$sample_id" "${auth[@]}" || echo '{"status":"unknown"}')
  status=$(echo "$title" | grep -o '"status":"[a-z]*"' | cut -d'"' -f4 || true)
  progress=$(echo "$title" | grep -o '"progress":[0-9]*' | cut -d: -f2 || true)
  case $status in
    ready) break ;;
    failed) echo "error: the sample failed to transcode: $title" >&2; exit 1 ;;
  esac
  printf '\r==> sample %s: %s %s%%   ' "$sample_id" "$status" "$progress"
  sleep 1
done
echo; echo "==> sample ready (waited $(( $(date +%s) - started )) s)"

entries=$(IFS=,; echo "${ORIGINS[*]}")
# What curl and ffmpeg need to trust the services (nothing over http), spelt relative to here when the file is under it.
curl_tls= ffmpeg_tls= ca_show=
if [ -n "$TLS_CERT" ]; then
  ca_show=${TLS_CA#"$ROOT"/}
  curl_tls=${TLS_CA:+ --cacert $ca_show}
  ffmpeg_tls=" -tls_verify 1${TLS_CA:+ -ca_file $ca_show}"
fi
cat <<TXT

  Catalog page : $ORIGIN/   (every origin serves every page: ${ORIGINS[*]})
  Admin page   : $ORIGIN/admin   (sign in with the admin key below)
  Watch        : $ORIGIN/watch/$sample_id
  Playback URL : $ORIGIN/play/$sample_id/master.m3u8   (or ${ORIGINS[1]}/play/$sample_id/master.m3u8)
  Play it      : ffplay$ffmpeg_tls $ORIGIN/play/$sample_id/master.m3u8   (or: ffmpeg$ffmpeg_tls -i <url> -f null -)
  DASH         : $ORIGIN/play/$sample_id/manifest.mpd   (the same files; a sample packaged before DASH answers 409)
  Other players: $ORIGIN/players/shaka/$sample_id (add ?format=dash), $ORIGIN/players/videojs/$sample_id, $ORIGIN/players/dashjs/$sample_id
  Catalog API  : $ORIGIN/api/titles
  Admin key    : $ADMIN_KEY
  Upload       : curl$curl_tls -H "Authorization: Bearer \$KEY" -F file=@movie.mp4 -F name="My movie" $ORIGIN/api/titles
  Entry URLs   : $entries   (load tool: --origin $entries)
  Edges        : ${EDGES[*]}   (fleet and health: $ORIGIN/api/edges)
  Transcoders  : ${TRANSCODERS[*]}
  Redis        : $REDIS${ACL:+   (ACL users per service; operators: REDISCLI_AUTH=\$(cat $ACL/admin.pass) redis-cli --user admin -p ${REDIS_PORTS[0]};
                 Sentinels: REDISCLI_AUTH=\$(cat $ACL/sentinels.pass) redis-cli -p ${SENTINEL_PORTS[0]})}
  PIDs         : $PIDDIR/<name>.pid   (kill any process: its supervisor starts it again)
  Logs         : $LOGS/   (restarts: $LOGS/supervisor.log)
TXT
if [ -n "$TLS_CERT" ]; then
  # Chromium can trust one server key by its SPKI hash (base64 SHA-256 of the DER public key), in a profile of its own.
  spki=$(openssl x509 -in "$TLS_CERT" -noout -pubkey | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64)
  cat <<TXT
  HTTPS        : origins and edges serve TLS 1.2/1.3 (HTTP/2 or HTTP/1.1 by ALPN) with ${TLS_CERT#"$ROOT"/}, re-read when it
                 changes; edges fill from the origins over https; transcoders' health ports stay http
  Trust        : ${ca_show:-the system CAs}
    curl       : curl$curl_tls $ORIGIN/api/titles
    ffmpeg     : ffmpeg$ffmpeg_tls -i $ORIGIN/play/$sample_id/master.m3u8 -f null -   (without -tls_verify 1, ffmpeg checks no certificate)
    Chromium   : chromium --user-data-dir=${RUN#"$ROOT"/}/chromium --ignore-certificate-errors-spki-list=$spki $ORIGIN/watch/$sample_id
                 (trusts this server key, in that profile only)
TXT
  if [ -n "$TLS_CA" ]; then cat <<TXT
                 or trust the CA in your own profile (certutil is in libnss3-tools):
                 certutil -d sql:\$HOME/.pki/nssdb -A -t C,, -n "VOD development CA" -i $ca_show
    .NET       : SSL_CERT_FILE=$ca_show dotnet run -c Release --project load -- ...   (that file replaces the system CAs)
TXT
  fi
fi
echo; echo "Press Ctrl-C to stop."
# Nothing that dies stops the stack: the supervisors restart it. Only Ctrl-C or SIGTERM does.
while :; do sleep 3600 & SLEEP=$!; wait $SLEEP || true; done
