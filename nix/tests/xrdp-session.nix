# NixOS VM test (checks.x86_64-linux.xrdp-session): the rdp user's password is the VM's
# systemd credential qubix.rdp-password, passed as Qubix's microvm backend passes it (QEMU
# fw_cfg opt/io.systemd.credentials/…; virtualisation.qemu.options, nixos/modules/
# virtualisation/qemu-vm.nix); an RDP login with it from a second node with FreeRDP is
# accepted, the public lab password is not, and the session runs Openbox for `rdp`.
#   nix build ./nix#checks.x86_64-linux.xrdp-session -L     (Nix >= 2.18, KVM)
# API: pkgs.testers.runNixOSTest (pkgs/build-support/testers/default.nix) over
# nixos/lib/testing/ (nodes.nix: nodes, defaults, node.pkgsReadOnly; testScript.nix;
# network.nix: nodes reach each other by name). Driver calls: start_all, wait_for_unit,
# wait_for_open_port, succeed, execute, wait_until_succeeds (nixos/lib/test-driver).
# Client: pkgs.freerdp (pkgs/by-name/fr/freerdp) `xfreerdp`, under pkgs.xvfb-run
# (no display on the client node).
{ pkgs, machine }:
let
  # a test value in the test's own store path; a real VM gets 192 random bits from Qubix
  credential = "test-credential-Zq3v";
in
pkgs.testers.runNixOSTest {
  name = "xrdp-session";
  # nixpkgs.config (unfree spotify) and nixpkgs.overlays (xrdp) are set by the profiles.
  node.pkgsReadOnly = false;

  nodes.machine =
    { lib, ... }:
    {
      imports = [ machine ];
      virtualisation.memorySize = 2048;
      virtualisation.qemu.options = [
        "-fw_cfg"
        "name=opt/io.systemd.credentials/qubix.rdp-password,string=${credential}"
      ];
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

    with subtest("the credential sets rdp's password before xrdp starts"):
        machine.wait_for_unit("qubix-rdp-password.service")
        machine.succeed("journalctl -b -u qubix-rdp-password.service | grep -q 'set from the credential'")

    with subtest("the credential authenticates rdp over RDP; the lab password and a wrong one do not"):
        client.succeed("xvfb-run -a xfreerdp /v:machine /u:rdp /p:${credential} /cert:ignore /auth-only")
        client.fail("xvfb-run -a xfreerdp /v:machine /u:rdp /p:qubix /cert:ignore /auth-only")
        client.fail("xvfb-run -a xfreerdp /v:machine /u:rdp /p:wrong /cert:ignore /auth-only")

    with subtest("an RDP session as rdp runs Openbox"):
        client.execute("xvfb-run -a xfreerdp /v:machine /u:rdp /p:${credential} /cert:ignore /w:1280 /h:800 >/tmp/rdp.log 2>&1 &")
        machine.wait_until_succeeds("pgrep -u rdp -x openbox", timeout=120)
        machine.succeed("pgrep -u rdp -f xrdp-chansrv")
        machine.fail("pgrep -u user -x openbox")
  '';
}
