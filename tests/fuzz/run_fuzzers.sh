#!/usr/bin/env bash
# Runs each libFuzzer target for a bounded time from seeds (configs/, small
# result files, a valid checkpoint), after replaying every input kept in
# tests/fixtures/hostile/fuzz/<target>/ (crashes found earlier, now fixed).
# A crash, leak, sanitizer finding or timeout fails; its input is printed so
# it can be kept there. Usage: run_fuzzers.sh BUILD_DIR [SECONDS_EACH]
set -u
build="$1"
secs="${2:-60}"
src="$(cd "$(dirname "$0")/../.." && pwd)"
kept="$src/tests/fixtures/hostile/fuzz"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
export ALVH_READ_TIMEOUT_SECONDS=5
export LSAN_OPTIONS="suppressions=$src/tests/fuzz/lsan_fuzz.supp"
mkdir -p "$work"/{config,checkpoint,h5_reader,h5_content}
cp "$src"/configs/*.yaml "$src"/configs/scenarios/*.yaml "$src"/tests/fixtures/configs/*.yaml "$work/config/"
ALVH_FUZZ_WRITE_SEED="$work/checkpoint/valid.ckpt" "$build/tests/fuzz/fuzz_checkpoint" || fail=1
"$build/tests/h5_sample_writer" "$work/h5_reader/sample.h5" 8 >/dev/null || fail=1
cp "$src"/tests/fixtures/hostile/*.h5 "$work/h5_reader/"
# fuzz_h5_content reads recipes (tests/fuzz/fuzz_h5_content.c): a summary table of 2 x 2 with its
# rows, columns and units (ALVH_FUZZ_ECHO=1 prints what the reader makes of a recipe)
printf '\x00\x01\x01\x00\x01\x01\x00\x01\x00\x01\x00\x01\x02\x01\x02\x02\x01\x05\x00\x06\x01\x07\x00\x08\x01\x03\x00\x01\x02\x01\x00\x01\x01\x01\x02\x01\x02\x03\x02\x01\x02\x01\x04\x04\x01' \
  >"$work/h5_content/summary_2x2"
for t in config checkpoint h5_reader h5_content; do
  exe="$build/tests/fuzz/fuzz_$t"
  mapfile -t old < <(find "$kept/$t" -type f ! -name '*.md' 2>/dev/null)
  if [ ${#old[@]} -gt 0 ] && ! "$exe" "${old[@]}" >"$work/$t.replay.log" 2>&1; then
    echo "FAIL fuzz_$t: a kept input crashes again"; tail -20 "$work/$t.replay.log"; fail=1
  fi
  mkdir -p "$work/$t.art"
  if "$exe" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="$work/$t.art/" "$work/$t" >"$work/$t.log" 2>&1; then
    echo "fuzz_$t: $(grep -m1 -oE 'stat::number_of_executed_units: *[0-9]+' "$work/$t.log" | grep -oE '[0-9]+$') runs in ${secs} s, no finding"
  else
    echo "FAIL fuzz_$t: finding (keep the input in tests/fixtures/hostile/fuzz/$t/ once fixed):"
    grep -E "ERROR|SUMMARY|Test unit written" "$work/$t.log" | head -5
    for a in "$work/$t.art"/*; do [ -f "$a" ] && { echo "  input (base64): $(base64 -w0 "$a" | head -c 2000)"; }; done
    fail=1
  fi
done
exit $fail
