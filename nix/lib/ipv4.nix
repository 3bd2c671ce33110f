# IPv4 arithmetic with builtins only (no nixpkgs, no bit operations), for lib/manifest.nix.
# Every function that can fail takes the option name, so the error says what to edit.
let
  octet = "(0|[1-9][0-9]?|1[0-9][0-9]|2[0-4][0-9]|25[0-5])";
  dotted = builtins.concatStringsSep "\\." [ octet octet octet octet ];

  pow2 = n: if n == 0 then 1 else 2 * pow2 (n - 1);

  isIpv4 = s: builtins.isString s && builtins.match dotted s != null;

  # "192.168.250.10" -> 3232299530; leading zeros are refused (0010 could mean octal).
  toInt =
    option: s:
    if !isIpv4 s then
      throw "${option} ${builtins.toJSON s} is not an IPv4 address (four dotted decimals 0-255, no leading zeros)"
    else
      builtins.foldl' (acc: o: acc * 256 + builtins.fromJSON o) 0 (builtins.match dotted s);

  toString =
    n:
    let
      o = k: builtins.toString (builtins.div n (pow2 (8 * k)) - 256 * builtins.div n (pow2 (8 * k + 8)));
    in
    "${o 3}.${o 2}.${o 1}.${o 0}";

  blockSize = prefixLength: pow2 (32 - prefixLength);

  # Network address (as an integer) of address n in a /prefixLength.
  network = prefixLength: n: builtins.div n (blockSize prefixLength) * blockSize prefixLength;

  broadcast = prefixLength: n: network prefixLength n + blockSize prefixLength - 1;
in
{
  # The whole-string regex (builtins.match anchors it), for types.strMatching in modules/qubix.nix.
  pattern = dotted;
  inherit
    isIpv4
    toInt
    toString
    network
    broadcast
    ;
}
