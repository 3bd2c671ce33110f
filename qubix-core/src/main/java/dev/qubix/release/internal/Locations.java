package dev.qubix.release.internal;

import dev.qubix.ConfigurationException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Where a release is: an http(s) URL, a local folder, or {@code github:OWNER/REPO[@TAG]}. */
public final class Locations {
  private static final Pattern GITHUB = Pattern.compile("github:([A-Za-z0-9][A-Za-z0-9-]{0,38})/([A-Za-z0-9._-]{1,100})(?:@(.+))?");
  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9._+-][A-Za-z0-9._+/-]{0,127}");

  private Locations() {}

  /** The release folder's URI (always ending in {@code /}) for what a user typed. */
  public static URI parse(String text) {
    if (text == null || text.isBlank()) {
      throw new ConfigurationException("the release location is empty: give a URL, a folder or github:OWNER/REPO@TAG");
    }
    String t = text.strip();
    if (t.startsWith("github:")) {
      return github(t);
    }
    String lower = t.toLowerCase(Locale.ROOT);
    if (lower.startsWith("http://") || lower.startsWith("https://") || lower.startsWith("file:")) {
      try {
        return normalize(new URI(t));
      } catch (URISyntaxException e) {
        throw new ConfigurationException("release URL '" + t + "' is not a valid URL: " + e.getMessage());
      }
    }
    try {
      Path dir = Path.of(t).toAbsolutePath().normalize();
      if (!Files.isDirectory(dir)) {
        throw new ConfigurationException("release folder " + dir + " does not exist: give a folder made by "
            + "'qubixctl release make', an http(s) URL, or github:OWNER/REPO@TAG");
      }
      return normalize(dir.toUri());
    } catch (InvalidPathException e) {
      throw new ConfigurationException("release location '" + t + "' is neither a URL nor a folder: " + e.getMessage());
    }
  }

  /**
   * {@code github:OWNER/REPO@TAG} is that release's download folder,
   * {@code https://github.com/OWNER/REPO/releases/download/TAG/}; without a tag, the latest release's
   * ({@code …/releases/latest/download/}).
   */
  static URI github(String t) {
    Matcher m = GITHUB.matcher(t);
    if (!m.matches() || m.group(2).equals(".") || m.group(2).equals("..")) {
      throw new ConfigurationException("'" + t + "' is not github:OWNER/REPO@TAG (e.g. github:qubix/qubix@v1.0)");
    }
    String tag = m.group(3);
    if (tag != null && (!TAG.matcher(tag).matches() || tag.contains(".."))) {
      throw new ConfigurationException("'" + tag + "' is not a release tag: letters, digits and . _ + - /");
    }
    String base = "https://github.com/" + m.group(1) + "/" + m.group(2) + "/releases/";
    return URI.create(tag == null ? base + "latest/download/" : base + "download/" + tag + "/");
  }

  /** The URI with a trailing {@code /}, so file names resolve inside the folder. */
  public static URI normalize(URI uri) {
    if (uri == null) {
      throw new ConfigurationException("the release location is missing");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") && !scheme.equals("file")) {
      throw new ConfigurationException("release location " + uri + " is not http(s) or a folder");
    }
    String s = uri.toString();
    return s.endsWith("/") ? uri : URI.create(s + "/");
  }

  static ReleaseSource open(URI uri, ReleaseSettings settings) {
    return uri.getScheme().equalsIgnoreCase("file") ? new DirReleaseSource(Path.of(uri))
        : new HttpReleaseSource(uri, settings);
  }
}
