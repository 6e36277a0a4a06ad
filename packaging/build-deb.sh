#!/usr/bin/env bash
# packaging/build-deb.sh ARCH BINARY — one nodeagent_<version>_<ARCH>.deb in artifacts/, from a published binary.
#
# Stages a source tree (debian/ from packaging/debian, the unit from systemd/, the binary, the commented default
# configuration, the man page generated from the CLI's help, the docs) and runs Debian's own tooling on it:
# dpkg-buildpackage -b with debhelper (dh_installsystemd, dh_installtmpfiles) writes the maintainer scripts.
# Called by ./build.sh package for amd64 and arm64. Needs: debhelper dpkg-dev python3, and for arm64
# binutils-aarch64-linux-gnu plus libc6:arm64 zlib1g:arm64 (dpkg-shlibdeps reads the arm64 libraries).
set -euo pipefail
cd "$(dirname "$0")/.."

arch=${1:?usage: packaging/build-deb.sh amd64|arm64 BINARY}
binary=${2:?usage: packaging/build-deb.sh amd64|arm64 BINARY}
die() { printf 'package: %s\n' "$*" >&2; exit 1; }

[[ -x "$binary" ]] || die "$binary is missing; fix: ./build.sh publish"
command -v dh >/dev/null || die "debhelper is missing; fix: apt-get install debhelper"
# The man page text is the same for every architecture: it comes from the build machine's own binary.
help_binary=artifacts/linux-x64/nodeagent
[[ -x "$help_binary" ]] || die "$help_binary is missing (the man page is generated from its --help); fix: ./build.sh publish"

version=$(dpkg-parsechangelog -l packaging/debian/changelog -S Version)
# dpkg-buildpackage takes SOURCE_DATE_EPOCH from the changelog when unset; build.sh exports the commit's time.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(dpkg-parsechangelog -l packaging/debian/changelog -S Timestamp)}

# NODEAGENT_DEB_OUT: where the .deb goes (default artifacts/); the reproducibility test builds a second copy there.
out=${NODEAGENT_DEB_OUT:-artifacts}
work=$out/deb/$arch
tree=$work/nodeagent-$version
rm -rf "$work"
mkdir -p "$tree"
cp -a packaging/debian "$tree/debian"
cp systemd/nodeagent.service "$tree/debian/nodeagent.service"
install -m 0755 "$binary" "$tree/nodeagent"
cp README.md "$tree/README.md"
cp deployment/README.md "$tree/deployment-README.md"

# The conffile holds the defaults commented out, so a later package's new defaults apply unless the operator chose
# otherwise, and dpkg never asks about a file nobody edited.
intro='# Every value below is the built-in default: a host without this file behaves exactly as if it had it.'
grep -qxF "$intro" deployment/nodeagent.yaml || die "deployment/nodeagent.yaml lost its line: $intro"
sed -E -e "s|^${intro//|/\\|}\$|# Every key is commented out and shows its built-in default. To change one, uncomment it (and its section)\n# and run systemctl reload nodeagent; a wrong key keeps the running configuration, and the journal names its line.|" \
  -e '/^[[:space:]]*#/!s/^(.+)$/#\1/' deployment/nodeagent.yaml >"$tree/nodeagent.yaml"

python3 packaging/manpage.py "$help_binary" >"$tree/nodeagent.8"

# dpkg-deb only clamps newer mtimes down to SOURCE_DATE_EPOCH; a checkout's older ones would differ per clone.
find "$tree" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

(cd "$tree" && dpkg-buildpackage -b -us -uc --host-arch="$arch" -d >../build.log 2>&1) ||
  { tail -n 30 "$work/build.log" >&2; die "dpkg-buildpackage failed for $arch (log: $work/build.log)"; }
mv "$work/nodeagent_${version}_${arch}.deb" "$out/"
echo "packaged: $out/nodeagent_${version}_${arch}.deb ($(stat -c %s "$out/nodeagent_${version}_${arch}.deb") bytes)"
