# Evaluated by tests/check.sh without nixpkgs: modules/qubix.nix is loaded with a stub
# `lib`, and the option tree it declares must have exactly the leaves of
# lib/defaults.nix with the same defaults, so lib/manifest.nix (which falls back to
# lib/defaults.nix) can never read a field the module does not declare.
let
  t = "type";
  stubLib = {
    mkOption = attrs: attrs // { _isOption = true; };
    types = {
      enum = _: t;
      nullOr = _: t;
      strMatching = _: t;
      listOf = _: t;
      ints = {
        between = _: _: t;
        positive = t;
      };
      bool = t;
      str = t;
      port = t;
    };
  };
  module = import ../modules/qubix.nix { lib = stubLib; };
  defaults = import ../lib/defaults.nix;

  # { "a.b" = default; } for every option leaf.
  leaves =
    prefix: tree:
    builtins.foldl' (
      acc: name:
      let
        v = tree.${name};
        path = if prefix == "" then name else "${prefix}.${name}";
      in
      acc // (if v._isOption or false then { ${path} = v.default; } else leaves path v)
    ) { } (builtins.attrNames tree);

  dataLeaves =
    prefix: tree:
    builtins.foldl' (
      acc: name:
      let
        v = tree.${name};
        path = if prefix == "" then name else "${prefix}.${name}";
      in
      acc // (if builtins.isAttrs v then dataLeaves path v else { ${path} = v; })
    ) { } (builtins.attrNames tree);

  declared = leaves "" module.options.qubix;
  expected = dataLeaves "" defaults;
  missing = builtins.filter (p: !(declared ? ${p})) (builtins.attrNames expected);
  extra = builtins.filter (p: !(expected ? ${p})) (builtins.attrNames declared);
  differing = builtins.filter (p: declared ? ${p} && declared.${p} != expected.${p}) (
    builtins.attrNames expected
  );
in
if missing != [ ] then
  throw "options missing in modules/qubix.nix: ${toString missing}"
else if extra != [ ] then
  throw "options without a default in lib/defaults.nix: ${toString extra}"
else if differing != [ ] then
  throw "defaults differ from lib/defaults.nix: ${toString differing}"
else
  builtins.length (builtins.attrNames declared)
