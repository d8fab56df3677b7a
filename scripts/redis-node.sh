#!/usr/bin/env bash
# Starts one Redis data node of the stack's Sentinel set, as a replica of whichever node the Sentinels name primary.
# A node that was primary and was killed must not come back as an empty primary before the Sentinels have noticed:
# the replica would then copy the empty data set. So a node the Sentinels still name primary waits (up to 20 s) for
# them to promote another, and joins it as a replica. With no Sentinel answering (the first start), NAME's default role
# is used: DEFAULT_PRIMARY empty for the first node, the first node's port for the others.
#
# Usage: redis-node.sh PORT DIR SERVICE DEFAULT_PRIMARY SENTINEL_PORT...
set -u
port=$1 dir=$2 service=$3 default_primary=$4
shift 4
sentinels=("$@")

ask_primary() { # prints the port the Sentinels name primary, or nothing
  local s reply
  for s in "${sentinels[@]}"; do
    reply=$(redis-cli -p "$s" --raw sentinel get-master-addr-by-name "$service" 2>/dev/null | sed -n 2p)
    if [[ $reply =~ ^[0-9]+$ ]]; then echo "$reply"; return; fi
  done
}

primary=$(ask_primary)
if [ "$primary" = "$port" ]; then
  for _ in $(seq 1 100); do
    sleep 0.2
    primary=$(ask_primary)
    [ "$primary" != "$port" ] && break
  done
fi
[ -z "$primary" ] && primary=$default_primary

replicaof=()
if [ -n "$primary" ] && [ "$primary" != "$port" ]; then replicaof=(--replicaof 127.0.0.1 "$primary"); fi
mkdir -p "$dir"
exec redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --save "" --appendonly no "${replicaof[@]}"
