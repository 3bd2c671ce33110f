# The Qubix manifest (schemaVersion 3, see README "The manifest"), computed from evaluated
# machine configurations. Pure: builtins only, no nixpkgs and no nixpkgs lib, so it can be
# evaluated (and is tested, tests/check.sh) without nixpkgs.
#
#   machines: { <machine name> = <evaluated NixOS config, or any attrset shaped like one>; }
#             Read: config.networking.hostName, config.boot.isContainer and config.qubix.*
#             (modules/qubix.nix). A container (boot.isContainer = true) has one image,
#             images.nspawn (format nixos-system: the toplevel itself); a VM has hyperv,
#             microvm and, with a home disk, home.
#             Missing qubix.* fields take the defaults of lib/defaults.nix.
#   images:   optional { <machine name> = { hyperv = "<file>"; microvm = "<file>"; home = "<file>"; }; }
#             (a container's toplevel is the image: no file)
#             The image file's path inside its store output (system.build.images.<variant>
#             .passthru.filePath); a missing entry leaves "file" out of the manifest.
#
# Invalid settings fail evaluation with a message naming the option to edit.
{
  machines,
  images ? { },
  # optional { <machine> = { <key> = "/nix/store/…"; }; }: each image's output path without its
  # string context (so the manifest does not build the images), letting Java match `nix build`
  # results to images whatever order Nix prints them in.
  storePaths ? { },
}:
let
  defaults = import ./defaults.nix;
  ipv4 = import ./ipv4.nix;
  imageNames = import ./image-names.nix;

  namePattern = "[A-Za-z0-9][A-Za-z0-9._-]{0,62}";
  mib = 1024 * 1024;

  # First failing check throws; otherwise `value`.
  validated =
    checks: value:
    builtins.foldl' (acc: c: if c.ok then acc else throw c.msg) value checks;

  isInt = builtins.isInt;
  inRange = lo: hi: v: isInt v && v >= lo && v <= hi;
  matches = re: v: builtins.isString v && builtins.match re v != null;
  show = builtins.toJSON;

  machineManifest =
    machineName: config:
    let
      q = config.qubix or { };
      get = section: field: (q.${section} or { }).${field} or defaults.${section}.${field};
      mode = q.mode or defaults.mode;
      labPassword = q.labPassword or defaults.labPassword;

      hostName = (config.networking or { }).hostName or "";
      isContainer = (config.boot or { }).isContainer or false;
      at = "machine ${machineName}";
      opt = name: "${at}: qubix.${name}";

      staticIp = get "network" "staticIp";
      prefixLength = get "network" "prefixLength";
      gateway = get "network" "gateway";
      nameservers = get "network" "nameservers";
      static = staticIp != null;
      egress = {
        mode = ((q.network or { }).egress or { }).mode or defaults.network.egress.mode;
        domains = ((q.network or { }).egress or { }).domains or defaults.network.egress.domains;
      };

      home = {
        enable = get "homeDisk" "enable";
        label = get "homeDisk" "label";
        sizeMiB = get "homeDisk" "sizeMiB";
      };
      vm = {
        cpuCount = get "vm" "cpuCount";
        memoryStartupBytes = get "vm" "memoryStartupBytes";
        maxMemoryBytes = get "vm" "maxMemoryBytes";
      };
      rdp = {
        user = get "rdp" "user";
        port = get "rdp" "port";
        width = get "rdp" "width";
        height = get "rdp" "height";
      };
      vmRoot = get "hyperv" "vmRoot";
      switchName = get "hyperv" "switchName";
      wslDistro = get "hyperv" "wslDistro";

      checks = [
        {
          ok = matches namePattern machineName;
          msg = "${at}: the machine name must match ${namePattern}";
        }
        {
          ok = matches namePattern hostName;
          msg = "${at}: networking.hostName ${show hostName} must match ${namePattern}";
        }
        {
          ok = builtins.elem mode [ "prod" "debug" ];
          msg = "${opt "mode"} ${show mode} must be \"prod\" or \"debug\"";
        }
        {
          ok = inRange 1 64 vm.cpuCount;
          msg = "${opt "vm.cpuCount"} ${show vm.cpuCount} is out of range 1..64";
        }
        {
          ok = isInt vm.memoryStartupBytes && vm.memoryStartupBytes >= 256 * mib;
          msg = "${opt "vm.memoryStartupBytes"} ${show vm.memoryStartupBytes} must be at least 256 MiB (268435456)";
        }
        {
          ok = isInt vm.maxMemoryBytes && vm.maxMemoryBytes >= vm.memoryStartupBytes;
          msg = "${opt "vm.maxMemoryBytes"} ${show vm.maxMemoryBytes} is below qubix.vm.memoryStartupBytes ${show vm.memoryStartupBytes}";
        }
        {
          ok = inRange 1 30 prefixLength;
          msg = "${opt "network.prefixLength"} ${show prefixLength} is out of range 1..30";
        }
        {
          ok = builtins.isList nameservers && nameservers != [ ];
          msg = "${opt "network.nameservers"} must be a non-empty list of IPv4 addresses";
        }
        {
          ok = static || gateway == null;
          msg = "${opt "network.gateway"} ${show gateway} is set but qubix.network.staticIp is null (set both for a static address, neither for DHCP)";
        }
        {
          ok = !static || gateway != null;
          msg = "${opt "network.gateway"} must be set when qubix.network.staticIp is set (${show staticIp})";
        }
        {
          ok = builtins.elem egress.mode [ "open" "allowlist" ];
          msg = "${opt "network.egress.mode"} ${show egress.mode} must be \"open\" or \"allowlist\"";
        }
        {
          ok = builtins.isList egress.domains && builtins.all (matches "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+") egress.domains;
          msg = "${opt "network.egress.domains"} must be a list of domain names like spotify.com";
        }
        {
          ok = egress.mode != "allowlist" || egress.domains != [ ];
          msg = "${opt "network.egress.domains"} must not be empty when qubix.network.egress.mode is \"allowlist\"";
        }
        {
          ok = builtins.isBool home.enable;
          msg = "${opt "homeDisk.enable"} must be true or false";
        }
        {
          # ext4 labels hold at most 16 bytes.
          ok = matches "[A-Za-z0-9._-]{1,16}" home.label;
          msg = "${opt "homeDisk.label"} ${show home.label} must be 1-16 characters of A-Z a-z 0-9 . _ -";
        }
        {
          ok = isInt home.sizeMiB && home.sizeMiB >= 64;
          msg = "${opt "homeDisk.sizeMiB"} ${show home.sizeMiB} must be at least 64";
        }
        {
          ok = matches "[a-z_][a-z0-9_-]{0,31}" rdp.user;
          msg = "${opt "rdp.user"} ${show rdp.user} is not a valid user name";
        }
        {
          ok = inRange 1 65535 rdp.port;
          msg = "${opt "rdp.port"} ${show rdp.port} is out of range 1..65535";
        }
        {
          ok = inRange 320 8192 rdp.width && inRange 200 8192 rdp.height;
          msg = "${opt "rdp.width"}/qubix.rdp.height ${show rdp.width}x${show rdp.height} is out of range (320..8192 x 200..8192)";
        }
        {
          # Drive-letter or UNC path, without ".." segments: the same rule as Java's MachineValidator.
          ok =
            matches "([A-Za-z]:\\\\|\\\\\\\\[^\\\\]+\\\\[^\\\\]+).*" vmRoot
            && !(matches "(.*[\\\\/])?\\.\\.([\\\\/].*)?" vmRoot);
          msg = "${opt "hyperv.vmRoot"} ${show vmRoot} must be an absolute Windows path (C:\\... or \\\\server\\share\\...) without .. segments";
        }
        {
          ok = switchName == null || (builtins.isString switchName && switchName != "");
          msg = "${opt "hyperv.switchName"} must be null or a non-empty string";
        }
        {
          ok = matches namePattern wslDistro;
          msg = "${opt "hyperv.wslDistro"} ${show wslDistro} must match ${namePattern}";
        }
        {
          # slirp4netns gives a container its address (profiles/container/nspawn.nix).
          ok = !isContainer || !static;
          msg = "${opt "network.staticIp"} ${show staticIp} is set, but the machine is a container (boot.isContainer): slirp4netns gives it 10.0.2.100, remove qubix.network.staticIp and qubix.network.gateway";
        }
        {
          ok = labPassword == null || builtins.isString labPassword;
          msg = "${opt "labPassword"} must be null or a string";
        }
      ];

      # Forced after the checks above: the address checks need a gateway to exist.
      staticNetwork =
        let
          ip = ipv4.toInt "${at}: qubix.network.staticIp" staticIp;
          gw = ipv4.toInt "${at}: qubix.network.gateway" gateway;
          net = ipv4.network prefixLength gw;
          subnet = "${ipv4.toString net}/${toString prefixLength}";
          dns = builtins.genList (
            i:
            let
              s = builtins.elemAt nameservers i;
            in
            builtins.seq (ipv4.toInt "${at}: qubix.network.nameservers[${toString i}]" s) s
          ) (builtins.length nameservers);
          netChecks = [
            {
              ok = ipv4.network prefixLength ip == net;
              msg = "${opt "network.staticIp"} ${staticIp} is outside ${subnet} (qubix.network.gateway ${gateway} /${toString prefixLength})";
            }
            {
              ok = ip != gw;
              msg = "${opt "network.staticIp"} ${staticIp} is the same address as qubix.network.gateway";
            }
            {
              ok = ip != net && ip != ipv4.broadcast prefixLength net;
              msg = "${opt "network.staticIp"} ${staticIp} is the network or broadcast address of ${subnet}";
            }
            {
              ok = gw != net && gw != ipv4.broadcast prefixLength net;
              msg = "${opt "network.gateway"} ${gateway} is the network or broadcast address of ${subnet}";
            }
          ];
        in
        validated netChecks {
          mode = "static";
          inherit staticIp prefixLength gateway;
          natSwitchSubnet = subnet;
          nameservers = dns;
        };

      names = imageNames machineName config;
      files = images.${machineName} or { };
      outs = storePaths.${machineName} or { };
      image =
        key: format:
        {
          package = names.${key};
          inherit format;
        }
        // (if (files.${key} or null) == null then { } else { file = files.${key}; })
        // (if (outs.${key} or null) == null then { } else { storePath = outs.${key}; });
    in
    validated checks {
      inherit hostName mode;
      vmName = "qubix-${hostName}";
      inherit (vm) cpuCount memoryStartupBytes maxMemoryBytes;
      network = (if static then staticNetwork else { mode = "dhcp"; }) // {
        inherit egress;
      };
      homeDisk = home;
      inherit rdp;
      mdnsName = "${hostName}.local";
      images =
        if isContainer then
          # the home is a folder the nspawn backend keeps, not an image
          { nspawn = image "nspawn" "nixos-system"; }
        else
          {
            hyperv = image "hyperv" "vhdx";
            microvm = image "microvm" "qcow2";
          }
          // (if home.enable then { home = image "home" "vhdx"; } else { });
      hyperv = {
        inherit vmRoot wslDistro;
        switchName =
          if switchName != null then
            switchName
          else if static then
            "${hostName}-nat"
          else
            "Default Switch";
        generation = 2;
        # The NixOS images boot an unsigned GRUB/systemd-boot (virtualisation/hyperv-image.nix).
        secureBoot = false;
      };
    };

  result = builtins.mapAttrs machineManifest machines;

  vmNames = map (m: result.${m}.vmName) (builtins.attrNames result);
  duplicates = builtins.filter (n: builtins.length (builtins.filter (x: x == n) vmNames) > 1) vmNames;
in
if !builtins.isAttrs machines || machines == { } then
  throw "qubix manifest: `machines` must be a non-empty attribute set"
else if duplicates != [ ] then
  throw "qubix manifest: two machines share the VM name ${builtins.head duplicates} (networking.hostName must differ)"
else
  {
    schemaVersion = 3;
    machines = result;
  }
