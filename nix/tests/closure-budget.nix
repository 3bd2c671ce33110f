# checks.x86_64-linux.closure-budget: the production closure stays under lib/budget.nix's
# closureMiB. pkgs.closureInfo (pkgs/build-support/closure-info.nix) writes the closure's
# total NAR size to $out/total-nar-size; pkgs.runCommand is trivial-builders.nix.
#   nix build ./nix#checks.x86_64-linux.closure-budget -L
{ pkgs, toplevel }:
let
  inherit (import ../lib/budget.nix) closureMiB;
  info = pkgs.closureInfo { rootPaths = [ toplevel ]; };
in
pkgs.runCommand "closure-budget" { } ''
  size=$(cat ${info}/total-nar-size)
  limit=$(( ${toString closureMiB} * 1024 * 1024 ))
  echo "spotibox closure: $(( size / 1024 / 1024 )) MiB of ${toString closureMiB} MiB (lib/budget.nix)"
  if [ "$size" -gt "$limit" ]; then
    echo "closure over budget: $size bytes > $limit bytes; largest paths:" >&2
    sort -t' ' -k2 -n -r ${info}/store-paths 2>/dev/null | head -n 20 >&2 || true
    exit 1
  fi
  echo "$size" > $out
''
