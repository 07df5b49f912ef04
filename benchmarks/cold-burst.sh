#!/usr/bin/env bash
# Issue 16: the cold burst, side by side. One testkit world (loopback DNS on port 53 and an
# SNI-routed HTTPS policy server on port 443, one EC P-256 certificate per policy host), and over
# it, in turn and REPS times (interleaved):
#
#   cli      the CLI as a user runs it: `mta-sts --version` (start-up alone), then
#            `mta-sts policy --domains-file F --parallel 64 --json` over DOMAINS fresh domains
#            (a fresh process: start-up and JIT included), then one `mta-sts policy DOMAIN`;
#            each CLI variant of CLI_VARIANTS in turn;
#   library  ColdResolutionBenchmark: the library in a long-running JVM (default flags), warmed
#            up on WARMUP other domains, then DOMAINS fresh domains 64 in flight, then SINGLE
#            domains one at a time;
#   postfix  postfix-mta-sts-resolver's daemon (Debian package postfix-mta-sts-resolver, Python,
#            uvloop when python3-uvloop is installed), started fresh with its in-memory cache,
#            driven by socketmap-burst.py like Postfix: DOMAINS fresh domains 64 in flight, then
#            SINGLE domains one at a time.
#
# Every runner does the same work per domain: a TXT query for _mta-sts.<domain>, A and AAAA
# queries for mta-sts.<domain> (the CLI and the library through dnsjava, the daemon through
# c-ares and the C library's resolver), a TCP connection to port 443, a full TLS handshake with
# SNI and certificate checks against the world's CA (its only trust anchor), one GET, the policy
# parsed; every answer is checked (valid / enforce). Client CPU is the runner's process (user +
# sys, all threads); the servers' CPU is reported beside it.
#
# So that the daemon and the C library reach the world on the standard ports without touching
# the machine, the script re-runs itself in a network and mount namespace of its own (unshare):
# its loopback is private, /etc/resolv.conf is replaced there by `nameserver 127.0.0.1`, and an
# nftables rule redirects 127.0.0.1 port 53 and 443 to the world's ports. Nothing leaves the
# namespace. Needs root, `unshare`, `nft` (apt-get install -y nftables) and, for the postfix
# runner, apt-get install -y postfix-mta-sts-resolver python3-uvloop.
#
# Usage (from the repository root, after building the benchmarks and the examples):
#   ./mvnw -B -ntp -q -pl benchmarks,examples -am package -DskipTests
#   benchmarks/cold-burst.sh
# Environment: DOMAINS (1000), REPS (3), PARALLEL (64), WARMUP (2000), SINGLE (100),
# RUNNERS ("cli library postfix"), CLI_VARIANTS ("launcher=examples/mta-sts": LABEL=COMMAND
# pairs separated by ';', each COMMAND run through eval, e.g.
# "plain=java -jar examples/target/mta-sts.jar;launcher=examples/mta-sts"), LIBRARY_VARIANTS
# ("default=": LABEL=JVM-OPTIONS pairs for the library's process, separated by ';', e.g.
# "jdk=-Dorg.mtasts.tls.provider=jdk;conscrypt="), JAVA (java).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ "${COLD_BURST_IN_NAMESPACE:-}" != 1 ]; then
  for tool in unshare nft ip; do
    command -v "$tool" >/dev/null || { echo "cold-burst: needs $tool (see the top of $0)" >&2; exit 2; }
  done
  exec env COLD_BURST_IN_NAMESPACE=1 unshare --net --mount --fork -- "$0" "$@"
fi

DOMAINS=${DOMAINS:-1000}
REPS=${REPS:-3}
PARALLEL=${PARALLEL:-64}
WARMUP=${WARMUP:-2000}
SINGLE=${SINGLE:-100}
RUNNERS=${RUNNERS:-cli library postfix}
CLI_VARIANTS=${CLI_VARIANTS:-launcher=$ROOT/examples/mta-sts}
LIBRARY_VARIANTS=${LIBRARY_VARIANTS:-default=}
JAVA=${JAVA:-java}
BENCH_JAR=$ROOT/benchmarks/target/benchmarks.jar
[ -f "$BENCH_JAR" ] || { echo "missing $BENCH_JAR: build first (see the top of $0)" >&2; exit 2; }
CLK_TCK=$(getconf CLK_TCK)
cd "$ROOT"
if [[ " $RUNNERS " == *" postfix "* ]] && ! command -v mta-sts-daemon >/dev/null; then
  echo "cold-burst: mta-sts-daemon not found (apt-get install -y postfix-mta-sts-resolver" \
    "python3-uvloop): the postfix runner is left out" >&2
  RUNNERS=${RUNNERS//postfix/}
fi

ip link set lo up
work=$(mktemp -d /tmp/mta-sts-cold-burst.XXXXXX)
printf 'nameserver 127.0.0.1\noptions timeout:2 attempts:2\n' > "$work/resolv.conf"
mount --bind "$work/resolv.conf" /etc/resolv.conf # this namespace only

world_size=$((WARMUP + DOMAINS + SINGLE))
coproc WORLD { exec "$JAVA" -Xmx1g -cp "$BENCH_JAR" org.mtasts.benchmarks.PolicyWorld \
  "$world_size" "$work/ca.pem" EC_P256; }
world_pid=$WORLD_PID
exec {world_in}>&"${WORLD[1]}" {world_out}<&"${WORLD[0]}"
eval "exec ${WORLD[1]}>&-"
daemon_pid=
cleanup() {
  [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null
  exec {world_in}>&- # end of input: the server process exits
  for ((i = 0; i < 30; i++)); do kill -0 "$world_pid" 2>/dev/null || break; sleep 1; done
  kill "$world_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
read -r ready dns_port https_port <&"$world_out"
[ "$ready" = READY ] || { echo "server process did not start: $ready" >&2; exit 1; }
nft add table ip nat
nft add chain ip nat output '{ type nat hook output priority -100 ; }'
nft add rule ip nat output ip daddr 127.0.0.1 udp dport 53 redirect to :"$dns_port"
nft add rule ip nat output ip daddr 127.0.0.1 tcp dport 53 redirect to :"$dns_port"
nft add rule ip nat output ip daddr 127.0.0.1 tcp dport 443 redirect to :"$https_port"

printf -- '--dns\n127.0.0.1:53\n--trust-store\n%s\n--allow-private-addresses\n' "$work/ca.pem" \
  > "$work/cli-args"
for ((i = 0; i < DOMAINS; i++)); do echo "bench-$i.example"; done > "$work/domains"

# CPU seconds (user + sys, all threads, children waited for) of a live process.
proc_cpu() {
  local stat
  stat=$(cat "/proc/$1/stat")
  stat=${stat##*) }
  # shellcheck disable=SC2086
  set -- $stat
  echo "scale=3; (${12} + ${13}) / $CLK_TCK" | bc
}
peak_rss_mib() { awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }
world_cpu() { proc_cpu "$world_pid"; }
load1() { cut -d' ' -f1 /proc/loadavg; }
ms() { echo "scale=3; $1 * 1000" | bc; }

results=$work/results
: > "$results"
# One result row: rep runner domains/s cpu_ms/domain cpu_ms/domain_net_of_start-up
# start-up_cpu_ms start-up_wall_ms peak_rss_mib p50 p99 single_p50 single_p99 server_cpu_ms/domain
# load
row() { echo "$*" >> "$results"; printf '%-4s %-22s %9s %8s %8s %8s %8s %6s %7s %7s %7s %7s %8s %5s\n' "$@"; }

# GNU time's wall, user, sys, max RSS of one command; the command's output to $work/out.
timed() {
  local cmd=$1
  /usr/bin/time -f '%e %U %S %M' -o "$work/time" bash -c "$cmd" > "$work/out" 2> "$work/err" || {
    echo "failed: $cmd" >&2; head -5 "$work/err" >&2; return 1; }
  cat "$work/time"
}

run_cli() {
  local rep=$1 label=$2 cmd=$3 wall user sys rss s_wall s_user s_sys s_rss w0 w1 valid
  read -r s_wall s_user s_sys s_rss <<< "$(timed "$cmd --version")"
  w0=$(world_cpu)
  read -r wall user sys rss <<< "$(timed "$cmd @$work/cli-args policy --domains-file $work/domains --parallel $PARALLEL --json")"
  w1=$(world_cpu)
  valid=$(grep -c '"status":"valid"' "$work/out" || true)
  if [ "$valid" -ne "$DOMAINS" ]; then
    echo "cli $label: only $valid of $DOMAINS valid; first other lines:" >&2
    grep -v '"status":"valid"' "$work/out" | head -3 >&2 || true
    head -5 "$work/err" >&2
  fi
  local one_wall
  read -r one_wall _ <<< "$(timed "$cmd @$work/cli-args policy bench-$((DOMAINS + rep)).example --json")"
  grep -q '"status":"valid"' "$work/out" || echo "cli $label: single lookup not valid" >&2
  local cpu
  cpu=$(echo "$user + $sys" | bc)
  row "$rep" "cli:$label" "$(echo "$DOMAINS / $wall" | bc)" \
    "$(echo "scale=2; $cpu * 1000 / $DOMAINS" | bc)" \
    "$(echo "scale=2; ($cpu - $s_user - $s_sys) * 1000 / $DOMAINS" | bc)" \
    "$(echo "($s_user + $s_sys) * 1000 / 1" | bc)" "$(echo "$s_wall * 1000 / 1" | bc)" \
    "$((rss / 1024))" - - "$(echo "$one_wall * 1000 / 1" | bc)" - \
    "$(echo "scale=2; ($w1 - $w0) * 1000 / $DOMAINS" | bc)" "$(load1)"
}

run_library() {
  local rep=$1 label=$2 opts=$3 w0 w1 line
  w0=$(world_cpu)
  # shellcheck disable=SC2086
  "$JAVA" $opts -cp "$BENCH_JAR" org.mtasts.benchmarks.ColdResolutionBenchmark \
    --world "53:443:$work/ca.pem:$world_pid" --domains "$DOMAINS" --warmup-domains "$WARMUP" --rounds 1 \
    --in-flight "$PARALLEL" --single "$SINGLE" > "$work/library.txt" 2>&1 || {
      echo "library run failed:" >&2; tail -20 "$work/library.txt" >&2; return 1; }
  w1=$(world_cpu)
  grep -q "^round 1: $DOMAINS domains, $DOMAINS fetched, 0 problems" "$work/library.txt" \
    || { echo "library: problems:" >&2; grep -A1 "^round 1" "$work/library.txt" >&2; }
  line=$(grep '^RESULT ' "$work/library.txt")
  val() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<< "$line"; }
  local server
  server=$(grep -o 'server CPU [0-9.]* ms/domain' "$work/library.txt" | sed -n 2p | tr -dc '0-9.')
  row "$rep" "library:$label" "$(val domains_per_s)" "$(val cpu_ms_per_domain)" - - - \
    "$(val peak_rss_mib)" "$(val p50_ms)" "$(val p99_ms)" "$(val single_p50_ms)" \
    "$(val single_p99_ms)" "${server:--}" "$(load1)"
}

run_postfix() {
  local rep=$1
  cat > "$work/daemon.yml" <<EOF
host: 127.0.0.1
port: 8461
shutdown_timeout: 1
cache:
  type: internal
  options:
    cache_size: 10000
default_zone:
  strict_testing: false
  timeout: 4
EOF
  local start_ns
  start_ns=$(date +%s%N)
  SSL_CERT_FILE=$work/ca.pem mta-sts-daemon -c "$work/daemon.yml" -v warn \
    > "$work/daemon.log" 2>&1 &
  daemon_pid=$!
  until /usr/bin/python3 -c 'import socket; socket.create_connection(("127.0.0.1", 8461), 1)' \
      2>/dev/null; do
    kill -0 "$daemon_pid" || { cat "$work/daemon.log" >&2; return 1; }
    sleep 0.05
  done
  local start_wall start_cpu c0 c1 w0 w1 burst single rss
  start_wall=$(( ($(date +%s%N) - start_ns) / 1000000 ))
  start_cpu=$(proc_cpu "$daemon_pid")
  c0=$(proc_cpu "$daemon_pid"); w0=$(world_cpu)
  burst=$(/usr/bin/python3 "$ROOT/benchmarks/socketmap-burst.py" 8461 0 "$DOMAINS" "$PARALLEL")
  c1=$(proc_cpu "$daemon_pid"); w1=$(world_cpu)
  rss=$(peak_rss_mib "$daemon_pid")
  single=$(/usr/bin/python3 "$ROOT/benchmarks/socketmap-burst.py" 8461 "$DOMAINS" "$SINGLE" 1)
  kill "$daemon_pid"; wait "$daemon_pid" 2>/dev/null || true; daemon_pid=
  val() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<< " $1"; }
  [ "$(val "$burst" ok)" = "$DOMAINS" ] || echo "postfix: only $(val "$burst" ok) ok" >&2
  [ "$(val "$single" ok)" = "$SINGLE" ] || echo "postfix: single: only $(val "$single" ok) ok" >&2
  row "$rep" postfix "$(echo "$DOMAINS / $(val "$burst" wall_s)" | bc)" \
    "$(echo "scale=2; ($c1 - $c0) * 1000 / $DOMAINS" | bc)" - \
    "$(echo "$start_cpu * 1000 / 1" | bc)" "$start_wall" "$rss" "$(val "$burst" p50_ms)" \
    "$(val "$burst" p99_ms)" "$(val "$single" p50_ms)" "$(val "$single" p99_ms)" \
    "$(echo "scale=2; ($w1 - $w0) * 1000 / $DOMAINS" | bc)" "$(load1)"
}

echo "machine: $(nproc) CPUs, $("$JAVA" -version 2>&1 | tail -1); $(uptime)"
echo "world: $world_size domains (EC P-256 leaves and CA), DNS and HTTPS on 127.0.0.1:53/443 in a"\
  "namespace of its own; $DOMAINS domains per burst, $PARALLEL in flight, $REPS repetitions;"\
  "runners: $RUNNERS; CLI variants: $CLI_VARIANTS; library variants: $LIBRARY_VARIANTS"
# The servers are a JVM too: warm them up (JIT) before anything is measured, with a library run
# over the warm-up domains.
"$JAVA" -cp "$BENCH_JAR" org.mtasts.benchmarks.ColdResolutionBenchmark \
  --world "53:443:$work/ca.pem" --domains "$DOMAINS" --warmup-domains "$WARMUP" --rounds 1 \
  --in-flight "$PARALLEL" > "$work/world-warm-up.txt" 2>&1 \
  || { echo "world warm-up failed:" >&2; tail -20 "$work/world-warm-up.txt" >&2; exit 1; }
echo
printf '%-4s %-22s %9s %8s %8s %8s %8s %6s %7s %7s %7s %7s %8s %5s\n' rep runner domains/s \
  cpu/dom 'net/dom' 'st.cpu' 'st.wall' 'rssMiB' p50 p99 '1:p50' '1:p99' 'srv/dom' load
for ((rep = 1; rep <= REPS; rep++)); do
  for runner in $RUNNERS; do
    case $runner in
      cli)
        IFS=';' read -r -a variants <<< "$CLI_VARIANTS"
        for variant in "${variants[@]}"; do
          run_cli "$rep" "${variant%%=*}" "${variant#*=}"
        done
        ;;
      library)
        IFS=';' read -r -a variants <<< "$LIBRARY_VARIANTS"
        for variant in "${variants[@]}"; do
          run_library "$rep" "${variant%%=*}" "${variant#*=}"
        done
        ;;
      postfix) run_postfix "$rep" ;;
      *) echo "unknown runner $runner" >&2; exit 2 ;;
    esac
  done
done

echo
echo "medians over $REPS repetitions (ms; cpu/dom = client CPU per domain, start-up included;"\
  "net/dom = without the start-up run's CPU; st = start-up (CLI --version, daemon until it"\
  "listens); 1: = one lookup alone (CLI: a whole process for one domain); srv/dom = servers)"
printf '%-22s %9s %8s %8s %8s %8s %6s %7s %7s %7s %7s %8s %5s\n' runner domains/s cpu/dom \
  'net/dom' 'st.cpu' 'st.wall' 'rssMiB' p50 p99 '1:p50' '1:p99' 'srv/dom' load
for runner in $(cut -d' ' -f2 "$results" | awk '!seen[$0]++'); do
  line=$runner
  for col in $(seq 3 14); do
    values=$(awk -v r="$runner" -v c="$col" '$2 == r { print $c }' "$results" | grep -v '^-$' \
      | sort -g || true)
    count=$(grep -c . <<< "$values" || true)
    if [ "$count" -eq 0 ]; then line="$line -"; else
      line="$line $(sed -n "$(( (count + 1) / 2 ))p" <<< "$values")"; fi
  done
  # shellcheck disable=SC2086
  printf '%-22s %9s %8s %8s %8s %8s %6s %7s %7s %7s %7s %8s %5s\n' $line
done
echo "load: $(uptime)"
