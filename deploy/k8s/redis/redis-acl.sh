#!/bin/sh
# Least privilege in Redis: writes the ACL file every Redis data node of the stack loads, with one user per kind of
# service, each allowed only the keys, channels and commands that service uses (run.sh and docker-compose.yml use it;
# so do the integration tests, which run the services as these users). The default user is off.
#
#   admin        everything (operators, tests; no service runs as admin)
#   origin       the job stream (enqueue, recovery), the origin registry, the edge registry read-only (and removal of
#                edges silent for long), the purge outbox, the purge channel (PUBLISH, or SPUBLISH on a cluster), the
#                webhook outbox (vod:{webhooks}:*, its own selector), the resumable uploads' state (vod:upload:{id},
#                vod:{uploads}:expiries);
#                not the edges' L2 keys (a purge moves a title to a new generation, it lists no keys)
#   edge         the edge registry, the L2 keys and fill leases, the purge outbox read-only (its acks read-write),
#                the purge channel (SUBSCRIBE, or SSUBSCRIBE on a cluster)
#   transcoder   the job stream and nothing else: it runs ffmpeg on untrusted files
#   replication  what a replica needs of its primary (PSYNC, REPLCONF)
#   sentinel     what the Sentinels need to monitor and fail over a data node
#
# Usage: redis-acl.sh DIR
# Each user's password is $VOD_REDIS_<USER>_PASSWORD when set (docker-compose), else DIR/<user>.pass, generated once.
# The Sentinels' own password (their requirepass, which every client of theirs presents) is $VOD_SENTINEL_PASSWORD or
# DIR/sentinels.pass. Writes DIR/users.acl (passwords as SHA-256 only) and DIR/node.conf, the lines a data node
# includes (aclfile, and the replication user it authenticates with as a replica). Everything in DIR is mode 600.
set -eu
dir=$1
umask 077
mkdir -p "$dir"
chmod 700 "$dir"

password() { # NAME ENV-VALUE: prints the password, generating DIR/NAME.pass when there is none
  if [ -n "$2" ]; then printf '%s' "$2" >"$dir/$1.pass"; fi
  if [ ! -s "$dir/$1.pass" ]; then
    head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '\n=' >"$dir/$1.pass"
  fi
  cat "$dir/$1.pass"
}
hash() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }

admin=$(password admin "${VOD_REDIS_ADMIN_PASSWORD:-}")
origin=$(password origin "${VOD_REDIS_ORIGIN_PASSWORD:-}")
edge=$(password edge "${VOD_REDIS_EDGE_PASSWORD:-}")
transcoder=$(password transcoder "${VOD_REDIS_TRANSCODER_PASSWORD:-}")
replication=$(password replication "${VOD_REDIS_REPLICATION_PASSWORD:-}")
sentinel=$(password sentinel "${VOD_REDIS_SENTINEL_PASSWORD:-}")
password sentinels "${VOD_SENTINEL_PASSWORD:-}" >/dev/null

# What StackExchange.Redis sends on every connection (handshake, role and health checks, keep-alive; on a Redis Cluster
# the slot map and ASKING while a slot moves).
connection='+auth +hello +ping +echo +client|setname +client|id +info +role +select +subscribe +unsubscribe +cluster|nodes +cluster|slots +asking'

# Key patterns: ~ read and write, %R~ read only. A selector (in parentheses) grants more on its own keys.
cat >"$dir/users.acl" <<ACL
user default off resetkeys resetchannels -@all
user admin on #$(hash "$admin") ~* &* +@all
user replication on #$(hash "$replication") resetkeys resetchannels -@all +psync +replconf +ping
user sentinel on #$(hash "$sentinel") resetkeys resetchannels &__sentinel__:hello -@all +multi +exec +slaveof +replicaof +ping +subscribe +publish +config|rewrite +role +info +client|setname +client|kill +script|kill
user origin on #$(hash "$origin") resetkeys resetchannels ~vod:jobs ~vod:{origins} ~vod:{origins}:heartbeats ~vod:{purges} ~vod:{purges}:generations ~vod:{purges}:acks %R~vod:{edges} %R~vod:{edges}:heartbeats &vod:{purges}:wake -@all $connection +exists +xadd +xgroup|create +xinfo|groups +xinfo|stream +xrange +xrevrange +xpending +hset +hget +hmget +hgetall +hdel +hincrby +zadd +zrange +zrem +publish +spublish +eval +evalsha +script|load +script|exists (~vod:{edges} ~vod:{edges}:heartbeats +hdel +zrem) (~vod:{webhooks}:* +eval +evalsha +set +del +exists +hset +hget +hmget +hgetall +hdel +hincrby +zadd +zrange +zrangebyscore +zrem +zscore +zcard +zremrangebyrank) (~vod:upload:* ~vod:{uploads}:expiries +eval +evalsha +exists +del +hset +hget +hmget +hgetall +hdel +hincrby +zadd +zrange +zrangebyscore +zrem +lrange +rpush +pexpireat +expireat)
user edge on #$(hash "$edge") resetkeys resetchannels ~vod:{edges} ~vod:{edges}:heartbeats ~vod:edge:* ~vod:{purges}:acks %R~vod:{purges} %R~vod:{purges}:generations &vod:{purges}:wake -@all $connection +exists +get +set +setex +psetex +del +pexpire +hset +hget +hmget +hgetall +hdel +zadd +zrem +xrange +xrevrange +xinfo|stream +multi +exec +discard +eval +evalsha +script|load +script|exists +ssubscribe +sunsubscribe
user transcoder on #$(hash "$transcoder") resetkeys resetchannels ~vod:jobs -@all $connection +xreadgroup +xautoclaim +xclaim +xack +xadd +xgroup|create
ACL

cat >"$dir/node.conf" <<CONF
aclfile $dir/users.acl
masteruser replication
masterauth $replication
CONF
