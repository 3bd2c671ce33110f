# Default values of the qubix.* options, in one place.
# Pure data (no nixpkgs): modules/qubix.nix declares the options with these defaults,
# and lib/manifest.nix falls back to them, so a fixture may leave a field out and the
# manifest still matches what an evaluated NixOS config would give.
{
  mode = "prod";
  network = {
    staticIp = null;
    prefixLength = 24;
    gateway = null;
    nameservers = [ "1.1.1.1" ];
    egress = {
      mode = "open";
      domains = [ ];
    };
  };
  systemDisk.sizeMiB = 8192;
  homeDisk = {
    enable = true;
    label = "qubix-home";
    sizeMiB = 16384;
    imagePackage = null; # null: "<machine>-home-vhdx"
  };
  vm = {
    cpuCount = 2;
    memoryStartupBytes = 2147483648; # 2 GiB
    maxMemoryBytes = 6442450944; # 6 GiB
  };
  rdp = {
    user = "rdp";
    port = 3389;
    width = 1280;
    height = 800;
    passwordFrom = "credential"; # "lab": the public labPassword (NixOS VM tests only)
  };
  hyperv = {
    vmRoot = "C:\\HyperV\\Qubix";
    switchName = null; # null: "Default Switch" (DHCP) or "<hostName>-nat" (static)
    wslDistro = "NixOS";
  };
  labPassword = "qubix";
}
