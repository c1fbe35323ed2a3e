#!/usr/bin/env bash
# readme_blocks.sh — the README's tutorial as a test: runs every ```sh block of README.md
# as written, in order, in a scratch copy of the repository, as a newcomer who pastes them
# would, and fails at the first command that fails (with its output). `make tutorial`
# runs it, and `make check` (so CI) after the sanitizer suite.
#
# Left out, because the copy and the caller stand for them: the `git clone` line (the copy
# is the clone) and `make test`, `make check` and `make bench` (the suite is what runs
# this). The copy brings the build along, so `make` only relinks. Prints one line per
# block; the commands' own output goes to a log shown only on failure.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d /tmp/crc-readme-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
work="$tmp/crucible"
mkdir -p "$work"

# The files of the working tree (tracked and new, not ignored), with their times kept.
(cd "$repo" && git ls-files -z --cached --others --exclude-standard |
    tar --null --ignore-failed-read -cf - -T - 2>/dev/null) | tar -xf - -C "$work"
if [ -d "$repo/build" ]; then
    tar -C "$repo" --exclude=build/asan --exclude=build/fuzz --exclude=build/ref -cf - build \
        $( [ -d "$repo/bin" ] && echo bin ) | tar -xf - -C "$work"
fi

# One file per ```sh block.
awk -v dir="$tmp" '
    /^```sh[[:space:]]*$/ { n++; f = sprintf("%s/block-%02d.sh", dir, n); inblock = 1; next }
    /^```/ && inblock      { inblock = 0; close(f); next }
    inblock                { print > f }
' "$work/README.md"

shopt -s nullglob
blocks=("$tmp"/block-*.sh)
if [ ${#blocks[@]} -eq 0 ]; then
    echo "readme_blocks.sh: README.md has no \`\`\`sh block" >&2
    exit 1
fi
for b in "${blocks[@]}"; do
    name=$(basename "$b" .sh)
    first=$(grep -m1 -v '^[[:space:]]*\(#\|$\)' "$b" || true)
    # what the copy and the caller stand for
    sed -i -e 's/^git clone .*$/: git clone skipped: the copy is the clone/' \
           -e 's/^make \(test\|check\|bench\)\b.*$/: make \1 skipped: the suite runs this/' "$b"
    {
        echo 'set -euo pipefail'
        # a pager reads stdin to the end when stdout is not a terminal; cat where there is none
        echo 'command -v less >/dev/null || less() { cat; }'
        cat "$b"
    } > "$b.run"
    if (cd "$work" && bash "$b.run") > "$tmp/$name.log" 2>&1 </dev/null; then
        echo "README ${name}: ok ($first)"
    else
        echo "README ${name} FAILED: $first" >&2
        echo "--- the block:" >&2
        cat "$b" >&2
        echo "--- its output (last 40 lines):" >&2
        tail -n 40 "$tmp/$name.log" >&2
        exit 1
    fi
done
echo "README: ${#blocks[@]} shell blocks ran as written"
