#!/usr/bin/env bash
# Vendor Swagger UI for the service's /docs page (run by hand when upgrading; the files are
# committed). corridor fetches nothing at run time: FastAPI's default /docs loads Swagger UI from
# a CDN, so the service serves these copies instead (src/corridor/service/static/swagger/).
#
#   tools/vendor-swagger-ui.sh            # the pinned version below
#   tools/vendor-swagger-ui.sh 5.36.0     # another version (then update PINNED and commit)
#
# What it writes: swagger-ui-bundle.js, swagger-ui.css, favicon-32x32.png, LICENSE, VERSION.
#
# Needs npm (the npm registry); checks the tarball against the registry's integrity hash.
set -euo pipefail
PINNED="5.35.0"
version="${1:-$PINNED}"
here="$(cd "$(dirname "$0")/.." && pwd)"
dest="$here/src/corridor/service/static/swagger"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$work"
npm pack --silent "swagger-ui-dist@$version" >/dev/null
tarball="swagger-ui-dist-$version.tgz"
expected="$(npm view "swagger-ui-dist@$version" dist.integrity)"
actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [ "$expected" != "$actual" ]; then
  echo "integrity mismatch for $tarball: $actual, the registry says $expected" >&2
  exit 1
fi
tar -xzf "$tarball"
mkdir -p "$dest"
cp package/swagger-ui-bundle.js package/swagger-ui.css package/favicon-32x32.png package/LICENSE \
  "$dest/"
# the bundle's source map is not vendored: drop its reference so browsers do not ask for it
sed -i '/^\/\/# sourceMappingURL=/d' "$dest/swagger-ui-bundle.js"
sed -i 's|/\*# sourceMappingURL=[^*]*\*/||' "$dest/swagger-ui.css"
cat > "$dest/VERSION" <<INFO
swagger-ui-dist $version (npm), $expected
Vendored by tools/vendor-swagger-ui.sh: swagger-ui-bundle.js, swagger-ui.css, favicon-32x32.png,
LICENSE (Apache-2.0).
INFO
ls -l "$dest"
