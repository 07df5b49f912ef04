#!/usr/bin/env bash
# Issue 8, item 4, CLI bulk mode: the steady-state CPU per domain of the shaded CLI
# (`mta-sts policy --domains-file F --parallel 64`) against a PolicyWorld on loopback.
#
# Starts one PolicyWorld server process (the same one ColdResolutionBenchmark uses) with N2
# domains, then runs the CLI as a fresh JVM over the first N1 domains and over the first N2
# domains, ROUNDS times each (alternating), and reports per run the CLI process's CPU time (user +
# sys, from bash's `time`: all its threads, GC, JIT, start-up and shut-down) and the servers' CPU.
# The marginal cost (cpu(N2) - cpu(N1)) / (N2 - N1) is the steady-state CPU per domain of the warm
# CLI; start-up, JIT warm-up of the first N1 domains and exit cancel out.
#
# The CLI reaches the policy server through picocli's @argfile: `--dns 127.0.0.1:<port>`,
# `--trust-store <ca.pem>`, `--allow-private-addresses` and one `--connect-to
# mta-sts.bench-N.example=127.0.0.1:<https port>` per domain (N2 of them in both runs, so parsing
# them costs the same in both). So the CLI makes one TXT query per domain and looks up no A/AAAA
# records: compare with `ColdResolutionBenchmark --no-address-lookup`. No query goes to the
# system's resolver.
#
# Usage (from the repository root, after building the benchmarks and the examples):
#   ./mvnw -B -ntp -q -pl benchmarks,examples -am package -DskipTests
#   benchmarks/cli-bulk.sh [N1 [N2 [PARALLEL [ROUNDS]]]]        # defaults 1000 4000 64 2
# Environment: JAVA (default: java on the PATH; used for the CLI and the servers), CLI_OPTS
# (extra JVM options for the CLI), LEAF_KEY and CA_KEY (EC_P256 or RSA_2048, default EC_P256),
# SHARED_LEAF_KEY=1 (one key pair for all leaf certificates: saves minutes with RSA leaves).
set -euo pipefail

N1=${1:-1000}
N2=${2:-4000}
PARALLEL=${3:-64}
ROUNDS=${4:-2}
JAVA=${JAVA:-java}
LEAF_KEY=${LEAF_KEY:-EC_P256}
CA_KEY=${CA_KEY:-EC_P256}
SHARED=$([ "${SHARED_LEAF_KEY:-0}" = 1 ] && echo shared-leaf-key || echo own-leaf-keys)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH_JAR=$ROOT/benchmarks/target/benchmarks.jar
CLI_JAR=$ROOT/examples/target/mta-sts.jar
if [ "$N2" -le "$N1" ]; then echo "N2 must be larger than N1" >&2; exit 2; fi
for jar in "$BENCH_JAR" "$CLI_JAR"; do
  [ -f "$jar" ] || { echo "missing $jar: build first (see the top of this script)" >&2; exit 2; }
done

work=$(mktemp -d /tmp/mta-sts-cli-bulk.XXXXXX)
coproc WORLD { exec "$JAVA" -Xmx1g -cp "$BENCH_JAR" org.mtasts.benchmarks.PolicyWorld \
  "$N2" "$work/ca.pem" "$LEAF_KEY" "$CA_KEY" "$SHARED"; }
world_pid=$WORLD_PID
# Plain copies of the coprocess's pipes: bash does not pass a coprocess's own descriptors on to
# subshells such as $(...).
exec {world_in}>&"${WORLD[1]}" {world_out}<&"${WORLD[0]}"
eval "exec ${WORLD[1]}>&-"
cleanup() {
  exec {world_in}>&- # end of input: the server process exits
  for ((i = 0; i < 30; i++)); do kill -0 "$world_pid" 2>/dev/null || break; sleep 1; done
  kill "$world_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "machine: $(nproc) CPUs, $("$JAVA" -version 2>&1 | tail -1); $(uptime)"
echo "world: $N2 domains, $LEAF_KEY leaves ($SHARED), $CA_KEY CA; CLI: --parallel $PARALLEL," \
  "runs of $N1 and $N2 domains, $ROUNDS each"
read -r ready dns_port https_port <&"$world_out"
[ "$ready" = READY ] || { echo "server process did not start: $ready" >&2; exit 1; }

{
  echo --dns; echo "127.0.0.1:$dns_port"
  echo --trust-store; echo "$work/ca.pem"
  echo --allow-private-addresses
  for ((i = 0; i < N2; i++)); do
    echo --connect-to; echo "mta-sts.bench-$i.example=127.0.0.1:$https_port"
  done
} > "$work/args"
for n in "$N1" "$N2"; do
  for ((i = 0; i < n; i++)); do echo "bench-$i.example"; done > "$work/domains-$n"
done

server_cpu() { echo cpu >&"$world_in"; read -r _ ns <&"$world_out"; echo "$ns"; }

# One CLI run over n domains; prints "n cpu_seconds wall_seconds server_cpu_seconds".
run() {
  local n=$1 before after t
  before=$(server_cpu)
  TIMEFORMAT='%R %U %S'
  # shellcheck disable=SC2086
  t=$( { time "$JAVA" ${CLI_OPTS:-} -jar "$CLI_JAR" @"$work/args" policy \
      --domains-file "$work/domains-$n" --parallel "$PARALLEL" \
      > "$work/out" 2> "$work/err" ; } 2>&1 ) || true
  after=$(server_cpu)
  local valid
  valid=$(grep -c '  valid  ' "$work/out" || true)
  if [ "$valid" -ne "$n" ]; then
    echo "run of $n domains: only $valid valid; first lines of output and errors:" >&2
    grep -v '  valid  ' "$work/out" | head -3 >&2 || true
    head -5 "$work/err" >&2 || true
    exit 1
  fi
  read -r wall user sys <<< "$t"
  echo "$n $(echo "$user + $sys" | bc -l) $wall $(echo "($after - $before) / 1000000000" | bc -l)"
}

printf '%-6s %8s %12s %10s %14s %16s\n' run domains 'CLI CPU s' 'wall s' 'domains/s' 'server CPU s'
declare -a cpu1 cpu2
for ((r = 1; r <= ROUNDS; r++)); do
  for n in "$N1" "$N2"; do
    read -r _ cpu wall server <<< "$(run "$n")"
    printf '%-6s %8d %12.2f %10.2f %14.0f %16.2f\n' "$r" "$n" "$cpu" "$wall" \
      "$(echo "$n / $wall" | bc -l)" "$server"
    if [ "$n" = "$N1" ]; then cpu1[r]=$cpu; else cpu2[r]=$cpu; fi
  done
done
echo
for ((r = 1; r <= ROUNDS; r++)); do
  printf 'round %d: CLI steady-state CPU (cpu(%d) - cpu(%d)) / %d = %.3f ms/domain;' "$r" "$N2" \
    "$N1" "$((N2 - N1))" "$(echo "(${cpu2[r]} - ${cpu1[r]}) * 1000 / ($N2 - $N1)" | bc -l)"
  printf ' whole run of %d: %.3f ms/domain\n' "$N2" "$(echo "${cpu2[r]} * 1000 / $N2" | bc -l)"
done
echo "load: $(uptime)"
