# Sound over RDP: PulseAudio with xrdp's sink/source module. pulseaudio-module-xrdp has
# no PipeWire counterpart (nixos/modules/services/networking/xrdp.nix, audio.enable), so
# PipeWire is switched off explicitly: graphical-desktop.nix turns it on by default and
# it refuses to run next to PulseAudio.
{ ... }:
{
  services.pulseaudio.enable = true; # was hardware.pulseaudio before 25.05
  services.pipewire.enable = false;
  services.xrdp.audio.enable = true;
  security.rtkit.enable = true;
}
