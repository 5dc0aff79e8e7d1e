#!/usr/bin/env bash
# Fetch the official Elasticsearch distribution from Maven Central (integ-test-zip), start it on
# 127.0.0.1 with security off, and reuse it across runs. Prints the URL when it is healthy.
# Usage: scripts/elasticsearch.sh start|stop|url
set -euo pipefail
ES_VERSION=${IR_ES_VERSION:-8.19.21}
PORT=${IR_ES_PORT:-9200}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE="$ROOT/.cache/es"                       # the zip (ignored by git)
BASE=${IR_ES_HOME:-/var/tmp/ir-es-$ES_VERSION} # world-traversable: ES must not run as root
URL="http://127.0.0.1:$PORT"

healthy() { curl -fsS "$URL/_cluster/health?wait_for_status=yellow&timeout=1s" >/dev/null 2>&1; }

case "${1:-start}" in
  url) echo "$URL"; exit 0 ;;
  stop) [ -f "$BASE/es.pid" ] && kill "$(cat "$BASE/es.pid")" 2>/dev/null || true; exit 0 ;;
esac

# Everything but the URL goes to stderr: callers capture stdout as the URL.
exec 3>&1 1>&2
if healthy; then echo "$URL" >&3; exit 0; fi

command -v java >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jdk-headless >/dev/null; }
command -v unzip >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq unzip >/dev/null; }
ZIP="$CACHE/elasticsearch-$ES_VERSION.zip"
if [ ! -f "$ZIP" ]; then
  command -v mvn >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq maven >/dev/null; }
  mkdir -p "$CACHE"
  mvn -B -q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
    -Dartifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip" \
    -DoutputDirectory="$CACHE" >&2
fi
HOME_DIR="$BASE/elasticsearch-$ES_VERSION"
if [ ! -x "$HOME_DIR/bin/elasticsearch" ]; then
  mkdir -p "$BASE"; unzip -q -o "$ZIP" -d "$BASE"
fi
mkdir -p "$BASE/data" "$BASE/logs" "$BASE/tmp"
id -u irsearch >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin irsearch
chown -R irsearch: "$BASE"
chmod 755 "$BASE"
JAVA_HOME_=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
runuser -u irsearch -- env ES_JAVA_HOME="$JAVA_HOME_" ES_TMPDIR="$BASE/tmp" ES_JAVA_OPTS="-Xms512m -Xmx512m" \
  "$HOME_DIR/bin/elasticsearch" -d -p "$BASE/es.pid" \
  -E discovery.type=single-node -E network.host=127.0.0.1 -E http.port="$PORT" \
  -E path.data="$BASE/data" -E path.logs="$BASE/logs" \
  -E xpack.security.enabled=false \
  -E cluster.routing.allocation.disk.threshold_enabled=false \
  -E action.destructive_requires_name=false \
  -E indices.breaker.total.use_real_memory=false \
  -E node.store.allow_mmap=false >&2
for _ in $(seq 1 180); do
  if healthy; then echo "$URL" >&3; exit 0; fi
  sleep 1
done
echo "elasticsearch did not become healthy; see $BASE/logs" >&2
tail -n 40 "$BASE/logs/"*.log >&2 || true
exit 1
