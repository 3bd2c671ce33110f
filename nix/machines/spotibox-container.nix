# spotibox-container: spotibox as a systemd-nspawn container for the nspawn backend
# (images.nspawn, format nixos-system). The same appliance minus what only a VM has: no
# kernel profile (kernel and serial console are the host's), no disk mount for /home (the
# backend binds the kept home folder there), no Hyper-V KVP reader (the credential comes from
# systemd-nspawn --load-credential), no NIC or mDNS setup (slirp4netns configures the network
# namespace; profiles/container/nspawn.nix).
{ ... }:
{
  imports = [
    ../profiles/base.nix
    ../profiles/container/nspawn.nix
    ../profiles/users.nix
    ../profiles/security/minimal.nix
    ../profiles/network/egress.nix
    ../profiles/gui/openbox.nix
    ../profiles/audio/pulseaudio-xrdp.nix
    ../profiles/remote/xrdp.nix
    ../profiles/remote/rdp-password.nix
    ../profiles/apps/spotify.nix
    ../profiles/modes/prod.nix
    ../profiles/modes/debug.nix
  ];

  # Its own name: the manifest's vmName (qubix-<hostName>) must differ from spotibox's.
  networking.hostName = "spotibox-container";

  qubix = {
    mode = "prod";
    # The nspawn backend keeps <stateDir>/<vmName>/home/ and binds it at /home; NixOS
    # activation, which runs inside the container after the bind, makes the users' folders.
    homeDisk.enable = true;
    rdp = {
      user = "rdp";
      port = 3389;
      width = 1280;
      height = 800;
    };
    # Open, as spotibox (see machines/spotibox.nix for why).
    network.egress.mode = "open";
  };
}
