#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# cmake --install into a temporary prefix, then build a tiny external program
# against it twice, as a CMake project (find_package(alvh), alvh::alvh) and with
# pkg-config (shared, and static with pkg-config --static), and run each: it
# runs the default config, writes a file and reads its summary back through
# include/alvh.h. The installed alvh command and Python package work too.
# Usage: install_check.sh BUILD_DIR SOURCE_DIR PYTHON
set -u
build="$1"
src="$2"
py="$3"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
prefix="$dir/prefix"

cmake --install "$build" --prefix "$prefix" >"$dir/install.log" 2>&1 && ok || { cat "$dir/install.log"; bad "install"; }
for f in bin/alvh include/alvh.h lib/libalvh.a lib/libalvh.so lib/pkgconfig/alvh.pc lib/cmake/alvh/alvhConfig.cmake \
         lib/cmake/alvh/alvhTargets.cmake share/alvh/python/alvh/__init__.py share/doc/alvh/LICENSE; do
  [ -e "$prefix/$f" ] && ok || bad "not installed: $f"
done
variants=$("$py" - "$src/configs/default.yaml" <<'PY'
import re, sys
names = re.findall(r"- \{name: ([A-Za-z0-9_.-]+), layers:", open(sys.argv[1]).read())
print(" ".join(n for n in names))
PY
)
printf 'run:\n  paths: -3\n' >"$dir/bad.yaml"
cd "$dir"

# CMake consumer
if cmake -S "$src/tests/install_consumer" -B cm -DCMAKE_PREFIX_PATH="$prefix" >cm.log 2>&1 &&
   cmake --build cm >>cm.log 2>&1; then ok; else cat cm.log; bad "CMake consumer build"; fi
out=$(./cm/consumer cm.h5 "$dir/bad.yaml" $variants) && [[ "$out" == ok* ]] && ok || bad "CMake consumer run: $out"
"$prefix/bin/alvh" summary cm.h5 --format csv >/dev/null && ok || bad "installed alvh cannot read the consumer's file"

# pkg-config consumer, shared and static
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
[ "$(pkg-config --modversion alvh)" = "$("$prefix/bin/alvh" --version | awk '{print $2; exit}')" ] && ok ||
  bad "alvh.pc version differs from alvh --version"
# shellcheck disable=SC2046
if cc -o pc_shared "$src/tests/install_consumer/consumer.c" $(pkg-config --cflags --libs alvh) \
      -Wl,-rpath,"$prefix/lib"; then ok; else bad "pkg-config shared build"; fi
out2=$(./pc_shared pc.h5 "$dir/bad.yaml" $variants) && [ "$out2" = "$out" ] && ok || bad "pkg-config shared run: $out2"
static_libs=$(pkg-config --static --libs alvh | sed "s#-lalvh#$prefix/lib/libalvh.a#")
# shellcheck disable=SC2086
if cc -o pc_static "$src/tests/install_consumer/consumer.c" $(pkg-config --cflags alvh) $static_libs; then ok
else bad "pkg-config static build"; fi
ldd pc_static | grep -q libalvh && bad "static consumer still needs libalvh.so" || ok
out3=$(./pc_static st.h5 "$dir/bad.yaml" $variants) && [ "$out3" = "$out" ] && ok || bad "static run: $out3"

echo "install_check: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
