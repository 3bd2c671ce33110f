# Deterministic UUID from a string (builtins only): sha256 of the string, shaped as an
# RFC 9562 version-8 ("custom") UUID. Used for the home image's ext4 UUID and hash seed,
# so the same name always gives the same file system.
name:
let
  h = builtins.hashString "sha256" name;
  s = start: len: builtins.substring start len h;
  # Variant bits 10xx: the 17th hex digit's low two bits pick 8, 9, a or b.
  variant =
    {
      "0" = "8"; "1" = "9"; "2" = "a"; "3" = "b";
      "4" = "8"; "5" = "9"; "6" = "a"; "7" = "b";
      "8" = "8"; "9" = "9"; "a" = "a"; "b" = "b";
      "c" = "8"; "d" = "9"; "e" = "a"; "f" = "b";
    }
    .${s 16 1};
in
"${s 0 8}-${s 8 4}-8${s 13 3}-${variant}${s 17 3}-${s 20 12}"
