#!/usr/bin/env bash
# Vendor the dashboard's assets (run by hand when upgrading; the files are committed). The
# dashboard fetches nothing from outside at run time: no CDN, no tile server. Its map's base layer
# is the Natural Earth country boundaries of world-atlas, clipped here to the built-in case's area
# (lon 44–48, lat 38.5–41) and drawn as GeoJSON on a plain background.
#
#   tools/vendor-web.sh
#
# What it writes under src/corridor/web/static/vendor/<package>/: the dist files, the package's
# LICENSE, VERSION (the npm version and integrity hash); world-atlas/lachin-area.geojson (the
# clipped boundaries); vendor/LICENSES.md is written by hand (update it when a version changes).
#
# Needs npm (the npm registry) and node (to decode the TopoJSON), and a Python with shapely (the
# test extras) to clip: PYTHON=.venv/bin/python tools/vendor-web.sh. Checks every tarball against
# the registry's integrity hash.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
dest="$here/src/corridor/web/static/vendor"
python="${PYTHON:-$here/.venv/bin/python}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# package@version, then the files to copy (relative to the package root)
PACKAGES=(
  "leaflet@1.9.4 dist/leaflet.js dist/leaflet.css LICENSE"
  "vega@5.33.1 build/vega.min.js"  # no LICENSE in the tarball: vega-util's below (same repo)
  "vega-lite@5.23.0 build/vega-lite.min.js LICENSE"
  "vega-embed@6.29.0 build/vega-embed.min.js LICENSE"
  "topojson-client@3.1.0 dist/topojson-client.min.js LICENSE"
  "world-atlas@2.0.2 countries-10m.json LICENSE"
)

fetch() {  # fetch NAME VERSION: download, check and unpack into $work/NAME
  local name="$1" version="$2" tarball expected actual
  (cd "$work" && npm pack --silent "$name@$version" >/dev/null)
  tarball="$work/$name-$version.tgz"
  expected="$(npm view "$name@$version" dist.integrity)"
  actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
  if [ "$expected" != "$actual" ]; then
    echo "integrity mismatch for $tarball: $actual, the registry says $expected" >&2
    exit 1
  fi
  mkdir -p "$work/$name"
  tar -xzf "$tarball" -C "$work/$name" --strip-components=1
  echo "$name $version (npm), $expected" > "$work/$name.VERSION"
}

for spec in "${PACKAGES[@]}"; do
  read -r pkg files <<<"$spec"
  name="${pkg%@*}"; version="${pkg##*@}"
  fetch "$name" "$version"
  mkdir -p "$dest/$name"
  for f in $files; do
    if [ "$f" = "countries-10m.json" ]; then continue; fi  # clipped below, not copied whole
    cp "$work/$name/$f" "$dest/$name/"
  done
  cp "$work/$name.VERSION" "$dest/$name/VERSION"
  # source maps are not vendored: drop their references so browsers do not ask for them
  for js in "$dest/$name"/*.js; do
    [ -e "$js" ] && sed -i 's|//# sourceMappingURL=.*$||' "$js"
  done
done
# vega 5.33.1 (and vega-util 1.17.4) tarballs carry no LICENSE: the monorepo's (vega/vega,
# BSD-3-Clause) is in vega-util 1.17.2's
fetch vega-util 1.17.2
cp "$work/vega-util/LICENSE" "$dest/vega/LICENSE"
echo "LICENSE: from vega-util 1.17.2 (the same repository, vega/vega; BSD-3-Clause)" \
  >> "$dest/vega/VERSION"

# Leaflet's default marker images are not used (the map draws circle markers): nothing else to copy.

# world-atlas: TopoJSON → GeoJSON (node, with the vendored topojson-client), then clipped (shapely)
node -e '
const topojson = require(process.argv[1]);
const topo = require(process.argv[2]);
process.stdout.write(JSON.stringify(topojson.feature(topo, topo.objects.countries)));
' "$work/topojson-client/dist/topojson-client.js" "$work/world-atlas/countries-10m.json" \
  > "$work/countries-10m.geojson"
"$python" "$here/tools/clip_boundaries.py" "$work/countries-10m.geojson" \
  "$dest/world-atlas/lachin-area.geojson" --bbox 44 38.5 48 41
ls -l "$dest"/*
