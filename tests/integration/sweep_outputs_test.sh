#!/bin/bash
# Outputs survive interruption: a SIGTERM or SIGHUP that arrives while the
# sweep writes its files leaves complete files (the handlers stay until the
# last one is written), and a SIGKILL at that moment leaves the previous
# run's files untouched (each file is renamed into place whole). Needs root.
set -u
SRC=${PATHMAP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${PATHMAP_BIN:-$SRC/build/bin/pathmap}
PY=/usr/bin/python3
[ "$(id -u)" = 0 ] || { echo "skip: needs root"; exit 77; }
NAME=swo$$
NAME=${NAME:0:10}
WORK=$(mktemp -d /tmp/pm-sweep-outputs.XXXXXX)
TB="$SRC/scripts/testbed"
cleanup() { timeout 60 "$TB" down --name "$NAME" >/dev/null 2>&1; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
timeout 120 "$TB" up "$SRC/tests/topologies/small.json" --name "$NAME" >"$WORK/up.log" 2>&1 || { cat "$WORK/up.log"; echo "FAIL: testbed up"; exit 1; }
fail=0
# SIGNAL OUTDIR: starts a sweep whose outputs take a moment to write (every
# address of a /18), sends SIGNAL the moment the first temporary output file
# appears, prints the exit code.
interrupt_while_writing() {
    timeout 180 $PY - "$1" "$2" "pm$NAME-prober" "$BIN" <<'PY'
import os, signal, subprocess, sys, time
sig, out, ns, binary = getattr(signal, sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
os.makedirs(out, exist_ok=True)
p = subprocess.Popen(["ip", "netns", "exec", ns, binary, "sweep", "198.19.0.0/18", "--all-hosts", "--allow", "198.18.0.0/15",
                      "--rate", "20000", "--wait", "300", "-q", "-o", out], stderr=subprocess.DEVNULL)
deadline = time.time() + 150
sent = False
while p.poll() is None and time.time() < deadline:
    if any(f.startswith(".traces.jsonl.tmp.") for f in os.listdir(out)):
        p.send_signal(sig)  # ip netns exec execs pathmap: same pid
        sent = True
        break
    time.sleep(0.0005)
rc = p.wait(timeout=120)
print("signalled" if sent else "missed", rc)
PY
}
check_complete() { # OUTDIR: every file whole
    $PY - "$1" <<'PY'
import json, sys, xml.etree.ElementTree as ET
d = sys.argv[1]
lines = [json.loads(l) for l in open(d + "/traces.jsonl")]
assert len(lines) == 16384, f"{len(lines)} traces, want 16384"
json.load(open(d + "/summary.json"))
for f in ("topology.graphml", "topology.gexf"):
    ET.parse(d + "/" + f)
for l in open(d + "/profiles.jsonl"):
    json.loads(l)
import os
left = [f for f in os.listdir(d) if ".tmp." in f or f.startswith(".topology")]
assert not left, f"temporary files left: {left}"
print("complete:", len(lines), "traces")
PY
}
for sig in SIGTERM SIGHUP; do
    res=$(interrupt_while_writing $sig "$WORK/$sig")
    echo "$sig during writing: $res"
    case "$res" in "signalled 0") ;; *) echo "FAIL: $sig during writing: want 'signalled 0', got '$res'"; fail=1 ;; esac
    check_complete "$WORK/$sig" || { echo "FAIL: files after $sig are not complete"; fail=1; }
done
# SIGKILL while writing: the previous run's files stay as they were.
mkdir -p "$WORK/kill"
printf '{"dst":"198.19.1.1","hops":[]}\n' > "$WORK/kill/traces.jsonl"
echo '{"previous": true}' > "$WORK/kill/summary.json"
res=$(interrupt_while_writing SIGKILL "$WORK/kill")
echo "SIGKILL during writing: $res"
case "$res" in "signalled -9") ;; *) echo "FAIL: SIGKILL during writing: want 'signalled -9', got '$res'"; fail=1 ;; esac
if [ "$(cat "$WORK/kill/traces.jsonl")" != '{"dst":"198.19.1.1","hops":[]}' ]; then
    lines=$(wc -l < "$WORK/kill/traces.jsonl")
    # The kill may land just after the rename: then the new file must be whole.
    if [ "$lines" != 16384 ]; then echo "FAIL: traces.jsonl after SIGKILL is neither the old file nor a whole new one ($lines lines)"; fail=1; fi
fi
$PY -c "import json,sys; json.load(open(sys.argv[1]))" "$WORK/kill/summary.json" || { echo "FAIL: summary.json after SIGKILL does not parse"; fail=1; }
[ $fail = 0 ] && echo "sweep_outputs_test: ok" || echo "sweep_outputs_test: FAILED"
exit $fail
