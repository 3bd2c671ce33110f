# NixOS VM test of the spotibox configuration (flake: checks.x86_64-linux.spotibox-basic).
# Needs KVM and nixpkgs, so it runs on a developer's Linux machine, not in this repo's CI.
#   nix build ./nix#checks.x86_64-linux.spotibox-basic -L     (Nix >= 2.18, KVM)
# API: pkgs.testers.runNixOSTest (pkgs/build-support/testers/default.nix; nixos/lib/testing/
# nodes.nix for nodes and node.pkgsReadOnly). Driver: start, wait_for_unit,
# wait_for_open_port, wait_until_succeeds, succeed, fail (nixos/lib/test-driver).
{ pkgs, machine }:
pkgs.testers.runNixOSTest {
  name = "spotibox-basic";

  # The profiles set nixpkgs.config (unfree spotify) and nixpkgs.overlays (xrdp without
  # MP3/Opus): keep nixpkgs.* writable in the node (nixos/lib/testing/nodes.nix).
  node.pkgsReadOnly = false;

  nodes.machine =
    { lib, ... }:
    {
      imports = [ machine ];
      virtualisation.memorySize = 2048;
      virtualisation.diskSize = 4096;
      # The test network (nixos/lib/testing/network.nix) sets eth1 statically.
      networking.useDHCP = lib.mkForce false;
    };

  testScript = ''
    machine.start()
    machine.wait_for_unit("multi-user.target")

    with subtest("hostname"):
        machine.succeed("test \"$(hostname)\" = spotibox")

    with subtest("users and uids; rdp is not in wheel"):
        machine.succeed("test \"$(id -u user)\" = 1000")
        machine.succeed("test \"$(id -u rdp)\" = 1001")
        machine.fail("id -nG rdp | tr ' ' '\\n' | grep -qx wheel")

    with subtest("xrdp listens on 3389"):
        machine.succeed("systemctl is-enabled xrdp.service")
        machine.wait_for_unit("xrdp.service")
        machine.wait_for_unit("xrdp-sesman.service")
        machine.wait_for_open_port(3389)

    with subtest("spotify and openbox-session on PATH"):
        machine.succeed("command -v spotify")
        machine.succeed("command -v openbox-session")

    with subtest("egress is open by default: no qubix-egress table, no dnsmasq"):
        machine.fail("nft list table inet qubix-egress")
        machine.fail("systemctl is-active dnsmasq.service")

    with subtest("avahi publishes, PipeWire does not run"):
        machine.wait_for_unit("avahi-daemon.service")
        machine.wait_until_succeeds("avahi-resolve-host-name -4 spotibox.local", timeout=60)
        machine.fail("pgrep -x pipewire")
        machine.fail("pgrep -x wireplumber")
  '';
}
