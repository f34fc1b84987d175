# SPDX-License-Identifier: BSD-3-Clause
# Sourced by the shell tests after they set $here: a temporary working
# directory ($dir, the current directory) removed at exit, and the counters
# behind ok, bad "what failed" and the final summary line.
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir" || exit 1
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
