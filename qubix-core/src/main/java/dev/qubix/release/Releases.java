package dev.qubix.release;

import dev.qubix.release.internal.Locations;
import java.net.URI;

/**
 * Release folders: a manifest, its images (optionally gzip-compressed), {@code SHA256SUMS} and
 * optionally {@code SHA256SUMS.sig}, local or served over HTTP(S). Use one with
 * {@code Qubix.appliance("spotibox").withRelease(Releases.location("github:OWNER/REPO@v1"))}; make one
 * with {@link ReleaseMaker}. README's "Release folders" section is the format's contract.
 */
public final class Releases {
  private Releases() {}

  /**
   * The release folder's URI for what a user typed: an {@code http(s)://} URL, a local folder, or
   * {@code github:OWNER/REPO@TAG} (that GitHub release's download folder; without {@code @TAG}, the
   * latest release's).
   */
  public static URI location(String text) {
    return Locations.parse(text);
  }
}
