#!/usr/bin/env bash
# Link-level purity of the kernels: every symbol libalvh_kernels.a needs from
# outside itself is on tests/kernels_allowed_symbols.txt (libc/libm only).
# Usage: kernels_symbols.sh path/to/libalvh_kernels.a allowlist [nm]
set -u
lib="$1"
allow="$2"
nm="${3:-nm}"
defined=$("$nm" --defined-only "$lib" 2>/dev/null | awk 'NF >= 3 {print $3}' | sort -u)
undef=$("$nm" -u "$lib" | awk 'NF >= 2 {print $2}' | sort -u)
[ -n "$undef" ] || { echo "FAIL no undefined symbols read from $lib (nm failed?)"; exit 1; }
extra=$(comm -23 <(echo "$undef") <(echo "$defined") |
  grep -vE '^__(asan|ubsan|sanitizer|lsan|msan|tsan)_|^__sancov_|^__(start|stop)___sancov_' |
  grep -vxF -f <(grep -v '^#' "$allow" | sed '/^$/d'))
if [ -n "$extra" ]; then
  echo "FAIL the kernels library needs symbols outside libc/libm's allowlist:"
  echo "$extra" | sed 's/^/  /'
  exit 1
fi
echo "kernels library: $(comm -23 <(echo "$undef") <(echo "$defined") | wc -l) external symbols, all allowed"
