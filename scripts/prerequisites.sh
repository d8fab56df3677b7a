#!/usr/bin/env bash
# Sourced by run.sh and test.sh: makes sure the tools the stack and its tests use are installed, and says what it did.
# Installs missing Debian packages with apt-get when running as root (or with passwordless sudo).

vod_install_packages() {
  local packages=("$@")
  [ ${#packages[@]} -eq 0 ] && return 0
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo"; else
      echo "error: missing packages: ${packages[*]}. Install them with: sudo apt-get install ${packages[*]}" >&2
      return 1
    fi
  fi
  echo "==> installing missing Debian packages: ${packages[*]} (apt-get)"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  echo "==> installed: ${packages[*]}"
}

# vod_require_tools COMMAND:PACKAGE ...: installs the packages of the commands that are not on PATH (each package once),
# or says that every command is there.
vod_require_tools() {
  local pair missing=() commands=()
  for pair in "$@"; do
    commands+=("${pair%%:*}")
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    echo "==> tools present: ${commands[*]} (nothing to install)"
    return 0
  fi
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  vod_install_packages "${missing[@]}"
}

# vod_prerequisites [browser]: ffmpeg, redis-server, redis-sentinel, curl always; chromium when "browser" is passed.
vod_prerequisites() {
  local missing=()
  command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || missing+=(ffmpeg)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v redis-sentinel >/dev/null || missing+=(redis-sentinel)
  command -v curl >/dev/null || missing+=(curl)
  command -v npm >/dev/null || missing+=(npm)
  if [ "${1:-}" = browser ] && [ ! -x /usr/bin/chromium ]; then missing+=(chromium); fi
  vod_install_packages "${missing[@]}" || return 1
  if ! command -v dotnet >/dev/null; then
    echo "error: the .NET 10 SDK is required (https://dot.net); dotnet is not on PATH" >&2
    return 1
  fi
  if [ ${#missing[@]} -eq 0 ]; then echo "==> prerequisites present: dotnet $(dotnet --version), $(ffmpeg -version | head -1 | cut -d' ' -f1-3), $(redis-server --version | cut -d' ' -f1-3)"; fi
}

# vod_s3_server_packages: what scripts/s3-server.sh runs (a single-node OpenStack Swift with s3api, the tests' S3
# server): the account, container, object and proxy servers (Debian's python3-swift comes with them; rings are built
# with /usr/bin/python3) and memcached. --no-install-recommends (vod_install_packages) keeps keystone's middleware out.
vod_s3_server_packages() {
  local missing=() name
  for name in proxy object container account; do command -v "swift-$name-server" >/dev/null || missing+=("swift-$name"); done
  command -v memcached >/dev/null || missing+=(memcached)
  command -v curl >/dev/null || missing+=(curl)
  [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import swift' 2>/dev/null || missing+=(python3-swift)
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sed '/^$/d' | sort -u)
  vod_install_packages "${missing[@]}" || return 1
  if [ ${#missing[@]} -eq 0 ]; then echo "==> S3 server (OpenStack Swift $(/usr/bin/python3 -c 'import swift; print(swift.__version__)' 2>/dev/null), memcached) present"; fi
}

# vod_web_dependencies: the origin's browser dependencies (hls.js, shaka-player, video.js, dashjs, tus-js-client) from npm, into src/Origin/node_modules.
vod_web_dependencies() {
  local dir=src/Origin
  if [ ! -f "$dir/node_modules/hls.js/dist/hls.min.js" ] || [ ! -f "$dir/node_modules/shaka-player/dist/shaka-player.compiled.js" ] \
    || [ ! -f "$dir/node_modules/video.js/dist/video.min.js" ] \
    || [ ! -f "$dir/node_modules/dashjs/dist/modern/umd/dash.mediaplayer.min.js" ] \
    || [ ! -f "$dir/node_modules/tus-js-client/dist/tus.min.js" ]; then
    echo "==> npm ci in $dir (hls.js, Shaka Player, video.js, dash.js and tus-js-client for the pages)"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) || { echo "error: npm ci failed in $dir" >&2; return 1; }
  fi
}
