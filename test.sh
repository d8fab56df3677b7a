#!/usr/bin/env bash
# Runs every test of every test project and prints the totals as one line: "N passed, N failed[, N skipped]".
# Installs what the tests need first (ffmpeg, redis-server, chromium, and the S3 server's Swift packages and memcached)
# when it is missing.
set -uo pipefail
cd "$(dirname "$0")"
source scripts/prerequisites.sh
vod_prerequisites browser || exit 1
vod_s3_server_packages || exit 1   # scripts/s3-server.sh, the S3 server of tests/Integration.Tests/Storage
vod_web_dependencies || exit 1

results="$PWD/run/test-results"
rm -rf "$results"
mkdir -p "$results"

echo "==> dotnet format --verify-no-changes (the .editorconfig style)"
if ! dotnet format Vod.sln --verify-no-changes; then
  echo "0 passed, 1 failed (code style: run 'dotnet format Vod.sln' to fix)"; exit 1
fi

echo "==> dotnet build Vod.sln (Release)"
dotnet build Vod.sln -c Release -nologo -v quiet -clp:NoSummary || { echo "0 passed, 1 failed (the build failed)"; exit 1; }

status=0
for project in tests/*/*.csproj; do
  name=$(basename "$project" .csproj)
  echo "==> dotnet test $project"
  dotnet test "$project" -c Release --no-build --nologo --logger "trx;LogFileName=$name.trx" --results-directory "$results" "$@" || status=1
done

passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  attr() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  passed=$((passed + $(attr passed)))
  failed=$((failed + $(attr failed) + $(attr error) + $(attr timeout) + $(attr aborted)))
  skipped=$((skipped + $(attr notExecuted)))
done

line="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
echo "$line"
if [ "$failed" -gt 0 ] || [ "$passed" -eq 0 ] || [ "$status" -ne 0 ]; then exit 1; fi
