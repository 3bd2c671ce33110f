package dev.qubix.manifest.internal;

import dev.qubix.manifest.FieldCursor;
import dev.qubix.manifest.ImageFormat;
import dev.qubix.manifest.ImageRef;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/** The images a machine is built from: key, flake output, format, and where a built one lies. */
final class ImageRules {
  private static final Pattern IMAGE_KEY = Pattern.compile("[a-z][a-z0-9-]{0,31}");
  private static final Pattern STORE_PATH = Pattern.compile("/nix/store/[0-9a-z]{32}-[A-Za-z0-9+._?=-]+");

  private ImageRules() {}

  static Map<String, ImageRef> read(FieldCursor i) {
    Map<String, ImageRef> out = new LinkedHashMap<>();
    if (!i.isObject()) {
      i.fail(i.isMissing() ? "missing: name the flake outputs that build this machine's images"
          : "must be an object (image key → {package, format})");
      return out;
    }
    for (String key : i.names()) {
      FieldCursor img = i.get(key);
      if (!IMAGE_KEY.matcher(key).matches()) {
        img.fail("'" + key + "' is not an image key like hyperv, microvm or home");
      } else if (!img.isObject()) {
        img.fail("must be an object {package, format}");
      } else {
        out.put(key, image(key, img));
      }
    }
    return out;
  }

  private static ImageRef image(String key, FieldCursor img) {
    FieldCursor pkgField = img.get("package");
    String pkg = pkgField.text();
    if (pkg != null) {
      pkgField.check(Names.isValid(pkg), "'" + pkg + "' is not a flake output name");
    }
    FieldCursor formatField = img.get("format");
    String fmtText = formatField.text();
    ImageFormat fmt = fmtText == null ? null : ImageFormat.fromJson(fmtText).orElse(null);
    if (fmtText != null && fmt == null) {
      formatField.fail("'" + fmtText + "' is not an image format: use vhdx, qcow2, raw, direct, rootfs or nixos-system");
    }
    FieldCursor fileField = img.get("file");
    String file = fileField.optionalText().orElse(null);
    if (file != null) {
      fileField.check(isRelativePath(file), "'" + file + "' must be a relative path inside the image's store path, without '..'");
    }
    FieldCursor storeField = img.get("storePath");
    String storePath = storeField.optionalText().orElse(null);
    if (storePath != null) {
      storeField.check(STORE_PATH.matcher(storePath).matches(), "'" + Names.printable(storePath)
          + "' is not a Nix store path like /nix/store/<32 characters>-name");
    }
    FieldCursor pathField = img.get("path");
    String path = pathField.optionalText().orElse(null);
    if (path != null) {
      pathField.check(isAbsoluteAnyOs(path), "'" + path + "' must be an absolute path to the built image");
    }
    return new ImageRef(key, pkg, fmt, file, storePath, path);
  }

  static boolean isRelativePath(String p) {
    if (p.isEmpty() || p.startsWith("/") || p.startsWith("\\") || p.contains(":")) {
      return false;
    }
    for (String segment : p.split("[\\\\/]")) {
      if (segment.equals("..")) {
        return false;
      }
    }
    return p.chars().noneMatch(Character::isISOControl);
  }

  static boolean isAbsoluteAnyOs(String p) {
    return (p.startsWith("/") || WindowsPathRule.ABSOLUTE.matcher(p).matches()) && p.chars().noneMatch(Character::isISOControl);
  }
}
