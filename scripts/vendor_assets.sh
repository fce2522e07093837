#!/usr/bin/env bash
# Re-vendor the front-end assets from their npm packages (pinned) into static/vendor/. Needs npm; the result is committed,
# so running the platform never needs npm or a CDN.
set -euo pipefail
HTMX=2.0.11
KATEX=0.16.25
CODEMIRROR=5.65.20
SORTABLE=1.15.7
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm pack --silent "htmx.org@$HTMX" "katex@$KATEX" "codemirror@$CODEMIRROR" "sortablejs@$SORTABLE" >/dev/null
mkdir htmx katex codemirror sortable
tar -xzf "htmx.org-$HTMX.tgz" -C htmx
tar -xzf "katex-$KATEX.tgz" -C katex
tar -xzf "codemirror-$CODEMIRROR.tgz" -C codemirror
tar -xzf "sortablejs-$SORTABLE.tgz" -C sortable
out="$root/static/vendor"
rm -rf "$out/htmx" "$out/katex" "$out/codemirror" "$out/sortable"
mkdir -p "$out/htmx" "$out/katex/fonts" "$out/katex/contrib" "$out/codemirror/mode/python" "$out/codemirror/addon/edit" "$out/codemirror/theme" "$out/sortable"
cp htmx/package/dist/htmx.min.js htmx/package/LICENSE "$out/htmx/"
cp katex/package/dist/katex.min.js katex/package/dist/katex.min.css katex/package/LICENSE "$out/katex/"
cp katex/package/dist/contrib/auto-render.min.js "$out/katex/contrib/"
cp katex/package/dist/fonts/*.woff2 "$out/katex/fonts/"
cm=codemirror/package
cp $cm/lib/codemirror.js $cm/lib/codemirror.css $cm/LICENSE "$out/codemirror/"
cp $cm/mode/python/python.js "$out/codemirror/mode/python/"
cp $cm/addon/edit/matchbrackets.js $cm/addon/edit/closebrackets.js "$out/codemirror/addon/edit/"
cp $cm/theme/material-darker.css "$out/codemirror/theme/"
cp sortable/package/Sortable.min.js sortable/package/LICENSE "$out/sortable/"
echo "htmx.org@$HTMX katex@$KATEX codemirror@$CODEMIRROR sortablejs@$SORTABLE" > "$out/VERSIONS"
