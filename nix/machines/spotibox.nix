# spotibox: Spotify in an Openbox session over RDP, sound included, with a persistent
# home. Everything Qubix needs to know (manifest) is derived from this file.
{ ... }:
{
  imports = [
    ../profiles/base.nix
    ../profiles/kernel/default.nix
    ../profiles/users.nix
    ../profiles/security/minimal.nix
    ../profiles/network/default.nix
    ../profiles/network/egress.nix
    ../profiles/storage/persistent-home.nix
    ../profiles/gui/openbox.nix
    ../profiles/audio/pulseaudio-xrdp.nix
    ../profiles/remote/xrdp.nix
    ../profiles/remote/rdp-password.nix
    ../profiles/remote/hyperv-kvp-credential.nix
    ../profiles/apps/spotify.nix
    ../profiles/modes/prod.nix
    ../profiles/modes/debug.nix
  ];

  networking.hostName = "spotibox";

  qubix = {
    mode = "prod";
    homeDisk = {
      enable = true;
      label = "qubix-home";
      sizeMiB = 16384;
    };
    rdp = {
      user = "rdp";
      port = 3389;
      width = 1280;
      height = 800;
    };

    # Egress stays open: Spotify publishes no list of the hosts its client needs (its
    # CDNs and access points change), so an allowlist here would be a guess that breaks
    # playback silently. To lock the guest down, list the domains you verified, e.g.
    #   network.egress = { mode = "allowlist"; domains = [ "spotify.com" "scdn.co" ]; };
    # (profiles/network/egress.nix; tests/egress.nix shows the mechanism working).
    network.egress.mode = "open";

    # DHCP on the Hyper-V "Default Switch". For a fixed address on a NAT switch
    # "spotibox-nat", uncomment (the gateway is the host's side of that switch):
    # network = {
    #   staticIp = "192.168.250.10";
    #   prefixLength = 24;
    #   gateway = "192.168.250.1";
    #   nameservers = [ "1.1.1.1" ];
    # };
  };
}
