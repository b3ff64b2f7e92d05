#!/usr/bin/env bash
# Refreshes the playground's vendored browser builds (assets/playground/vendor/) from
# the npm registry: the graphiql package's UMD browser build and React's production
# UMD builds, gzip-compressed (served as-is with Content-Encoding: gzip), with their
# versions, checksums and licenses recorded next to them.
#
# The Rust build never runs npm: it embeds whatever this script last wrote, so run it
# only to change versions, then review and commit assets/playground/vendor/.
#
#   assets/playground/refresh.sh                      # the pinned versions below
#   GRAPHIQL_VERSION=4.1.2 REACT_VERSION=18.3.1 assets/playground/refresh.sh
#
# Why these versions: graphiql 4 is the last major with a UMD build (5 ships only ES
# modules and Monaco web workers), and its UMD build expects React 18's UMD globals
# (React 19 publishes no UMD builds).
set -euo pipefail

GRAPHIQL_VERSION=${GRAPHIQL_VERSION:-4.1.2}
REACT_VERSION=${REACT_VERSION:-18.3.1}

here=$(cd "$(dirname "$0")" && pwd)
vendor="$here/vendor"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$work"
unpack() { # package version -> directory holding the package's files
    local package=$1 version=$2 tarball
    tarball=$(npm pack --silent "$package@$version" | tail -n 1)
    mkdir -p "unpacked/$package"
    tar -xzf "$tarball" -C "unpacked/$package"
    echo "$work/unpacked/$package/package"
}
graphiql=$(unpack graphiql "$GRAPHIQL_VERSION")
react=$(unpack react "$REACT_VERSION")
react_dom=$(unpack react-dom "$REACT_VERSION")

rm -rf "$vendor"
mkdir -p "$vendor"
# source file -> vendored name; -n leaves out the name and time, so the output only
# changes when the input does.
vendor_file() {
    gzip -9 -n -c "$1" > "$vendor/$2.gz"
}
vendor_file "$graphiql/graphiql.min.js" graphiql.min.js
vendor_file "$graphiql/graphiql.min.css" graphiql.min.css
vendor_file "$react/umd/react.production.min.js" react.production.min.js
vendor_file "$react_dom/umd/react-dom.production.min.js" react-dom.production.min.js
cp "$graphiql/LICENSE" "$vendor/LICENSE.graphiql"
cp "$react/LICENSE" "$vendor/LICENSE.react"
cp "$react_dom/LICENSE" "$vendor/LICENSE.react-dom"

# graphiql's UMD build bundles its own dependencies (graphql, graphql-ws, CodeMirror,
# markdown-it, Radix UI, ...): resolve them as npm does today and keep their licenses.
mkdir bundled && cd bundled
npm init -y > /dev/null
npm install --silent --ignore-scripts --no-audit --no-fund \
    "graphiql@$GRAPHIQL_VERSION" "react@$REACT_VERSION" "react-dom@$REACT_VERSION" graphql@16 graphql-ws > /dev/null
node - "$vendor/THIRD-PARTY-LICENSES" <<'JS'
// Every package graphiql's browser build bundles (all of its runtime dependency tree
// but React, which is served separately), with its license text.
const fs = require('fs');
const path = require('path');
const out = process.argv[2];
const seen = new Map();
function visit(name, from) {
    let dir = from;
    for (;;) {
        const candidate = path.join(dir, 'node_modules', name);
        if (fs.existsSync(path.join(candidate, 'package.json'))) { dir = candidate; break; }
        const parent = path.dirname(dir);
        if (parent === dir) return;
        dir = parent;
    }
    if (seen.has(dir)) return;
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    seen.set(dir, pkg);
    for (const dep of Object.keys(pkg.dependencies || {})) visit(dep, dir);
    for (const [dep, meta] of Object.entries(pkg.peerDependencies || {})) {
        // graphql-ws is an optional peer of @graphiql/toolkit that the build bundles.
        if (!(pkg.peerDependenciesMeta || {})[dep]?.optional || dep === 'graphql-ws') visit(dep, dir);
    }
}
visit('graphiql', process.cwd());
const entries = [...seen.entries()]
    .filter(([, pkg]) => !['react', 'react-dom', 'scheduler', 'loose-envify', 'js-tokens'].includes(pkg.name))
    .filter(([, pkg]) => !pkg.name.startsWith('@types/')) // type declarations: never bundled
    .sort(([, a], [, b]) => a.name.localeCompare(b.name));
let text = 'Packages bundled into graphiql.min.js, as npm resolves graphiql\'s dependencies\n'
    + 'today (the published build was made from the same version ranges).\n\n';
for (const [, pkg] of entries) text += `${pkg.name}@${pkg.version}: ${pkg.license || 'see below'}\n`;
for (const [dir, pkg] of entries) {
    const file = fs.readdirSync(dir).find((f) => /^(licen[cs]e|copying)/i.test(f));
    text += `\n==== ${pkg.name}@${pkg.version} (${pkg.license || 'unknown'}) ====\n`;
    text += file ? fs.readFileSync(path.join(dir, file), 'utf8').trim() + '\n' : '(no license file in the package)\n';
}
fs.writeFileSync(out, text);
JS
cd "$work"

{
    echo "# The playground's vendored browser builds: written by refresh.sh, do not edit."
    echo "# package version npm-integrity file sha256-of-the-uncompressed-file"
    for entry in "graphiql $GRAPHIQL_VERSION graphiql.min.js $graphiql/graphiql.min.js" \
                 "graphiql $GRAPHIQL_VERSION graphiql.min.css $graphiql/graphiql.min.css" \
                 "react $REACT_VERSION react.production.min.js $react/umd/react.production.min.js" \
                 "react-dom $REACT_VERSION react-dom.production.min.js $react_dom/umd/react-dom.production.min.js"; do
        set -- $entry
        integrity=$(npm view "$1@$2" dist.integrity)
        echo "$1 $2 $integrity $3 $(sha256sum "$4" | cut -d' ' -f1)"
    done
    # graphiql's build chose the graphql-ws it bundles (the toolkit accepts >= 4.5.0);
    # the build speaks the graphql-transport-ws subprotocol envgate serves.
    grep -q graphql-transport-ws "$graphiql/graphiql.min.js"
    echo "# graphiql.min.js bundles graphql-ws (graphql-transport-ws) for subscriptions"
} > "$vendor/VERSIONS"

ls -l "$vendor"
