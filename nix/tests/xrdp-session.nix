# NixOS VM test (checks.x86_64-linux.xrdp-session): an RDP login as `rdp` from a second
# node with FreeRDP is accepted, and the session it opens runs Openbox for `rdp`.
#   nix build ./nix#checks.x86_64-linux.xrdp-session -L     (Nix >= 2.18, KVM)
# API: pkgs.testers.runNixOSTest (pkgs/build-support/testers/default.nix) over
# nixos/lib/testing/ (nodes.nix: nodes, defaults, node.pkgsReadOnly; testScript.nix;
# network.nix: nodes reach each other by name). Driver calls: start_all, wait_for_unit,
# wait_for_open_port, succeed, execute, wait_until_succeeds (nixos/lib/test-driver).
# Client: pkgs.freerdp (pkgs/by-name/fr/freerdp) `xfreerdp`, under pkgs.xvfb-run
# (no display on the client node).
{ pkgs, machine }:
pkgs.testers.runNixOSTest {
  name = "xrdp-session";
  # nixpkgs.config (unfree spotify) and nixpkgs.overlays (xrdp) are set by the profiles.
  node.pkgsReadOnly = false;

  nodes.machine =
    { lib, ... }:
    {
      imports = [ machine ];
      virtualisation.memorySize = 2048;
      networking.useDHCP = lib.mkForce false;
    };
  nodes.client =
    { pkgs, ... }:
    {
      environment.systemPackages = [
        pkgs.freerdp
        pkgs.xvfb-run
      ];
    };

  testScript = ''
    start_all()
    machine.wait_for_unit("xrdp.service")
    machine.wait_for_open_port(3389)
    client.wait_for_unit("multi-user.target")

    with subtest("the lab password authenticates rdp over RDP; a wrong one does not"):
        client.succeed("xvfb-run -a xfreerdp /v:machine /u:rdp /p:qubix /cert:ignore /auth-only")
        client.fail("xvfb-run -a xfreerdp /v:machine /u:rdp /p:wrong /cert:ignore /auth-only")

    with subtest("an RDP session as rdp runs Openbox"):
        client.execute("xvfb-run -a xfreerdp /v:machine /u:rdp /p:qubix /cert:ignore /w:1280 /h:800 >/tmp/rdp.log 2>&1 &")
        machine.wait_until_succeeds("pgrep -u rdp -x openbox", timeout=120)
        machine.succeed("pgrep -u rdp -f xrdp-chansrv")
        machine.fail("pgrep -u user -x openbox")
  '';
}
