#!/usr/bin/env bash
# The Debian packages: cpack builds the six from this build tree, each holds
# what it must (its program, unit, sysusers.d user, default configuration as
# conffiles, maintainer scripts), every systemd unit passes
# `systemd-analyze verify` in a root made of the unpacked packages (warnings
# count as failures) and has the hardening the deployment relies on, and a
# tree built with test hooks is refused unless the test says it knows.
#   packages_test.sh BUILD_DIR SCRATCH_DIR
set -euo pipefail
build=$1 scratch=$2
rm -rf "$scratch"
mkdir -p "$scratch"
fail() { echo "FAIL: $*"; exit 1; }

hooks=$(sed -n 's/^LEDGER_TEST_HOOKS:BOOL=//p' "$build/CMakeCache.txt")
if [ "$hooks" = ON ]; then
  # The guard: packaging a test build is refused.
  if (cd "$build" && cpack -G DEB -B "$scratch/refused" > "$scratch/refused.log" 2>&1); then
    fail "cpack packaged a tree built with LEDGER_TEST_HOOKS=ON"
  fi
  grep -q "LEDGER_TEST_HOOKS=ON" "$scratch/refused.log" || { cat "$scratch/refused.log"; fail "no clear refusal"; }
  ls "$scratch/refused"/*.deb > /dev/null 2>&1 && fail "a package was written despite the refusal"
  echo "PASS: a tree with test hooks is refused"
  export LEDGER_PACKAGE_ALLOW_TEST_HOOKS=1
fi
(cd "$build" && cpack -G DEB -B "$scratch/out" > "$scratch/cpack.log" 2>&1) || { cat "$scratch/cpack.log"; fail "cpack"; }

root=$scratch/root
mkdir -p "$root"
declare -A program=([ledgerctl]=usr/bin/ledgerctl [ledger-notary-sim]=usr/sbin/ledger-notary-sim
                    [ledgerd]=usr/sbin/ledgerd [ledger-explorer]=usr/sbin/ledger-explorer
                    [ledger-witness]=usr/sbin/ledger-witness [ledger-anchord]=usr/sbin/ledger-anchord)
for pkg in "${!program[@]}"; do
  deb=$(ls "$scratch/out/${pkg}_"*.deb 2>/dev/null | head -n 1)
  [ -n "$deb" ] || fail "no package $pkg in $(ls "$scratch/out")"
  [ "$(dpkg-deb -f "$deb" Package)" = "$pkg" ] || fail "$deb names another package"
  dpkg-deb -f "$deb" Depends | grep -q libc6 || fail "$pkg: no shared-library dependencies"
  dpkg-deb -c "$deb" > "$scratch/$pkg.contents"
  grep -q " ./${program[$pkg]}\$" "$scratch/$pkg.contents" || fail "$pkg lacks /${program[$pkg]}"
  # No file of another package, nothing outside /usr and /etc.
  if awk '{print $6}' "$scratch/$pkg.contents" | grep -vE '^\./(usr|etc)(/|$)|^\./$' | grep -q .; then
    fail "$pkg installs outside /usr and /etc"
  fi
  dpkg-deb -x "$deb" "$root"
  dpkg-deb -e "$deb" "$scratch/control-$pkg"
  if [ "$pkg" != ledgerctl ]; then
    for f in "lib/systemd/system/$pkg.service" "lib/sysusers.d/$pkg.conf"; do
      grep -q " ./usr/$f\$" "$scratch/$pkg.contents" || fail "$pkg lacks /usr/$f"
    done
    [ -x "$scratch/control-$pkg/postinst" ] || fail "$pkg has no postinst"
    grep -q "systemd-sysusers /usr/lib/sysusers.d/$pkg.conf" "$scratch/control-$pkg/postinst" \
      || fail "$pkg's postinst does not create its user"
    [ -s "$scratch/control-$pkg/conffiles" ] || fail "$pkg has no conffiles"
    while read -r conf; do
      grep -q " .$conf\$" "$scratch/$pkg.contents" || fail "$pkg: conffile $conf not in the package"
    done < "$scratch/control-$pkg/conffiles"
  fi
  echo "PASS: $pkg ($(wc -l < "$scratch/$pkg.contents") entries)"
done
grep -q "ledgerctl" <(dpkg-deb -f "$scratch/out/"ledger-notary-sim_*.deb Depends) \
  || fail "ledger-notary-sim does not depend on ledgerctl (its dev PKI)"
grep -q " ./usr/share/ledger-explorer/web/index.html\$" "$scratch/ledger-explorer.contents" \
  || fail "the explorer package lacks its web UI"

# systemd-analyze verify in the unpacked root: it needs systemd's own targets
# there, and /bin/sh for the ExecStartPre lines.
units=("$root"/usr/lib/systemd/system/*.service)
[ ${#units[@]} -eq 5 ] || fail "expected 5 units, found ${#units[@]}"
mkdir -p "$root/bin"
cp -a /lib/systemd/system/*.target "$root/usr/lib/systemd/system/"
cp /bin/sh "$root/bin/sh"
for unit in "${units[@]}"; do
  name=$(basename "$unit")
  out=$(systemd-analyze verify --man=no --root="$root" "/usr/lib/systemd/system/$name" 2>&1) \
    || { echo "$out"; fail "systemd-analyze verify $name"; }
  [ -z "$out" ] || { echo "$out"; fail "systemd-analyze verify $name printed warnings"; }
  for need in User= ProtectSystem=strict StateDirectory= NoNewPrivileges=yes CapabilityBoundingSet= \
              PrivateTmp=yes ProtectHome=yes SystemCallFilter=@system-service; do
    grep -q "^$need" "$unit" || fail "$name lacks $need"
  done
  grep -q '^User=root' "$unit" && fail "$name runs as root"
  echo "PASS: $name verified by systemd-analyze, hardened"
done
# A unit with a mistake is caught: the check can fail.
sed 's/^ExecStart=/ExecStrat=/' "$root/usr/lib/systemd/system/ledgerd.service" \
  > "$root/usr/lib/systemd/system/broken.service"
out=$(systemd-analyze verify --man=no --root="$root" /usr/lib/systemd/system/broken.service 2>&1) || true
[ -n "$out" ] || fail "systemd-analyze accepted a unit without ExecStart"
echo "PASS: a broken unit is reported"
