#!/bin/sh
# Starts one Redis data node of a Sentinel set, as a replica of whichever node the Sentinels name primary (POSIX sh:
# run.sh uses it, and so do the Redis containers of docker-compose.yml).
# A node that was primary and was killed must not come back as an empty primary before the Sentinels have noticed:
# its replica would then copy the empty data set. So a node the Sentinels still name primary waits (up to 20 s) for
# them to promote another, and joins it as a replica. With no Sentinel answering (the first start), DEFAULT_PRIMARY
# decides: empty for the first node, the first node's HOST:PORT for the others.
#
# Usage: redis-node.sh HOST:PORT DIR SERVICE DEFAULT_PRIMARY SENTINEL_HOST:PORT... [-- REDIS-SERVER ARGS...]
# With ACLs (scripts/redis-acl.sh), pass `--include ACL-DIR/node.conf` among the redis-server arguments and the
# Sentinels' password in VOD_SENTINEL_PASSWORD (from the environment, never the command line).
set -u
sentinel_password=${VOD_SENTINEL_PASSWORD:-}
unset VOD_SENTINEL_PASSWORD
self=$1 dir=$2 service=$3 default_primary=$4
shift 4
sentinels=''
while [ $# -gt 0 ] && [ "$1" != -- ]; do sentinels="$sentinels $1"; shift; done
[ "${1:-}" = -- ] && shift

sentinel_cli() { # redis-cli ARGS..., with the Sentinels' password when they have one (REDISCLI_AUTH keeps it off the command line)
  if [ -n "$sentinel_password" ]; then REDISCLI_AUTH=$sentinel_password redis-cli --no-auth-warning "$@"; else redis-cli "$@"; fi
}

ask_primary() { # prints HOST:PORT of the node the Sentinels name primary, or nothing
  for s in $sentinels; do
    reply=$(sentinel_cli -h "${s%:*}" -p "${s##*:}" --raw sentinel get-master-addr-by-name "$service" 2>/dev/null | tr '\n' ' ')
    set -- $reply
    if [ $# -eq 2 ]; then echo "$1:$2"; return; fi
  done
}

primary=$(ask_primary)
if [ "$primary" = "$self" ]; then
  i=0
  while [ $i -lt 100 ] && [ "$primary" = "$self" ]; do sleep 0.2; primary=$(ask_primary); i=$((i + 1)); done
fi
[ -z "$primary" ] && primary=$default_primary

mkdir -p "$dir"
# No 5 s wait before a replica's full sync (Redis's default, to batch replicas): a primary lost in those seconds would
# leave the replica empty.
if [ -n "$primary" ] && [ "$primary" != "$self" ]; then
  exec redis-server --port "${self##*:}" --dir "$dir" --save "" --appendonly no --repl-diskless-sync-delay 0 --replicaof "${primary%:*}" "${primary##*:}" "$@"
fi
exec redis-server --port "${self##*:}" --dir "$dir" --save "" --appendonly no --repl-diskless-sync-delay 0 "$@"
