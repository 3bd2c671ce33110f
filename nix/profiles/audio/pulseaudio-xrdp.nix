# Sound over RDP: PulseAudio with xrdp's sink/source module. pulseaudio-module-xrdp has
# no PipeWire counterpart (nixos/modules/services/networking/xrdp.nix, audio.enable).
# PipeWire is defaulted on only through services.graphical-desktop.enable, which follows
# services.xserver.enable or a display manager (nixos/modules/services/misc/graphical-desktop.nix);
# this appliance has neither, so PipeWire would be off anyway. The explicit `false` keeps
# a later desktop option from starting PipeWire, whose module asserts against PulseAudio.
{ ... }:
{
  services.pulseaudio.enable = true; # was hardware.pulseaudio before 25.05
  services.pipewire.enable = false;
  services.xrdp.audio.enable = true;
  security.rtkit.enable = true;
}
