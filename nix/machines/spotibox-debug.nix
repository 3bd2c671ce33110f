# spotibox-debug: spotibox plus SSH and diagnostic tools (profiles/modes/debug.nix).
# It shares spotibox's home image, so the two can use the same home disk in turn.
{ lib, ... }:
{
  imports = [ ./spotibox.nix ];

  networking.hostName = lib.mkForce "spotibox-debug";

  qubix = {
    mode = lib.mkForce "debug";
    homeDisk.imagePackage = "spotibox-home-vhdx";
  };
}
