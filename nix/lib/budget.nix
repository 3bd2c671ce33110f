# Size budgets, in one place (README "Validation" quotes them; tests/check.sh checks that
# it does). closureMiB: the production spotibox system closure (NAR size of
# nixosConfigurations.spotibox's toplevel and everything it references), checked by
# checks.x86_64-linux.closure-budget. The upstream project measured about 1.2 GB; the
# budget leaves room for nixpkgs updates but fails on a stray GNOME or a second browser.
# It must stay well below qubix.systemDisk.sizeMiB (8192 by default).
{
  closureMiB = 1536;
}
